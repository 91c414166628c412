package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/yaqaza/yaqaza"
)

// The statements of intake, built for every chunk size.
var (
	bulkPriorByKey = newBulkStatement(func(n int) string {
		return inSQL(`SELECT idempotency_key, id, incident_id, received_at, request_hash FROM reports WHERE idempotency_key IN`, n, "")
	})
	bulkPriorByExternal = newBulkStatement(func(n int) string {
		return inSQL(`SELECT channel, external_id, id, incident_id, received_at FROM reports WHERE external_id IN`, n, "")
	})
	bulkInsertIncidents = newBulkStatement(func(n int) string {
		return bulkSQL(`INSERT INTO incidents (id, status, category, priority, priority_reason, zone_code, lat, lon, summary, owner,
			report_count, version, created_at, updated_at) VALUES`, 14, n, "")
	})
	bulkInsertReports = newBulkStatement(func(n int) string {
		return bulkSQL(`INSERT INTO reports (id, incident_id, channel, external_id, idempotency_key, request_hash,
			text, language, lat, lon, place, media, reporter, source, occurred_at, received_at, submitted_by) VALUES`, 17, n, " ON CONFLICT DO NOTHING")
	})
	bulkInsertTimeline = newBulkStatement(func(n int) string {
		return bulkSQL(`INSERT INTO timeline (incident_id, at, actor_id, actor_name, kind, from_status, to_status,
			report_id, other_incident_id, detail, public_message) VALUES`, 11, n, "")
	})
	maxIDQuery = map[string]string{
		"incidents": `SELECT coalesce(max(id), 0) FROM incidents`,
		"reports":   `SELECT coalesce(max(id), 0) FROM reports`,
	}
	intakeStatements = []bulkStatement{bulkPriorByKey, bulkPriorByExternal, bulkInsertIncidents, bulkInsertReports, bulkInsertTimeline}
)

// writeIntake writes a batch of reports in the caller's transaction: it
// finds the ones already stored (by idempotency key or channel and external
// id) and the repeats inside the batch, then inserts the rest, each opening
// an incident, with a few multi-row statements. It may run again on the
// same items (after errRetryBatch, or alone), so it only sets results.
func (db *DB) writeIntake(ctx context.Context, tx *sql.Tx, batch []*intakeItem) error {
	for _, it := range batch {
		it.receipt, it.err, it.sameAs = nil, nil, nil
	}
	if err := db.findPriors(ctx, tx, batch); err != nil {
		return err
	}
	fresh := markRepeats(batch)
	if len(fresh) == 0 {
		return nil
	}
	incidentIDs, err := db.allocateIDs(ctx, tx, "incidents", len(fresh))
	if err != nil {
		return err
	}
	reportIDs, err := db.allocateIDs(ctx, tx, "reports", len(fresh))
	if err != nil {
		return err
	}
	for i, it := range fresh {
		it.receipt = &yaqaza.Receipt{ReportID: reportIDs[i], IncidentID: incidentIDs[i],
			TrackingCode: db.codes.Code(reportIDs[i]), ReceivedAt: fromMillis(toMillis(it.receivedAt))}
	}
	if _, err := db.execBulk(ctx, tx, bulkInsertIncidents, len(fresh), func(i int) []any {
		it := fresh[i]
		p := it.placement
		lat, lon := pointColumns(p.Location)
		priority := p.Priority
		if !priority.Valid() {
			priority = yaqaza.P3
		}
		at := toMillis(it.receivedAt)
		return []any{it.receipt.IncidentID, yaqaza.StatusNew, p.Category, int(priority), p.PriorityReason,
			nullString(p.ZoneCode), lat, lon, summarise(it.in.Text), ownerOf(p.ZoneCode), 1, 1, at, at}
	}); err != nil {
		return err
	}
	n, err := db.execBulk(ctx, tx, bulkInsertReports, len(fresh), func(i int) []any {
		it := fresh[i]
		in := it.in
		lat, lon := pointColumns(in.Location)
		return []any{it.receipt.ReportID, it.receipt.IncidentID, in.Channel, nullString(in.ExternalID),
			nullString(in.IdempotencyKey), it.requestHash, in.Text, nullString(in.Language), lat, lon, nullString(in.Place),
			it.media, it.reporter, it.source, nullMillis(in.OccurredAt), toMillis(it.receivedAt), it.actorID}
	})
	if err != nil {
		return err
	}
	if n != int64(len(fresh)) {
		return errRetryBatch
	}
	if _, err := db.execBulk(ctx, tx, bulkInsertTimeline, len(fresh), func(i int) []any {
		it := fresh[i]
		return []any{it.receipt.IncidentID, toMillis(it.receivedAt), it.actorID, it.actorName, yaqaza.EventIncidentCreated,
			nil, yaqaza.StatusNew, it.receipt.ReportID, nil, "opened from a " + string(it.in.Channel) + " report", nil}
	}); err != nil {
		return err
	}
	for _, it := range batch {
		if it.sameAs != nil {
			it.replay(it.sameAs.receipt)
		}
	}
	return nil
}

// findPriors gives every item already stored its first receipt: by
// idempotency key when it has one, else (or when the key is new) by channel
// and external id.
func (db *DB) findPriors(ctx context.Context, tx *sql.Tx, batch []*intakeItem) error {
	var keys []any
	byKey := map[string][]*intakeItem{}
	for _, it := range batch {
		if k := it.in.IdempotencyKey; k != "" {
			if byKey[k] == nil {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], it)
		}
	}
	err := db.queryIn(ctx, tx, bulkPriorByKey, keys, func(rows *sql.Rows) error {
		var key, hash string
		var r yaqaza.Receipt
		var at int64
		if err := rows.Scan(&key, &r.ReportID, &r.IncidentID, &at, &hash); err != nil {
			return err
		}
		r.ReceivedAt = fromMillis(at)
		r.TrackingCode = db.codes.Code(r.ReportID)
		for _, it := range byKey[key] {
			if hash != it.requestHash {
				it.err = yaqaza.Errorf(yaqaza.ECONFLICT, "Idempotency-Key %q was already used for a different report (report %d)", key, r.ReportID)
				continue
			}
			it.replay(&r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var exts []any
	byExt := map[string][]*intakeItem{}
	for _, it := range batch {
		if e := it.in.ExternalID; e != "" && it.receipt == nil && it.err == nil {
			if len(byExt[e]) == 0 {
				exts = append(exts, e)
			}
			byExt[e] = append(byExt[e], it)
		}
	}
	return db.queryIn(ctx, tx, bulkPriorByExternal, exts, func(rows *sql.Rows) error {
		var channel, ext string
		var r yaqaza.Receipt
		var at int64
		if err := rows.Scan(&channel, &ext, &r.ReportID, &r.IncidentID, &at); err != nil {
			return err
		}
		r.ReceivedAt = fromMillis(at)
		r.TrackingCode = db.codes.Code(r.ReportID)
		for _, it := range byExt[ext] {
			if string(it.in.Channel) == channel {
				it.replay(&r)
			}
		}
		return nil
	})
}

// markRepeats links items that repeat an earlier item of the same batch
// (same key, or same channel and external id) to it, and returns the items
// to insert.
func markRepeats(batch []*intakeItem) []*intakeItem {
	var fresh []*intakeItem
	firstByKey := map[string]*intakeItem{}
	firstByExt := map[string]*intakeItem{}
	for _, it := range batch {
		if it.receipt != nil || it.err != nil {
			continue
		}
		in := it.in
		if k := in.IdempotencyKey; k != "" {
			if first := firstByKey[k]; first != nil {
				if first.requestHash != it.requestHash {
					it.err = yaqaza.Errorf(yaqaza.ECONFLICT, "Idempotency-Key %q was already used for a different report", k)
				} else {
					it.sameAs = first
				}
				continue
			}
		}
		ext := string(in.Channel) + "\x00" + in.ExternalID
		if in.ExternalID != "" {
			if first := firstByExt[ext]; first != nil {
				it.sameAs = first
				continue
			}
		}
		if k := in.IdempotencyKey; k != "" {
			firstByKey[k] = it
		}
		if in.ExternalID != "" {
			firstByExt[ext] = it
		}
		fresh = append(fresh, it)
	}
	return fresh
}

// allocateIDs reserves n ids of a table for rows the batch will insert.
// SQLite's writer holds the database lock for the whole transaction, so
// counting on from the highest id is safe (rows are never deleted);
// PostgreSQL draws them from the table's identity sequence.
func (db *DB) allocateIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if db.Dialect == Postgres {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT nextval(pg_get_serial_sequence('%s', 'id')) FROM generate_series(1, $1)`, table), n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	st, err := db.stmt(ctx, tx, maxIDQuery[table])
	if err != nil {
		return nil, err
	}
	var last int64
	if err := st.QueryRowContext(ctx).Scan(&last); err != nil {
		return nil, err
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, last+int64(i))
	}
	return ids, nil
}

func pointColumns(p *yaqaza.Point) (lat, lon sql.NullFloat64) {
	if p == nil {
		return
	}
	return sql.NullFloat64{Float64: p.Lat, Valid: true}, sql.NullFloat64{Float64: p.Lon, Valid: true}
}
