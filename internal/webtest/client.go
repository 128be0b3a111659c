package webtest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Client is a cookie-keeping HTTP client for one test "browser". It does
// not follow redirects, so tests can assert on them, and it remembers the
// CSRF token of the last page it read, adding it to forms it posts.
type Client struct {
	srv  *Server
	http *http.Client
	// CSRF is the token from the last HTML page read ("" before any).
	CSRF string
}

// Client returns a new client with an empty cookie jar.
func (s *Server) Client(t testing.TB) *Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{srv: s, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a read response; Doc is nil unless the body is HTML.
type Response struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

// Find selects in the page, e.g. res.Find(`[data-testid="empty-state"]`).
func (r *Response) Find(sel string) *goquery.Selection {
	if r.Doc == nil {
		return (&goquery.Document{}).Find(sel)
	}
	return r.Doc.Find(sel)
}

// TestID selects the elements with data-testid=id.
func (r *Response) TestID(id string) *goquery.Selection {
	return r.Find(`[data-testid="` + id + `"]`)
}

// Location is the redirect target as a path on the server ("" if none).
func (r *Response) Location() string {
	loc := r.Header.Get("Location")
	if loc == "" {
		loc = r.Header.Get("HX-Redirect")
	}
	return loc
}

// Do sends req and reads the whole response.
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("webtest: %s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("webtest: read %s: %v", req.URL, err)
	}
	out := &Response{Response: res, Body: string(body)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(out.Body))
		if err != nil {
			t.Fatalf("webtest: parse %s: %v", req.URL, err)
		}
		out.Doc = doc
		if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
			c.CSRF = tok
		}
	}
	return out
}

// NewRequest builds a request for a path on the server.
func (c *Client) NewRequest(t testing.TB, method, path string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Get fetches a path.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	return c.Do(t, c.NewRequest(t, http.MethodGet, path, nil))
}

// PostForm posts form values, adding the remembered CSRF token as _csrf
// unless the values already have one.
func (c *Client) PostForm(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok && c.CSRF != "" {
		form.Set("_csrf", c.CSRF)
	}
	return c.PostFormRaw(t, path, form)
}

// PostFormRaw posts form values exactly as given (no CSRF token added).
func (c *Client) PostFormRaw(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	req := c.NewRequest(t, http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(t, req)
}

// Login signs in through the login form and fails the test unless it ends
// in a redirect away from /login.
func (c *Client) Login(t testing.TB, email, password string) {
	t.Helper()
	if c.CSRF == "" {
		c.Get(t, "/login")
	}
	res := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther || strings.HasPrefix(res.Location(), "/login") {
		t.Fatalf("webtest: login as %s: status %d, location %q", email, res.StatusCode, res.Location())
	}
	c.Get(t, res.Location()) // pick up the new session's CSRF token
}

// Cookies returns the cookies the client holds for the server.
func (c *Client) Cookies() []*http.Cookie {
	u, _ := url.Parse(c.srv.URL)
	return c.http.Jar.Cookies(u)
}

// SetCookie puts a cookie for the server into the client's jar, as if the
// server had set it (tests use it to replay a copied cookie).
func (c *Client) SetCookie(ck *http.Cookie) {
	u, _ := url.Parse(c.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/"}})
}
