package console

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/triage"
)

// opsPack is what the operations pages look up in the jurisdiction pack,
// as maps: the board renders hundreds of rows on every live event, and
// the call form searches the gazetteer on keystrokes.
type opsPack struct {
	pack       *yaqaza.Pack
	categories map[string]yaqaza.Names
	zones      map[string]yaqaza.Names
	places     []opsPlace
	loaded     time.Time
}

// opsPlace is a gazetteer entry with every spelling in triage's matching
// form, so that case, accents and Arabic letter variants do not matter.
type opsPlace struct {
	place    yaqaza.Place
	spelling []string // normalised name, names and aliases
	compact  []string // the same without spaces, so that "boujel" finds "Bou Jeloud"
}

// opsPackTTL bounds how stale the lookups get: places can be added while
// the server runs (POST /api/v1/places); zones and categories change only
// with a restart.
const opsPackTTL = time.Minute

// opsPackCache holds a console's pack lookups.
type opsPackCache struct {
	mu sync.Mutex
	p  *opsPack
}

// opsPack returns the pack's lookups, loading them at most once a minute.
func (c *Console) opsPack(ctx context.Context) (*opsPack, error) {
	cache := &c.ops
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.p != nil && time.Since(cache.p.loaded) < opsPackTTL {
		return cache.p, nil
	}
	pack, err := c.Packs.CurrentPack(ctx)
	if err != nil {
		return nil, err
	}
	cache.p = newOpsPack(pack)
	return cache.p, nil
}

func newOpsPack(pack *yaqaza.Pack) *opsPack {
	o := &opsPack{pack: pack, categories: map[string]yaqaza.Names{}, zones: map[string]yaqaza.Names{}, loaded: time.Now()}
	for _, cat := range pack.Categories {
		o.categories[cat.Code] = cat.Names
	}
	for _, z := range pack.Zones {
		o.zones[z.Code] = z.Names
	}
	for _, pl := range pack.Gazetteer {
		e := opsPlace{place: pl}
		for _, s := range append([]string{pl.Name, pl.Names.AR, pl.Names.FR, pl.Names.EN}, pl.Aliases...) {
			n := triage.Normalise(s).Text
			if n == "" || slices.Contains(e.spelling, n) {
				continue
			}
			e.spelling = append(e.spelling, n)
			e.compact = append(e.compact, strings.ReplaceAll(n, " ", ""))
		}
		o.places = append(o.places, e)
	}
	return o
}

// category is a category's name in lang; an unknown code shows itself.
func (o *opsPack) category(code, lang string) string {
	if n, ok := o.categories[code]; ok {
		return n.In(lang)
	}
	return code
}

// zone is a zone's name in lang; an unknown code shows itself.
func (o *opsPack) zone(code, lang string) string {
	if n, ok := o.zones[code]; ok {
		return n.In(lang)
	}
	return code
}

// placeMatch is a place found by a search, with how well it matched.
type placeMatch struct {
	Place yaqaza.Place
	rank  int
}

// findPlaces returns up to n places whose name or alias matches what was
// typed: the whole spelling first, then its start, then each typed word
// starting a word of it, then the same without spaces.
func (o *opsPack) findPlaces(typed string, n int) []yaqaza.Place {
	q := triage.Normalise(typed)
	if len(q.Tokens) == 0 {
		return nil
	}
	compact := strings.ReplaceAll(q.Text, " ", "")
	var found []placeMatch
	for _, e := range o.places {
		best := 0
		for i, s := range e.spelling {
			rank := 0
			switch {
			case s == q.Text:
				rank = 4
			case strings.HasPrefix(s, q.Text):
				rank = 3
			case wordsStart(strings.Fields(s), q.Tokens):
				rank = 2
			case strings.HasPrefix(e.compact[i], compact) && len(compact) >= 3:
				rank = 1
			}
			best = max(best, rank)
		}
		if best > 0 {
			found = append(found, placeMatch{Place: e.place, rank: best})
		}
	}
	// Stable: among equals, the gazetteer's own order (best-known first).
	slices.SortStableFunc(found, func(a, b placeMatch) int { return b.rank - a.rank })
	out := make([]yaqaza.Place, 0, min(n, len(found)))
	for i := 0; i < len(found) && i < n; i++ {
		out = append(out, found[i].Place)
	}
	return out
}

// wordsStart reports whether each typed word starts a word of the name,
// in order: "bab boujl" finds "bab boujloud", "ain kadous" "ain kadous".
func wordsStart(name, typed []string) bool {
	j := 0
	for _, w := range name {
		if j < len(typed) && strings.HasPrefix(w, typed[j]) {
			j++
		}
	}
	return j == len(typed)
}

// cachedPack is the pack's lookups when they are loaded, nil otherwise:
// for template functions, which have no context (the page's handler has
// loaded them already).
func (c *Console) cachedPack() *opsPack {
	cache := &c.ops
	cache.mu.Lock()
	defer cache.mu.Unlock()
	return cache.p
}
