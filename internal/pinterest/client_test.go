package pinterest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"pinaccess/internal/pinterest"
)

const accountJSON = `{"id":"1001","username":"svc","account_type":"BUSINESS"}`

func TestServerErrorsAreRetriedWithBackoffUntilSuccess(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"code":0,"message":"try later"}`)
			return
		}
		io.WriteString(w, accountJSON)
	})
	c, clk := testClient(t, srv, pinterest.Options{})
	a, err := c.UserAccount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.Username != "svc" || a.ID != "1001" {
		t.Errorf("account = %+v", a)
	}
	st := c.Stats()
	if st.Calls["user_account/get"] != 4 || st.Retries != 3 || st.ServerErrors != 3 {
		t.Errorf("stats = %+v", st)
	}
	// Exponential backoff with jitter: attempt k waits within [d/2, d],
	// d = 500ms·2^(k-1).
	sleeps := clk.Sleeps()
	if len(sleeps) != 3 {
		t.Fatalf("sleeps = %v", sleeps)
	}
	for i, s := range sleeps {
		d := pinterest.DefaultRetry.BaseDelay << i
		if s < d/2 || s > d {
			t.Errorf("wait %d = %s, want between %s and %s", i+1, s, d/2, d)
		}
	}
}

func TestPersistentServerErrorsGiveUpAfterMaxAttempts(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	})
	c, _ := testClient(t, srv, pinterest.Options{Retry: pinterest.RetryPolicy{MaxAttempts: 4}})
	_, err := c.UserAccount(context.Background())
	var ae *pinterest.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadGateway || ae.Operation != "user_account/get" {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 4 {
		t.Errorf("%d requests, want 4", n.Load())
	}
	if !strings.Contains(err.Error(), "gave up after 4 attempts") {
		t.Errorf("err = %v", err)
	}
}

func TestRetriesStopWhenTotalTimeWouldBeExceeded(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	})
	c, clk := testClient(t, srv, pinterest.Options{Retry: pinterest.RetryPolicy{
		MaxAttempts: 100, BaseDelay: 10 * time.Second, MaxDelay: 10 * time.Second, MaxElapsed: 30 * time.Second}})
	if _, err := c.UserAccount(context.Background()); err == nil {
		t.Fatal("no error")
	}
	if got := clk.Slept(); got > 30*time.Second {
		t.Errorf("slept %s, more than the 30s budget", got)
	}
	if n.Load() > 7 || n.Load() < 3 {
		t.Errorf("%d requests for a 30s budget of 5-10s waits", n.Load())
	}
}

func TestRateLimitedRequestWaitsRetryAfter(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"code":8,"message":"Rate limit exceeded"}`)
			return
		}
		io.WriteString(w, accountJSON)
	})
	c, clk := testClient(t, srv, pinterest.Options{})
	if _, err := c.UserAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clk.Slept(); got != 7*time.Second {
		t.Errorf("waited %s (%v), want exactly Retry-After's 7s", got, clk.Sleeps())
	}
	if st := c.Stats(); st.RateLimited != 1 || st.Retries != 1 || st.Calls["user_account/get"] != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestUnavailableWithRetryAfterWaitsThatLong(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, accountJSON)
	})
	c, clk := testClient(t, srv, pinterest.Options{})
	if _, err := c.UserAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clk.Slept(); got != 3*time.Second {
		t.Errorf("waited %s, want 3s", got)
	}
}

func TestRateLimitedRequestWithoutRetryAfterBacksOff(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"code":30,"message":"slow down"}`)
			return
		}
		io.WriteString(w, accountJSON)
	})
	c, clk := testClient(t, srv, pinterest.Options{})
	if _, err := c.UserAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := clk.Sleeps()
	if len(s) != 2 || s[0] < 2500*time.Millisecond || s[0] > 5*time.Second || s[1] < 5*time.Second || s[1] > 10*time.Second {
		t.Errorf("waits = %v, want backoff 2.5-5s then 5-10s", s)
	}
}

func TestRetryAfterLongerThanTheBudgetFailsAtOnce(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "86400")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"code":8,"message":"daily quota used"}`)
	})
	c, clk := testClient(t, srv, pinterest.Options{})
	_, err := c.UserAccount(context.Background())
	var ae *pinterest.APIError
	if !errors.As(err, &ae) || ae.Status != 429 || ae.RetryAfter != 24*time.Hour || ae.Code != 8 {
		t.Fatalf("err = %#v", err)
	}
	if clk.Slept() != 0 {
		t.Errorf("slept %s before giving up", clk.Slept())
	}
}

func TestRetryAfterAsHTTPDate(t *testing.T) {
	var n atomic.Int32
	var c *pinterest.Client
	var clk *fakeClock
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", clk.Now().Add(12*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, accountJSON)
	})
	c, clk = testClient(t, srv, pinterest.Options{})
	if _, err := c.UserAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clk.Slept(); got != 12*time.Second {
		t.Errorf("waited %s, want 12s", got)
	}
}

func TestClientErrorsAreNotRetriedAndCarryPinterestsCode(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("x-pinterest-rid", "rid-42")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"code":29,"message":"You are not permitted to access that resource."}`)
	})
	c, clk := testClient(t, srv, pinterest.Options{})
	_, err := c.Members(context.Background(), "123", pinterest.MembersOptions{}).All()
	var ae *pinterest.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v", err)
	}
	want := pinterest.APIError{Operation: "get/business_members", Status: 403, Code: 29,
		Message: "You are not permitted to access that resource.", RequestID: "rid-42"}
	if *ae != want {
		t.Errorf("error = %+v, want %+v", *ae, want)
	}
	if errors.Is(err, pinterest.ErrReconnect) {
		t.Error("a 403 should not ask for reconnecting")
	}
	if n.Load() != 1 || len(clk.Sleeps()) != 0 {
		t.Errorf("%d requests, sleeps %v: a 403 must not be retried", n.Load(), clk.Sleeps())
	}
	if got := err.Error(); got != "pinterest: get/business_members: 403 Forbidden (code 29): You are not permitted to access that resource." {
		t.Errorf("message = %q", got)
	}
}

func TestErrorWithoutJSONBodyUsesStatusText(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "<html>not here</html>")
	})
	c, _ := testClient(t, srv, pinterest.Options{})
	_, err := c.AdAccount(context.Background(), "549755885175")
	var ae *pinterest.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != 0 || ae.Message != "Not Found" {
		t.Fatalf("err = %#v", err)
	}
}

func TestMalformedAnswersAreErrorsNotHalfResults(t *testing.T) {
	bodies := map[string]string{
		"truncated JSON": `{"items":[{"id":"1","user":{"id":"1","username":"a"}},{"id":"2","us`,
		"HTML":           `<!doctype html><title>Gateway</title>`,
		"empty":          ``,
		"no items":       `{"bookmark":null}`,
		"items not list": `{"items":{"id":"1"},"bookmark":null}`,
		"two documents":  `{"items":[],"bookmark":null}{"items":[]}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, body)
			})
			c, _ := testClient(t, srv, pinterest.Options{})
			got := 0
			var err error
			for m, e := range c.Members(context.Background(), "123", pinterest.MembersOptions{}).Items() {
				if e != nil {
					err = e
					break
				}
				got++
				_ = m
			}
			if err == nil {
				t.Fatal("no error")
			}
			if got != 0 {
				t.Errorf("%d members yielded from a malformed page", got)
			}
			if !strings.Contains(err.Error(), "malformed response") {
				t.Errorf("err = %v", err)
			}
			if n.Load() != 1 {
				t.Errorf("%d requests; a complete but malformed answer is not retried", n.Load())
			}
		})
	}
}

func TestEmptyAccountIsAnError(t *testing.T) {
	for _, body := range []string{`{}`, `null`} {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
		c, _ := testClient(t, srv, pinterest.Options{})
		if a, err := c.UserAccount(context.Background()); err == nil || a != nil {
			t.Errorf("%s: account %+v, err %v", body, a, err)
		}
	}
}

func TestBodyCutShortByTheConnectionIsRetried(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			// Promise 1000 bytes, send a few, and hang up.
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			io.WriteString(w, `{"id":"1001","user`)
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
		io.WriteString(w, accountJSON)
	})
	c, _ := testClient(t, srv, pinterest.Options{})
	a, err := c.UserAccount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "1001" {
		t.Errorf("account = %+v", a)
	}
	if st := c.Stats(); st.NetworkErrors != 1 || st.Retries != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestBodyAlwaysCutShortIsAnError(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		io.WriteString(w, `{"id":"1001"`)
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
	})
	c, _ := testClient(t, srv, pinterest.Options{Retry: pinterest.RetryPolicy{MaxAttempts: 2}})
	a, err := c.UserAccount(context.Background())
	if err == nil || a != nil {
		t.Fatalf("account %+v, err %v", a, err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want unexpected EOF", err)
	}
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	// A listener that accepts and closes: every request fails.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var n atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			conn.Close()
		}
	}()
	clk := newFakeClock()
	c, err := pinterest.New(pinterest.StaticToken(tokenFor("pina_x")), pinterest.Options{
		APIURL: "http://" + ln.Addr().String() + "/v5", Now: clk.Now, Sleep: clk.Sleep,
		Retry: pinterest.RetryPolicy{MaxAttempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UserAccount(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	if st := c.Stats(); st.NetworkErrors != 3 || st.Retries != 2 {
		t.Errorf("stats = %+v (err %v)", st, err)
	}
	if strings.Contains(err.Error(), ln.Addr().String()+"/v5/user_account") {
		t.Errorf("error repeats the URL: %v", err)
	}
}

func TestCancellingTheContextStopsAWaitingRequest(t *testing.T) {
	started := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	// Real clock: the cancellation must interrupt real waiting.
	c, err := pinterest.New(pinterest.StaticToken(tokenFor("pina_x")), pinterest.Options{APIURL: srv.URL + "/v5"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Members(ctx, "123", pinterest.MembersOptions{}).All()
		done <- err
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not stop when its context was cancelled")
	}
	if st := c.Stats(); st.Retries != 0 {
		t.Errorf("a cancelled call was retried: %+v", st)
	}
}

func TestCancellingTheContextStopsABackoff(t *testing.T) {
	hit := make(chan struct{}, 10)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		hit <- struct{}{}
	})
	c, err := pinterest.New(pinterest.StaticToken(tokenFor("pina_x")), pinterest.Options{APIURL: srv.URL + "/v5"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.UserAccount(ctx)
		done <- err
	}()
	<-hit // the client now waits 60s
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the backoff did not stop when the context was cancelled")
	}
}

func TestPagesFollowBookmarksAndStopOnTheLastPage(t *testing.T) {
	var queries []string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		switch r.URL.Query().Get("bookmark") {
		case "":
			io.WriteString(w, `{"items":[{"id":"1"},{"id":"2"}],"bookmark":"b1"}`)
		case "b1":
			io.WriteString(w, `{"items":[],"bookmark":"b2"}`) // an empty page is not the end
		case "b2":
			io.WriteString(w, `{"items":[{"id":"3"}],"bookmark":""}`)
		default:
			t.Errorf("unexpected bookmark %q", r.URL.Query().Get("bookmark"))
		}
	})
	c, _ := testClient(t, srv, pinterest.Options{})
	got, err := c.Members(context.Background(), "7", pinterest.MembersOptions{AssetsSummary: true}).All()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if fmt.Sprint(ids) != "[1 2 3]" {
		t.Errorf("ids = %v", ids)
	}
	want := []string{"assets_summary=true&page_size=250", "assets_summary=true&bookmark=b1&page_size=250", "assets_summary=true&bookmark=b2&page_size=250"}
	if fmt.Sprint(queries) != fmt.Sprint(want) {
		t.Errorf("queries = %q, want %q", queries, want)
	}
}

func TestNullOrMissingBookmarkEndsTheList(t *testing.T) {
	for _, body := range []string{`{"items":[{"id":"1"}],"bookmark":null}`, `{"items":[{"id":"1"}]}`} {
		var n atomic.Int32
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			io.WriteString(w, body)
		})
		c, _ := testClient(t, srv, pinterest.Options{})
		got, err := c.Employers(context.Background(), pinterest.PageOptions{}).All()
		if err != nil || len(got) != 1 || n.Load() != 1 {
			t.Errorf("%s: %d items, %d requests, err %v", body, len(got), n.Load(), err)
		}
	}
}

func TestRepeatedBookmarkIsAnErrorNotALoop(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, `{"items":[{"id":"1"}],"bookmark":"same"}`)
	})
	c, _ := testClient(t, srv, pinterest.Options{})
	_, err := c.Employers(context.Background(), pinterest.PageOptions{}).All()
	if err == nil || !strings.Contains(err.Error(), "bookmark repeats") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests", n.Load())
	}
}

func TestBreakingOutOfTheIterationStopsFetching(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		fmt.Fprintf(w, `{"items":[{"id":"%d"},{"id":"%d"}],"bookmark":"b%d"}`, 2*i, 2*i+1, i)
	})
	c, _ := testClient(t, srv, pinterest.Options{})
	count := 0
	for _, err := range c.Members(context.Background(), "7", pinterest.MembersOptions{}).Items() {
		if err != nil {
			t.Fatal(err)
		}
		count++
		if count == 3 {
			break
		}
	}
	if n.Load() != 2 {
		t.Errorf("%d pages fetched for 3 items of 2 per page", n.Load())
	}
}

func TestBadInputIsRefusedBeforeAnyRequest(t *testing.T) {
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	c, _ := testClient(t, srv, pinterest.Options{})
	ctx := context.Background()
	cases := map[string]error{
		"business ID with letters": first(c.Members(ctx, "12a", pinterest.MembersOptions{}).All()),
		"business ID path trick":   first(c.Assets(ctx, "1/../2", pinterest.AssetsOptions{}).All()),
		"business ID too long":     first(c.Invites(ctx, "123456789012345678901", pinterest.InvitesOptions{}).All()),
		"empty member ID":          first(c.MemberAssets(ctx, "1", "", pinterest.AssetProfile, pinterest.PageOptions{}).All()),
		"no partner type":          first(c.Partners(ctx, "1", pinterest.PartnersOptions{}).All()),
		"unknown asset type":       first(c.Assets(ctx, "1", pinterest.AssetsOptions{AssetType: "PIN"}).All()),
		"page size too big":        first(c.Employers(ctx, pinterest.PageOptions{PageSize: 251}).All()),
		"ad account ID too long":   second(c.ConversionTags(ctx, "1234567890123456789", false)),
		"member IDs too long":      first(c.Members(ctx, "1", pinterest.MembersOptions{MemberIDs: make([]string, 600)}).All()),
	}
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d requests sent for bad input", n.Load())
	}
}

func first[T any](_ T, err error) error  { return err }
func second[T any](_ T, err error) error { return err }

func TestConcurrentCallsStayWithinTheConcurrencyLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	arrived := make(chan struct{}, 100)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		v := inFlight.Add(1)
		for {
			p := peak.Load()
			if v <= p || peak.CompareAndSwap(p, v) {
				break
			}
		}
		arrived <- struct{}{}
		<-release
		inFlight.Add(-1)
		io.WriteString(w, accountJSON)
	})
	c, _ := testClient(t, srv, pinterest.Options{Concurrency: 3,
		Limits: map[pinterest.Category]pinterest.Limit{pinterest.OrgRead: pinterest.Quota(1_000_000, time.Second), pinterest.AllTraffic: pinterest.Quota(1_000_000, time.Second)}})
	done := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := c.UserAccount(context.Background())
			done <- err
		}()
	}
	for range 3 {
		<-arrived
	}
	// Three requests are in the server; no fourth may arrive until one
	// is released.
	select {
	case <-arrived:
		t.Error("a fourth request arrived while three were in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for range 10 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if p := peak.Load(); p != 3 {
		t.Errorf("peak in flight = %d, want 3", p)
	}
}

func TestTrialTierSpreadsCallsOverTheDay(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, accountJSON) })
	c, clk := testClient(t, srv, pinterest.Options{Tier: pinterest.TierTrial})
	for range 12 {
		if _, err := c.UserAccount(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// 1,000 a day with a burst of 10: calls 11 and 12 wait a day's share
	// each (86400s / 990).
	step := 86400 * time.Second / 990
	if got := clk.Slept(); got < 2*step-time.Second || got > 2*step+time.Second {
		t.Errorf("waited %s for 12 calls, want about %s", got, 2*step)
	}
	if got := c.MinDuration(c.Stats().ByCategory()); got < 2*step-time.Second {
		t.Errorf("MinDuration = %s", got)
	}
}

func TestTransientRefreshFailureIsRetried(t *testing.T) {
	var tokenCalls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v5/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		if tokenCalls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"pina_fresh","token_type":"bearer","expires_in":3600,"scope":"user_accounts:read","refresh_token":"pinr_next","refresh_token_expires_in":100,"refresh_token_expires_at":100}`)
	})
	mux.HandleFunc("GET /v5/user_account", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer pina_fresh" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"code":2,"message":"Authentication failed."}`)
			return
		}
		io.WriteString(w, accountJSON)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	clk := newFakeClock()
	cfg := &pinterest.Config{Endpoint: pinterest.SandboxEndpoint(srv.URL), ClientID: "1", ClientSecret: "s", HTTPClient: srv.Client(), Now: clk.Now}
	var saved []string
	ts := cfg.TokenSource(&oauth2.Token{AccessToken: "pina_expired", RefreshToken: "pinr_1"}, func(_ context.Context, tok *oauth2.Token) error {
		saved = append(saved, tok.RefreshToken)
		return nil
	})
	c, err := pinterest.New(ts, pinterest.Options{APIURL: srv.URL + "/v5", HTTPClient: srv.Client(), Now: clk.Now, Sleep: clk.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(saved) != "[pinr_next]" || tokenCalls.Load() != 2 {
		t.Errorf("saved %v after %d token requests", saved, tokenCalls.Load())
	}
}
