package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/seal"
)

// sealedColumn is a column of personal data and how its values are bound:
// to the row's key column (its id, or the outbox's unique key).
type sealedColumn struct {
	table, column, key string
	aad                func(key string) []byte
}

var sealedColumns = []sealedColumn{
	{"reports", "reporter", "id", func(k string) []byte { return []byte("reports.reporter:" + k) }},
	{"reports", "media", "id", func(k string) []byte { return []byte("reports.media:" + k) }},
	{"notifications", "recipient", "dedup_key", func(k string) []byte { return outboxAAD("recipient", k) }},
	{"notifications", "secret", "dedup_key", func(k string) []byte { return outboxAAD("secret", k) }},
	{"users", "totp_secret", "id", func(k string) []byte { return []byte("users.totp:" + k) }},
	{"users", "totp_pending", "id", func(k string) []byte { return []byte("users.totp:" + k) }},
}

// Reseal seals again, under the keyring's current key, every value sealed
// under an older one — and seals values written before sealing existed.
// Run it after a key rotation, once every node has the new keyring; it
// can run beside live traffic and be run again.
func (db *DB) Reseal(ctx context.Context) (int, error) {
	total := 0
	for _, c := range sealedColumns {
		n, err := db.resealColumn(ctx, c)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, db.auditAlone(ctx, auditOf(ctx, yaqaza.ActorFromContext(ctx), "keys.reseal", "", "",
		fmt.Sprintf("%d values sealed under key %s", total, db.keys.Current())))
}

func (db *DB) resealColumn(ctx context.Context, c sealedColumn) (int, error) {
	n := 0
	var after int64
	for {
		rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, `+c.key+`, `+c.column+` FROM `+c.table+
			` WHERE `+c.column+` IS NOT NULL AND id > ? ORDER BY id LIMIT 500`), after)
		if err != nil {
			return n, err
		}
		type item struct {
			id         int64
			key, value string
		}
		var batch []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.id, &it.key, &it.value); err != nil {
				rows.Close()
				return n, err
			}
			batch = append(batch, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		if len(batch) == 0 {
			return n, nil
		}
		after = batch[len(batch)-1].id
		err = db.withTx(ctx, func(tx *sql.Tx) error {
			for _, it := range batch {
				if seal.IsSealed(it.value) && !db.keys.NeedsRotation(it.value) {
					continue
				}
				var fresh string
				var err error
				if seal.IsSealed(it.value) {
					fresh, err = db.keys.Reseal(it.value, c.aad(it.key))
				} else {
					fresh, err = db.keys.Seal([]byte(it.value), c.aad(it.key))
				}
				if err != nil {
					return err
				}
				// Only if unchanged meanwhile: a concurrent write wins.
				res, err := tx.ExecContext(ctx, db.q(`UPDATE `+c.table+` SET `+c.column+` = ? WHERE id = ? AND `+c.column+` = ?`),
					fresh, it.id, it.value)
				if err != nil {
					return err
				}
				if k, _ := res.RowsAffected(); k == 1 {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
}
