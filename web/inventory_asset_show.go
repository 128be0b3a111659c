package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// assetShow is GET /integrations/{id}/assets/{asset_id}: everyone who can
// access the asset and how, its pixels, its contents and its history.
func (h *inventoryHandler) assetShow(c echo.Context) error {
	in, hd, err := h.scope(c, "assets")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := h.store.AssetDetail(ctx, in.ID, c.Param("asset_id"))
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "This asset is not in the current snapshot: it may have been removed or unshared since.")
	}
	if err != nil {
		return err
	}
	v := views.DetailView{Header: hd, Kind: label(a.Type), Title: orDash(a.Name), Subtitle: a.Description, TestID: "asset-detail",
		Badges: []string{label(a.Type)}}
	owner := views.Fact{Label: "Owner", Value: a.OwnerName, TestID: "fact-owner"}
	if !a.Owned {
		v.Badges = append(v.Badges, "Shared by a partner")
		owner.Href = partnerPath(hd.Base, a.OwnerID)
	}
	v.Facts = []views.Fact{{Label: "Pinterest ID", Value: a.ID, Mono: true, TestID: "fact-id"}, owner,
		{Label: "Created", Value: fmtTime(a.CreatedTime)}}
	if a.Currency != "" {
		v.Facts = append(v.Facts, views.Fact{Label: "Currency and country", Value: a.Currency + " · " + a.Country})
	}
	if a.CatalogType != "" {
		v.Facts = append(v.Facts, views.Fact{Label: "Catalog type", Value: label(a.CatalogType)})
	}
	if len(a.GroupTypes) > 0 {
		v.Facts = append(v.Facts, views.Fact{Label: "Group types", Value: strings.Join(labels(a.GroupTypes), ", ")})
	}
	access := views.DetailSection{Title: "Who can access it (" + views.FormatInt(len(a.Access)) + ")", TestID: "asset-access",
		Caption: "Members and partners with permissions on this asset", MoreHref: hd.Base + "/access?asset=" + url.QueryEscape(a.ID),
		MoreLabel: "As a list of grants", Empty: "Nobody holds a permission on this asset.",
		Columns: []views.Column{{Label: "Who"}, {Label: "Kind"}, {Label: "Permissions"}}}
	if !a.Owned {
		access.Intro = "This asset belongs to a partner: the rows say what our business may do on it."
	}
	for _, p := range a.Access {
		kind := "Member"
		if p.PrincipalType == store.GranteePartner {
			kind = label(p.PartnerType) + " partner"
		} else if len(p.BusinessRoles) > 0 {
			kind = "Member · " + strings.Join(labels(p.BusinessRoles), ", ")
		}
		access.Rows = append(access.Rows, views.Row{TestID: "asset-access-row", Cells: []views.Cell{
			{Text: orDash(p.Username), Href: principalPath(hd.Base, p.PrincipalType, p.PrincipalID), Sub: p.Email, TestID: "access-who"},
			{Text: kind},
			{Text: strings.Join(labels(p.Permissions), ", "), TestID: "access-permissions"},
		}})
	}
	v.Sections = append(v.Sections, access)
	if a.Type == "AD_ACCOUNT" || len(a.Pixels) > 0 {
		px := views.DetailSection{Title: "Pixels (" + views.FormatInt(len(a.Pixels)) + ")", TestID: "asset-pixels",
			Caption: "Conversion tags of this ad account", Empty: "This ad account has no conversion tag.",
			Columns: []views.Column{{Label: "Pixel"}, {Label: "Status"}, {Label: "Last fired"}, {Label: "Pinterest ID"}}}
		for _, p := range a.Pixels {
			fired := "Never"
			if !p.LastFired.IsZero() {
				fired = fmtDateTime(p.LastFired)
			}
			px.Rows = append(px.Rows, views.Row{Cells: []views.Cell{{Text: orDash(p.Name)}, {Text: label(p.Status)}, {Text: fired}, {Text: p.ID, Mono: true}}})
		}
		v.Sections = append(v.Sections, px)
	}
	refs := func(title, testID, empty string, list []store.AssetRef) views.DetailSection {
		s := views.DetailSection{Title: title + " (" + views.FormatInt(len(list)) + ")", TestID: testID, Caption: title, Empty: empty,
			Columns: []views.Column{{Label: "Asset"}, {Label: "Type"}, {Label: "Pinterest ID"}}}
		for _, r := range list {
			s.Rows = append(s.Rows, views.Row{Cells: []views.Cell{{Text: orDash(r.Name), Href: assetPath(hd.Base, r.ID)}, {Text: label(r.Type)}, {Text: r.ID, Mono: true}}})
		}
		return s
	}
	if a.Type == "ASSET_GROUP" {
		v.Sections = append(v.Sections, refs("Contents", "asset-contents", "This asset group is empty.", a.Contents))
	} else if len(a.Groups) > 0 {
		v.Sections = append(v.Sections, refs("In asset groups", "asset-groups", "", a.Groups))
	}
	hist, err := h.history(ctx, in.ID, hd.Base, a.ID)
	if err != nil {
		return err
	}
	v.Sections = append(v.Sections, hist)
	return render(c, http.StatusOK, views.Page{Title: orDash(a.Name) + " · " + in.Name, Section: views.SectionDashboard}, views.DetailPage(v))
}
