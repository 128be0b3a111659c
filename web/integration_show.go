package web

import (
	"context"
	"errors"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/integration"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// show is GET /integrations/{id}: the page's header, the status card, a
// running sync's progress, then the inventory.
func (h *integrationHandler) show(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	st, err := h.statusCard(c.Request().Context(), in)
	if err != nil {
		return err
	}
	v := views.IntegrationPage{ID: in.ID, Name: in.Name, Status: st}
	// A running sync shows its live progress right under the status.
	if run, err := h.store.RunningRun(c.Request().Context(), in.ID); err == nil {
		body, err := h.runView(c, in, run)
		if err != nil {
			return err
		}
		v.Sections = append(v.Sections, views.SyncRunBody(body))
	}
	inv, err := inventoryOverview(c, h.store, h.log, in, h.now)
	if err != nil {
		return err
	}
	return render(c, 200, views.Page{Title: in.Name, Section: views.SectionDashboard}, views.IntegrationOverviewPage(v, inv))
}

// resume is GET /integrations/{id}/setup: the first unfinished step.
func (h *integrationHandler) resume(c echo.Context) error {
	in, err := h.load(c)
	if err != nil {
		return err
	}
	return redirect(c, stepPath(in.ID, integration.FirstUnfinished(in)))
}

// statusCard builds the status section of an integration's page.
func (h *integrationHandler) statusCard(ctx context.Context, in store.Integration) (views.IntegrationStatus, error) {
	s := views.IntegrationStatus{
		Status:         in.Status,
		Environment:    environmentLabel(in.Environment),
		BusinessID:     in.BusinessID,
		ServiceAccount: in.ServiceAccount,
		ConnectedBy:    in.ConnectedBy,
		ConnectedAt:    formatTime(in.ConnectedAt),
	}
	base := integrationPath(in.ID)
	reconnect := views.Action{Label: "Reconnect", Href: stepPath(in.ID, integration.StepConnect), Method: "get", TestID: "action-reconnect"}
	disconnect := views.Action{Label: "Disconnect", Href: base + "/disconnect", Method: "post", TestID: "action-disconnect"}
	del := views.Action{Label: "Delete", Href: base + "/delete", Method: "get", TestID: "action-delete", Danger: true}
	switch in.Status {
	case store.IntegrationDraft:
		s.StatusLabel = "Setup not finished"
		s.StatusHint = "Finish the setup to connect this Business Manager."
		s.ConnectedAt = ""
		s.Actions = []views.Action{{Label: "Continue setup", Href: base + "/setup", Method: "get", TestID: "action-continue", Primary: true}, del}
	case store.IntegrationConnected:
		s.StatusLabel = "Connected"
		if h.syncs != nil {
			s.Actions = append(s.Actions, views.Action{Label: "Sync now", Href: base + "/sync", Method: "post", TestID: "action-sync", Primary: true})
		}
		s.Actions = append(s.Actions, reconnect, disconnect, del)
	case store.IntegrationNeedsReconnect:
		s.StatusLabel = "Needs reconnecting"
		s.StatusHint = "Pinterest no longer accepts pinaccess's authorization (it was revoked or has expired). Connect again to resume syncing; the inventory imported so far is kept."
		reconnect.Primary = true
		s.Actions = []views.Action{reconnect, disconnect, del}
	case store.IntegrationDisconnected:
		s.StatusLabel = "Disconnected"
		s.StatusHint = "pinaccess holds no token for this Business Manager and does not sync it. The inventory imported so far is kept."
		s.ConnectedAt = ""
		reconnect.Primary = true
		s.Actions = []views.Action{reconnect, del}
	default:
		s.StatusLabel = in.Status
	}
	line, err := h.syncLine(ctx, in)
	if err != nil {
		return s, err
	}
	s.Sync = line
	return s, nil
}

// syncLine says how syncing stands: running, the last run, or pending.
func (h *integrationHandler) syncLine(ctx context.Context, in store.Integration) (views.SyncLine, error) {
	run, err := h.store.RunningRun(ctx, in.ID)
	if err == nil {
		text := "Sync running"
		if run.Phase != "" {
			text += ": " + run.Phase
		}
		return views.SyncLine{State: store.RunRunning, Text: text, Href: runPath(in.ID, run.ID)}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return views.SyncLine{}, err
	}
	runs, err := h.store.Runs(ctx, in.ID, 1)
	if err != nil {
		return views.SyncLine{}, err
	}
	if len(runs) == 0 {
		if in.Status == store.IntegrationConnected {
			return views.SyncLine{State: "pending", Text: "Sync pending: no sync has run yet."}, nil
		}
		return views.SyncLine{}, nil
	}
	r := runs[0]
	return views.SyncLine{State: r.Status, Text: "Last sync " + runStatusWords(r.Status) + " " + formatTime(r.StartedAt), Href: runPath(in.ID, r.ID)}, nil
}

func runStatusWords(status string) string {
	switch status {
	case store.RunSucceeded:
		return "succeeded,"
	case store.RunFailed:
		return "failed,"
	case store.RunCancelled:
		return "was cancelled,"
	case store.RunInterrupted:
		return "was interrupted,"
	case store.RunNeedsReview:
		return "is held for review, started"
	case store.RunDiscarded:
		return "was discarded,"
	}
	return status + ","
}
