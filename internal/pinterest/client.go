package pinterest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Options configures a Client. The zero value talks to api.pinterest.com
// with the Standard tier's quotas.
type Options struct {
	// APIURL is the API base, ending in /v5; empty means Production.APIURL.
	APIURL string
	// HTTPClient sends the requests; nil means a client of its own with an
	// idle connection per worker (each attempt is bounded by
	// RequestTimeout).
	HTTPClient *http.Client
	// Tier selects the default quotas; empty means TierStandard.
	Tier Tier
	// Limits overrides the tier's quota of the categories it names.
	Limits map[Category]Limit
	// Concurrency bounds the requests in flight; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Retry bounds retries; zero fields take DefaultRetry's values.
	Retry RetryPolicy
	// RequestTimeout bounds one attempt; 0 means 60 seconds.
	RequestTimeout time.Duration
	// Logger receives a debug line per request and a warning per retry,
	// never a token; nil means no logging.
	Logger *slog.Logger
	// Now and Sleep replace the clock, for tests; Sleep must return early
	// with ctx.Err() when ctx ends.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultConcurrency is how many requests a client has in flight at most
// unless told otherwise.
const DefaultConcurrency = 8

// DefaultPageSize is the page size list calls ask for: Pinterest's maximum.
const DefaultPageSize = 250

// maxBody bounds the answer the client reads, so a broken server cannot
// exhaust memory.
const maxBody = 64 << 20

// RetryPolicy bounds how a failed request is repeated: exponential backoff
// from BaseDelay (RateLimitDelay after a 429 without Retry-After), doubling
// up to MaxDelay with random jitter, at most MaxAttempts requests, and no
// new attempt once MaxElapsed has passed since the first.
type RetryPolicy struct {
	MaxAttempts    int
	BaseDelay      time.Duration
	RateLimitDelay time.Duration
	MaxDelay       time.Duration
	MaxElapsed     time.Duration
}

// DefaultRetry is the policy used for zero fields of Options.Retry. A 429
// backs off longer than a 5xx because Pinterest's quotas count per minute
// or per day: retrying within a second only burns attempts.
var DefaultRetry = RetryPolicy{
	MaxAttempts:    6,
	BaseDelay:      500 * time.Millisecond,
	RateLimitDelay: 5 * time.Second,
	MaxDelay:       30 * time.Second,
	MaxElapsed:     3 * time.Minute,
}

// backoff returns the wait before attempt n+1 (n ≥ 1) starting from base:
// half the doubled delay plus a random part of the other half, so
// concurrent workers spread out.
func (p RetryPolicy) backoff(base time.Duration, n int) time.Duration {
	d := base << min(n-1, 30)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// Client calls Pinterest for one integration. It is safe for concurrent
// use; every call counts against its pacing and its Stats.
type Client struct {
	api      string
	hc       *http.Client
	tokens   TokenSource
	pace     *pacer
	retry    RetryPolicy
	timeout  time.Duration
	log      *slog.Logger
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	counts   *counters
	concLim  int
	pageSize int
}

var discard = slog.New(slog.DiscardHandler)

// New returns a client that authenticates with tokens.
func New(tokens TokenSource, opts Options) (*Client, error) {
	if tokens == nil {
		return nil, errors.New("pinterest: no token source")
	}
	api := opts.APIURL
	if api == "" {
		api = Production.APIURL
	}
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pinterest: API URL %q is not an http(s) URL", api)
	}
	tier := opts.Tier
	if tier == "" {
		tier = TierStandard
	}
	limits := DefaultLimits(tier)
	if limits == nil || (tier != TierStandard && tier != TierTrial) {
		return nil, fmt.Errorf("pinterest: unknown access tier %q", tier)
	}
	for c, l := range opts.Limits {
		if !l.valid() {
			return nil, fmt.Errorf("pinterest: invalid limit for %s: %d per %s", c, l.Requests, l.Per)
		}
		limits[c] = l
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	r := opts.Retry
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultRetry.MaxAttempts
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = DefaultRetry.BaseDelay
	}
	if r.RateLimitDelay <= 0 {
		r.RateLimitDelay = DefaultRetry.RateLimitDelay
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = DefaultRetry.MaxDelay
	}
	if r.MaxElapsed <= 0 {
		r.MaxElapsed = DefaultRetry.MaxElapsed
	}
	c := &Client{
		api:      strings.TrimRight(api, "/"),
		hc:       opts.HTTPClient,
		tokens:   tokens,
		retry:    r,
		timeout:  opts.RequestTimeout,
		log:      opts.Logger,
		now:      opts.Now,
		sleep:    opts.Sleep,
		counts:   newCounters(),
		concLim:  conc,
		pageSize: DefaultPageSize,
	}
	if c.hc == nil {
		// Keep a connection per worker instead of DefaultTransport's two.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = conc
		c.hc = &http.Client{Transport: tr}
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	if c.log == nil {
		c.log = discard
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	c.pace = newPacer(limits, conc, c.now, c.sleep)
	return c, nil
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

// Limits returns the quotas the client paces itself under, per category
// (AllTraffic included).
func (c *Client) Limits() map[Category]Limit { return c.pace.effective() }

// Concurrency returns the bound on requests in flight.
func (c *Client) Concurrency() int { return c.concLim }

// MinDuration returns the least time the client's pacing lets the given
// requests per category take: the floor any run making them must respect.
func (c *Client) MinDuration(calls map[Category]int) time.Duration {
	var d time.Duration
	total := 0
	for cat, n := range calls {
		total += n
		if l, ok := c.pace.limits[cat]; ok {
			d = max(d, l.MinDuration(n))
		}
	}
	if l, ok := c.pace.limits[AllTraffic]; ok {
		d = max(d, l.MinDuration(total))
	}
	return d
}

// Stats returns what the client's calls cost so far, token renewals
// included when its TokenSource counts them (as *Tokens does).
func (c *Client) Stats() Stats {
	s := c.counts.snapshot()
	if rc, ok := c.tokens.(interface{ Refreshes() int }); ok {
		if n := rc.Refreshes(); n > 0 {
			s.Refreshes = n
			s.Calls[opToken.id] = n
		}
	}
	return s
}

// get calls a GET operation and decodes its JSON answer into out.
func (c *Client) get(ctx context.Context, op *operation, path string, q url.Values, out any) error {
	u := c.api + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	start := c.now()
	var last error
	refreshed := false
	for attempt := 1; ; attempt++ {
		wait, err := c.attempt(ctx, op, u, path, attempt, &refreshed, out)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("pinterest: %s: %w", op.id, ctx.Err())
		}
		if wait < 0 {
			return err // not worth retrying
		}
		last = err
		if attempt >= c.retry.MaxAttempts {
			return fmt.Errorf("%w (gave up after %d attempts)", last, attempt)
		}
		if wait == 0 {
			wait = c.retry.backoff(c.retry.BaseDelay, attempt)
		}
		if wait == retryNow {
			c.counts.retries.Add(1)
			continue
		}
		if elapsed := c.now().Sub(start); elapsed+wait > c.retry.MaxElapsed {
			return fmt.Errorf("%w (gave up after %d attempts in %s)", last, attempt, elapsed.Round(time.Millisecond))
		}
		c.counts.retries.Add(1)
		c.log.LogAttrs(ctx, slog.LevelWarn, "pinterest request will be retried",
			slog.String("op", op.id), slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("pinterest: %s: %w", op.id, err)
		}
	}
}

// retryNow is the wait attempt returns to retry without delay.
const retryNow = time.Duration(1)

// attempt sends one request. It returns nil on success; otherwise the error
// and the wait before retrying: -1 for "do not retry", 0 for "back off as
// usual".
func (c *Client) attempt(ctx context.Context, op *operation, u, path string, n int, refreshed *bool, out any) (time.Duration, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		var t transient
		if errors.As(err, &t) {
			return 0, err
		}
		return -1, err
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	status, header, body, err := c.send(ctx, op, u, path, n, tok, buf)
	if err != nil {
		if ctx.Err() != nil {
			return -1, err
		}
		c.counts.networkErrors.Add(1)
		return 0, err
	}
	switch {
	case status/100 == 2:
		if out == nil {
			return 0, nil
		}
		if err := decode(body, out); err != nil {
			return -1, fmt.Errorf("pinterest: %s: %w", op.id, err)
		}
		return 0, nil
	case status == http.StatusUnauthorized && !*refreshed:
		// The access token may have expired or been revoked early: renew
		// it once and try again at once. A refresh that failed for a
		// passing reason is tried again on the next attempt.
		if _, err := c.tokens.Refresh(ctx, tok); err != nil {
			var t transient
			if errors.As(err, &t) {
				return 0, err
			}
			return -1, err
		}
		*refreshed = true
		return retryNow, newAPIErrorFrom(op, status, header, body)
	case status == http.StatusUnauthorized:
		e := newAPIErrorFrom(op, status, header, body)
		e.Reconnect = true
		return -1, e
	case status == http.StatusTooManyRequests:
		c.counts.rateLimited.Add(1)
		e := newAPIErrorFrom(op, status, header, body)
		e.RetryAfter = retryAfter(header.Get("Retry-After"), c.now())
		wait := e.RetryAfter
		if wait <= 0 {
			wait = c.retry.backoff(c.retry.RateLimitDelay, n)
		}
		c.pace.pause(op.category, min(wait, c.retry.MaxElapsed))
		return wait, e
	case status >= 500:
		c.counts.serverErrors.Add(1)
		// A 503 may say when to come back, too.
		return retryAfter(header.Get("Retry-After"), c.now()), newAPIErrorFrom(op, status, header, body)
	default:
		return -1, newAPIErrorFrom(op, status, header, body)
	}
}

// send makes one paced HTTP request and reads the whole answer.
// The body is read into buf and valid until buf is reused.
func (c *Client) send(ctx context.Context, op *operation, u, path string, n int, tok *oauth2.Token, buf *bytes.Buffer) (int, http.Header, []byte, error) {
	if err := c.pace.acquire(ctx, op.category); err != nil {
		return 0, nil, nil, fmt.Errorf("pinterest: %s: %w", op.id, err)
	}
	defer c.pace.release()
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("pinterest: %s: %w", op.id, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pinaccess")
	c.counts.calls[op.idx].Add(1)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL adds nothing the operation does not say
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "pinterest request failed", slog.String("op", op.id),
			slog.String("path", path), slog.Int("attempt", n), slog.String("error", err.Error()))
		return 0, nil, nil, fmt.Errorf("pinterest: %s: %w", op.id, err)
	}
	defer resp.Body.Close()
	buf.Reset()
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, maxBody+1))
	body := buf.Bytes()
	if err == nil && len(body) > maxBody {
		err = fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "pinterest request", slog.String("op", op.id), slog.String("path", path),
		slog.Int("attempt", n), slog.Int("status", resp.StatusCode), slog.Int("bytes", len(body)),
		slog.Duration("took", time.Since(start)), slog.String("rid", resp.Header.Get("x-pinterest-rid")))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("pinterest: %s: read answer: %w", op.id, err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// bufPool recycles answer buffers: a page of 250 members is some 200 KB.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 { // let rare huge answers go
		bufPool.Put(b)
	}
}

// decode reads a complete JSON value into out, refusing anything else
// (HTML, trailing garbage, a truncated document).
func decode(body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %v", errMalformed, err)
	}
	return nil
}

func newAPIError(op *operation, resp *http.Response, body []byte) *APIError {
	return newAPIErrorFrom(op, resp.StatusCode, resp.Header, body)
}

func newAPIErrorFrom(op *operation, status int, h http.Header, body []byte) *APIError {
	e := &APIError{Operation: op.id, Status: status, RequestID: scrub(h.Get("x-pinterest-rid"))}
	var b struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &b) == nil {
		e.Code, e.Message = b.Code, scrub(b.Message)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
