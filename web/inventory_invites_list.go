package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

var (
	inviteTypes    = []string{"MEMBER_INVITE", "Member invite", "PARTNER_INVITE", "Partner invite", "PARTNER_REQUEST", "Partner request"}
	inviteStatuses = []string{"PENDING", "Pending", "EXPIRED", "Expired"}
	inviteAges     = []string{"7", "Older than 7 days", "30", "Older than 30 days", "90", "Older than 90 days"}
)

// invitesList is GET /integrations/{id}/invites.
func (h *inventoryHandler) invitesList(c echo.Context) error {
	in, hd, err := h.scope(c, "invites")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := inviteQuery(c.QueryParams(), h.now())
	p, err := readPage(&q.ListQuery, canon, func() (store.InvitePage, error) { return h.store.ListInvites(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.InviteSorting, canon)
	v := r.listView(hd, []col{{"Invitee", "email", false}, {"Type", "type", false}, {"Status", "status", false},
		{"Sent", "sent", false}, {"Expires", "expires", false}, {"Assets", "", true}, {"Pinterest ID", "", false}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Invites", "invites", "Invitations and partner requests"
	v.Intro = "Invitations sent to people and partners, and requests received, still pending or expired."
	v.SearchLabel, v.SearchPlaceholder = "Search invites", "Email, name or ID"
	v.Filters = []views.Filter{
		{Name: "type", Label: "Type", Options: options(q.Type, "Any type", inviteTypes...)},
		{Name: "status", Label: "Status", Options: options(q.Status, "Any status", inviteStatuses...)},
		{Name: "older_than", Label: "Age", Options: options(canon.Get("older_than"), "Any age", inviteAges...)},
	}
	v.CSVHref = exportPath(in.ID, export.Invites, canon)
	for _, x := range p.Rows {
		who := x.Email
		if who == "" {
			who = x.Username
		}
		var badges []string
		if x.IsReceived {
			badges = append(badges, "Received")
		}
		v.Rows = append(v.Rows, views.Row{TestID: "invite-row", Cells: []views.Cell{
			{Text: orDash(who), Sub: strings.Join(labels(x.BusinessRoles), ", "), Badges: badges, TestID: "invite-who"},
			{Text: label(x.Type)},
			{Text: label(x.Status), TestID: "invite-status"},
			{Text: fmtTime(x.SentAt)},
			{Text: fmtTime(x.Expiration)},
			{Text: views.FormatInt(x.Assets), Numeric: true},
			{Text: x.ID, Mono: true},
		}})
	}
	v.Empty = emptyFor(hd, v, "invites", "There are no pending or expired invites.")
	return showList(c, "Invites · "+in.Name, r, v)
}
