package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeDashboard answers like pinaccess's login: a form with a CSRF token
// bound to a cookie, a session cookie after a good POST, and a redirect to
// /login for anything else without it.
func fakeDashboard(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var served atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "csrf", Value: "c1", Path: "/"})
		fmt.Fprint(w, `<form method="post"><input type="hidden" name="_csrf" value="tok&#43;en"><input name="email"></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie("csrf")
		if err != nil || ck.Value != "c1" || r.PostFormValue("_csrf") != "tok+en" || r.PostFormValue("password") != "pw" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1", Path: "/"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("session"); err != nil || ck.Value != "s1" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if r.URL.Path == "/broken" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		served.Add(1)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET /export.csv", func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("session"); err != nil || ck.Value != "s1" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.Write([]byte("a,b\r\n"))
		w.(http.Flusher).Flush()
		for i := range 5000 {
			fmt.Fprintf(w, "%d,x\r\n", i)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &served
}

func TestLoginThenLoadCountsAnswersAndErrors(t *testing.T) {
	srv, served := fakeDashboard(t)
	ctx := context.Background()
	if _, err := login(ctx, srv.URL, "a@example.com", "wrong"); err == nil {
		t.Fatal("a refused login must be an error")
	}
	s, err := login(ctx, srv.URL, "a@example.com", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Cookie, "session=s1") {
		t.Fatalf("cookie %q lacks the session", s.Cookie)
	}
	before := served.Load()
	l, err := loadPage(ctx, s, "home", []string{"/", "/a"}, 4, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if l.Requests == 0 || l.Errors != 0 || int64(l.Requests) != served.Load()-before {
		t.Errorf("%d requests, %d errors; the server answered %d", l.Requests, l.Errors, served.Load()-before)
	}
	if l.P50Ms <= 0 || l.P99Ms < l.P50Ms || l.PerSecond <= 0 {
		t.Errorf("summary %+v", l.LatencySummary)
	}
	// Failures and redirects (a lost session) are errors.
	l, err = loadPage(ctx, s, "broken", []string{"/broken"}, 2, 100*time.Millisecond)
	if err != nil || l.Requests == 0 || l.Errors != l.Requests {
		t.Errorf("broken page: %d requests, %d errors, %v", l.Requests, l.Errors, err)
	}
	anon := &Session{Base: srv.URL, Client: http.DefaultClient}
	l, err = loadPage(ctx, anon, "anonymous", []string{"/"}, 2, 100*time.Millisecond)
	if err != nil || l.Requests == 0 || l.Errors != l.Requests {
		t.Errorf("without a session: %d requests, %d errors, %v", l.Requests, l.Errors, err)
	}
}

func TestHTTPExportCountsRowsAndFirstByte(t *testing.T) {
	srv, _ := fakeDashboard(t)
	s, err := login(context.Background(), srv.URL, "a@example.com", "pw")
	if err != nil {
		t.Fatal(err)
	}
	res, before, peak, err := httpExport(context.Background(), s, "/export.csv", os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 5000 || res.TTFBMs <= 0 || res.RowsPerSec <= 0 || before <= 0 || peak < before {
		t.Errorf("export %+v, rss before %v peak %v", res, before, peak)
	}
	if _, _, _, err := httpExport(context.Background(), &Session{Base: srv.URL}, "/export.csv", os.Getpid()); err == nil {
		t.Error("an export without a session (redirected to the login page) must fail")
	}
}
