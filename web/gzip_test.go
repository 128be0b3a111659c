package web

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// Pages and error pages arrive compressed when the client accepts gzip,
// whole and with their status; a client that does not gets them plain, as
// does the page of a panic, and the sandbox is never compressed.
func TestResponsesAreCompressedWholeErrorsIncluded(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log)
	e.Use(requestID, requestLog(log), securityHeaders(false), recoverPanic(log), gzip())
	page := strings.Repeat("<p>a page of the inventory</p>\n", 200)
	e.GET("/page", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
	e.GET("/missing", func(echo.Context) error { return echo.NewHTTPError(http.StatusNotFound) })
	e.GET("/boom", func(echo.Context) error { panic("the handler broke") })
	e.GET("/sandbox/v5/x", func(c echo.Context) error { return c.String(http.StatusOK, page) })

	for _, tc := range []struct {
		path, want string
		status     int
		compressed bool
	}{
		{"/page", page, http.StatusOK, true},
		{"/missing", `data-testid="error-page"`, http.StatusNotFound, true},
		// A panic leaves the compressing writer behind: its page is plain.
		{"/boom", "Something went wrong", http.StatusInternalServerError, false},
		{"/sandbox/v5/x", page, http.StatusOK, false},
	} {
		for _, accept := range []bool{true, false} {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if accept {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			body := rec.Body.Bytes()
			gzipped := rec.Header().Get("Content-Encoding") == "gzip"
			if gzipped != (accept && tc.compressed) {
				t.Errorf("%s (gzip accepted: %v): Content-Encoding %q", tc.path, accept, rec.Header().Get("Content-Encoding"))
			}
			if gzipped {
				zr, err := stdgzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("%s: %v", tc.path, err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatalf("%s: %v", tc.path, err)
				}
			}
			if rec.Code != tc.status || !strings.Contains(string(body), tc.want) {
				t.Errorf("%s (gzip accepted: %v): status %d, body without %q:\n%.300s", tc.path, accept, rec.Code, tc.want, body)
			}
		}
	}
}
