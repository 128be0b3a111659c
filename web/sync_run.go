package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/store"
	"pinaccess/views"
)

// maxListedRemovals bounds the removals listed on a held run's page.
const maxListedRemovals = 200

// loadRun returns the integration and the run named by :id and :run_id,
// or a 404 when the run is not the integration's.
func (h *integrationHandler) loadRun(c echo.Context) (store.Integration, store.Run, error) {
	in, err := h.load(c)
	if err != nil {
		return in, store.Run{}, err
	}
	runID, err := strconv.ParseInt(c.Param("run_id"), 10, 64)
	if err != nil || runID <= 0 {
		return in, store.Run{}, echo.NewHTTPError(http.StatusNotFound)
	}
	run, err := h.store.Run(c.Request().Context(), runID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && run.IntegrationID != in.ID) {
		return in, store.Run{}, echo.NewHTTPError(http.StatusNotFound, "There is no such sync: it may have been deleted with old history.")
	}
	return in, run, err
}

// runShow is GET /integrations/{id}/syncs/{run_id}.
func (h *integrationHandler) runShow(c echo.Context) error {
	in, run, err := h.loadRun(c)
	if err != nil {
		return err
	}
	body, err := h.runView(c, in, run)
	if err != nil {
		return err
	}
	v := views.SyncRunPage{IntegrationName: in.Name, IntegrationHref: integrationPath(in.ID), Run: body}
	return render(c, http.StatusOK, views.Page{Title: fmt.Sprintf("Sync %d · %s", run.ID, in.Name), Section: views.SectionDashboard}, views.SyncRunView(v))
}

// runProgress is GET /integrations/{id}/syncs/{run_id}/progress: the part
// of the run page htmx polls.
func (h *integrationHandler) runProgress(c echo.Context) error {
	in, run, err := h.loadRun(c)
	if err != nil {
		return err
	}
	body, err := h.runView(c, in, run)
	if err != nil {
		return err
	}
	// On the integration page, a run that has just ended changes more than
	// this part (status, inventory): reload the page once.
	if hx := hxFrom(c); body.PollURL == "" && hx.Request {
		if u, err := url.Parse(hx.CurrentURL); err == nil && u.Path == integrationPath(in.ID) {
			c.Response().Header().Set("HX-Refresh", "true")
		}
	}
	return render(c, http.StatusOK, views.Page{Title: fmt.Sprintf("Sync %d · %s", run.ID, in.Name), Section: views.SectionDashboard}, views.SyncRunBody(body))
}

// runView builds the run's view: live progress from the sync manager while
// it runs here, the record otherwise.
func (h *integrationHandler) runView(c echo.Context, in store.Integration, run store.Run) (views.SyncRun, error) {
	base := runPath(in.ID, run.ID)
	v := views.SyncRun{
		ID: run.ID, Status: run.Status, StatusLabel: runStatusLabel(run.Status), Trigger: run.Trigger,
		StartedAt: formatTime(run.StartedAt), Phase: run.Phase, Done: run.ProgressDone, Total: run.ProgressTotal,
		Calls: int(run.APICallsTotal), Error: run.Error,
	}
	if run.Status == store.RunRunning {
		v.PollURL = base + "/progress"
		if h.syncs != nil {
			if p, err := h.syncs.Progress(c.Request().Context(), run.ID); err == nil && p.RunID == run.ID {
				if p.Status == store.RunRunning {
					v.Phase, v.Done, v.Total, v.Calls = p.Phase, p.Done, p.Total, p.Calls
				} else if fresh, err := h.store.Run(c.Request().Context(), run.ID); err == nil && fresh.Status != store.RunRunning {
					// Ended between the two reads: show the record.
					return h.runView(c, in, fresh)
				}
			}
			if id, ok := h.syncs.RunningRun(in.ID); ok && id == run.ID {
				v.CancelAction = base + "/cancel"
			}
		}
	} else {
		v.Phase = "" // the status says it
		v.Duration = run.Duration(time.Now()).Round(100 * time.Millisecond).String()
		if v.Total > 0 {
			v.Done = v.Total
		}
		if run.Status == store.RunSucceeded || run.Status == store.RunNeedsReview {
			n := run.Counts
			v.Counts = []views.SyncCount{{Label: "Members", Value: n.Members}, {Label: "Partners", Value: n.Partners}, {Label: "Assets", Value: n.Assets},
				{Label: "Grants", Value: n.Grants}, {Label: "Pixels", Value: n.Pixels}, {Label: "Invites", Value: n.Invites}, {Label: "Changes", Value: n.Changes}}
		}
	}
	if v.Total > 0 {
		v.Percent = int(min(100, v.Done*100/v.Total))
	}
	if run.Status == store.RunNeedsReview {
		rv, err := h.review(c, in, run)
		if err != nil {
			return v, err
		}
		v.Review = rv
	}
	return v, nil
}

// review lists what a held run would remove.
func (h *integrationHandler) review(c echo.Context, in store.Integration, run store.Run) (*views.SyncReview, error) {
	base := runPath(in.ID, run.ID)
	rv := &views.SyncReview{Reason: run.ReviewReason, AcceptAction: base + "/accept", DiscardAction: base + "/discard"}
	for _, c := range []views.SyncCount{{Label: "members removed", Value: run.Removed.Members}, {Label: "partners removed", Value: run.Removed.Partners}, {Label: "access grants removed", Value: run.Removed.Grants}} {
		if c.Value > 0 {
			rv.Removed = append(rv.Removed, c)
		}
	}
	changes, err := h.store.Changes(c.Request().Context(), run.ID)
	if err != nil {
		return nil, err
	}
	for _, ch := range changes {
		r, ok := removal(ch)
		if !ok {
			continue
		}
		if len(rv.Removals) == maxListedRemovals {
			rv.More++
			continue
		}
		rv.Removals = append(rv.Removals, r)
	}
	return rv, nil
}

func removal(ch store.Change) (views.SyncRemoval, bool) {
	name := ch.SubjectName
	if name == "" {
		name = ch.SubjectID
	}
	switch ch.Kind {
	case store.ChangeMemberRemoved:
		return views.SyncRemoval{What: "Member", Name: name, Detail: ch.Before}, true
	case store.ChangePartnerRemoved:
		return views.SyncRemoval{What: "Partner", Name: name, Detail: ch.Before}, true
	case store.ChangeAssetRemoved:
		return views.SyncRemoval{What: "Asset", Name: name, Detail: ch.AssetType}, true
	case store.ChangePixelRemoved:
		return views.SyncRemoval{What: "Pixel", Name: name, Detail: ch.AssetName}, true
	case store.ChangeGrantRemoved:
		asset := ch.AssetName
		if asset == "" {
			asset = ch.AssetID
		}
		return views.SyncRemoval{What: "Access", Name: name, Detail: ch.Before + " on " + asset}, true
	}
	return views.SyncRemoval{}, false
}

func runStatusLabel(status string) string {
	switch status {
	case store.RunRunning:
		return "Running"
	case store.RunSucceeded:
		return "Succeeded"
	case store.RunFailed:
		return "Failed"
	case store.RunCancelled:
		return "Cancelled"
	case store.RunInterrupted:
		return "Interrupted"
	case store.RunNeedsReview:
		return "Held for review"
	case store.RunDiscarded:
		return "Discarded"
	}
	return status
}
