package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pinaccess/internal/integration"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return out.String(), errOut.String(), err
}

func TestIntegrationAddChecksTheTokenThenListShowsIt(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/sandbox"
	sb, err := sandbox.New(sandbox.Options{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = sb
	srv.Start()
	t.Cleanup(srv.Close)
	apiURL := base + "/v5"
	db := filepath.Join(t.TempDir(), "pinaccess.db")

	out, _, err := runCLI(t, "", "integration", "list", "--db", db)
	if err != nil || !strings.Contains(out, "No integrations yet") {
		t.Fatalf("empty list: %q, %v", out, err)
	}

	employee, _, _ := sb.IssueToken(sandbox.EmployeeUsername, integration.Scopes)
	_, _, err = runCLI(t, employee+"\n", "integration", "add", "--db", db, "--business", sandbox.DefaultBusinessID, "--api-url", apiURL, "--token-stdin")
	if err == nil || !strings.Contains(err.Error(), "not_admin") || !strings.Contains(err.Error(), "not an admin") {
		t.Fatalf("employee token: %v", err)
	}
	access, refresh, _ := sb.IssueToken(sandbox.AdminUsername, integration.Scopes)
	_, _, err = runCLI(t, access+"\n", "integration", "add", "--db", db, "--business", "4823x", "--api-url", apiURL, "--token-stdin")
	if err == nil || !strings.Contains(err.Error(), "only digits") {
		t.Fatalf("bad business ID: %v", err)
	}
	_, _, err = runCLI(t, access+"\n"+refresh+"\n", "integration", "add", "--db", db, "--business", sandbox.DefaultBusinessID, "--api-url", apiURL, "--token-stdin")
	if err == nil || !strings.Contains(err.Error(), "app ID and app secret") {
		t.Fatalf("refresh token without app credentials: %v", err)
	}
	if _, _, err := runCLI(t, "", "integration", "add", "--db", db, "--business", sandbox.DefaultBusinessID, "--api-url", apiURL, "--token-stdin"); err == nil {
		t.Fatal("empty standard input accepted")
	}

	t.Setenv("PINACCESS_APP_SECRET", sandbox.DefaultAppSecret)
	out, _, err = runCLI(t, access+"\n"+refresh+"\n", "integration", "add", "--db", db, "--business", " "+sandbox.DefaultBusinessID,
		"--api-url", apiURL, "--token-stdin", "--name", "Northwind", "--service-account", "sandbox-admin", "--app-id", sandbox.DefaultAppID)
	if err != nil || !strings.Contains(out, "added integration 1") || !strings.Contains(out, "connected as sandbox-admin") {
		t.Fatalf("add: %q, %v", out, err)
	}
	out, _, err = runCLI(t, "", "integration", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "Northwind") ||
		!strings.Contains(lines[1], sandbox.DefaultBusinessID) || !strings.Contains(lines[1], "connected") || !strings.Contains(lines[1], "never") {
		t.Fatalf("list:\n%s", out)
	}

	// Only the one good add was stored, with every secret sealed.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tgt, err := st.SyncTarget(context.Background(), 1)
	if err != nil || tgt.AccessTokenSealed == nil || tgt.RefreshTokenSealed == nil || tgt.AppSecretSealed == nil {
		t.Fatalf("stored: %+v, %v", tgt, err)
	}
	all, _ := st.Integrations(context.Background())
	if len(all) != 1 {
		t.Fatalf("%d integrations stored", len(all))
	}
	for _, p := range []string{db, db + "-wal"} {
		b, _ := os.ReadFile(p)
		for _, s := range []string{access, refresh, sandbox.DefaultAppSecret} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret in plain text", p)
			}
		}
	}

	// The API base given to add is the one later syncs use, with no
	// --api-url: this sandbox is not the dashboard's own /sandbox.
	if tgt.APIURL != apiURL {
		t.Fatalf("stored API URL %q, want %q", tgt.APIURL, apiURL)
	}
	out, _, err = runCLI(t, "", "sync", "--db", db, "1")
	if err != nil || !strings.Contains(out, "succeeded") {
		t.Fatalf("sync of an integration added with --api-url: %q, %v", out, err)
	}
}
