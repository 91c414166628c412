package console

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// The dispatcher board: the queue of open incidents, most urgent first,
// the unit board and a map, kept live by server-sent events.

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("GET /board", c.board)
		c.page("GET /board/queue", c.boardQueue)
		c.page("GET /board/units", c.boardUnits)
		c.page("GET /board/map", c.boardMap)
		c.page("GET /incidents/{id}/recommend", c.recommend)
		c.page("POST /incidents/{id}/assign", c.assign)
	})
}

// queueLimit bounds the queue: a wall screen shows the most urgent, and
// the count of the rest, whatever the store holds.
const queueLimit = 200

// queueStatuses are the incidents still waiting for a unit or with one:
// resolved ones are done for the dispatcher, final ones for everybody.
var queueStatuses = []yaqaza.Status{yaqaza.StatusNew, yaqaza.StatusTriaged, yaqaza.StatusDispatched,
	yaqaza.StatusEnRoute, yaqaza.StatusOnScene}

// highAttention is the attention score from which triage raises priority
// (triage/priority.go): the board flags it.
const highAttention = 60

// queueRow is one incident of the queue, with its names in the page's language.
type queueRow struct {
	*yaqaza.Incident
	CategoryName, ZoneName, OwnerName string
	HighAttention                     bool
}

// queueView is the queue as the board shows it.
type queueView struct {
	Rows []queueRow
	Rest int // open incidents beyond the rows shown
}

// unitRow is one unit of the unit board.
type unitRow struct {
	*yaqaza.Unit
	KindName, ZoneName string
}

// boardMapPoint is what app.js draws on a .map.
type boardMapPoint struct {
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	Kind  string  `json:"kind"`
	Label string  `json:"label"`
	Href  string  `json:"href,omitempty"`
}

// boardReader checks that the actor may watch the board: the live
// stream behind it is for roles that see every incident in scope.
func boardReader(ctx context.Context) error {
	a, err := yaqaza.Authorize(ctx, yaqaza.ActReadIncidents)
	if err != nil {
		return err
	}
	if a.View() < yaqaza.ViewPseudonymised {
		return yaqaza.Errorf(yaqaza.EFORBIDDEN, "the %s role sees incidents cleared for publication, not the board", a.Role)
	}
	return nil
}

func (c *Console) board(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := boardReader(r.Context()); err != nil {
		return err
	}
	q, err := c.loadQueue(r.Context(), p)
	if err != nil {
		return err
	}
	units, err := c.loadUnits(r.Context(), p)
	if err != nil {
		return err
	}
	plan, circles, err := c.loadPlan(r.Context(), p)
	if err != nil {
		return err
	}
	p.Title = p.T("board.title")
	p.Data = map[string]any{"Queue": q, "Units": units, "Points": boardPoints(q, units), "Plan": plan, "Circles": circles}
	c.render(w, p, http.StatusOK, "board")
	return nil
}

func (c *Console) boardQueue(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := boardReader(r.Context()); err != nil {
		return err
	}
	q, err := c.loadQueue(r.Context(), p)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Queue": q}
	return c.fragment(w, p, "board", "queue")
}

func (c *Console) boardUnits(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := boardReader(r.Context()); err != nil {
		return err
	}
	units, err := c.loadUnits(r.Context(), p)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Units": units}
	return c.fragment(w, p, "board", "units")
}

func (c *Console) boardMap(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := boardReader(r.Context()); err != nil {
		return err
	}
	q, err := c.loadQueue(r.Context(), p)
	if err != nil {
		return err
	}
	units, err := c.loadUnits(r.Context(), p)
	if err != nil {
		return err
	}
	_, circles, err := c.loadPlan(r.Context(), p)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Points": boardPoints(q, units), "Circles": circles}
	return c.fragment(w, p, "board", "map")
}

// loadQueue reads the most urgent open incidents in the actor's scope
// (the service keeps a district head to their zones): one query for the
// rows and one count, names from the cached pack.
func (c *Console) loadQueue(ctx context.Context, p *Page) (*queueView, error) {
	page, err := c.Incidents.FindIncidents(ctx, yaqaza.IncidentFilter{Statuses: queueStatuses,
		Order: yaqaza.OrderUrgency, Limit: queueLimit})
	if err != nil {
		return nil, err
	}
	pack, err := c.opsPack(ctx)
	if err != nil {
		return nil, err
	}
	q := &queueView{Rows: make([]queueRow, 0, len(page.Incidents)), Rest: max(0, page.Total-len(page.Incidents))}
	for _, inc := range page.Incidents {
		q.Rows = append(q.Rows, queueRow{Incident: inc, CategoryName: pack.category(inc.Category, p.Lang),
			ZoneName: pack.zone(inc.ZoneCode, p.Lang), OwnerName: ownerName(p, pack, inc.Owner),
			HighAttention: inc.Attention >= highAttention})
	}
	return q, nil
}

// loadUnits reads the fleet (a few dozen units: units help across
// districts, so the board shows them all), available ones first. Roles
// that may not read the fleet get none.
func (c *Console) loadUnits(ctx context.Context, p *Page) ([]unitRow, error) {
	if !p.Can(string(yaqaza.ActReadUnits)) {
		return nil, nil
	}
	units, err := c.Units.FindUnits(ctx, yaqaza.UnitFilter{})
	if err != nil {
		return nil, err
	}
	pack, err := c.opsPack(ctx)
	if err != nil {
		return nil, err
	}
	rank := func(s yaqaza.UnitStatus) int { return slices.Index(yaqaza.UnitStatuses, s) }
	slices.SortStableFunc(units, func(a, b *yaqaza.Unit) int {
		return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), strings.Compare(a.CallSign, b.CallSign))
	})
	rows := make([]unitRow, len(units))
	for i, u := range units {
		rows[i] = unitRow{Unit: u, KindName: p.boardLabel("board.kind."+u.Kind, u.Kind), ZoneName: pack.zone(u.HomeZone, p.Lang)}
	}
	return rows, nil
}

// boardPoints are the queue's incidents and the available units, as the
// map's JSON.
func boardPoints(q *queueView, units []unitRow) string {
	pts := []boardMapPoint{}
	for _, r := range q.Rows {
		if r.Location != nil {
			pts = append(pts, boardMapPoint{Lat: r.Location.Lat, Lon: r.Location.Lon, Kind: "incident",
				Label: fmt.Sprintf("#%d %s · %s", r.ID, r.Priority, r.CategoryName), Href: fmt.Sprintf("/incidents/%d", r.ID)})
		}
	}
	for _, u := range units {
		if u.Position != nil && u.Status == yaqaza.UnitAvailable {
			pts = append(pts, boardMapPoint{Lat: u.Position.Lat, Lon: u.Position.Lon, Kind: "unit", Label: u.CallSign})
		}
	}
	b, _ := json.Marshal(pts)
	return string(b)
}

// ownerName shows who holds an incident: a unit by its call sign, a desk
// by its district's name.
func ownerName(p *Page, pack *opsPack, owner string) string {
	kind, name, ok := strings.Cut(owner, ":")
	if !ok {
		return owner
	}
	switch kind {
	case "unit":
		return name
	case "desk":
		return p.T("board.owner.desk", pack.zone(name, p.Lang))
	}
	return owner
}

// boardLabel is a catalog text when the catalog has the key, else fallback:
// unit kinds and timeline kinds come from packs and the store, and a new
// one shows its code rather than a missing-key marker.
func (p *Page) boardLabel(key, fallback string) string {
	if _, ok := p.c.cat[key]; ok {
		return p.T(key)
	}
	return fallback
}

// BoardStatus is a status (incident or unit) in the page's language.
func (p *Page) BoardStatus(s any) string {
	code := fmt.Sprint(s)
	return p.boardLabel("board.status."+code, code)
}
