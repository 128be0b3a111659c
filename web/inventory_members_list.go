package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// membersList is GET /integrations/{id}/members.
func (h *inventoryHandler) membersList(c echo.Context) error {
	in, hd, err := h.scope(c, "members")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := memberQuery(c.QueryParams())
	p, err := readPage(&q.ListQuery, canon, func() (store.MemberPage, error) { return h.store.ListMembers(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.MemberSorting, canon)
	v := r.listView(hd, []col{{"Username", "username", false}, {"Email", "email", false}, {"Business role", "role", false},
		{"Member since", "created", false}, {"Assets", "", true}, {"Pinterest ID", "id", false}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Members", "members", "Members of the Business Manager"
	v.Intro = "People and system users in the Business Manager, with their business role and how many assets they can access."
	v.SearchLabel, v.SearchPlaceholder = "Search members", "Name, email or ID"
	v.Filters = []views.Filter{
		{Name: "role", Label: "Business role", Options: options(q.Role, "Any role", businessRoles...)},
		{Name: "system_user", Label: "Kind", Options: options(q.SystemUser, "Users and system users", "no", "Users", "yes", "System users")},
	}
	v.CSVHref = exportPath(in.ID, export.Members, canon)
	for _, m := range p.Rows {
		var badges []string
		if m.IsSystemUser {
			badges = append(badges, "System user")
		}
		v.Rows = append(v.Rows, views.Row{TestID: "member-row", Cells: []views.Cell{
			{Text: orDash(m.Username), Href: memberPath(hd.Base, m.ID), Badges: badges, TestID: "member-username"},
			{Text: m.Email},
			{Text: strings.Join(labels(m.BusinessRoles), ", "), TestID: "member-role"},
			{Text: fmtTime(m.CreatedTime)},
			{Text: views.FormatInt(m.Assets), Numeric: true},
			{Text: m.ID, Mono: true},
		}})
	}
	v.Empty = emptyFor(hd, v, "members", "Pinterest reported no members for this Business Manager.")
	return showList(c, "Members · "+in.Name, r, v)
}

// orDash shows a dash for an empty value.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
