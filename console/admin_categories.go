package console

import (
	"net/http"

	"github.com/yaqaza/yaqaza"
)

// Categories come with the jurisdiction pack, as triage's vocabulary and
// the SLA are built around them: they are shown here, and changed by
// loading a new pack.

func (c *Console) adminCategoryRoutes() {
	c.page("GET /admin/categories", c.adminCategories)
}

func (c *Console) adminCategories(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	p.Title = p.T("admin.categories.title")
	p.Data = map[string]any{"Nav": adminNav(p, "categories"), "Categories": pack.Categories, "Pack": pack}
	c.render(w, p, http.StatusOK, "admin_categories")
	return nil
}
