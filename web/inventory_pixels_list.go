package web

import (
	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

var pixelStatuses = []string{"ACTIVE", "Active", "PAUSED", "Paused", "ARCHIVED", "Archived", "DRAFT", "Draft", "DELETED_DRAFT", "Deleted draft"}

// pixelsList is GET /integrations/{id}/pixels: the conversion tags of the
// ad accounts.
func (h *inventoryHandler) pixelsList(c echo.Context) error {
	in, hd, err := h.scope(c, "pixels")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := pixelQuery(c.QueryParams())
	p, err := readPage(&q.ListQuery, canon, func() (store.PixelPage, error) { return h.store.ListPixels(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.PixelSorting, canon)
	v := r.listView(hd, []col{{"Pixel", "name", false}, {"Status", "status", false}, {"Ad account", "ad_account", false},
		{"Last fired", "last_fired", false}, {"Enhanced match", "", false}, {"Pinterest ID", "id", false}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Pixels", "pixels", "Conversion tags of the ad accounts"
	v.Intro = "The Pinterest tags (pixels) of each ad account, their status and when they last fired."
	v.SearchLabel, v.SearchPlaceholder = "Search pixels", "Name, ID or ad account ID"
	v.Filters = []views.Filter{{Name: "status", Label: "Status", Options: options(q.Status, "Any status", pixelStatuses...)}}
	if q.AdAccountID != "" {
		v.Hidden = append(v.Hidden, views.Param{Name: "ad_account", Value: q.AdAccountID})
	}
	v.CSVHref = exportPath(in.ID, export.Pixels, canon)
	for _, x := range p.Rows {
		fired := "Never"
		if !x.LastFired.IsZero() {
			fired = fmtDateTime(x.LastFired)
		}
		v.Rows = append(v.Rows, views.Row{TestID: "pixel-row", Cells: []views.Cell{
			{Text: orDash(x.Name), TestID: "pixel-name"},
			{Text: label(x.Status), TestID: "pixel-status"},
			{Text: orDash(x.AdAccountName), Href: assetPath(hd.Base, x.AdAccountID), Sub: x.AdAccountID},
			{Text: fired},
			{Text: label(x.EnhancedMatchStatus)},
			{Text: x.ID, Mono: true},
		}})
	}
	v.Empty = emptyFor(hd, v, "pixels", "None of the ad accounts has a conversion tag.")
	return showList(c, "Pixels · "+in.Name, r, v)
}
