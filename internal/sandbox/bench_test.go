package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func benchGenerate(b *testing.B, size string) {
	b.ReportAllocs()
	for b.Loop() {
		d, err := Generate(size, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Grants) == 0 {
			b.Fatal("no grants")
		}
	}
}

func BenchmarkGenerateLarge(b *testing.B) { benchGenerate(b, "large") }
func BenchmarkGenerateXL(b *testing.B)    { benchGenerate(b, "xl") }

// BenchmarkNewLarge measures indexing a large dataset (New and every Update).
func BenchmarkNewLarge(b *testing.B) {
	d, _ := Generate("large", 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{Dataset: d}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchMembersPage serves 250 members with assets_summary=true, the
// importer's heaviest call, straight through ServeHTTP.
func benchMembersPage(b *testing.B, size string) {
	d, _ := Generate(size, 1)
	sb, err := New(Options{Dataset: d, Limits: Limits{}})
	if err != nil {
		b.Fatal(err)
	}
	access, _, _ := sb.IssueToken(AdminUsername, []string{"biz_access:read"})
	path := "/v5/businesses/" + DefaultBusinessID + "/members?assets_summary=true&page_size=250"
	// Start from a bookmark in the middle, as later pages do.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	sb.ServeHTTP(rec, req)
	var p struct{ Bookmark *string }
	if rec.Code != 200 {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	decodeJSON(b, rec.Body.Bytes(), &p)
	path += "&bookmark=" + url.QueryEscape(*p.Bookmark)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		sb.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/250, "µs/member")
}

func BenchmarkMembersPage250Large(b *testing.B) { benchMembersPage(b, "large") }
func BenchmarkMembersPage250XL(b *testing.B)    { benchMembersPage(b, "xl") }

// BenchmarkNewXL measures checking and indexing an xl dataset.
func BenchmarkNewXL(b *testing.B) {
	d, _ := Generate("xl", 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{Dataset: d}); err != nil {
			b.Fatal(err)
		}
	}
}
