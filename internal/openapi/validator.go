package openapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Reporter receives a message for every failed validation; *testing.T and
// *testing.B satisfy it, so a test fails as soon as an exchange breaks the
// description.
type Reporter interface {
	Errorf(format string, args ...any)
}

// Failure is one exchange that does not match the description.
type Failure struct {
	Operation string // operationId, empty when no operation matched
	Method    string
	URL       string // as sent, including the query
	Status    int    // response status; 0 if the request never got an answer
	// Request is true when the request broke the description, false when
	// the response did.
	Request bool
	Err     error
}

// String describes the failure in one line for a test log.
func (f Failure) String() string {
	side := "response"
	if f.Request {
		side = "request"
	}
	op := f.Operation
	if op == "" {
		op = "no operation"
	}
	return fmt.Sprintf("%s %s (%s, status %d): invalid %s: %v", f.Method, f.URL, op, f.Status, side, f.Err)
}

// Validator checks requests and responses under a /v5 path against the
// embedded description, wherever the API is mounted: everything up to and
// including the first "/v5" path segment is taken as the base
// (https://api.pinterest.com/v5, http://127.0.0.1:8080/sandbox/v5, ...).
// Requests outside /v5 (such as the browser's consent page) are not checked.
// A Validator is safe for concurrent use.
type Validator struct {
	reporter Reporter
	router   routers.Router

	mu       sync.Mutex
	failures []Failure
	seen     map[string]int
}

var (
	routerOnce sync.Once
	sharedRt   routers.Router
	routerErr  error
)

func sharedRouter() (routers.Router, error) {
	routerOnce.Do(func() {
		doc, err := Load()
		if err != nil {
			routerErr = err
			return
		}
		// Paths are matched after the base is stripped, so no server.
		doc.Servers = nil
		normalizeParameters(doc)
		sharedRt, routerErr = gorillamux.NewRouter(doc)
	})
	return sharedRt, routerErr
}

// NewValidator returns a validator that records failures and, if r is not
// nil, reports each one to r as it happens. It panics if the embedded
// description cannot be loaded, which the package's own tests rule out.
func NewValidator(r Reporter) *Validator {
	rt, err := sharedRouter()
	if err != nil {
		panic(err)
	}
	return &Validator{reporter: r, router: rt, seen: map[string]int{}}
}

// Failures returns the failures recorded so far, in order.
func (v *Validator) Failures() []Failure {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Failure(nil), v.failures...)
}

// Seen returns how many exchanges were validated per operationId.
func (v *Validator) Seen() map[string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	m := make(map[string]int, len(v.seen))
	for k, n := range v.seen {
		m[k] = n
	}
	return m
}

// Reset forgets recorded failures and counts.
func (v *Validator) Reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = nil
	v.seen = map[string]int{}
}

func (v *Validator) record(f Failure) {
	v.mu.Lock()
	v.failures = append(v.failures, f)
	v.mu.Unlock()
	if v.reporter != nil {
		v.reporter.Errorf("openapi: %s", f)
	}
}

// apiPath returns the path relative to the /v5 base, or ok=false when the
// request is not an API request.
func apiPath(p string) (string, bool) {
	for i := 0; ; {
		j := strings.Index(p[i:], "/v5")
		if j < 0 {
			return "", false
		}
		j += i
		rest := p[j+3:]
		if rest == "" || rest[0] == '/' {
			if rest == "" {
				rest = "/"
			}
			return rest, true
		}
		i = j + 3
	}
}

var filterOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	AuthenticationFunc:    authenticate,
}

// authenticate accepts a request that carries credentials of the kind the
// security scheme asks for; whether they are good is the server's business.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	want := "Bearer "
	if in.SecurityScheme != nil && in.SecurityScheme.Type == "http" && strings.EqualFold(in.SecurityScheme.Scheme, "basic") {
		want = "Basic "
	}
	if len(h) <= len(want) || !strings.EqualFold(h[:len(want)], want) {
		return in.NewError(fmt.Errorf("missing %q Authorization header", strings.TrimSpace(want)))
	}
	return nil
}

// exchange is one validated request, waiting for its response.
type exchange struct {
	v     *Validator
	input *openapi3filter.RequestValidationInput
	op    string
	url   string
	meth  string
	reqOK bool
}

// begin validates a request whose body is given separately (the request's
// own Body is not read). It returns nil when the request is not under /v5.
func (v *Validator) begin(req *http.Request, body []byte) (*exchange, *Failure) {
	rel, ok := apiPath(req.URL.Path)
	if !ok {
		return nil, nil
	}
	u := &url.URL{Path: rel, RawQuery: req.URL.RawQuery}
	if req.URL.RawPath != "" {
		if rawRel, ok := apiPath(req.URL.RawPath); ok {
			u.RawPath = rawRel
		}
	}
	clone := req.Clone(context.Background())
	clone.URL = u
	clone.Host = ""
	clone.RequestURI = ""
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.ContentLength = int64(len(body))
	ex := &exchange{v: v, url: req.URL.RequestURI(), meth: req.Method}
	route, params, err := v.router.FindRoute(clone)
	if err != nil {
		return ex, &Failure{Method: req.Method, URL: ex.url, Request: true, Err: fmt.Errorf("no such operation in the description: %w", err)}
	}
	ex.op = route.Operation.OperationID
	ex.input = &openapi3filter.RequestValidationInput{Request: clone, PathParams: params, Route: route, Options: filterOptions}
	if err := openapi3filter.ValidateRequest(context.Background(), ex.input); err != nil {
		return ex, &Failure{Operation: ex.op, Method: req.Method, URL: ex.url, Request: true, Err: err}
	}
	ex.reqOK = true
	return ex, nil
}

// end validates the response of an exchange.
func (ex *exchange) end(status int, header http.Header, body []byte) *Failure {
	if ex.input == nil {
		return nil
	}
	ex.v.mu.Lock()
	ex.v.seen[ex.op]++
	ex.v.mu.Unlock()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: ex.input,
		Status:                 status,
		Header:                 header,
		Options:                filterOptions,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return &Failure{Operation: ex.op, Method: ex.meth, URL: ex.url, Status: status, Err: err}
	}
	return nil
}

// Check validates one complete exchange given its parts, records any
// failures and returns them.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) []Failure {
	ex, f := v.begin(req, reqBody)
	if ex == nil {
		return nil
	}
	var out []Failure
	if f != nil {
		f.Status = status
		out = append(out, *f)
	}
	if rf := ex.end(status, header, respBody); rf != nil {
		out = append(out, *rf)
	}
	for _, f := range out {
		v.record(f)
	}
	return out
}

// Transport wraps next (http.DefaultTransport when nil) so every request
// sent and response received is checked.
func (v *Validator) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{v: v, next: next}
}

type roundTripper struct {
	v    *Validator
	next http.RoundTripper
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("openapi: read request body: %w", err)
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	resp, err := rt.next.RoundTrip(req)
	if err != nil {
		// No answer: the request is still checked.
		if ex, f := rt.v.begin(req, reqBody); ex != nil && f != nil {
			rt.v.record(*f)
		}
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // the caller sees the short body; nothing to validate
	}
	rt.v.Check(req, reqBody, resp.StatusCode, resp.Header, body)
	return resp, nil
}

// Middleware wraps a server handler so every request it receives and every
// response it writes are checked. Responses are buffered.
func (v *Validator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			reqBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Result()
		body := rec.Body.Bytes()
		v.Check(r, reqBody, res.StatusCode, res.Header, body)
		for k, vals := range res.Header {
			w.Header()[k] = vals
		}
		w.WriteHeader(res.StatusCode)
		w.Write(body)
	})
}

// normalizeParameters works around a kin-openapi decoding limitation: a
// parameter schema written as allOf [$ref, {default: X}] (partner_type of
// business_partner_asset_access/get) decodes every value as empty, because
// the annotation-only member decodes to nothing. The annotation is moved
// into the parameter's own schema, which means the same thing.
func normalizeParameters(doc *openapi3.T) {
	fix := func(params openapi3.Parameters) {
		for _, pr := range params {
			if pr == nil || pr.Value == nil || pr.Value.Schema == nil || pr.Value.Schema.Value == nil {
				continue
			}
			sch := pr.Value.Schema.Value
			if len(sch.AllOf) < 2 {
				continue
			}
			kept := sch.AllOf[:0:0]
			for _, sub := range sch.AllOf {
				v := sub.Value
				annotation := sub.Ref == "" && v != nil && (v.Type == nil || len(*v.Type) == 0) && len(v.Enum) == 0 &&
					len(v.AllOf) == 0 && len(v.AnyOf) == 0 && len(v.OneOf) == 0 && v.Pattern == ""
				if annotation {
					if v.Default != nil && sch.Default == nil {
						sch.Default = v.Default
					}
					continue
				}
				kept = append(kept, sub)
			}
			sch.AllOf = kept
		}
	}
	for _, item := range doc.Paths.Map() {
		fix(item.Parameters)
		for _, op := range item.Operations() {
			fix(op.Parameters)
		}
	}
}
