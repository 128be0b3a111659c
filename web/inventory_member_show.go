package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// historyRows is how many changes a detail page shows.
const historyRows = 20

// memberShow is GET /integrations/{id}/members/{member_id}.
func (h *inventoryHandler) memberShow(c echo.Context) error {
	in, hd, err := h.scope(c, "members")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	id := c.Param("member_id")
	m, err := h.store.MemberDetail(ctx, in.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "This member is not in the current snapshot: they may have left the Business Manager since.")
	}
	if err != nil {
		return err
	}
	v := views.DetailView{Header: hd, Kind: "Member", Title: orDash(m.Username), Subtitle: m.Email, TestID: "member-detail",
		Badges: labels(m.BusinessRoles)}
	if m.IsSystemUser {
		v.Badges = append(v.Badges, "System user")
	}
	v.Facts = []views.Fact{
		{Label: "Pinterest ID", Value: m.ID, Mono: true, TestID: "fact-id"},
		{Label: "Business role", Value: strings.Join(labels(m.BusinessRoles), ", "), TestID: "fact-role"},
		{Label: "Member since", Value: fmtTime(m.CreatedTime)},
		{Label: "Assets", Value: views.FormatInt(len(m.Grants)), Href: hd.Base + "/access?principal=" + url.QueryEscape(m.ID)},
	}
	if m.CreatedBy != "" {
		v.Facts = append(v.Facts, views.Fact{Label: "Added by", Value: m.CreatedBy, Href: memberPath(hd.Base, m.CreatedBy), Mono: true})
	}
	v.Sections = grantSections(hd.Base, m.Grants, "", "This member holds no permission on any asset.")
	hist, err := h.history(ctx, in.ID, hd.Base, m.ID)
	if err != nil {
		return err
	}
	v.Sections = append(v.Sections, hist)
	return render(c, http.StatusOK, views.Page{Title: orDash(m.Username) + " · " + in.Name, Section: views.SectionDashboard}, views.DetailPage(v))
}

// grantSections groups a principal's grants by asset type, one table each.
func grantSections(base string, grants []store.AssetGrant, titleSuffix, empty string) []views.DetailSection {
	var out []views.DetailSection
	idx := map[string]int{}
	for _, g := range grants {
		i, ok := idx[g.AssetType]
		if !ok {
			i = len(out)
			idx[g.AssetType] = i
			out = append(out, views.DetailSection{Title: typePlural(g.AssetType) + titleSuffix, TestID: "grants-" + strings.ToLower(g.AssetType),
				Caption: "Permissions on " + strings.ToLower(typePlural(g.AssetType)),
				Columns: []views.Column{{Label: "Asset"}, {Label: "Permissions"}, {Label: "Owner"}, {Label: "Pinterest ID"}}})
		}
		owner := "Us"
		if !g.Owned {
			owner = "A partner"
		}
		out[i].Rows = append(out[i].Rows, views.Row{TestID: "grant-row", Cells: []views.Cell{
			{Text: orDash(g.AssetName), Href: assetPath(base, g.AssetID), TestID: "grant-asset"},
			{Text: strings.Join(labels(g.Permissions), ", "), TestID: "grant-permissions"},
			{Text: owner},
			{Text: g.AssetID, Mono: true},
		}})
	}
	for i := range out {
		out[i].Title += " (" + views.FormatInt(len(out[i].Rows)) + ")"
	}
	if len(out) == 0 {
		out = append(out, views.DetailSection{Title: "Access" + titleSuffix, Empty: empty, TestID: "grants-none"})
	}
	return out
}

func typePlural(t string) string {
	switch t {
	case "AD_ACCOUNT":
		return "Ad accounts"
	case "PROFILE":
		return "Profiles"
	case "ASSET_GROUP":
		return "Asset groups"
	case "CATALOG":
		return "Catalogs"
	}
	return label(t)
}

// history is the section of the changes involving a Pinterest ID.
func (h *inventoryHandler) history(ctx context.Context, integrationID int64, base, id string) (views.DetailSection, error) {
	p, err := h.store.ListChanges(ctx, integrationID, store.ChangeQuery{ListQuery: store.ListQuery{PerPage: historyRows}, Involving: id})
	if err != nil {
		return views.DetailSection{}, err
	}
	s := views.DetailSection{Title: "History", TestID: "history", Caption: "Changes involving this, newest first",
		Empty:   "No changes recorded: it has been the same in every sync since it first appeared (or since the first sync).",
		Columns: []views.Column{{Label: "Sync"}, {Label: "Change"}, {Label: "Who or what"}, {Label: "Asset"}, {Label: "Before → after"}}}
	for _, c := range p.Rows {
		s.Rows = append(s.Rows, changeRow(base, c))
	}
	if p.Total > len(p.Rows) {
		s.MoreHref, s.MoreLabel = base+"/changes?involving="+url.QueryEscape(id), "All "+views.FormatInt(p.Total)+" changes"
	}
	return s, nil
}
