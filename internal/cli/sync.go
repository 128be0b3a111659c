package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"pinaccess/internal/config"
	"pinaccess/internal/importer"
	"pinaccess/internal/pinterest"
	"pinaccess/internal/store"
)

// runSync runs one sync of an integration in this process and reports its
// progress: a redrawn bar on a terminal, plain lines otherwise. It fails
// (non-zero exit) unless the run succeeded.
func runSync(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	var dbPath, baseURL, apiURL, logLevel string
	var quota int
	config.BindDB(fs, &dbPath)
	fs.StringVar(&baseURL, "base-url", config.Env("PINACCESS_BASE_URL", "http://127.0.0.1:8080"),
		"URL of the running dashboard, whose /sandbox serves sandbox integrations (env PINACCESS_BASE_URL)")
	fs.StringVar(&apiURL, "api-url", "", "Pinterest API base ending in /v5, overriding the integration's own")
	fs.StringVar(&logLevel, "log-level", config.Env("PINACCESS_LOG_LEVEL", "warn"), "debug, info, warn or error (env PINACCESS_LOG_LEVEL)")
	fs.IntVar(&quota, "quota", 0, "requests per minute the client allows itself in each rate-limit category and overall (0: the published quotas of the integration's tier); for sandboxes with other limits")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errBadArgs
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("integration ID %q: want a positive number (see 'pinaccess integration list')", rest[0])
	}
	if quota < 0 {
		return fmt.Errorf("--quota %d: want 0 or more requests per minute", quota)
	}
	clientOpts := pinterest.Options{}
	if quota > 0 {
		q := pinterest.Quota(quota, time.Minute)
		clientOpts.Limits = map[pinterest.Category]pinterest.Limit{pinterest.AdsRead: q, pinterest.OrgRead: q, pinterest.AllTraffic: q}
	}
	log, err := newLogger(stdio.Err, logLevel)
	if err != nil {
		return err
	}
	st, box, err := openStore(ctx, dbPath, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.SyncTarget(ctx, id); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no integration %d (see 'pinaccess integration list')", id)
	} else if err != nil {
		return err
	}
	clientOpts.Logger = log
	conn := importer.StoreConnector{Store: st, Box: box, Client: clientOpts, APIURL: apiURL,
		Endpoint: func(env string) (pinterest.Endpoint, error) { return endpointFor(env, baseURL) }}
	m := importer.NewManager(st, conn.Connect, importer.Options{Logger: log})
	defer m.Close()

	runID, err := m.Start(ctx, id, "cli")
	if errors.Is(err, importer.ErrAlreadyRunning) {
		return fmt.Errorf("integration %d is already being synced; wait for that sync to end", id)
	}
	if err != nil {
		return err
	}
	bar := newProgressPrinter(stdio.Out)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	done := m.Done(runID)
	for running := done != nil; running; {
		select {
		case <-done:
			running = false
		case <-ctx.Done():
			m.Cancel(runID) // Ctrl-C: the run ends as cancelled
			<-done
			running = false
		case <-tick.C:
			if p, err := m.Progress(context.WithoutCancel(ctx), runID); err == nil {
				bar.show(p)
			}
		}
	}
	run, err := m.Wait(context.WithoutCancel(ctx), runID)
	if err != nil {
		return err
	}
	bar.finish()
	return reportRun(stdio.Out, run)
}

// endpointFor picks the API of an integration's environment (when neither
// --api-url nor the integration names one): Pinterest for "pinterest", the
// dashboard's sandbox for "sandbox".
func endpointFor(environment, baseURL string) (pinterest.Endpoint, error) {
	switch environment {
	case "pinterest":
		return pinterest.Production, nil
	case "sandbox":
		return pinterest.SandboxEndpoint(strings.TrimRight(baseURL, "/") + "/sandbox"), nil
	}
	return pinterest.Endpoint{}, fmt.Errorf("unknown environment %q", environment)
}

func reportRun(w io.Writer, r store.Run) error {
	took := r.Duration(time.Now()).Round(100 * time.Millisecond)
	c := r.Counts
	switch r.Status {
	case store.RunSucceeded:
		fmt.Fprintf(w, "Sync %d succeeded in %s with %d API calls: %d members, %d partners, %d assets, %d grants, %d pixels, %d invites; %d changes.\n",
			r.ID, took, r.APICallsTotal, c.Members, c.Partners, c.Assets, c.Grants, c.Pixels, c.Invites, c.Changes)
		return nil
	case store.RunNeedsReview:
		fmt.Fprintf(w, "Sync %d is held for review and was not applied. %s\nAccept or discard it on the dashboard's sync page.\n", r.ID, r.ReviewReason)
		return fmt.Errorf("sync %d held for review", r.ID)
	}
	return fmt.Errorf("sync %d %s: %s", r.ID, r.Status, r.Error)
}

// progressPrinter draws progress: one redrawn line on a terminal, a plain
// line per phase and per tenth of the work otherwise.
type progressPrinter struct {
	w         io.Writer
	tty       bool
	lastPhase string
	lastTenth int
	drawn     bool
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressPrinter{w: w, tty: tty, lastTenth: -1}
}

func (p *progressPrinter) show(pr importer.Progress) {
	if p.tty {
		const width = 30
		filled := int(pr.Fraction() * width)
		line := fmt.Sprintf("\r[%s%s] %3.0f%%  %d/%d  %d calls  %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
			pr.Fraction()*100, pr.Done, pr.Total, pr.Calls, pr.Phase)
		fmt.Fprintf(p.w, "%-110s", line)
		p.drawn = true
		return
	}
	tenth := int(pr.Fraction() * 10)
	if pr.Phase != p.lastPhase || tenth != p.lastTenth {
		fmt.Fprintf(p.w, "%s: %d/%d steps (%.0f%%), %d API calls\n", pr.Phase, pr.Done, pr.Total, pr.Fraction()*100, pr.Calls)
		p.lastPhase, p.lastTenth = pr.Phase, tenth
	}
}

func (p *progressPrinter) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
