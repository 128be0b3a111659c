package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pinaccess/internal/importer"
	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// syncFixture is a database with one integration connected to a sandbox
// served over HTTP.
func syncFixture(t *testing.T) (db string, id int64, sb *sandbox.Sandbox, apiURL string) {
	t.Helper()
	ctx := context.Background()
	d, err := sandbox.Generate("small", 9)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	sb, err = sandbox.New(sandbox.Options{Dataset: d, BaseURL: srv.URL + "/sandbox", Limits: sandbox.Limits{}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/sandbox/", sb)
	access, refresh, err := sb.IssueToken(sandbox.AdminUsername, pinterest.ImportScopes())
	if err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(t.TempDir(), "pinaccess.db")
	st, box, err := openStore(ctx, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err = st.AddConnectedIntegration(ctx, store.ConnectedIntegration{Name: "Sandbox", Environment: "sandbox",
		BusinessID: sandbox.DefaultBusinessID, AppID: sandbox.DefaultAppID})
	if err != nil {
		t.Fatal(err)
	}
	err = st.SaveIntegrationTokens(ctx, id, box.Seal([]byte(access), store.SecretLabel(id, "access_token")),
		box.Seal([]byte(refresh), store.SecretLabel(id, "refresh_token")), time.Now().Add(time.Hour), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return db, id, sb, srv.URL + "/sandbox/v5"
}

func runSyncCmd(db string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := Run(context.Background(), append([]string{"sync", "--db", db}, args...),
		Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return out.String() + errOut.String(), err
}

func TestSyncCommandImportsAndReports(t *testing.T) {
	db, id, _, api := syncFixture(t)
	out, err := runSyncCmd(db, "--api-url", api, strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	if !strings.Contains(out, "succeeded") || !strings.Contains(out, "members") {
		t.Fatalf("output does not report the result:\n%s", out)
	}
	if strings.Contains(out, "\r") {
		t.Fatalf("progress redrawn on a non-terminal:\n%q", out)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, _ := st.Runs(context.Background(), id, 0)
	if len(runs) != 1 || runs[0].Status != store.RunSucceeded || runs[0].Trigger != "cli" || runs[0].Counts.Members == 0 {
		t.Fatalf("runs %+v", runs)
	}
}

func TestSyncCommandFailsWhenTheSyncFails(t *testing.T) {
	db, id, sb, api := syncFixture(t)
	sb.SetFaults(sandbox.Faults{FailAll: true, ErrorStatus: http.StatusBadGateway})
	out, err := runSyncCmd(db, "--api-url", api, strconv.FormatInt(id, 10))
	if err == nil || errors.Is(err, ErrUsage) {
		t.Fatalf("sync against a failing Pinterest: err %v\n%s", err, out)
	}
	if !strings.Contains(err.Error(), "failed") || !strings.Contains(err.Error(), "server error") {
		t.Fatalf("error does not say why: %v", err)
	}
}

func TestSyncCommandRefusesBadArguments(t *testing.T) {
	db, _, _, api := syncFixture(t)
	for _, args := range [][]string{{}, {"abc"}, {"0"}, {"999"}, {"1", "2"}, {"--quota", "-5", "1"}} {
		out, err := runSyncCmd(db, append([]string{"--api-url", api}, args...)...)
		if err == nil {
			t.Errorf("sync %v succeeded:\n%s", args, out)
		}
	}
	_ = io.Discard
}

func TestSyncProgressDrawsABarOnATerminalAndLinesOtherwise(t *testing.T) {
	p := importer.Progress{Phase: "Reading ad accounts", Done: 50, Total: 200, Calls: 61, Status: store.RunRunning}
	var tty bytes.Buffer
	bar := &progressPrinter{w: &tty, tty: true, lastTenth: -1}
	bar.show(p)
	p.Done = 100
	bar.show(p)
	bar.finish()
	out := tty.String()
	if strings.Count(out, "\r") != 2 || !strings.Contains(out, "[###############...............]  50%") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("terminal output %q", out)
	}
	var plain bytes.Buffer
	lines := &progressPrinter{w: &plain, lastTenth: -1}
	for done := int64(0); done <= 200; done += 5 {
		p.Done = done
		lines.show(p)
	}
	if strings.Contains(plain.String(), "\r") || strings.Count(plain.String(), "\n") != 11 {
		t.Fatalf("plain output: one line per tenth expected, got %q", plain.String())
	}
}
