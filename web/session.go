package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"pinaccess/internal/auth"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
	"pinaccess/views"
)

// Session lifetimes: a session ends after 12 hours without a request, and
// 7 days after sign-in whatever happens.
const (
	SessionIdle     = 12 * time.Hour
	SessionAbsolute = 7 * 24 * time.Hour
	sessionCookie   = "pinaccess_session"
	sessionCtxKey   = "pinaccess.session"
	touchEvery      = time.Minute
)

// Admin is the signed-in admin of a request.
type Admin struct {
	ID    int64
	Email string
}

// sessionStore is what sessions need from the database.
type sessionStore interface {
	CreateSession(ctx context.Context, idHash string, adminID int64) error
	Session(ctx context.Context, idHash string) (store.AdminSession, error)
	TouchSession(ctx context.Context, idHash string) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
}

// sessionManager keeps sessions in a signed and encrypted cookie (gorilla's
// CookieStore) holding a random session id, the CSRF token and pending
// flash messages. Only the session id's hash is stored server-side, so
// logging out ends the session even for a copied cookie.
type sessionManager struct {
	cookies *sessions.CookieStore
	db      sessionStore
	now     func() time.Time
	log     *slog.Logger
}

// session is the state of one request's session.
type session struct {
	raw    *sessions.Session
	admin  Admin
	idHash string
	csrf   string
	dirty  bool
}

func newSessionManager(hashKey, blockKey []byte, db sessionStore, secure bool, now func() time.Time, log *slog.Logger) *sessionManager {
	cs := sessions.NewCookieStore(hashKey, blockKey)
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(SessionAbsolute / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	cs.MaxAge(cs.Options.MaxAge)
	return &sessionManager{cookies: cs, db: db, now: now, log: log}
}

// sessionKeys returns the cookie signing and encryption keys, created on
// first start and kept sealed in settings so sessions survive a restart.
func sessionKeys(ctx context.Context, st *store.Store, box *secret.Box) (hashKey, blockKey []byte, err error) {
	const setting, label = "session_keys", "settings/session_keys"
	sealed, err := st.Setting(ctx, setting)
	var keys []byte
	switch {
	case errors.Is(err, store.ErrNotFound):
		keys = append(secret.NewKey(), secret.NewKey()...)
		if err := st.PutSetting(ctx, setting, box.Seal(keys, label)); err != nil {
			return nil, nil, err
		}
	case err != nil:
		return nil, nil, err
	default:
		keys, err = box.Open(sealed, label)
		if err != nil || len(keys) != 64 {
			return nil, nil, fmt.Errorf("web: session keys cannot be opened with this secret key: %w", secret.ErrOpen)
		}
	}
	return keys[:32], keys[32:], nil
}

// usesSession reports whether a path gets a session; the sandbox, static
// files and the health check do not.
func usesSession(path string) bool {
	return path != "/healthz" && !strings.HasPrefix(path, "/static/") && path != "/sandbox" && !strings.HasPrefix(path, "/sandbox/")
}

// middleware loads the request's session (a fresh one when the cookie is
// missing, forged or expired) and saves it before the response is written
// if it changed.
func (m *sessionManager) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !usesSession(r.URL.Path) {
			return next(c)
		}
		raw, err := m.cookies.New(r, sessionCookie)
		if err != nil {
			raw.Values = map[any]any{} // a forged, stale or foreign cookie: start afresh
		}
		s := &session{raw: raw, dirty: err != nil}
		if tok, _ := raw.Values["csrf"].(string); tok != "" {
			s.csrf = tok
		} else {
			s.csrf = auth.NewToken()
			raw.Values["csrf"] = s.csrf
			s.dirty = true
		}
		if sid, _ := raw.Values["sid"].(string); sid != "" {
			if err := m.resume(r.Context(), s, sid); err != nil {
				return err
			}
		}
		c.Set(sessionCtxKey, s)
		c.Response().Before(func() {
			if !s.dirty {
				return
			}
			if err := m.cookies.Save(r, c.Response().Writer, s.raw); err != nil {
				m.log.Error("save session cookie", "id", requestIDOf(c), "err", err)
			}
		})
		return next(c)
	}
}

// resume looks up the session id and, if the session is still alive,
// attaches its admin; otherwise it forgets the id.
func (m *sessionManager) resume(ctx context.Context, s *session, sid string) error {
	h := auth.HashToken(sid)
	as, err := m.db.Session(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		delete(s.raw.Values, "sid")
		s.dirty = true
		return nil
	}
	if err != nil {
		return err
	}
	now := m.now()
	if now.Sub(as.LastSeenAt) > SessionIdle || now.Sub(as.CreatedAt) > SessionAbsolute {
		if err := m.db.DeleteSession(ctx, h); err != nil {
			return err
		}
		delete(s.raw.Values, "sid")
		s.dirty = true
		return nil
	}
	if now.Sub(as.LastSeenAt) > touchEvery {
		if err := m.db.TouchSession(ctx, h); err != nil {
			return err
		}
	}
	s.admin, s.idHash = Admin{ID: as.AdminID, Email: as.Email}, h
	return nil
}

// login starts a new session for the admin: a new session id and CSRF
// token, and nothing carried over from before except pending flashes.
func (m *sessionManager) login(c echo.Context, adminID int64, email string) error {
	s := sessionOf(c)
	if s == nil {
		return errors.New("web: login without a session")
	}
	ctx := c.Request().Context()
	if s.idHash != "" {
		if err := m.db.DeleteSession(ctx, s.idHash); err != nil {
			return err
		}
	}
	now := m.now()
	if _, err := m.db.DeleteExpiredSessions(ctx, now.Add(-SessionIdle), now.Add(-SessionAbsolute)); err != nil {
		m.log.Warn("prune expired sessions", "err", err)
	}
	sid := auth.NewToken()
	if err := m.db.CreateSession(ctx, auth.HashToken(sid), adminID); err != nil {
		return err
	}
	flashes := s.raw.Values["flash"]
	s.raw.Values = map[any]any{"sid": sid}
	if flashes != nil {
		s.raw.Values["flash"] = flashes
	}
	s.csrf = auth.NewToken()
	s.raw.Values["csrf"] = s.csrf
	s.admin, s.idHash, s.dirty = Admin{ID: adminID, Email: email}, auth.HashToken(sid), true
	return nil
}

// logout ends the session server-side and gives the browser a fresh,
// signed-out one.
func (m *sessionManager) logout(c echo.Context) error {
	s := sessionOf(c)
	if s == nil {
		return nil
	}
	if s.idHash != "" {
		if err := m.db.DeleteSession(c.Request().Context(), s.idHash); err != nil {
			return err
		}
	}
	s.csrf = auth.NewToken()
	s.raw.Values = map[any]any{"csrf": s.csrf}
	s.admin, s.idHash, s.dirty = Admin{}, "", true
	return nil
}

// sessionOf returns the request's session, nil on paths without one.
func sessionOf(c echo.Context) *session {
	s, _ := c.Get(sessionCtxKey).(*session)
	return s
}

// CurrentAdmin returns the signed-in admin of the request.
func CurrentAdmin(c echo.Context) (Admin, bool) {
	s := sessionOf(c)
	if s == nil || s.admin.ID == 0 {
		return Admin{}, false
	}
	return s.admin, true
}

// addFlash queues a message for the next page this browser renders.
func addFlash(c echo.Context, kind views.FlashKind, msg string) {
	s := sessionOf(c)
	if s == nil {
		return
	}
	fs := flashesOf(s)
	fs = append(fs, views.Flash{Kind: kind, Message: msg})
	b, _ := json.Marshal(fs)
	s.raw.Values["flash"] = string(b)
	s.dirty = true
}

// takeFlashes returns the queued flash messages and forgets them.
func takeFlashes(c echo.Context) []views.Flash {
	s := sessionOf(c)
	if s == nil {
		return nil
	}
	fs := flashesOf(s)
	if _, ok := s.raw.Values["flash"]; ok {
		delete(s.raw.Values, "flash")
		s.dirty = true
	}
	return fs
}

func flashesOf(s *session) []views.Flash {
	raw, _ := s.raw.Values["flash"].(string)
	var fs []views.Flash
	if raw != "" {
		json.Unmarshal([]byte(raw), &fs)
	}
	return fs
}
