package web

import (
	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// assetsList is GET /integrations/{id}/assets.
func (h *inventoryHandler) assetsList(c echo.Context) error {
	in, hd, err := h.scope(c, "assets")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := assetQuery(c.QueryParams())
	p, err := readPage(&q.ListQuery, canon, func() (store.AssetPage, error) { return h.store.ListAssets(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.AssetSorting, canon)
	v := r.listView(hd, []col{{"Asset", "name", false}, {"Type", "type", false}, {"Owner", "owner", false},
		{"Created", "created", false}, {"People & partners", "", true}, {"Pixels", "", true}, {"Pinterest ID", "id", false}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Assets", "assets", "Ad accounts, profiles, asset groups and catalogs"
	v.Intro = "Ad accounts, profiles, asset groups and catalogs: ours, and those partners share with us."
	v.SearchLabel, v.SearchPlaceholder = "Search assets", "Name or ID"
	v.Filters = []views.Filter{
		{Name: "type", Label: "Asset type", Options: options(q.Type, "Any type", assetTypes...)},
		{Name: "owner", Label: "Owner", Options: options(q.Owner, "Anyone", store.OwnerOurs, "Ours", store.OwnerTheirs, "Partners'")},
		{Name: "admin", Label: "Admins", Options: options(q.Admin, "Any", store.AdminServiceOnly, "Only the service account")},
	}
	v.CSVHref = exportPath(in.ID, export.Assets, canon)
	for _, a := range p.Rows {
		sub := ""
		if a.Currency != "" {
			sub = a.Currency + " · " + a.Country
		}
		v.Rows = append(v.Rows, views.Row{TestID: "asset-row", Cells: []views.Cell{
			{Text: orDash(a.Name), Href: assetPath(hd.Base, a.ID), Sub: sub, TestID: "asset-name"},
			{Text: label(a.Type), TestID: "asset-type"},
			{Text: orDash(a.OwnerName), Badges: ownedBadge(a.Owned)},
			{Text: fmtTime(a.CreatedTime)},
			{Text: views.FormatInt(a.Principals), Numeric: true},
			{Text: views.FormatInt(a.Pixels), Numeric: true},
			{Text: a.ID, Mono: true},
		}})
	}
	v.Empty = emptyFor(hd, v, "assets", "Pinterest reported no assets for this Business Manager.")
	return showList(c, "Assets · "+in.Name, r, v)
}

func ownedBadge(owned bool) []string {
	if owned {
		return nil
	}
	return []string{"Partner's"}
}
