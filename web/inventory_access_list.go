package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// accessList is GET /integrations/{id}/access: every grant, one row per
// principal × asset × permission.
func (h *inventoryHandler) accessList(c echo.Context) error {
	in, hd, err := h.scope(c, "access")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := accessQuery(c.QueryParams())
	p, err := readPage(&q.ListQuery, canon, func() (store.AccessPage, error) { return h.store.ListAccess(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.AccessSorting, canon)
	v := r.listView(hd, []col{{"Who", "principal", false}, {"Kind", "principal_type", false}, {"Asset", "asset", false},
		{"Asset type", "asset_type", false}, {"Permission", "permission", false}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Access", "grants", "Every grant: who holds which permission on which asset"
	v.Intro = "Every grant, one row per member or partner, asset and permission. For an external partner, the row is what our business may do on the partner's asset."
	v.SearchLabel, v.SearchPlaceholder = "Search people, partners and assets", "Name, email or ID"
	v.Filters = []views.Filter{
		{Name: "permission", Label: "Permission", Options: options(q.Permission, "Any permission", permissions...)},
		{Name: "principal_type", Label: "Who", Options: options(q.PrincipalType, "Members and partners", store.GranteeMember, "Members", store.GranteePartner, "Partners")},
		{Name: "asset_type", Label: "Asset type", Options: options(q.AssetType, "Any type", assetTypes...)},
		{Name: "owner", Label: "Asset owner", Options: options(q.Owner, "Anyone", store.OwnerOurs, "Ours", store.OwnerTheirs, "Partners'")},
		{Name: "role", Label: "Business role", Options: options(q.Role, "Any role", businessRoles...)},
		{Name: "partner_type", Label: "Partner type", Options: options(q.PartnerType, "Any type", partnerTypes...)},
	}
	if q.PrincipalID != "" {
		v.Hidden = append(v.Hidden, views.Param{Name: "principal", Value: q.PrincipalID})
	}
	if q.AssetID != "" {
		v.Hidden = append(v.Hidden, views.Param{Name: "asset", Value: q.AssetID})
	}
	v.CSVHref = exportPath(in.ID, export.Access, canon)
	for _, g := range p.Rows {
		kind := "Member"
		sub := g.Email
		if g.PrincipalType == store.GranteePartner {
			kind = label(g.PartnerType) + " partner"
		} else if len(g.BusinessRoles) > 0 {
			sub = strings.TrimSpace(g.Email + " · " + strings.Join(labels(g.BusinessRoles), ", "))
			sub = strings.TrimPrefix(sub, "· ")
		}
		v.Rows = append(v.Rows, views.Row{TestID: "access-row", Cells: []views.Cell{
			{Text: orDash(g.Username), Href: principalPath(hd.Base, g.PrincipalType, g.PrincipalID), Sub: sub, TestID: "access-who"},
			{Text: kind},
			{Text: orDash(g.AssetName), Href: assetPath(hd.Base, g.AssetID), Badges: ownedBadge(g.AssetOwned), TestID: "access-asset"},
			{Text: label(g.AssetType)},
			{Text: label(g.Permission), TestID: "access-permission"},
		}})
	}
	v.Empty = emptyFor(hd, v, "grants", "Nobody holds a permission on any asset of this Business Manager.")
	return showList(c, "Access · "+in.Name, r, v)
}
