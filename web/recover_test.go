package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestAPanicBecomesAStyled500PageAndALogLine(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log)
	e.Use(requestID, requestLog(log), securityHeaders(false), recoverPanic(log))
	e.GET("/boom", func(echo.Context) error { panic("the handler broke") })

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	id := rec.Header().Get("X-Request-Id")
	body := rec.Body.String()
	for _, want := range []string{`data-testid="error-page"`, "Something went wrong", id} {
		if !strings.Contains(body, want) {
			t.Errorf("500 page lacks %q", want)
		}
	}
	if strings.Contains(body, "the handler broke") {
		t.Error("the 500 page shows the internal error")
	}
	if !strings.Contains(logs.String(), "the handler broke") || !strings.Contains(logs.String(), "status=500") || !strings.Contains(logs.String(), id) {
		t.Errorf("log lacks the panic, status or request id:\n%s", logs.String())
	}
}
