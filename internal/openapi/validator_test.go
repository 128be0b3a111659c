package openapi

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestLoadDescribesTheOperationsPinaccessUses(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Servers[0].URL; got != "https://api.pinterest.com/v5" {
		t.Errorf("server URL = %q", got)
	}
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 36 {
		t.Errorf("%d operations, want 36", len(ops))
	}
	byID := map[string]Operation{}
	for _, o := range ops {
		byID[o.ID] = o
	}
	m := byID["get/business_members"]
	if m.Method != http.MethodGet || m.Path != "/businesses/{business_id}/members" || m.Category != "ads_read" {
		t.Errorf("get/business_members = %+v", m)
	}
	if got := m.Scopes["pinterest_oauth2"]; len(got) != 1 || got[0] != "biz_access:read" {
		t.Errorf("get/business_members scopes = %v", m.Scopes)
	}
	if got := byID["user_account/get"].Scopes["client_credentials"]; len(got) != 1 || got[0] != "user_accounts:read" {
		t.Errorf("user_account/get scopes = %v", byID["user_account/get"].Scopes)
	}
	if c := byID["oauth/token"].Category; c != "org_read" {
		t.Errorf("oauth/token category = %q", c)
	}
}

type fakeReporter struct {
	mu   sync.Mutex
	msgs []string
}

func (r *fakeReporter) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// fakePinterest answers a few operations, some of them wrongly on purpose.
func fakePinterest() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/sandbox/v5/businesses/{id}/members", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page_size") == "0" {
			w.WriteHeader(400)
			io.WriteString(w, `{"code":1,"message":"page_size must be between 1 and 250"}`)
			return
		}
		if r.URL.Query().Get("broken") != "" {
			io.WriteString(w, `{"bookmark":null}`) // items missing
			return
		}
		io.WriteString(w, `{"items":[{"id":"1","business_roles":["BIZ_ADMIN"],"user":{"id":"1","username":"a","email":null}}],"bookmark":null}`)
	})
	mux.HandleFunc("/sandbox/v5/businesses/{id}/partners/{pid}/assets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[{"asset_id":"5","asset_type":"AD_ACCOUNT","permissions":["ADMIN"]}],"bookmark":null}`)
	})
	mux.HandleFunc("/sandbox/v5/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"pina_x","token_type":"bearer","expires_in":2592000,"scope":"ads:read","response_type":"authorization_code"}`)
	})
	mux.HandleFunc("/sandbox/v5/nowhere", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
	})
	mux.HandleFunc("/sandbox/oauth/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>consent</html>")
	})
	return mux
}

func TestValidatorTransport(t *testing.T) {
	srv := httptest.NewServer(fakePinterest())
	defer srv.Close()
	base := srv.URL + "/sandbox/v5"

	tests := []struct {
		name       string
		method     string
		url        string
		body       string
		auth       string
		wantFails  int
		wantReq    bool // the failure is about the request
		wantSeenOp string
	}{
		{name: "valid page", method: "GET", url: base + "/businesses/123/members?page_size=10&business_roles=EMPLOYEE&business_roles=BIZ_ADMIN", auth: "Bearer pina_x", wantSeenOp: "get/business_members"},
		{name: "response without items", method: "GET", url: base + "/businesses/123/members?broken=1", auth: "Bearer pina_x", wantFails: 1, wantSeenOp: "get/business_members"},
		{name: "page_size out of range", method: "GET", url: base + "/businesses/123/members?page_size=0", auth: "Bearer pina_x", wantFails: 1, wantReq: true, wantSeenOp: "get/business_members"},
		{name: "malformed business id", method: "GET", url: base + "/businesses/12a/members", auth: "Bearer pina_x", wantFails: 1, wantReq: true},
		{name: "no bearer token", method: "GET", url: base + "/businesses/123/members", wantFails: 1, wantReq: true},
		{name: "partner_type, an allOf parameter", method: "GET", url: base + "/businesses/1/partners/2/assets?partner_type=EXTERNAL&asset_type=PROFILE", auth: "Bearer pina_x", wantSeenOp: "business_partner_asset_access/get"},
		{name: "partner_type outside its enum", method: "GET", url: base + "/businesses/1/partners/2/assets?partner_type=FRIEND", auth: "Bearer pina_x", wantFails: 1, wantReq: true},
		{name: "token grant with basic auth", method: "POST", url: base + "/oauth/token", body: "grant_type=authorization_code&code=c&redirect_uri=http%3A%2F%2Flocalhost%2Fcb", auth: "Basic MTAwMDAwMTpzYW5kYm94LXNlY3JldA==", wantSeenOp: "oauth/token"},
		{name: "token grant with unknown grant type", method: "POST", url: base + "/oauth/token", body: "grant_type=password", auth: "Basic MTAwMDAwMTpzYW5kYm94LXNlY3JldA==", wantFails: 1, wantReq: true},
		{name: "path the description lacks", method: "GET", url: base + "/nowhere", auth: "Bearer pina_x", wantFails: 1, wantReq: true},
		{name: "consent page is not an API call", method: "GET", url: srv.URL + "/sandbox/oauth/?client_id=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &fakeReporter{}
			v := NewValidator(rep)
			client := &http.Client{Transport: v.Transport(nil)}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, _ := http.NewRequest(tt.method, tt.url, body)
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && len(got) == 0 {
				t.Error("the caller did not get the response body")
			}
			fails := v.Failures()
			for _, f := range fails {
				t.Log(f)
			}
			if len(fails) != tt.wantFails {
				t.Fatalf("failures = %v, want %d", fails, tt.wantFails)
			}
			if len(rep.msgs) != tt.wantFails {
				t.Errorf("reporter got %d messages, want %d", len(rep.msgs), tt.wantFails)
			}
			if tt.wantFails > 0 && fails[0].Request != tt.wantReq {
				t.Errorf("failure %v: Request = %v, want %v", fails[0], fails[0].Request, tt.wantReq)
			}
			if tt.wantSeenOp != "" && v.Seen()[tt.wantSeenOp] != 1 {
				t.Errorf("seen = %v, want one %s", v.Seen(), tt.wantSeenOp)
			}
		})
	}
}

func TestValidatorMiddlewareChecksAServer(t *testing.T) {
	v := NewValidator(nil)
	srv := httptest.NewServer(v.Middleware(fakePinterest()))
	defer srv.Close()

	for _, q := range []string{"", "broken=1"} {
		req, _ := http.NewRequest("GET", srv.URL+"/sandbox/v5/businesses/9/members?"+q, nil)
		req.Header.Set("Authorization", "Bearer pina_x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Fatalf("status %d body %q", resp.StatusCode, b)
		}
	}
	fails := v.Failures()
	if len(fails) != 1 || fails[0].Request || fails[0].Status != 200 {
		t.Fatalf("failures = %v, want the one broken response", fails)
	}
	v.Reset()
	if len(v.Failures()) != 0 || len(v.Seen()) != 0 {
		t.Error("Reset kept state")
	}
}

func TestAPIPathFindsTheV5Base(t *testing.T) {
	for in, want := range map[string]string{
		"/v5/ad_accounts":                  "/ad_accounts",
		"/sandbox/v5/ad_accounts/1":        "/ad_accounts/1",
		"/v5x/v5/user_account":             "/user_account",
		"/v5":                              "/",
		"/sandbox/oauth/":                  "",
		"/sandbox/v55/businesses/1/assets": "",
	} {
		got, ok := apiPath(in)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("apiPath(%q) = %q, want %q", in, got, want)
		}
	}
}
