package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// partnerShow is GET /integrations/{id}/partners/{partner_id}: what the
// partner can access of ours, and what we can access of theirs.
func (h *inventoryHandler) partnerShow(c echo.Context) error {
	in, hd, err := h.scope(c, "partners")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := h.store.PartnerDetail(ctx, in.ID, c.Param("partner_id"))
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "This partner is not in the current snapshot: the partnership may have ended since.")
	}
	if err != nil {
		return err
	}
	v := views.DetailView{Header: hd, Kind: label(p.PartnerType) + " partner", Title: orDash(p.Username), Subtitle: p.Email,
		TestID: "partner-detail", Badges: []string{label(p.PartnerType)}}
	if p.IsSharedPartner {
		v.Badges = append(v.Badges, "Shared partner")
	}
	v.Facts = []views.Fact{
		{Label: "Pinterest ID", Value: p.ID, Mono: true, TestID: "fact-id"},
		{Label: "Partner since", Value: fmtTime(p.CreatedTime)},
		{Label: "Grants", Value: views.FormatInt(len(p.Grants)), Href: hd.Base + "/access?principal=" + url.QueryEscape(p.ID)},
	}
	if p.CreatedBy != "" {
		v.Facts = append(v.Facts, views.Fact{Label: "Added by", Value: p.CreatedBy, Href: memberPath(hd.Base, p.CreatedBy), Mono: true})
	}
	var ours, theirs []store.AssetGrant
	for _, g := range p.Grants {
		if g.Owned {
			ours = append(ours, g)
		} else {
			theirs = append(theirs, g)
		}
	}
	v.Sections = append(v.Sections, views.DetailSection{Title: "What they can access of ours", TestID: "partner-ours",
		Intro: "Our assets this partner holds permissions on."})
	v.Sections = append(v.Sections, grantSections(hd.Base, ours, " of ours", "This partner holds no permission on our assets.")...)
	v.Sections = append(v.Sections, views.DetailSection{Title: "What we can access of theirs", TestID: "partner-theirs",
		Intro: "The partner's assets our business holds permissions on."})
	v.Sections = append(v.Sections, grantSections(hd.Base, theirs, " of theirs", "Our business holds no permission on this partner's assets.")...)
	owned := views.DetailSection{Title: "Assets they own (" + views.FormatInt(len(p.OwnedAssets)) + ")", TestID: "partner-owned",
		Caption: "Assets owned by this partner", Empty: "This partner shares no assets of its own with us.",
		Columns: []views.Column{{Label: "Asset"}, {Label: "Type"}, {Label: "Pinterest ID"}}}
	for _, a := range p.OwnedAssets {
		owned.Rows = append(owned.Rows, views.Row{Cells: []views.Cell{{Text: orDash(a.Name), Href: assetPath(hd.Base, a.ID)},
			{Text: label(a.Type)}, {Text: a.ID, Mono: true}}})
	}
	v.Sections = append(v.Sections, owned)
	hist, err := h.history(ctx, in.ID, hd.Base, p.ID)
	if err != nil {
		return err
	}
	v.Sections = append(v.Sections, hist)
	return render(c, http.StatusOK, views.Page{Title: orDash(p.Username) + " · " + in.Name, Section: views.SectionDashboard}, views.DetailPage(v))
}
