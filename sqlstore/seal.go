package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"

	"github.com/yaqaza/yaqaza/seal"
)

// Personal data at rest — reporters' contact details, media references,
// second-factor secrets — is sealed with AES-GCM under the installation's
// keyring, bound to its row so that a value copied elsewhere does not open.

func reportAAD(column string, id int64) []byte {
	return []byte("reports." + column + ":" + strconv.FormatInt(id, 10))
}

func outboxAAD(column, dedup string) []byte { return []byte("notifications." + column + ":" + dedup) }

// openOutbox opens a sealed column of the outbox.
func (db *DB) openOutbox(value, column, dedup string) (string, error) {
	v, err := db.openColumn(sql.NullString{String: value, Valid: true}, outboxAAD(column, dedup))
	return v.String, err
}

var errNoKeys = errors.New("sqlstore: no keyring: personal data cannot be sealed or opened")

func (db *DB) sealSecret(plain string, aad []byte) (string, error) {
	if db.keys == nil {
		return "", errNoKeys
	}
	return db.keys.Seal([]byte(plain), aad)
}

func (db *DB) openSecret(value string, aad []byte) (string, error) {
	if db.keys == nil {
		return "", errNoKeys
	}
	b, err := db.keys.Open(value, aad)
	return string(b), err
}

// sealColumn seals a JSON column's value; NULL stays NULL.
func (db *DB) sealColumn(v sql.NullString, aad []byte) (sql.NullString, error) {
	if !v.Valid {
		return v, nil
	}
	s, err := db.sealSecret(v.String, aad)
	return sql.NullString{String: s, Valid: true}, err
}

// openColumn opens a sealed column. Values written before sealing existed
// are plain JSON and read as they are; the keys command seals them.
func (db *DB) openColumn(v sql.NullString, aad []byte) (sql.NullString, error) {
	if !v.Valid || !seal.IsSealed(v.String) {
		return v, nil
	}
	s, err := db.openSecret(v.String, aad)
	return sql.NullString{String: s, Valid: true}, err
}

// EphemeralKeys is a keyring that lives as long as the process: for tests,
// benchmarks and throwaway stores (a replay), never for data to keep.
func EphemeralKeys() *seal.Keyring {
	k, err := seal.GenerateKeyring("ephemeral")
	if err != nil {
		panic(err) // the system's random source failed
	}
	return k
}

// Keys is the store's keyring, for what else must seal with it (the
// sign-in state a browser carries).
func (db *DB) Keys() *seal.Keyring { return db.keys }
