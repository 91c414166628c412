package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
)

// PlanService implements yaqaza.PlanService over the store.
type PlanService struct {
	db     *DB
	covers func(yaqaza.Point) bool
	zoneOf func(yaqaza.Point) string
}

var _ yaqaza.PlanService = (*PlanService)(nil)

// NewPlanService keeps the field plan of the jurisdiction j.
func NewPlanService(db *DB, j Jurisdiction) *PlanService {
	return &PlanService{db: db, covers: j.Covers, zoneOf: j.Locate}
}

const directiveColumns = `id, zone_code, lat, lon, radius_m, place, starts_at, ends_at, instruction, created_by, created_at,
	withdrawn_at, coalesce(withdrawn_by, '')`

// AddDirective implements yaqaza.PlanService.
func (s *PlanService) AddDirective(ctx context.Context, in yaqaza.DirectiveInput) (*yaqaza.Directive, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActPlanField)
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	zone := ""
	if s.covers(*in.Center) {
		zone = s.zoneOf(*in.Center)
	}
	if zone == "" {
		return nil, yaqaza.Invalidf("center", "the center %.5f, %.5f is not in any zone of the jurisdiction", in.Center.Lat, in.Center.Lon)
	}
	if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActPlanField, zone); err != nil {
		return nil, err
	}
	from := now
	if in.From != nil {
		from = *in.From
	}
	d := &yaqaza.Directive{Zone: zone, Center: *in.Center, RadiusM: in.RadiusM, Place: in.Place, From: fromMillis(toMillis(from)),
		Until: fromMillis(toMillis(in.Until)), Instruction: in.Instruction, CreatedBy: actor.Name, CreatedAt: fromMillis(toMillis(now))}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.db.q(`INSERT INTO directives (zone_code, lat, lon, radius_m, place, starts_at, ends_at,
			instruction, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), zone, d.Center.Lat, d.Center.Lon,
			d.RadiusM, d.Place, toMillis(d.From), toMillis(d.Until), d.Instruction, d.CreatedBy, toMillis(now)).Scan(&d.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, now, auditOf(ctx, actor, "plan.add", "directive:"+strconv.FormatInt(d.ID, 10), zone,
			d.Place+" until "+d.Until.UTC().Format(time.RFC3339)+": "+d.Instruction))
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// WithdrawDirective implements yaqaza.PlanService.
func (s *PlanService) WithdrawDirective(ctx context.Context, id int64) (*yaqaza.Directive, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActPlanField)
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	var out *yaqaza.Directive
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		list, err := s.find(ctx, tx, `id = ?`, id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return yaqaza.Errorf(yaqaza.ENOTFOUND, "no directive %d", id)
		}
		d := list[0]
		if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActPlanField, d.Zone); err != nil {
			return err
		}
		if !d.Until.After(now) || d.WithdrawnAt != nil {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "directive %d is already over", id)
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE directives SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ?`),
			toMillis(now), actor.Name, id); err != nil {
			return err
		}
		at := fromMillis(toMillis(now))
		d.WithdrawnAt, d.WithdrawnBy, out = &at, actor.Name, d
		return s.db.audit(ctx, tx, now, auditOf(ctx, actor, "plan.withdraw", "directive:"+strconv.FormatInt(id, 10), d.Zone, d.Place))
	})
	return out, err
}

// FieldPlan implements yaqaza.PlanService.
func (s *PlanService) FieldPlan(ctx context.Context, t time.Time) ([]*yaqaza.Directive, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadUnits)
	if err != nil {
		return nil, err
	}
	at := toMillis(t)
	list, err := s.find(ctx, s.db.read, `withdrawn_at IS NULL AND starts_at <= ? AND ends_at > ? ORDER BY ends_at, id`, at, at)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, d := range list {
		if actor.InScope(d.Zone) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (s *PlanService) find(ctx context.Context, q querier, where string, args ...any) ([]*yaqaza.Directive, error) {
	rows, err := q.QueryContext(ctx, s.db.q(`SELECT `+directiveColumns+` FROM directives WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*yaqaza.Directive
	for rows.Next() {
		var d yaqaza.Directive
		var from, until, created int64
		var withdrawn sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Zone, &d.Center.Lat, &d.Center.Lon, &d.RadiusM, &d.Place, &from, &until, &d.Instruction,
			&d.CreatedBy, &created, &withdrawn, &d.WithdrawnBy); err != nil {
			return nil, err
		}
		d.From, d.Until, d.CreatedAt = fromMillis(from), fromMillis(until), fromMillis(created)
		if withdrawn.Valid {
			w := fromMillis(withdrawn.Int64)
			d.WithdrawnAt = &w
		}
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return out, nil
}
