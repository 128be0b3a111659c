package pinterest_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
)

// TestNoSecretInLogsOrErrors runs the wizard's and the importer's calls,
// with a forced refresh, retries after 5xx and 429, a failed refresh and a
// rejected revoke, logging at debug level, and checks that no token,
// code, secret or authorization header shows in any log line or error.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	e := newSandboxEnv(t, nil)
	ctx := context.Background()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	code := e.consent(e.cfg.AuthCodeURL("state-1"), sandbox.AdminUsername, "allow").Get("code")
	tok, err := e.cfg.Exchange(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.cfg.Exchange(ctx, "not-a-real-code-123")
	keep(err)

	var outage atomic.Bool
	sleep := func(ctx context.Context, d time.Duration) error {
		// Pacing waits are short; a backoff ends the outage.
		if d >= backoffMin && outage.CompareAndSwap(true, false) {
			e.sb.SetFaults(sandbox.Faults{})
		}
		return e.clk.Sleep(ctx, d)
	}
	c, _ := e.client(tok, pinterest.Options{Now: e.clk.Now, Sleep: sleep})
	biz := e.ds.Business.ID
	po := pinterest.PageOptions{PageSize: 5}
	_, err = c.UserAccount(ctx)
	keep(err)
	_, err = c.Employers(ctx, po).All()
	keep(err)

	// Forced refresh and retry.
	e.sb.ExpireAccessTokens()
	_, err = c.Members(ctx, biz, pinterest.MembersOptions{PageOptions: po, AssetsSummary: true}).All()
	keep(err)
	// A 5xx outage, then a 429 with Retry-After.
	e.sb.SetFaults(sandbox.Faults{FailAll: true, ErrorStatus: 502})
	outage.Store(true)
	_, err = c.Partners(ctx, biz, pinterest.PartnersOptions{PageOptions: po, PartnerType: pinterest.PartnerInternal, AssetsSummary: true}).All()
	keep(err)
	e.sb.SetLimits(sandbox.Limits{"ads_read": {Requests: 1, Per: time.Minute}}, true)
	_, err = c.Assets(ctx, biz, pinterest.AssetsOptions{PageOptions: po, AssetType: pinterest.AssetProfile}).All()
	keep(err)
	e.sb.SetLimits(nil, false)
	_, err = c.Invites(ctx, biz, pinterest.InvitesOptions{PageOptions: po}).All()
	keep(err)
	// Errors the admin will see.
	_, err = c.Members(ctx, "999", pinterest.MembersOptions{}).All()
	keep(err)
	cfg := *e.cfg
	cfg.ClientSecret = "another-secret-value"
	keep(cfg.Revoke(ctx, tok.AccessToken, ""))
	e.sb.ExpireAccessTokens()
	e.sb.ExpireRefreshTokens()
	_, err = c.UserAccount(ctx)
	keep(err)

	st := c.Stats()
	if st.Refreshes < 1 || st.ServerErrors < 1 || st.RateLimited < 1 || len(errs) < 4 {
		t.Fatalf("the run did not take every path: stats %+v, %d errors", st, len(errs))
	}
	secrets := []string{sandbox.DefaultAppSecret, "another-secret-value", code, "not-a-real-code-123", tok.AccessToken, tok.RefreshToken}
	for _, s := range e.savedTokens() {
		secrets = append(secrets, s.AccessToken, s.RefreshToken)
	}
	// Header names as a log or an error would carry them.
	forbidden := append(secrets, "pina_", "pinr_", "Bearer", "Basic ", "Authorization:", `"Authorization"`, "authorization:")

	// Any 12 characters of a token are a leak too.
	for _, s := range secrets {
		for i := 0; i+12 <= len(s) && len(s) >= 24; i += 6 {
			forbidden = append(forbidden, s[i:i+12])
		}
	}

	logs := e.logs.String()
	for _, want := range []string{"get/business_members", "pinterest token refreshed", "will be retried", "pinterest token refresh failed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q; the test would prove nothing", want)
		}
	}
	for _, s := range forbidden {
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain %q", s)
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q contains %q", err, s)
			}
		}
	}
}
