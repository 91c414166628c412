package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/dispatch"
)

// UnitService implements yaqaza.UnitService and yaqaza.DispatchService.
// It keeps the fleet in a spatial index for recommendations; the index is
// updated by this node's changes at once and reloaded from the store every
// few seconds for the other nodes'.
type UnitService struct {
	db     *DB
	index  *dispatch.Index
	rec    *dispatch.Recommender
	covers func(yaqaza.Point) bool
	zoneOf func(yaqaza.Point) string
	center func(zone string) (yaqaza.Point, bool)
	loaded time.Time
	policy *yaqaza.DispatchPolicy
}

var (
	_ yaqaza.UnitService     = (*UnitService)(nil)
	_ yaqaza.DispatchService = (*UnitService)(nil)
)

// Jurisdiction is what the unit service needs of the zones.
type Jurisdiction interface {
	Covers(yaqaza.Point) bool
	Locate(yaqaza.Point) string
	Centroid(zone string) (yaqaza.Point, bool)
	Bound() (sw, ne yaqaza.Point)
}

// NewUnitService loads the fleet. A nil policy is dispatch's default.
func NewUnitService(ctx context.Context, db *DB, j Jurisdiction, policy *yaqaza.DispatchPolicy) (*UnitService, error) {
	sw, ne := j.Bound()
	idx, err := dispatch.NewIndex(dispatch.Box{MinLat: sw.Lat, MinLon: sw.Lon, MaxLat: ne.Lat, MaxLon: ne.Lon}, 0, j.Centroid)
	if err != nil {
		return nil, err
	}
	if policy == nil {
		policy = dispatch.DefaultPolicy()
	}
	s := &UnitService{db: db, index: idx, rec: dispatch.NewRecommender(idx, policy), covers: j.Covers, zoneOf: j.Locate,
		center: j.Centroid, policy: policy}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	refresh := s.refresh
	db.onUnitsChanged.Store(&refresh)
	return s, nil
}

// refresh reads a few units again into the index.
func (s *UnitService) refresh(ctx context.Context, ids []int64) {
	for _, id := range ids {
		u, err := s.db.findUnit(ctx, s.db.read, id, false)
		if err != nil {
			// The periodic reload will catch up; say why it had to.
			slog.Warn("refreshing a unit in the fleet index", "unit", id, "err", err)
			continue
		}
		s.index.Upsert(u)
	}
}

// Policy is the dispatch policy in force.
func (s *UnitService) Policy() *yaqaza.DispatchPolicy { return s.policy }

// Reload reads the whole fleet from the store into the index.
func (s *UnitService) Reload(ctx context.Context) error {
	units, err := s.db.findUnits(ctx, s.db.read, "1 = 1")
	if err != nil {
		return err
	}
	for _, u := range units {
		if err := s.index.Upsert(u); err != nil {
			return err
		}
	}
	s.loaded = time.Now()
	return nil
}

// Watch reloads the fleet every interval until ctx ends, so that this
// node's recommendations see what other nodes changed.
func (s *UnitService) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("reloading the fleet", "err", err)
			}
		}
	}
}

const unitColumns = `u.id, u.call_sign, u.kind, u.capabilities, u.home_zone, u.shift, u.status, u.status_since, u.lat, u.lon,
	u.position_at, u.incident_id`

func (db *DB) findUnits(ctx context.Context, q querier, where string, args ...any) ([]*yaqaza.Unit, error) {
	return db.queryUnits(ctx, q, `SELECT `+unitColumns+` FROM units u WHERE `+where+` ORDER BY u.call_sign`, args...)
}

func (db *DB) queryUnits(ctx context.Context, q querier, query string, args ...any) ([]*yaqaza.Unit, error) {
	rows, err := q.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*yaqaza.Unit
	for rows.Next() {
		var u yaqaza.Unit
		var caps string
		var home sql.NullString
		var since int64
		var lat, lon sql.NullFloat64
		var posAt, incident sql.NullInt64
		if err := rows.Scan(&u.ID, &u.CallSign, &u.Kind, &caps, &home, &u.Shift, &u.Status, &since, &lat, &lon, &posAt, &incident); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(caps), &u.Capabilities)
		u.HomeZone, u.IncidentID = home.String, incident.Int64
		if since > 0 {
			u.StatusSince = fromMillis(since)
		}
		if lat.Valid && lon.Valid {
			u.Position = &yaqaza.Point{Lat: lat.Float64, Lon: lon.Float64}
		}
		u.PositionAt = timePtr(posAt)
		out = append(out, &u)
	}
	return out, rows.Err()
}

// FindUnits implements yaqaza.UnitService.
func (s *UnitService) FindUnits(ctx context.Context, f yaqaza.UnitFilter) ([]*yaqaza.Unit, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActReadUnits); err != nil {
		return nil, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if len(f.Statuses) > 0 {
		for _, st := range f.Statuses {
			if !st.Valid() {
				return nil, yaqaza.Invalidf("status", "unknown unit status %q", st)
			}
			args = append(args, st)
		}
		where = append(where, "u.status IN ("+placeholders(len(f.Statuses))+")")
	}
	if f.Zone != "" {
		where, args = append(where, "u.home_zone = ?"), append(args, f.Zone)
	}
	if f.Kind != "" {
		where, args = append(where, "u.kind = ?"), append(args, f.Kind)
	}
	return s.db.findUnits(ctx, s.db.read, strings.Join(where, " AND "), args...)
}

// FindUnitByID implements yaqaza.UnitService.
func (s *UnitService) FindUnitByID(ctx context.Context, id int64) (*yaqaza.Unit, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActReadUnits); err != nil {
		return nil, err
	}
	return s.db.findUnit(ctx, s.db.read, id, false)
}

func (db *DB) findUnit(ctx context.Context, q querier, id int64, lock bool) (*yaqaza.Unit, error) {
	query := `SELECT ` + unitColumns + ` FROM units u WHERE u.id = ?`
	if lock {
		query += db.forUpdate()
	}
	us, err := db.queryUnits(ctx, q, query, id)
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "unit %d not found", id)
	}
	return us[0], nil
}

// SetUnitPosition implements yaqaza.UnitService. Positions arrive every few
// seconds from field devices: they update the unit, not the event log.
func (s *UnitService) SetUnitPosition(ctx context.Context, id int64, p yaqaza.Point) (*yaqaza.Unit, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActUpdateUnit); err != nil {
		return nil, err
	}
	if err := p.Validate("position"); err != nil {
		return nil, err
	}
	if !s.covers(p) {
		return nil, yaqaza.Invalidf("position", "position %.5f, %.5f is outside the jurisdiction", p.Lat, p.Lon)
	}
	now := toMillis(s.db.Now())
	var u *yaqaza.Unit
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.q(`UPDATE units SET lat = ?, lon = ?, position_at = ? WHERE id = ?`), p.Lat, p.Lon, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return yaqaza.Errorf(yaqaza.ENOTFOUND, "unit %d not found", id)
		}
		u, err = s.db.findUnit(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.index.Upsert(u)
	return u, nil
}

// SetUnitStatus implements yaqaza.UnitService.
func (s *UnitService) SetUnitStatus(ctx context.Context, id int64, to yaqaza.UnitStatus) (*yaqaza.Unit, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActUpdateUnit)
	if err != nil {
		return nil, err
	}
	if !to.Valid() {
		return nil, yaqaza.Invalidf("status", "unknown unit status %q", to)
	}
	var out *yaqaza.Unit
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		u, err := s.db.findUnit(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if u.Status == to {
			out = u
			return nil
		}
		if err := dispatch.CheckUnitTransition(u.Status, to, u.IncidentID != 0); err != nil {
			var ye *yaqaza.Error
			if errors.As(err, &ye) {
				ye.Message = "unit " + u.CallSign + ": " + ye.Message
			}
			return err
		}
		now := toMillis(s.db.Now())
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE units SET status = ?, status_since = ? WHERE id = ?`), to, now, id); err != nil {
			return err
		}
		if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{unitID: id, incidentID: u.IncidentID, zone: u.HomeZone,
			kind: yaqaza.EventUnitStatus, detail: u.CallSign + " " + string(u.Status) + " → " + string(to)}); err != nil {
			return err
		}
		if u.IncidentID != 0 {
			if err := s.followAssignment(ctx, tx, actor, now, u, to); err != nil {
				return err
			}
		}
		out, err = s.db.findUnit(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.index.Upsert(out)
	return out, nil
}

// followAssignment moves an incident along with the unit sent to it: the
// first unit en route or on scene moves the incident; a unit that clears
// leaves it, and the incident goes back to its desk when no unit is left.
func (s *UnitService) followAssignment(ctx context.Context, tx *sql.Tx, actor *yaqaza.Actor, now int64, u *yaqaza.Unit, to yaqaza.UnitStatus) error {
	inc, err := s.db.findIncident(ctx, tx, u.IncidentID, true)
	if err != nil {
		return err
	}
	switch to {
	case yaqaza.UnitEnRoute, yaqaza.UnitOnScene:
		col := "en_route_at"
		if to == yaqaza.UnitOnScene {
			col = "on_scene_at"
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE assignments SET `+col+` = coalesce(`+col+`, ?) WHERE unit_id = ? AND incident_id = ?
			AND cleared_at IS NULL AND released = ?`), now, u.ID, inc.ID, false); err != nil {
			return err
		}
		target := yaqaza.StatusEnRoute
		if to == yaqaza.UnitOnScene {
			target = yaqaza.StatusOnScene
			// The first unit on scene is the incident's arrival, whatever its status says.
			if err := s.db.reach(ctx, tx, inc.ID, now, stageOnScene); err != nil {
				return err
			}
		}
		if yaqaza.CanTransition(inc.Status, target) {
			return s.db.moveIncident(ctx, tx, actor, now, inc, target, u.CallSign+" "+string(to))
		}
		return nil
	case yaqaza.UnitAvailable:
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE assignments SET cleared_at = ? WHERE unit_id = ? AND incident_id = ?
			AND cleared_at IS NULL AND released = ?`), now, u.ID, inc.ID, false); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE units SET incident_id = NULL WHERE id = ?`), u.ID); err != nil {
			return err
		}
		if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: inc.ID, unitID: u.ID, zone: inc.ZoneCode,
			kind: yaqaza.EventUnitReleased, detail: u.CallSign + " cleared"}); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRowContext(ctx, s.db.q(`SELECT count(*) FROM assignments WHERE incident_id = ? AND cleared_at IS NULL AND released = ?`),
			inc.ID, false).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			_, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET owner = ?, version = version + 1, updated_at = ? WHERE id = ?`),
				ownerOf(inc.ZoneCode), now, inc.ID)
			return err
		}
	}
	return nil
}

// moveIncident changes an incident's status as a consequence of a unit's
// move, with the timeline and the deadline.
func (db *DB) moveIncident(ctx context.Context, tx *sql.Tx, actor *yaqaza.Actor, now int64, inc *yaqaza.Incident, to yaqaza.Status, detail string) error {
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE incidents SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`), to, now, inc.ID); err != nil {
		return err
	}
	if err := db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: inc.ID, zone: inc.ZoneCode, kind: yaqaza.EventStatusChanged,
		from: inc.Status, to: to, detail: detail}); err != nil {
		return err
	}
	return db.replan(ctx, tx, inc.ID)
}

// Recommend implements yaqaza.DispatchService.
func (s *UnitService) Recommend(ctx context.Context, incidentID int64, k int) ([]yaqaza.Recommendation, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActDispatch); err != nil {
		return nil, err
	}
	if k <= 0 || k > 50 {
		return nil, yaqaza.Invalidf("k", "k must be between 1 and 50")
	}
	inc, err := s.db.findIncident(ctx, s.db.read, incidentID, false)
	if err != nil {
		return nil, err
	}
	if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActDispatch, inc.ZoneCode); err != nil {
		return nil, err
	}
	recs := s.rec.Recommend(inc, k)
	if recs == nil {
		recs = []yaqaza.Recommendation{}
	}
	return recs, nil
}
