package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// Categories come with the jurisdiction pack; here an admin adds one or
// changes the names and default priority of one. Triage takes the change
// within a minute; the words that point triage to a new category come
// with a pack's lexicon.

func (c *Console) adminCategoryRoutes() {
	c.page("GET /admin/categories", c.adminCategories)
	c.page("POST /admin/categories", c.adminSaveCategory)
}

// categoryForm is the category as typed.
type categoryForm struct {
	Code, NameAR, NameFR, NameEN, Priority string
	Editing                                bool // the code is an existing category's
}

func (c *Console) adminCategories(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	return c.renderCategories(w, r, p, http.StatusOK, nil)
}

// renderCategories shows the list and the form: f as typed after a refusal,
// else the category named by ?edit=, else an empty one.
func (c *Console) renderCategories(w http.ResponseWriter, r *http.Request, p *Page, status int, f *categoryForm) error {
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	if f == nil {
		f = &categoryForm{Priority: yaqaza.P3.String()}
		code := r.URL.Query().Get("edit")
		if i := slices.IndexFunc(pack.Categories, func(c yaqaza.Category) bool { return c.Code == code }); i >= 0 {
			cat := pack.Categories[i]
			f = &categoryForm{Code: cat.Code, NameAR: cat.Names.AR, NameFR: cat.Names.FR, NameEN: cat.Names.EN,
				Priority: cat.Priority.String(), Editing: true}
		}
	}
	p.Title = p.T("admin.categories.title")
	p.Data = map[string]any{"Nav": adminNav(p, "categories"), "Categories": pack.Categories, "Pack": pack, "Form": f,
		"Priorities": []yaqaza.Priority{yaqaza.P1, yaqaza.P2, yaqaza.P3, yaqaza.P4}, "Notice": adminNotice(r, p)}
	c.render(w, p, status, "admin_categories")
	return nil
}

// adminSaveCategory checks the form in the admin's language first and
// saves only when every field is right.
func (c *Console) adminSaveCategory(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	f := &categoryForm{Code: formText(r, "code"), NameAR: formText(r, "name_ar"), NameFR: formText(r, "name_fr"),
		NameEN: formText(r, "name_en"), Priority: formText(r, "priority"), Editing: r.PostFormValue("editing") == "true"}
	if !yaqaza.ValidCategoryCode(f.Code) {
		p.Errors["code"] = p.T("admin.categories.code.invalid")
	}
	for field, v := range map[string]string{"name_ar": f.NameAR, "name_fr": f.NameFR, "name_en": f.NameEN} {
		switch {
		case v == "":
			p.Errors[field] = p.T("admin.categories.name.required")
		case utf8.RuneCountInString(v) > yaqaza.MaxNameRunes:
			p.Errors[field] = p.T("admin.categories.name.long", yaqaza.MaxNameRunes)
		}
	}
	prio, err := yaqaza.ParsePriority(f.Priority)
	if err != nil {
		p.Errors["priority"] = p.T("admin.categories.priority.invalid")
	}
	if len(p.Errors) == 0 {
		_, err := c.Packs.SaveCategory(r.Context(), yaqaza.Category{Code: f.Code, Priority: prio,
			Names: yaqaza.Names{AR: f.NameAR, FR: f.NameFR, EN: f.NameEN}})
		if err == nil {
			adminRedirect(w, r, "/admin/categories", "category")
			return nil
		}
		var e *yaqaza.Error
		if !errors.As(err, &e) || e.Code != yaqaza.EINVALID {
			return err
		}
		// The service's own check, which the one above mirrors.
		field := strings.ReplaceAll(e.Field, "names.", "name_")
		if field != "code" && field != "priority" && !strings.HasPrefix(field, "name_") {
			field = "code"
		}
		p.Errors[field] = p.T("form.invalid")
	}
	return c.renderCategories(w, r, p, http.StatusBadRequest, f)
}
