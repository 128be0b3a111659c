package pinterest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/oauth2"

	"pinaccess/internal/sandbox"
)

// membersPage returns a real 250-member page with assets summaries, as the
// sandbox serves it for the medium dataset.
func membersPage(tb testing.TB) []byte {
	tb.Helper()
	sb, err := sandbox.New(sandbox.Options{Dataset: sandbox.DefaultDataset()})
	if err != nil {
		tb.Fatal(err)
	}
	access, _, err := sb.IssueToken(sandbox.AdminUsername, ImportScopes())
	if err != nil {
		tb.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/v5/businesses/"+sandbox.DefaultBusinessID+"/members?assets_summary=true&page_size=250", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	if rec.Code != 200 {
		tb.Fatalf("sandbox: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func TestBenchmarkPageIsRealistic(t *testing.T) {
	body := membersPage(t)
	var p page[UserBusinessRoleBinding]
	if err := decode(body, &p); err != nil {
		t.Fatal(err)
	}
	grants := 0
	for _, m := range *p.Items {
		if m.AssetsSummary == nil {
			t.Fatal("member without assets summary")
		}
		grants += len(m.AssetsSummary.AdAccounts) + len(m.AssetsSummary.Profiles)
	}
	if len(*p.Items) != 250 || grants < 250 || p.Bookmark == nil {
		t.Errorf("%d members, %d summary entries, bookmark %v", len(*p.Items), grants, p.Bookmark)
	}
}

// BenchmarkDecodeMembersPage decodes a 250-member page with assets
// summaries, the importer's largest and most frequent answer.
func BenchmarkDecodeMembersPage(b *testing.B) {
	body := membersPage(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p page[UserBusinessRoleBinding]
		if err := decode(body, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMembersPageThroughClient is one page through the whole client
// (pacing, token, HTTP over loopback, read, decode) against a server that
// answers a fixed page.
func BenchmarkMembersPageThroughClient(b *testing.B) {
	body := membersPage(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	unlimited := Quota(1<<30, 1)
	c, err := New(StaticToken(&oauth2.Token{AccessToken: "pina_bench"}), Options{APIURL: srv.URL + "/v5",
		Limits: map[Category]Limit{AdsRead: unlimited, AllTraffic: unlimited}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p page[UserBusinessRoleBinding]
		if err := c.get(ctx, opMembers, "/businesses/1/members", nil, &p); err != nil {
			b.Fatal(err)
		}
	}
}
