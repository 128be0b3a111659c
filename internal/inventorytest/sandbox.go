package inventorytest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"pinaccess/internal/importer"
	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

// unpaced lifts the client's quotas so a test measures pinaccess, not
// Pinterest's rate limits.
var unpaced = pinterest.Options{
	Limits: map[pinterest.Category]pinterest.Limit{
		pinterest.AdsRead:    pinterest.Quota(10_000_000, time.Minute),
		pinterest.AllTraffic: pinterest.Quota(10_000_000, time.Minute),
		pinterest.OrgRead:    pinterest.Quota(10_000_000, time.Minute),
	},
}

// ImportFromSandbox serves d from a sandbox over HTTP, connects a new
// integration to it as the sandbox admin, and syncs it once with
// pinaccess's importer, as the wizard's first sync does. It returns the
// integration and a function that stops the sandbox.
func ImportFromSandbox(ctx context.Context, st *store.Store, box *secret.Box, d *sandbox.Dataset) (int64, store.Run, func(), error) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	base := srv.URL + "/sandbox"
	fail := func(err error) (int64, store.Run, func(), error) {
		srv.Close()
		return 0, store.Run{}, nil, fmt.Errorf("inventorytest: import from the sandbox: %w", err)
	}
	sb, err := sandbox.New(sandbox.Options{Dataset: d, BaseURL: base, Seed: 1})
	if err != nil {
		return fail(err)
	}
	mux.Handle("/sandbox/", sb)
	access, refresh, err := sb.IssueToken(sandbox.AdminUsername, pinterest.ImportScopes())
	if err != nil {
		return fail(err)
	}
	id, err := st.AddConnectedIntegration(ctx, store.ConnectedIntegration{Name: "Sandbox", Environment: "sandbox",
		BusinessID: d.Business.ID, AppID: sandbox.DefaultAppID})
	if err != nil {
		return fail(err)
	}
	err = st.SaveIntegrationTokens(ctx, id,
		box.Seal([]byte(access), store.SecretLabel(id, "access_token")),
		box.Seal([]byte(refresh), store.SecretLabel(id, "refresh_token")),
		time.Now().Add(24*time.Hour), time.Time{})
	if err != nil {
		return fail(err)
	}
	if err := st.SaveIntegrationAppSecret(ctx, id, box.Seal([]byte(sandbox.DefaultAppSecret), store.SecretLabel(id, "app_secret"))); err != nil {
		return fail(err)
	}
	conn := importer.StoreConnector{Store: st, Box: box, Client: unpaced,
		Endpoint: func(string) (pinterest.Endpoint, error) { return pinterest.SandboxEndpoint(base), nil }}
	m := importer.NewManager(st, conn.Connect, importer.Options{})
	defer m.Close()
	runID, err := m.Start(ctx, id, "manual")
	if err != nil {
		return fail(err)
	}
	run, err := m.Wait(ctx, runID)
	if err != nil {
		return fail(err)
	}
	if run.Status != store.RunSucceeded {
		return fail(fmt.Errorf("the sync ended %s: %s", run.Status, run.Error))
	}
	return id, run, srv.Close, nil
}
