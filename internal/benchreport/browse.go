package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Session is a logged-in admin's cookies on a pinaccess server.
type Session struct {
	Base   string
	Cookie string // the Cookie header to send
	Client *http.Client
}

var csrfInput = regexp.MustCompile(`name="_csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_csrf"`)

// login signs in as a person would: the login page for its CSRF token and
// cookie, then the form.
func login(ctx context.Context, base, email, password string) (*Session, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("login page: %w", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("login page (%s) has no _csrf field", resp.Status)
	}
	token := string(m[1]) + string(m[2])
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {htmlUnescape(token)}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("login: answered %s, not a redirect", resp.Status)
	}
	u, _ := url.Parse(base)
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	s := &Session{Base: base, Cookie: strings.Join(parts, "; "), Client: c}
	// A page behind login must now answer 200 rather than redirect.
	if code, err := s.get(ctx, "/"); err != nil || code != http.StatusOK {
		return nil, fmt.Errorf("after login, / answered %d (%v)", code, err)
	}
	return s, nil
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#x2B;", "+", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&quot;", `"`, "&#39;", "'").Replace(s)
}

// get fetches path with the session and returns the status.
func (s *Session) get(ctx context.Context, path string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+path, nil)
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// PageLoad is the load on one kind of page.
type PageLoad struct {
	Name  string   `json:"name"`
	Paths []string `json:"paths"` // requested in turn
	LatencySummary
	// Single is the same pages from one client: the time a request takes
	// when it waits for nobody else's.
	Single *LatencySummary `json:"single_client,omitempty"`
	// Server is the load's latencies as the server logged them.
	Server *LatencySummary `json:"server,omitempty"`
}

// loadPage sends the paths in turn from clients concurrent clients, each
// sending its next request as soon as its last answer arrived, for d. Any
// answer but 200 (a redirect to the login page included) is an error.
func loadPage(ctx context.Context, s *Session, name string, paths []string, clients int, d time.Duration) (PageLoad, error) {
	if len(paths) == 0 {
		return PageLoad{}, errors.New("no paths to load")
	}
	hdr := http.Header{"Cookie": {s.Cookie}}
	targets := make([]vegeta.Target, len(paths))
	for i, p := range paths {
		targets[i] = vegeta.Target{Method: http.MethodGet, URL: s.Base + p, Header: hdr}
	}
	atk := vegeta.NewAttacker(
		vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Connections(clients), vegeta.MaxConnections(clients),
		vegeta.Redirects(vegeta.NoFollow), vegeta.MaxBody(0), vegeta.Timeout(time.Minute), vegeta.KeepAlive(true),
	)
	// Freq 0 with a fixed pool of workers: a closed loop of clients.
	res := atk.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: 0}, d, name)
	var lat []time.Duration
	var statuses []int
	errs := 0
	start := time.Now()
	var last time.Time
	for r := range res {
		if ctx.Err() != nil {
			atk.Stop()
		}
		lat = append(lat, r.Latency)
		statuses = append(statuses, int(r.Code))
		if r.Code != http.StatusOK || r.Error != "" {
			errs++
		}
		last = r.Timestamp.Add(r.Latency)
	}
	el := last.Sub(start)
	if el <= 0 {
		el = time.Since(start)
	}
	return PageLoad{Name: name, Paths: paths, LatencySummary: summarize(lat, errs, statuses, el)}, ctx.Err()
}
