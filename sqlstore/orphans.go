package sqlstore

import (
	"context"

	"github.com/yaqaza/yaqaza"
)

// Orphans are what has fallen through the cracks: incidents still owed
// something (open, or over with their reporters not yet told) that have no
// owner or no next deadline, and reports linked to no incident. On a
// healthy system there are none.
type Orphans struct {
	Incidents []*yaqaza.Incident `json:"incidents"`
	Reports   []int64            `json:"reports"`
}

// Count is the number of orphans.
func (o *Orphans) Count() int { return len(o.Incidents) + len(o.Reports) }

// FindOrphans implements the check. It reads only.
func (db *DB) FindOrphans(ctx context.Context) (*Orphans, error) {
	out := &Orphans{}
	rows, err := db.read.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents i
		WHERE (i.status IN ('new', 'triaged', 'dispatched', 'en_route', 'on_scene') OR i.informed_at IS NULL)
		AND (i.owner = '' OR i.deadline_stage IS NULL OR i.deadline_at IS NULL) ORDER BY i.id LIMIT 1000`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out.Incidents = append(out.Incidents, inc)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rrows, err := db.read.QueryContext(ctx, `SELECT r.id FROM reports r LEFT JOIN incidents i ON i.id = r.incident_id
		WHERE i.id IS NULL ORDER BY r.id LIMIT 1000`)
	if err != nil {
		return nil, err
	}
	defer rrows.Close()
	for rrows.Next() {
		var id int64
		if err := rrows.Scan(&id); err != nil {
			return nil, err
		}
		out.Reports = append(out.Reports, id)
	}
	return out, rrows.Err()
}
