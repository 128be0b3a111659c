// Package sandbox is pinaccess's Pinterest: an emulator of the API v5
// business-access, ad-account and OAuth endpoints pinaccess uses, and of
// Pinterest's OAuth consent page, built from Pinterest's OpenAPI
// description (internal/openapi).
//
// A *Sandbox is an http.Handler. Its paths are relative to where it is
// mounted: /oauth/ (the consent page) and /v5/... (the API). It may be
// mounted with http.StripPrefix, or directly if Options.BaseURL names the
// prefix. It serves one Dataset, which tests can change while it runs
// (Update), and injects faults on demand (SetFaults, SetLimits,
// ExpireAccessTokens). docs/sandbox.md describes what it emulates and how
// faithfully.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"pinaccess/internal/openapi"
)

// Options configure a Sandbox. The zero value serves DefaultDataset with
// Pinterest's published Standard-tier rate limits and no faults.
type Options struct {
	// Dataset is the data served; nil means DefaultDataset(). The sandbox
	// takes ownership: change it afterwards only through Update.
	Dataset *Dataset
	// BaseURL is the public URL where the sandbox is mounted, e.g.
	// http://127.0.0.1:8080/sandbox. Requests whose path starts with its
	// path have that prefix removed, so the sandbox can be mounted with or
	// without http.StripPrefix.
	BaseURL string
	// RedirectBases are URL prefixes (besides any URL on localhost or a
	// loopback address) under which every app accepts redirect URIs, such
	// as the dashboard's --base-url.
	RedirectBases []string
	// Clock tells the time for token, code and bookmark expiry and rate
	// limits; nil means time.Now.
	Clock func() time.Time
	// Seed seeds the choice of injected errors and request IDs.
	Seed int64
	// Limits are the per-token quotas by rate-limit category; nil means
	// DefaultLimits(). RetryAfter adds a Retry-After header to 429 answers
	// (Pinterest documents none, so it is off by default).
	Limits     Limits
	RetryAfter bool
	// Faults are injected from the start; SetFaults changes them later.
	Faults Faults
	// Lifetimes; zero means Pinterest's: access tokens 30 days, refresh
	// tokens 60 days, authorization codes 10 minutes, bookmarks 1 hour.
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	CodeTTL         time.Duration
	BookmarkTTL     time.Duration
	// Sleep waits for injected latency; nil means a timer that stops when
	// the request's context ends. Tests may record the delay instead.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Limit is a quota: at most Requests calls per window of length Per.
// Requests <= 0 means unlimited.
type Limit struct {
	Requests int
	Per      time.Duration
}

// Limits maps a rate-limit category (the x-ratelimit-category of each
// operation: ads_read, ads_write, org_read, org_write) to its quota.
// Categories not listed are unlimited.
type Limits map[string]Limit

// DefaultLimits returns Pinterest's Standard-tier quotas per user and app:
// ads_read 1,000 per minute (published); ads_write 400, org_read 1,000 and
// org_write 100 per minute (from a third-party copy of the table).
func DefaultLimits() Limits {
	return Limits{
		"ads_read":  {Requests: 1000, Per: time.Minute},
		"ads_write": {Requests: 400, Per: time.Minute},
		"org_read":  {Requests: 1000, Per: time.Minute},
		"org_write": {Requests: 100, Per: time.Minute},
	}
}

// Faults are failures injected into /v5 answers.
type Faults struct {
	Latency     time.Duration // added before every /v5 answer
	ErrorRate   float64       // share (0–1) of /v5 requests answered with ErrorStatus
	ErrorStatus int           // 500 when zero; 502, 503 or 504 make sense too
	FailAll     bool          // answer every /v5 request with ErrorStatus
}

// Stats counts what the sandbox answered.
type Stats struct {
	Calls       map[string]int // answers per operationId (e.g. "get/business_members"), whatever their status
	RateLimited int            // 429 answers
	Injected    int            // answers replaced by an injected error
}

// Sandbox is the emulator; it is safe for concurrent use.
type Sandbox struct {
	opts      Options
	clock     func() time.Time
	basePath  string
	redirects []*url.URL
	mux       *http.ServeMux
	bookmark  []byte // HMAC key for bookmarks
	ops       map[string]openapi.Operation

	dataMu sync.RWMutex
	st     *state

	mu       sync.Mutex // guards everything below
	faults   Faults
	limits   Limits
	retry    bool
	rng      *mrand.Rand
	windows  map[string]*window
	codes    map[string]*authCode
	tokens   map[string]*token
	families map[string]*family
	issued   int // tokens issued, to prune now and then
	stats    Stats
}

// New returns a Sandbox serving opts.Dataset (checked with Validate).
func New(opts Options) (*Sandbox, error) {
	if opts.Dataset == nil {
		opts.Dataset = DefaultDataset()
	} else if err := opts.Dataset.Validate(); err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Limits == nil {
		opts.Limits = DefaultLimits()
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = 30 * 24 * time.Hour
	}
	if opts.RefreshTokenTTL <= 0 {
		opts.RefreshTokenTTL = 60 * 24 * time.Hour
	}
	if opts.CodeTTL <= 0 {
		opts.CodeTTL = 10 * time.Minute
	}
	if opts.BookmarkTTL <= 0 {
		opts.BookmarkTTL = time.Hour
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	s := &Sandbox{
		opts:     opts,
		clock:    opts.Clock,
		faults:   opts.Faults,
		limits:   cloneLimits(opts.Limits),
		retry:    opts.RetryAfter,
		rng:      mrand.New(mrand.NewPCG(uint64(opts.Seed), 0xfa17)),
		windows:  map[string]*window{},
		codes:    map[string]*authCode{},
		tokens:   map[string]*token{},
		families: map[string]*family{},
		stats:    Stats{Calls: map[string]int{}},
		bookmark: make([]byte, 32),
		ops:      map[string]openapi.Operation{},
	}
	rand.Read(s.bookmark)
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("sandbox: base URL %q is not an absolute URL", opts.BaseURL)
		}
		s.basePath = strings.TrimSuffix(u.Path, "/")
	}
	for _, b := range opts.RedirectBases {
		u, err := url.Parse(b)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("sandbox: redirect base %q is not an http(s) URL", b)
		}
		s.redirects = append(s.redirects, u)
	}
	ops, err := openapi.Operations()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	for _, o := range ops {
		s.ops[o.ID] = o
	}
	s.st = buildState(opts.Dataset)
	s.routes()
	return s, nil
}

func cloneLimits(l Limits) Limits {
	c := make(Limits, len(l))
	for k, v := range l {
		c[k] = v
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ServeHTTP serves the consent page and the API.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.basePath != "" && strings.HasPrefix(r.URL.Path, s.basePath+"/") {
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.TrimPrefix(r.URL.Path, s.basePath)
		r2.URL.RawPath = ""
		r = r2
	}
	if p := r.URL.Path; strings.HasPrefix(p, "/v5/") && (strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../")) {
		// http.ServeMux would redirect to the cleaned path; Pinterest does not.
		w.Header().Set("x-pinterest-rid", s.requestID())
		writeError(w, &apiError{Status: http.StatusNotFound, Code: 404, Message: "Not found."})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// BaseURL returns Options.BaseURL.
func (s *Sandbox) BaseURL() string { return s.opts.BaseURL }

// SetFaults replaces the injected faults.
func (s *Sandbox) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// SetLimits replaces the quotas (nil: DefaultLimits) and switches the
// Retry-After header on 429 answers; counting starts afresh.
func (s *Sandbox) SetLimits(l Limits, retryAfter bool) {
	if l == nil {
		l = DefaultLimits()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = cloneLimits(l)
	s.retry = retryAfter
	s.windows = map[string]*window{}
}

// Update runs f with the dataset while no request is being answered, then
// re-indexes it. f may change anything; if the result is invalid, Update
// returns the problem and keeps serving the changed data as far as it can.
func (s *Sandbox) Update(f func(d *Dataset)) error {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	d := s.st.d
	f(d)
	s.st = buildState(d)
	return d.Validate()
}

// Snapshot returns a deep copy of the dataset being served.
func (s *Sandbox) Snapshot() *Dataset {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	return s.st.d.Clone()
}

// Stats returns a copy of the counters.
func (s *Sandbox) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.Calls = make(map[string]int, len(s.stats.Calls))
	for k, v := range s.stats.Calls {
		c.Calls[k] = v
	}
	return c
}

// ResetStats sets the counters to zero.
func (s *Sandbox) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{Calls: map[string]int{}}
}

// apiError is Pinterest's error body.
type apiError struct {
	Status  int    `json:"-"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: 1, Message: fmt.Sprintf(format, args...)}
}

var (
	errAuth      = &apiError{Status: http.StatusUnauthorized, Code: 2, Message: "Authentication failed."}
	errForbidden = &apiError{Status: http.StatusForbidden, Code: 29, Message: "You are not permitted to access that resource."}
	errRateLimit = &apiError{Status: http.StatusTooManyRequests, Code: 8, Message: "You have exceeded your rate limit. Try again later."}
)

func notFound(what string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: 404, Message: what + " not found."}
}

func (s *Sandbox) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("%016x", s.rng.Uint64())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{Status: http.StatusInternalServerError, Code: 1, Message: "Internal error."}
	}
	writeJSON(w, ae.Status, ae)
}

func (s *Sandbox) count(op string, status int, injected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Calls[op]++
	if status == http.StatusTooManyRequests {
		s.stats.RateLimited++
	}
	if injected {
		s.stats.Injected++
	}
}

// fault applies latency and decides whether to inject an error.
func (s *Sandbox) fault(ctx context.Context) (*apiError, error) {
	s.mu.Lock()
	f := s.faults
	fail := f.FailAll || (f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate)
	s.mu.Unlock()
	if f.Latency > 0 {
		if err := s.opts.Sleep(ctx, f.Latency); err != nil {
			return nil, err
		}
	}
	if !fail {
		return nil, nil
	}
	status := f.ErrorStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	msg := "Internal error. Please try again later."
	if status == http.StatusServiceUnavailable {
		msg = "Service unavailable. Please try again later."
	}
	return &apiError{Status: status, Code: 1, Message: msg}, nil
}
