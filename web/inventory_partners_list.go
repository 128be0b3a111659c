package web

import (
	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// partnersList is GET /integrations/{id}/partners.
func (h *inventoryHandler) partnersList(c echo.Context) error {
	in, hd, err := h.scope(c, "partners")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := partnerQuery(c.QueryParams())
	p, err := readPage(&q.ListQuery, canon, func() (store.PartnerPage, error) { return h.store.ListPartners(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.PartnerSorting, canon)
	v := r.listView(hd, []col{{"Partner", "username", false}, {"Email", "email", false}, {"Type", "type", false},
		{"Partner since", "created", false}, {"Assets", "", true}, {"Pinterest ID", "id", false}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Partners", "partners", "Partner businesses"
	v.Intro = "Internal partners use our assets (agencies); external partners share their assets with us."
	v.SearchLabel, v.SearchPlaceholder = "Search partners", "Name, email or ID"
	v.Filters = []views.Filter{{Name: "type", Label: "Partner type", Options: options(q.Type, "Any type", partnerTypes...)}}
	v.CSVHref = exportPath(in.ID, export.Partners, canon)
	for _, x := range p.Rows {
		var badges []string
		if x.IsSharedPartner {
			badges = append(badges, "Shared")
		}
		v.Rows = append(v.Rows, views.Row{TestID: "partner-row", Cells: []views.Cell{
			{Text: orDash(x.Username), Href: partnerPath(hd.Base, x.ID), Badges: badges, TestID: "partner-name"},
			{Text: x.Email},
			{Text: label(x.PartnerType), TestID: "partner-type"},
			{Text: fmtTime(x.CreatedTime)},
			{Text: views.FormatInt(x.Assets), Numeric: true},
			{Text: x.ID, Mono: true},
		}})
	}
	v.Empty = emptyFor(hd, v, "partners", "This Business Manager has no partners.")
	return showList(c, "Partners · "+in.Name, r, v)
}
