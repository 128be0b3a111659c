package web

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// changesPerSyncRuns is how many syncs the changes chart shows.
const changesPerSyncRuns = 20

// inventoryOverview builds the inventory part of an integration's page: the
// data's age (shown in the page's header), tabs, counts, findings linking to
// the lists behind them, charts and the newest changes.
func inventoryOverview(c echo.Context, st *store.Store, log *slog.Logger, in store.Integration, now func() time.Time) (views.InventoryOverview, error) {
	h := &inventoryHandler{store: st, log: log, now: now}
	hd := h.header(c, in, "overview")
	v := views.InventoryOverview{Header: hd, ChangesHref: hd.Base + "/changes"}
	if !hd.HasSnapshot {
		return v, nil
	}
	ctx := c.Request().Context()
	o, err := st.InventoryOverview(ctx, in.ID)
	if err != nil {
		return views.InventoryOverview{}, err
	}
	stale, err := st.StaleInvites(ctx, in.ID, now().Add(-store.StaleInviteDays*24*time.Hour))
	if err != nil {
		return views.InventoryOverview{}, err
	}
	b := hd.Base
	v.Stats = []views.Stat{
		{Label: "Members", Value: int(o.Counts.Members), Href: b + "/members", TestID: "stat-members"},
		{Label: "Partners", Value: int(o.Counts.Partners), Href: b + "/partners", TestID: "stat-partners"},
		{Label: "Assets", Value: int(o.Counts.Assets), Href: b + "/assets", TestID: "stat-assets"},
		{Label: "Grants", Value: int(o.Counts.Grants), Href: b + "/access", TestID: "stat-grants"},
		{Label: "Pixels", Value: int(o.Counts.Pixels), Href: b + "/pixels", TestID: "stat-pixels"},
		{Label: "Invites", Value: int(o.Counts.Invites), Href: b + "/invites", TestID: "stat-invites"},
	}
	v.Findings = []views.Finding{
		{Title: "partners with Admin on our assets", Count: o.Findings.PartnersWithAdmin, TestID: "finding-partner-admins",
			Body: "Other businesses that can manage our ad accounts or profiles, including who else may access them.",
			Href: b + "/access?principal_type=partner&permission=ADMIN&owner=ours"},
		{Title: "members are business admins", Count: o.Findings.BizAdmins, TestID: "finding-biz-admins",
			Body: "Business admins manage the whole Business Manager: its people, partners and assets.",
			Href: b + "/members?role=BIZ_ADMIN"},
		{Title: "assets only the service account can manage", Count: o.Findings.ServiceOnlyAssets, TestID: "finding-service-only",
			Body: "Nobody else holds Admin on them: if the service account lost access, nobody could manage them.",
			Href: b + "/assets?admin=" + store.AdminServiceOnly},
		{Title: fmt.Sprintf("pending invites older than %d days", store.StaleInviteDays), Count: stale, TestID: "finding-stale-invites",
			Body: "Invitations nobody accepted: withdraw them on Pinterest, or remind the invitee.",
			Href: b + "/invites?status=PENDING&older_than=" + strconv.Itoa(store.StaleInviteDays)},
	}
	bars := func(counts []store.Count, href func(string) string) []views.Bar {
		out := make([]views.Bar, len(counts))
		for i, c := range counts {
			out[i] = views.Bar{Label: label(c.Label), Value: c.N, Href: href(c.Label)}
		}
		return out
	}
	v.Charts = []views.Chart{
		{Title: "Grants by permission", TestID: "chart-grants", Bars: bars(o.GrantsByPermission, func(s string) string {
			return b + "/access?permission=" + url.QueryEscape(s)
		})},
		{Title: "Members by business role", TestID: "chart-roles", Bars: bars(o.MembersByRole, func(s string) string {
			return b + "/members?role=" + url.QueryEscape(s)
		})},
		{Title: "Assets by type", TestID: "chart-assets", Bars: bars(o.AssetsByType, func(s string) string {
			return b + "/assets?type=" + url.QueryEscape(s)
		})},
		{Title: "Partners by type", TestID: "chart-partners", Bars: bars(o.PartnersByType, func(s string) string {
			return b + "/partners?type=" + url.QueryEscape(s)
		})},
		{Title: "Pixels by status", TestID: "chart-pixels", Bars: bars(o.PixelsByStatus, func(s string) string {
			return b + "/pixels?status=" + url.QueryEscape(s)
		})},
	}
	runs, err := st.Runs(ctx, in.ID, changesPerSyncRuns)
	if err != nil {
		return views.InventoryOverview{}, err
	}
	series := views.Chart{Title: "Changes per sync", TestID: "chart-changes", Columns: true}
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		if r.Status != store.RunSucceeded {
			continue
		}
		series.Bars = append(series.Bars, views.Bar{Label: "#" + strconv.FormatInt(r.ID, 10) + " " + fmtTime(r.StartedAt),
			Value: int(r.Counts.Changes)})
	}
	v.Charts = append(v.Charts, series)
	p, err := st.ListChanges(ctx, in.ID, store.ChangeQuery{ListQuery: store.ListQuery{PerPage: 8}})
	if err != nil {
		return views.InventoryOverview{}, err
	}
	for _, ch := range p.Rows {
		text := changeLabel(ch.Kind) + ": " + orDash(ch.SubjectName)
		if ch.AssetName != "" && ch.SubjectType != "asset" {
			text += " on " + ch.AssetName
		}
		if ba := beforeAfter(ch.Change); ba != "" {
			text += " (" + ba + ")"
		}
		v.Changes = append(v.Changes, views.ChangeLine{Text: text, When: ago(now(), ch.RunFinishedAt),
			Href: changeSubjectHref(b, ch.Change)})
	}
	return v, nil
}
