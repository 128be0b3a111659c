package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
)

// TestServeWizardConnectsToItsOwnSandboxAndStartsTheFirstSync runs the
// real serve command and goes through the wizard over HTTP: the connection
// reaches the sandbox at <base-url>/sandbox, the first sync is started by
// the server's sync manager, and shutting down leaves no sync marked
// running.
func TestServeWizardConnectsToItsOwnSandboxAndStartsTheFirstSync(t *testing.T) {
	t.Setenv("PINACCESS_SECRET_KEY", "")
	t.Setenv("PINACCESS_ADMIN_EMAIL", "ops@example.com")
	t.Setenv("PINACCESS_ADMIN_PASSWORD", "from the environment")
	// The base URL must name the real port, so take a free one first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	base, logs, stop := startServe(t, dir, "--addr", addr, "--base-url", "http://"+addr)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	c := (&webtest.Server{URL: base}).Client(t)
	c.Login(t, "ops@example.com", "from the environment")
	c.Get(t, "/integrations/new")
	res := c.PostForm(t, "/integrations", url.Values{"name": {"Northwind"}, "environment": {"sandbox"},
		"service_account": {sandbox.AdminUsername}, "app_id": {sandbox.DefaultAppID}, "app_secret": {sandbox.DefaultAppSecret}})
	m := regexp.MustCompile(`^/integrations/(\d+)/setup/business$`).FindStringSubmatch(res.Location())
	if m == nil {
		t.Fatalf("step 1: %d to %q", res.StatusCode, res.Location())
	}
	id := m[1]
	if res := c.PostForm(t, "/integrations/"+id+"/setup/business", url.Values{"business_id": {sandbox.DefaultBusinessID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("step 2: %d", res.StatusCode)
	}
	c.Get(t, "/integrations/"+id+"/setup/connect")
	res = c.PostForm(t, "/integrations/"+id+"/connect", nil)
	consent, err := url.Parse(res.Location())
	if err != nil || !strings.HasPrefix(res.Location(), base+"/sandbox/oauth/") {
		t.Fatalf("connect went to %q", res.Location())
	}
	form := consent.Query()
	form.Set("user", sandbox.AdminUsername)
	form.Set("decision", "allow")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ans, err := noFollow.PostForm(base+"/sandbox/oauth/", form)
	if err != nil {
		t.Fatal(err)
	}
	ans.Body.Close()
	res = c.Get(t, strings.TrimPrefix(ans.Header.Get("Location"), base))
	if res.Location() != "/integrations/"+id {
		t.Fatalf("callback: %d to %q\n%s", res.StatusCode, res.Location(), logs)
	}
	res = c.Get(t, res.Location())
	if !strings.Contains(res.TestID("flash-success").Text(), "The first sync has started") || res.TestID("status-label").Text() != "Connected" {
		t.Fatalf("integration page: %s / %s", res.Find(`[data-testid^="flash-"]`).Text(), res.TestID("status-label").Text())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true

	st, err := store.Open(context.Background(), filepath.Join(dir, "data", "pinaccess.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var iid int64
	fmt.Sscan(id, &iid)
	runs, err := st.Runs(context.Background(), iid, 0)
	if err != nil || len(runs) != 1 || runs[0].Trigger != "wizard" || runs[0].Status == store.RunRunning {
		t.Fatalf("runs after shutdown: %+v, %v", runs, err)
	}
	if in, _ := st.Integration(context.Background(), iid); in.Status != store.IntegrationConnected {
		t.Fatalf("integration: %+v", in)
	}
}
