package web

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// rolesList is GET /integrations/{id}/roles: each business role and
// permission, what it allows and how many hold it.
func (h *inventoryHandler) rolesList(c echo.Context) error {
	in, hd, err := h.scope(c, "roles")
	if err != nil {
		return err
	}
	q, canon := roleQuery(c.QueryParams())
	p, err := h.store.ListRoles(c.Request().Context(), in.ID, q)
	if err != nil {
		return err
	}
	r := listAt(c, store.RoleSorting, canon)
	v := r.listView(hd, []col{{"Role or permission", "name", false}, {"Kind", "kind", false}, {"What it allows", "", false},
		{"Held by", "holders", true}, {"Grants", "", true}},
		p.Total, 1, max(p.Total, 1), p.Sort, p.Dir)
	v.PerPageOptions = nil
	v.Title, v.Noun, v.Caption = "Roles and permissions", "roles", "Business roles and asset permissions"
	v.Intro = "Business roles say what a member may do in the Business Manager; permissions say what a member or partner may do on one asset."
	v.SearchLabel, v.SearchPlaceholder = "Search roles", "Name or description"
	v.Filters = []views.Filter{{Name: "kind", Label: "Kind", Options: options(q.Kind, "Roles and permissions",
		"business_role", "Business roles", "permission", "Asset permissions")}}
	v.CSVHref = exportPath(in.ID, export.Roles, canon)
	for _, x := range p.Rows {
		kind, holders := "Business role", hd.Base+"/members?role="+url.QueryEscape(x.Name)
		if x.Kind == "permission" {
			kind, holders = "Asset permission", hd.Base+"/access?permission="+url.QueryEscape(x.Name)
		} else if x.Name == "PARTNER" {
			holders = hd.Base + "/partners"
		}
		v.Rows = append(v.Rows, views.Row{TestID: "role-row", Cells: []views.Cell{
			{Text: label(x.Name), Sub: x.Name, TestID: "role-name"},
			{Text: kind},
			{Text: x.Description},
			{Text: views.FormatInt(x.Holders), Href: holders, Numeric: true, TestID: "role-holders"},
			{Text: views.FormatInt(x.Grants), Numeric: true},
		}})
	}
	v.Empty = emptyFor(hd, v, "roles", "")
	return showList(c, "Roles · "+in.Name, r, v)
}
