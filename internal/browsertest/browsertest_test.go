package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserRecordsCSPViolationsAcrossPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/clean":
			io.WriteString(w, `<!doctype html><title>clean</title><p data-testid="p">clean</p>`)
		default:
			io.WriteString(w, `<!doctype html><title>dirty</title><p data-testid="p" style="color:red">dirty</p><script>document.title="ran"</script>`)
		}
	}))
	defer srv.Close()
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/clean"), chromedp.WaitVisible(TestID("p"))); err != nil {
		t.Fatal(err)
	}
	if v, err := CSPViolations(ctx); err != nil || len(v) != 0 {
		t.Fatalf("clean page: %v, %v", v, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/dirty"), chromedp.Navigate(srv.URL+"/clean"), chromedp.WaitVisible(TestID("p"))); err != nil {
		t.Fatal(err)
	}
	v, err := CSPViolations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(v, "\n")
	if !strings.Contains(joined, "/dirty: script-src-elem") || !strings.Contains(joined, "/dirty: style-src-attr") {
		t.Fatalf("violations recorded: %q; want the inline script and style of /dirty", v)
	}
}
