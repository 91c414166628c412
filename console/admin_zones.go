package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

// Zones come with the jurisdiction pack and are only shown here; the
// gazetteer grows from this page (Config.AddPlace), so that a place
// people keep naming is found by triage from then on.

func (c *Console) adminZoneRoutes() {
	c.page("GET /admin/zones", c.adminZones)
	c.page("POST /admin/places", c.adminAddPlace)
}

// adminPlaceLimit bounds the gazetteer list: the Fès pack alone has
// hundreds of places; the search box finds the rest.
const adminPlaceLimit = 100

// placeForm is the new place as typed.
type placeForm struct {
	Name, NameAR, NameFR, NameEN, Aliases, Zone, Lat, Lon string
	CommonWord                                            bool
}

func (c *Console) adminZones(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	return c.renderZones(w, r, p, http.StatusOK, placeForm{})
}

// renderZones reads the pack afresh (not the board's one-minute cache), so
// that a place just added is listed at once.
func (c *Console) renderZones(w http.ResponseWriter, r *http.Request, p *Page, status int, f placeForm) error {
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var places []yaqaza.Place
	if q != "" {
		places = newOpsPack(pack).findPlaces(q, adminPlaceLimit)
	} else {
		// Newest first: what was just added is what one wants to check.
		n := min(len(pack.Gazetteer), adminPlaceLimit)
		places = slices.Clone(pack.Gazetteer[len(pack.Gazetteer)-n:])
		slices.Reverse(places)
	}
	p.Title = p.T("admin.zones.title")
	p.Data = map[string]any{"Nav": adminNav(p, "zones"), "Zones": pack.Zones, "Places": places, "Total": len(pack.Gazetteer),
		"Query": q, "Limit": adminPlaceLimit, "Form": f, "ZoneChoices": zoneChoices(pack, p.Lang, []string{f.Zone}), "ZoneNames": zoneNames(pack, p.Lang),
		"Notice": adminNotice(r, p)}
	c.render(w, p, status, "admin_zones")
	return nil
}

func zoneNames(pack *yaqaza.Pack, lang string) map[string]string {
	m := make(map[string]string, len(pack.Zones))
	for _, z := range pack.Zones {
		m[z.Code] = z.Names.In(lang)
	}
	return m
}

// adminAddPlace checks the place in the admin's language first and saves
// it only when every field is right.
func (c *Console) adminAddPlace(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	f := placeForm{Name: formText(r, "name"), NameAR: formText(r, "name_ar"), NameFR: formText(r, "name_fr"),
		NameEN: formText(r, "name_en"), Aliases: formText(r, "aliases"), Zone: formText(r, "zone"),
		Lat: formText(r, "lat"), Lon: formText(r, "lon"), CommonWord: r.PostFormValue("common_word") == "on"}
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	pl := yaqaza.Place{Name: f.Name, Names: yaqaza.Names{AR: f.NameAR, FR: f.NameFR, EN: f.NameEN},
		Aliases: splitAliases(f.Aliases), Zone: f.Zone, CommonWord: f.CommonWord}
	switch {
	case f.Name == "":
		p.Errors["name"] = p.T("admin.places.name.required")
	case len(f.Name) > 200:
		p.Errors["name"] = p.T("admin.places.name.long")
	}
	for field, v := range map[string]string{"name_ar": f.NameAR, "name_fr": f.NameFR, "name_en": f.NameEN} {
		if len(v) > 200 {
			p.Errors[field] = p.T("admin.places.name.long")
		}
	}
	if len(pl.Aliases) > 50 {
		p.Errors["aliases"] = p.T("admin.places.aliases.many")
	}
	for _, a := range pl.Aliases {
		if len(a) > 200 || !utf8.ValidString(a) {
			p.Errors["aliases"] = p.T("admin.places.name.long")
		}
	}
	if f.Zone != "" && pack.Zone(f.Zone) == nil {
		p.Errors["zone"] = p.T("admin.form.zone.unknown", f.Zone)
	}
	pt, latErr, lonErr := parsePoint(p, f.Lat, f.Lon, false)
	if latErr != "" || lonErr != "" {
		p.Errors["lat"], p.Errors["lon"] = latErr, lonErr
	} else if pt != nil {
		c.placeInJurisdiction(p, pack, &pl, *pt)
	}
	clearEmpty(p.Errors)
	if len(p.Errors) == 0 {
		err := c.Config.AddPlace(r.Context(), pl)
		if err == nil {
			adminRedirect(w, r, "/admin/zones", "place")
			return nil
		}
		if !placeFieldError(p, err) {
			return err
		}
	}
	return c.renderZones(w, r, p, http.StatusBadRequest, f)
}

// placeInJurisdiction keeps the point only when it lies within the
// jurisdiction, and fills the zone from it when none was chosen.
func (c *Console) placeInJurisdiction(p *Page, pack *yaqaza.Pack, pl *yaqaza.Place, pt yaqaza.Point) {
	idx, err := geo.NewZoneIndex(pack.Zones)
	if err != nil {
		pl.Point = &pt // no geometry to check against: the service decides
		return
	}
	if !idx.Covers(pt) {
		p.Errors["lat"] = p.T("admin.form.point.outside")
		return
	}
	pl.Point = &pt
	if pl.Zone == "" {
		pl.Zone = idx.Locate(pt)
	}
}

// placeFieldError puts the service's refusal of a field beside it.
func placeFieldError(p *Page, err error) bool {
	var e *yaqaza.Error
	if !errors.As(err, &e) || e.Code != yaqaza.EINVALID {
		return false
	}
	field, _, _ := strings.Cut(e.Field, ".")
	switch field {
	case "point":
		field = "lat"
	case "name", "aliases", "zone":
	default:
		field = "name"
	}
	p.Errors[field] = p.T("form.invalid")
	return true
}

// splitAliases reads aliases one a line or separated by commas (Arabic
// commas too), without blanks or repeats.
func splitAliases(s string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '،' || r == ';' }) {
		a = strings.TrimSpace(a)
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// clearEmpty drops fields whose check found nothing.
func clearEmpty(errs map[string]string) {
	for k, v := range errs {
		if v == "" {
			delete(errs, k)
		}
	}
}
