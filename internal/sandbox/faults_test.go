package sandbox

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRateLimitPerTokenAndCategory(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		name := "without Retry-After"
		if retryAfter {
			name = "with Retry-After"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			h.sb.SetLimits(Limits{"ads_read": {Requests: 3, Per: time.Minute}, "org_read": {Requests: 1, Per: time.Minute}}, retryAfter)
			admin := h.token(AdminUsername)
			members := "/v5/businesses/" + DefaultBusinessID + "/members"
			for i := 0; i < 3; i++ {
				if a := h.get(admin, members); a.status != 200 {
					t.Fatalf("call %d: %d", i+1, a.status)
				}
			}
			// /ad_accounts shares the ads_read category with /members.
			a := h.get(admin, "/v5/ad_accounts")
			if a.status != 429 {
				t.Fatalf("fourth ads_read call: %d, want 429", a.status)
			}
			if code, _ := a.apiErr(t); code != 8 {
				t.Errorf("code %d, want 8", code)
			}
			if got := a.header.Get("Retry-After"); retryAfter && got != "60" || !retryAfter && got != "" {
				t.Errorf("Retry-After %q", got)
			}
			// Another category still has quota.
			if a := h.get(admin, "/v5/user_account"); a.status != 200 {
				t.Errorf("org_read call: %d", a.status)
			}
			// A new token of the same user and app shares the quota, as
			// Pinterest counts per user per app...
			if a := h.get(h.token(AdminUsername), members); a.status != 429 {
				t.Errorf("another token of the same user: %d, want 429", a.status)
			}
			// ...while another user has their own.
			if a := h.get(h.token(EmployeeUsername), "/v5/ad_accounts"); a.status != 200 {
				t.Errorf("another user: %d", a.status)
			}
			h.clock.Advance(30 * time.Second)
			if a := h.get(admin, members); a.status != 429 || retryAfter && a.header.Get("Retry-After") != "30" {
				t.Errorf("half a minute later: %d, Retry-After %q", a.status, a.header.Get("Retry-After"))
			}
			h.clock.Advance(30 * time.Second)
			if a := h.get(admin, members); a.status != 200 {
				t.Errorf("after the window: %d", a.status)
			}
			st := h.sb.Stats()
			if st.RateLimited != 3 {
				t.Errorf("Stats.RateLimited = %d, want 3", st.RateLimited)
			}
			if st.Calls["get/business_members"] != 6 || st.Calls["ad_accounts/list"] != 2 {
				t.Errorf("Stats.Calls = %v", st.Calls)
			}
		})
	}
}

func TestDefaultLimitsArePinterestsStandardTier(t *testing.T) {
	h := newHarness(t, nil, nil)
	admin := h.token(AdminUsername)
	for i := 0; i < 1000; i++ {
		if a := h.get(admin, "/v5/ad_accounts?page_size=1"); a.status != 200 {
			t.Fatalf("call %d: %d", i+1, a.status)
		}
	}
	if a := h.get(admin, "/v5/ad_accounts?page_size=1"); a.status != 429 {
		t.Errorf("call 1001 within a minute: %d, want 429", a.status)
	}
}

func TestInjectedErrors(t *testing.T) {
	h := newHarness(t, nil, nil)
	admin := h.token(AdminUsername)
	h.sb.SetFaults(Faults{FailAll: true, ErrorStatus: 503})
	a := h.get(admin, "/v5/user_account")
	if a.status != 503 {
		t.Fatalf("status %d, want 503", a.status)
	}
	a.apiErr(t)
	if a := h.tokenRequest(nil, appCreds); a.status != 503 {
		t.Errorf("token endpoint under FailAll: %d", a.status)
	}
	if got := h.get("", "/oauth/?"+authorizeQuery(callback, "ads:read", "s")); got.status != 200 {
		t.Errorf("the consent page is not an API call and stays up: %d", got.status)
	}

	h.sb.SetFaults(Faults{ErrorRate: 0.3})
	fails := 0
	for i := 0; i < 400; i++ {
		switch a := h.get(admin, "/v5/user_account"); a.status {
		case 500:
			fails++
		case 200:
		default:
			t.Fatalf("status %d", a.status)
		}
	}
	if fails < 80 || fails > 160 {
		t.Errorf("%d of 400 calls failed, want about 120", fails)
	}
	if st := h.sb.Stats(); st.Injected != fails+2 {
		t.Errorf("Stats.Injected = %d, want %d", st.Injected, fails+2)
	}
	h.sb.SetFaults(Faults{})
	for i := 0; i < 20; i++ {
		if a := h.get(admin, "/v5/user_account"); a.status != 200 {
			t.Fatalf("faults off: %d", a.status)
		}
	}
}

func TestInjectedLatency(t *testing.T) {
	var mu sync.Mutex
	var slept []time.Duration
	h := newHarness(t, nil, func(o *Options) {
		o.Faults = Faults{Latency: 750 * time.Millisecond}
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			slept = append(slept, d)
			return nil
		}
	})
	h.get(h.token(AdminUsername), "/v5/user_account")
	mu.Lock()
	defer mu.Unlock()
	if len(slept) != 1 || slept[0] != 750*time.Millisecond {
		t.Errorf("slept %v, want one 750ms wait", slept)
	}
}

func TestLatencyStopsWithTheRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := sleepCtx(ctx, time.Hour); err == nil {
		t.Error("a cancelled wait returned no error")
	}
	if time.Since(start) > time.Minute {
		t.Error("a cancelled wait did not stop")
	}
}

func TestExpireAccessTokensEarly(t *testing.T) {
	h := newHarness(t, nil, nil)
	access, refresh, _ := h.sb.IssueToken(AdminUsername, []string{"ads:read", "user_accounts:read"})
	h.sb.ExpireAccessTokens()
	if a := h.get(access, "/v5/user_account"); a.status != 401 {
		t.Fatalf("expired token: %d", a.status)
	}
	next, a := h.refresh(t, refresh)
	if a.status != 200 {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	if a := h.get(next.AccessToken, "/v5/user_account"); a.status != 200 {
		t.Errorf("refreshed token: %d", a.status)
	}
	h.sb.RevokeAll()
	if a := h.get(next.AccessToken, "/v5/user_account"); a.status != 401 {
		t.Errorf("after RevokeAll: %d", a.status)
	}
}

func TestShortAccessTokenLifetime(t *testing.T) {
	h := newHarness(t, nil, func(o *Options) { o.AccessTokenTTL = time.Minute })
	access := h.token(AdminUsername)
	h.clock.Advance(59 * time.Second)
	if a := h.get(access, "/v5/user_account"); a.status != 200 {
		t.Fatalf("before expiry: %d", a.status)
	}
	h.clock.Advance(time.Second)
	if a := h.get(access, "/v5/user_account"); a.status != 401 {
		t.Errorf("at expiry: %d", a.status)
	}
}

func TestUpdateChangesWhatIsServed(t *testing.T) {
	h := newHarness(t, nil, nil)
	admin := h.token(AdminUsername)
	emp := h.token(EmployeeUsername)
	biz := "/v5/businesses/" + DefaultBusinessID
	var victim string
	err := h.sb.Update(func(d *Dataset) {
		for _, u := range d.Users {
			if u.IsMember() && !u.IsSystemUser && !strings.HasPrefix(u.Username, "sandbox-") {
				victim = u.ID
				break
			}
		}
		d.RemoveUser(victim)
		d.User(EmployeeUsername).BusinessRoles = []string{RoleBizAdmin}
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := h.get(admin, biz+"/members?member_ids="+victim); !strings.Contains(string(a.body), `"items":[]`) {
		t.Errorf("removed member still listed: %s", a.body)
	}
	if a := h.get(emp, biz+"/members"); a.status != 200 {
		t.Errorf("promoted employee: %d", a.status)
	}
	if err := h.sb.Update(func(d *Dataset) { d.Grants = append(d.Grants, Grant{AssetID: "1", MemberID: victim}) }); err == nil {
		t.Error("Update accepted a grant on an unknown asset")
	}
	if got := h.sb.Snapshot(); got.User(EmployeeUsername).HasRole(RoleBizAdmin) != true {
		t.Error("Snapshot does not show the change")
	}
}

func TestUnknownRoutesGetPinterestErrors(t *testing.T) {
	h := newHarness(t, nil, nil)
	admin := h.token(AdminUsername)
	// Straight to the handler: a ServeMux in front would clean the paths.
	for _, p := range []string{"/sandbox/v5/boards", "/sandbox/v5/businesses//members", "/sandbox/v5/businesses/1/../members", "/v5/nothing"} {
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		rec := httptest.NewRecorder()
		h.sb.ServeHTTP(rec, req)
		a := answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		if a.status != 404 {
			t.Errorf("%s: %d", p, a.status)
			continue
		}
		if code, _ := a.apiErr(t); code != 404 {
			t.Errorf("%s: code %d", p, code)
		}
	}
}

func TestConcurrentRequestsUpdatesAndFaults(t *testing.T) {
	h := newHarness(t, nil, func(o *Options) { o.Limits = Limits{} })
	admin := h.token(AdminUsername)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				a := h.get(admin, "/v5/businesses/"+DefaultBusinessID+"/members?assets_summary=true&page_size=50")
				if a.status != 200 && a.status != 500 {
					t.Errorf("status %d", a.status)
					return
				}
			}
		}()
	}
	for i := 0; i < 10; i++ {
		h.sb.SetFaults(Faults{ErrorRate: 0.1})
		if err := h.sb.Update(func(d *Dataset) { d.Business.Name = "Renamed" }); err != nil {
			t.Fatal(err)
		}
		h.sb.Stats()
		h.sb.IssueToken(EmployeeUsername, []string{"ads:read"})
	}
	wg.Wait()
}

func TestPersonalAdAccountsAndRemovedPartners(t *testing.T) {
	h := newHarness(t, loadExample(t), nil)
	err := h.sb.Update(func(d *Dataset) {
		d.Assets = append(d.Assets, Asset{ID: "549755000009", Type: AssetAdAccount, Name: "Side project", OwnerID: outsiderID, Currency: "GBP", Country: "GB"})
		d.RemovePartner("644245094400000002")
	})
	if err != nil {
		t.Fatal(err)
	}
	a := h.get(h.token(OutsiderUsername), "/v5/ad_accounts?include_shared_accounts=false")
	if !strings.Contains(string(a.body), `"id":"549755000009"`) || !strings.Contains(string(a.body), `"permissions":["OWNER"]`) {
		t.Errorf("personal ad account: %s", a.body)
	}
	admin := h.token(AdminUsername)
	if a := h.get(admin, "/v5/ad_accounts/549755000002"); a.status != 404 {
		t.Errorf("ad account of a removed partner: %d", a.status)
	}
	if a := h.get(admin, "/v5/businesses/"+DefaultBusinessID+"/partners"); strings.Contains(string(a.body), "644245094400000002") {
		t.Errorf("removed partner listed: %s", a.body)
	}
}
