package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/yaqaza/yaqaza"
)

// openStatusList is the SQL list of statuses whose incidents reports may join.
const openStatusList = `('new', 'triaged', 'dispatched', 'en_route', 'on_scene', 'resolved')`

// RestoreClusters gives the clusterer the reports of open incidents
// received within window, so that after a restart new reports still join
// the incidents they belong to. It returns how many reports it restored.
func (db *DB) RestoreClusters(ctx context.Context, window time.Duration) (int, error) {
	if db.clusterer == nil {
		return 0, nil
	}
	since := toMillis(db.Now().Add(-window))
	return db.restore(ctx, `i.status IN `+openStatusList+` AND r.received_at >= ?`, since)
}

// reclusterIncidents tells the clusterer what the given incidents hold now,
// after reports moved between them (split, merge).
func (db *DB) reclusterIncidents(ctx context.Context, ids ...int64) error {
	if db.clusterer == nil {
		return nil
	}
	for _, id := range ids {
		db.clusterer.Forget(id)
		if _, err := db.restore(ctx, `i.id = ? AND i.status IN `+openStatusList, id); err != nil {
			return err
		}
	}
	return nil
}

// restore feeds the clusterer the reports matching where (on r and i), in
// the order they arrived, with their incident's current category and zone
// (an operator may have corrected them).
func (db *DB) restore(ctx context.Context, where string, args ...any) (int, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT r.incident_id, r.channel, r.text, r.media, r.source, r.received_at,
		r.assessment, i.category, i.zone_code FROM reports r JOIN incidents i ON i.id = r.incident_id WHERE `+where+` ORDER BY r.id`), args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, at int64
		var in yaqaza.ClusterInput
		var media, source, assessment, zone sql.NullString
		var category string
		if err := rows.Scan(&id, &in.Channel, &in.Text, &media, &source, &at, &assessment, &category, &zone); err != nil {
			return n, err
		}
		in.At = fromMillis(at)
		in.Assessment = &yaqaza.Assessment{}
		if assessment.Valid {
			json.Unmarshal([]byte(assessment.String), in.Assessment)
		}
		in.Assessment.Join = nil
		in.Assessment.Category, in.Assessment.ZoneCode = category, zone.String
		unmarshalColumn(media, &in.Media)
		if source.Valid {
			in.Source = new(yaqaza.Source)
			unmarshalColumn(source, in.Source)
		}
		db.clusterer.Restore(id, in)
		n++
	}
	return n, rows.Err()
}
