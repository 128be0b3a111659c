package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/klauspost/compress/gzhttp"
	kgzip "github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

const requestIDKey = "pinaccess.request_id"

// requestID gives every request a fresh random id, in the X-Request-Id
// response header, the log line and the error page. An incoming id is not
// trusted.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set(requestIDKey, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// requestIDOf returns the request's id.
func requestIDOf(c echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

// requestLog logs one line per request: id, method, path (never the query
// string, which can hold setup tokens and OAuth codes), status, duration.
// Errors returned by handlers are rendered here so the status is known.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			r := c.Request()
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/static/") {
				level = slog.LevelDebug
			}
			log.LogAttrs(r.Context(), level, "request",
				slog.String("id", requestIDOf(c)),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", c.Response().Status),
				slog.Int64("bytes", c.Response().Size),
				slog.Duration("duration", time.Since(start)),
			)
			return nil
		}
	}
}

// recoverPanic turns a panic in a handler into a logged 500 error page.
func recoverPanic(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					stack := make([]byte, 8<<10)
					stack = stack[:runtime.Stack(stack, false)]
					log.Error("panic in handler", "id", requestIDOf(c), "panic", fmt.Sprint(p), "stack", string(stack))
					err = echo.NewHTTPError(http.StatusInternalServerError).SetInternal(fmt.Errorf("panic: %v", p))
				}
			}()
			return next(c)
		}
	}
}

func bodyLimit(n int64) echo.MiddlewareFunc {
	return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: fmt.Sprintf("%dB", n)})
}

// gzip compresses dashboard responses (gzip, or zstd for browsers that
// ask for it); the sandbox is left alone so it behaves like the API it
// stands in for. The fastest level of klauspost's compressors: pages and
// CSV are repetitive text that it shrinks several times over, and on a
// page of the inventory the standard library's gzip took a quarter of the
// server's time. An error is answered inside, so its page is compressed
// like any other.
func gzip() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(kgzip.BestSpeed), gzhttp.MinSize(1024))
	if err != nil {
		panic("web: gzip options: " + err.Error()) // constant options: a programming error
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if strings.HasPrefix(c.Request().URL.Path, "/sandbox") {
				return next(c)
			}
			res := c.Response()
			plain := res.Writer
			defer func() { res.Writer = plain }()
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res.Writer = w
				c.SetRequest(r)
				if err := next(c); err != nil {
					c.Error(err)
				}
			})).ServeHTTP(plain, c.Request())
			return nil
		}
	}
}

// Content-Security-Policy. htmx works under it because pinaccess uses no
// inline scripts or styles: htmx's indicator styles come from app.css
// (htmx-config turns off its injected <style>), and hx-headers is JSON.
// form-action lists Pinterest because Chrome applies form-action to the
// redirect after a form POST, and "Connect" POSTs to the dashboard which
// redirects to Pinterest's consent page.
const cspBase = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

const formActionKey = "pinaccess.form_action"

func csp(extra []string) string {
	return cspBase + "; form-action 'self' https://www.pinterest.com" + strings.Join(append([]string{""}, extra...), " ")
}

// securityHeaders sets the security headers on every response, the
// sandbox's included. Dynamic pages are not cached (they hold CSRF tokens
// and private data); /static/ sets its own long caching.
func securityHeaders(https bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", csp(nil))
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
			h.Set("Cache-Control", "no-store")
			if https {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// AllowFormAction lets the page being rendered submit forms that end at
// origin (scheme://host[:port]), such as a Pinterest environment's consent
// page other than www.pinterest.com. Call it before rendering.
func AllowFormAction(c echo.Context, origin string) {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(u.Host, " ;,'") {
		return
	}
	list, _ := c.Get(formActionKey).([]string)
	list = append(list, u.Scheme+"://"+u.Host)
	c.Set(formActionKey, list)
	c.Response().Header().Set("Content-Security-Policy", csp(list))
}
