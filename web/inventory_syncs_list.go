package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

var runStatuses = []string{store.RunSucceeded, "Succeeded", store.RunFailed, "Failed", store.RunRunning, "Running",
	store.RunNeedsReview, "Needs review", store.RunCancelled, "Cancelled", store.RunInterrupted, "Interrupted", store.RunDiscarded, "Discarded"}

// syncsList is GET /integrations/{id}/syncs: the history of sync runs.
func (h *inventoryHandler) syncsList(c echo.Context) error {
	in, hd, err := h.scope(c, "syncs")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := runQuery(c.QueryParams())
	p, err := readPage(&q.ListQuery, canon, func() (store.RunPage, error) { return h.store.ListRuns(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.RunSorting, canon)
	v := r.listView(hd, []col{{"Sync", "started", false}, {"Status", "status", false}, {"Members", "", true},
		{"Partners", "", true}, {"Assets", "", true}, {"Grants", "", true}, {"Changes", "changes", true}, {"Took", "", true}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Syncs", "syncs", "Sync runs, newest first"
	v.Intro = "Every sync of this Business Manager: when, how it ended, what it found and how much changed."
	v.Filters = []views.Filter{{Name: "status", Label: "Status", Options: options(q.Status, "Any status", runStatuses...)}}
	now := h.now()
	for _, run := range p.Rows {
		id := strconv.FormatInt(run.ID, 10)
		changes := views.Cell{Text: views.FormatInt(int(run.Counts.Changes)), Numeric: true}
		if run.Counts.Changes > 0 {
			changes.Href = hd.Base + "/changes?from=" + id + "&to=" + id
		}
		status := views.Cell{Text: label(run.Status), TestID: "sync-status"}
		if run.ID == in.CurrentRunID {
			status.Badges = []string{"Current"}
		}
		if run.Error != "" {
			status.Sub = run.Error
		}
		v.Rows = append(v.Rows, views.Row{TestID: "sync-row", Cells: []views.Cell{
			{Text: "#" + id, Href: runPath(in.ID, run.ID), Sub: fmtDateTime(run.StartedAt) + " · " + label(run.Trigger)},
			status,
			{Text: views.FormatInt(int(run.Counts.Members)), Numeric: true},
			{Text: views.FormatInt(int(run.Counts.Partners)), Numeric: true},
			{Text: views.FormatInt(int(run.Counts.Assets)), Numeric: true},
			{Text: views.FormatInt(int(run.Counts.Grants)), Numeric: true},
			changes,
			{Text: run.Duration(now).Round(100 * 1e6).String(), Numeric: true},
		}})
	}
	v.Empty = views.EmptyState{Title: "No syncs yet", Body: "Connect the Business Manager and start a first sync from its page.",
		LinkHref: hd.Base, LinkLabel: "Go to the integration"}
	if v.Filtered {
		v.Empty = noMatch(v.ClearHref, "syncs")
	}
	return showList(c, "Syncs · "+in.Name, r, v)
}
