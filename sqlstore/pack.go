package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// PackService implements yaqaza.PackService.
type PackService struct {
	db *DB
}

var _ yaqaza.PackService = (*PackService)(nil)

// NewPackService returns the jurisdiction pack service.
func NewPackService(db *DB) *PackService { return &PackService{db: db} }

// packHeader is the part of a pack kept as one setting.
type packHeader struct {
	ID          string                 `json:"id"`
	Names       yaqaza.Names           `json:"names"`
	Attribution string                 `json:"attribution,omitempty"`
	Timezone    string                 `json:"timezone,omitempty"`
	Lexicon     *yaqaza.Lexicon        `json:"lexicon,omitempty"`
	SLA         *yaqaza.SLAPolicy      `json:"sla,omitempty"`
	Dispatch    *yaqaza.DispatchPolicy `json:"dispatch,omitempty"`
	Watches     *yaqaza.WatchRota      `json:"watches,omitempty"`
	Retention   *yaqaza.Retention      `json:"retention,omitempty"`
	Domain      string                 `json:"domain,omitempty"`
}

// LoadPack implements yaqaza.PackService.
func (s *PackService) LoadPack(ctx context.Context, p *yaqaza.Pack) error {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if p.SLA != nil {
		if err := p.SLA.Validate(); err != nil {
			return err
		}
	}
	head, err := json.Marshal(packHeader{ID: p.ID, Names: p.Names, Attribution: p.Attribution, Timezone: p.Timezone, Lexicon: p.Lexicon,
		SLA: p.SLA, Dispatch: p.Dispatch, Watches: p.Watches,
		Retention: p.Retention, Domain: p.Domain})
	if err != nil {
		return err
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM zones`, `DELETE FROM categories`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for i, z := range p.Zones {
			names, _ := json.Marshal(z.Names)
			if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO zones (code, names, population, geometry, position) VALUES (?, ?, ?, ?, ?)`),
				z.Code, string(names), z.Population, string(z.Geometry), i); err != nil {
				return err
			}
		}
		for i, c := range p.Categories {
			names, _ := json.Marshal(c.Names)
			if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO categories (code, names, priority, position) VALUES (?, ?, ?, ?)`),
				c.Code, string(names), int(c.Priority), i); err != nil {
				return err
			}
		}
		// The pack's gazetteer replaces the previous pack's; places that
		// admins added stay.
		if _, err := tx.ExecContext(ctx, `DELETE FROM places WHERE added_by = 'pack'`); err != nil {
			return err
		}
		for _, pl := range p.Gazetteer {
			if err := s.db.insertPlace(ctx, tx, pl, "pack"); err != nil {
				return err
			}
		}
		for _, u := range p.Units {
			caps, _ := json.Marshal(u.Capabilities)
			if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO units (call_sign, kind, capabilities, home_zone, shift) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (call_sign) DO UPDATE SET kind = excluded.kind, capabilities = excluded.capabilities,
				home_zone = excluded.home_zone, shift = excluded.shift`),
				u.CallSign, u.Kind, string(caps), nullString(u.HomeZone), u.Shift); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO settings (key, value) VALUES ('pack', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`), string(head)); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "config.pack", "pack:"+p.ID, "",
			fmt.Sprintf("%d zones, %d categories, %d places, %d units", len(p.Zones), len(p.Categories), len(p.Gazetteer), len(p.Units))))
	})
}

// CurrentPack implements yaqaza.PackService. It needs no credential: zones
// and categories are public (the citizen form shows them).
func (s *PackService) CurrentPack(ctx context.Context) (*yaqaza.Pack, error) {
	h, err := s.db.packHead(ctx)
	if err != nil {
		return nil, err
	} else if h == nil {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "no jurisdiction pack is loaded")
	}
	p := &yaqaza.Pack{ID: h.ID, Names: h.Names, Attribution: h.Attribution, Timezone: h.Timezone, Lexicon: h.Lexicon,
		SLA: h.SLA, Dispatch: h.Dispatch, Watches: h.Watches, Retention: h.Retention,
		Domain: h.Domain}
	rows, err := s.db.read.QueryContext(ctx, `SELECT code, names, population, geometry FROM zones ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var z yaqaza.Zone
		var names, geom string
		if err := rows.Scan(&z.Code, &names, &z.Population, &geom); err != nil {
			return nil, err
		}
		z.Geometry = json.RawMessage(geom)
		if err := json.Unmarshal([]byte(names), &z.Names); err != nil {
			return nil, err
		}
		p.Zones = append(p.Zones, z)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if p.Categories, err = s.Categories(ctx); err != nil {
		return nil, err
	}
	urows, err := s.db.read.QueryContext(ctx, `SELECT id, call_sign, kind, capabilities, home_zone FROM units ORDER BY call_sign`)
	if err != nil {
		return nil, err
	}
	defer urows.Close()
	for urows.Next() {
		var u yaqaza.Unit
		var caps string
		var home sql.NullString
		if err := urows.Scan(&u.ID, &u.CallSign, &u.Kind, &caps, &home); err != nil {
			return nil, err
		}
		u.HomeZone = home.String
		if err := json.Unmarshal([]byte(caps), &u.Capabilities); err != nil {
			return nil, err
		}
		p.Units = append(p.Units, u)
	}
	if err := urows.Err(); err != nil {
		return nil, err
	}
	if p.Gazetteer, err = s.db.findPlaces(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// UpdateSLA replaces the jurisdiction's SLA policy and plans every open
// incident's deadline again under it. Admins only; an invalid policy (a
// negative deadline, stages out of order) is refused and changes nothing.
func (s *PackService) UpdateSLA(ctx context.Context, p *yaqaza.SLAPolicy) error {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		var head string
		if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'pack'`).Scan(&head); err != nil {
			return yaqaza.Errorf(yaqaza.ENOTFOUND, "no jurisdiction pack is loaded")
		}
		var h packHeader
		if err := json.Unmarshal([]byte(head), &h); err != nil {
			return err
		}
		h.SLA = p
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE settings SET value = ? WHERE key = 'pack'`), string(b)); err != nil {
			return err
		}
		s.db.SetSLA(p)
		rows, err := tx.QueryContext(ctx, `SELECT id FROM incidents WHERE deadline_stage IS NOT NULL`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if err := s.db.replan(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "config.sla", "", "", string(b))); err != nil {
			return err
		}
		return rows.Err()
	})
	if err != nil {
		if cur, cerr := s.CurrentPack(ctx); cerr == nil && cur.SLA != nil {
			s.db.SetSLA(cur.SLA) // the policy in force stays the stored one
		}
	}
	return err
}

// packHead reads the part of the loaded pack kept as one setting; nil when
// no pack is loaded.
func (db *DB) packHead(ctx context.Context) (*packHeader, error) {
	var head string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'pack'`).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var h packHeader
	if err := json.Unmarshal([]byte(head), &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// PackRetention is the retention the loaded pack sets, its gaps filled
// with the defaults; the defaults when no pack is loaded.
func (db *DB) PackRetention(ctx context.Context) (yaqaza.Retention, error) {
	h, err := db.packHead(ctx)
	if err != nil {
		return yaqaza.Retention{}, err
	}
	if h == nil || h.Retention == nil {
		return yaqaza.DefaultRetention, nil
	}
	return h.Retention.WithDefaults(), nil
}

// SaveCategory implements yaqaza.PackService. A new category goes to the
// end of the list; codes are never removed (incidents keep theirs).
func (s *PackService) SaveCategory(ctx context.Context, c yaqaza.Category) (bool, error) {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return false, err
	}
	c.Names = yaqaza.Names{AR: strings.TrimSpace(c.Names.AR), FR: strings.TrimSpace(c.Names.FR), EN: strings.TrimSpace(c.Names.EN)}
	if err := c.Validate(); err != nil {
		return false, err
	}
	names, err := json.Marshal(c.Names)
	if err != nil {
		return false, err
	}
	created := false
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		var old struct {
			names    string
			priority int
		}
		err := tx.QueryRowContext(ctx, s.db.q(`SELECT names, priority FROM categories WHERE code = ?`), c.Code).Scan(&old.names, &old.priority)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = true
			if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO categories (code, names, priority, position)
				VALUES (?, ?, ?, (SELECT coalesce(max(position), -1) + 1 FROM categories))`), c.Code, string(names), int(c.Priority)); err != nil {
				return err
			}
		case err != nil:
			return err
		case old.names == string(names) && old.priority == int(c.Priority):
			return nil // nothing changes, nothing to audit
		default:
			if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE categories SET names = ?, priority = ? WHERE code = ?`),
				string(names), int(c.Priority), c.Code); err != nil {
				return err
			}
		}
		action := "config.category.update"
		if created {
			action = "config.category.add"
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, action, "category:"+c.Code, "",
			fmt.Sprintf("%s / %s / %s, default %s", c.Names.AR, c.Names.FR, c.Names.EN, c.Priority)))
	})
	return created, err
}

// Categories lists the categories in their order; no credential needed.
func (s *PackService) Categories(ctx context.Context) ([]yaqaza.Category, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT code, names, priority FROM categories ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []yaqaza.Category
	for rows.Next() {
		var c yaqaza.Category
		var names string
		var prio int
		if err := rows.Scan(&c.Code, &names, &prio); err != nil {
			return nil, err
		}
		c.Priority = yaqaza.Priority(prio)
		if err := json.Unmarshal([]byte(names), &c.Names); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
