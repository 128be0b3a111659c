package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/openapi"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness runs a sandbox mounted under /sandbox of a real HTTP server, with
// a client whose every exchange is checked against the OpenAPI description.
type harness struct {
	t      testing.TB
	sb     *Sandbox
	srv    *httptest.Server
	base   string // .../sandbox
	v      *openapi.Validator
	client *http.Client
	clock  *fakeClock
}

func newHarness(t testing.TB, d *Dataset, mod func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, clock: newClock(), v: openapi.NewValidator(nil)}
	mux := http.NewServeMux()
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	h.base = h.srv.URL + "/sandbox"
	opts := Options{Dataset: d, BaseURL: h.base, Clock: h.clock.Now, Seed: 1}
	if mod != nil {
		mod(&opts)
	}
	sb, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.sb = sb
	mux.Handle("/sandbox/", sb)
	h.client = &http.Client{
		Transport:     h.v.Transport(nil),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(func() { h.checkContract(t) })
	return h
}

// checkContract fails the test if any response broke the description, or
// if the sandbox answered 2xx to a request the description does not allow.
func (h *harness) checkContract(t testing.TB) {
	for _, f := range h.v.Failures() {
		if !f.Request || f.Status < 400 {
			t.Errorf("contract: %s", f)
		}
	}
}

func (h *harness) token(username string, scopes ...string) string {
	h.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"biz_access:read", "ads:read", "user_accounts:read"}
	}
	a, _, err := h.sb.IssueToken(username, scopes)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

// apiErr decodes Pinterest's error body.
func (a answer) apiErr(t testing.TB) (code int, message string) {
	t.Helper()
	var e struct {
		Code    *int    `json:"code"`
		Message *string `json:"message"`
	}
	a.json(t, &e)
	if e.Code == nil || e.Message == nil {
		t.Fatalf("error body %s lacks code or message", a.body)
	}
	return *e.Code, *e.Message
}

func (h *harness) do(method, path, bearer string, form url.Values, basic [2]string) answer {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.base+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if basic[0] != "" {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func (h *harness) get(bearer, path string) answer {
	h.t.Helper()
	return h.do(http.MethodGet, path, bearer, nil, [2]string{})
}

// pageOf is a decoded paginated answer.
type pageOf struct {
	Items    []json.RawMessage `json:"items"`
	Bookmark *string           `json:"bookmark"`
}

// all follows bookmarks from path (which has its query) and returns every
// item; it fails on any non-200 answer.
func (h *harness) all(t testing.TB, bearer, path string) []json.RawMessage {
	t.Helper()
	var items []json.RawMessage
	next := path
	for pages := 0; ; pages++ {
		if pages > 100000 {
			t.Fatal("pagination does not end")
		}
		a := h.get(bearer, next)
		if a.status != 200 {
			t.Fatalf("GET %s: %d %s", next, a.status, a.body)
		}
		var p pageOf
		a.json(t, &p)
		items = append(items, p.Items...)
		if p.Bookmark == nil || *p.Bookmark == "" {
			return items
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next = path + sep + "bookmark=" + url.QueryEscape(*p.Bookmark)
	}
}

func decodeJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
