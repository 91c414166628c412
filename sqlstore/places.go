package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/yaqaza/yaqaza"
)

func (db *DB) insertPlace(ctx context.Context, tx *sql.Tx, pl yaqaza.Place, by string) error {
	names, err := json.Marshal(pl.Names)
	if err != nil {
		return err
	}
	aliases, err := json.Marshal(pl.Aliases)
	if err != nil {
		return err
	}
	lat, lon := pointColumns(pl.Point)
	_, err = tx.ExecContext(ctx, db.q(`INSERT INTO places (name, names, aliases, zone_code, lat, lon, common_word, added_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), pl.Name, string(names), string(aliases), nullString(pl.Zone), lat, lon, pl.CommonWord, by)
	return err
}

func (db *DB) findPlaces(ctx context.Context) ([]yaqaza.Place, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name, names, aliases, zone_code, lat, lon, common_word FROM places ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []yaqaza.Place
	for rows.Next() {
		var pl yaqaza.Place
		var names, aliases string
		var zone sql.NullString
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&pl.Name, &names, &aliases, &zone, &lat, &lon, &pl.CommonWord); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(names), &pl.Names); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(aliases), &pl.Aliases); err != nil {
			return nil, err
		}
		pl.Zone = zone.String
		if lat.Valid && lon.Valid {
			pl.Point = &yaqaza.Point{Lat: lat.Float64, Lon: lon.Float64}
		}
		out = append(out, pl)
	}
	return out, rows.Err()
}

// AddPlace adds a place to the gazetteer. Only admins may.
func (s *PackService) AddPlace(ctx context.Context, pl yaqaza.Place) error {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return err
	}
	if strings.TrimSpace(pl.Name) == "" || len(pl.Name) > 200 {
		return yaqaza.Invalidf("name", "a place needs a name of 1 to 200 bytes")
	}
	if len(pl.Aliases) > 50 {
		return yaqaza.Invalidf("aliases", "at most 50 aliases")
	}
	if pl.Point != nil {
		if err := pl.Point.Validate("point"); err != nil {
			return err
		}
	}
	if pl.Zone != "" {
		var n int
		if err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT count(*) FROM zones WHERE code = ?`), pl.Zone).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return yaqaza.Invalidf("zone", "zone %q is not a zone of the jurisdiction", pl.Zone)
		}
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.db.insertPlace(ctx, tx, pl, actor.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "config.place", "", pl.Zone, pl.Name))
	})
}
