package web

import (
	"log/slog"

	"pinaccess/internal/auth"
)

// authHandler serves setup, sign-in and sign-out.
type authHandler struct {
	admins   *auth.Admins
	throttle *auth.Throttle
	sessions *sessionManager
	log      *slog.Logger
}
