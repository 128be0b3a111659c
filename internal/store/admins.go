package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrAdminExists is returned when an admin with the same email (compared
// without case) already exists, or, for the first-admin setup, when any
// admin exists.
var ErrAdminExists = errors.New("store: an admin with this email already exists")

// ErrSetupClosed is returned by CreateFirstAdmin once an admin exists.
var ErrSetupClosed = errors.New("store: pinaccess already has an admin")

// ErrSetupTokenInvalid is returned for a setup token that is unknown,
// already used or expired.
var ErrSetupTokenInvalid = errors.New("store: the setup token is not valid")

// Admin is a person who can sign in to the dashboard.
type Admin struct {
	ID           int64
	Email        string
	PasswordHash string
	CreatedAt    time.Time
	LastLoginAt  time.Time // zero until the first login
}

// AdminSession is a signed-in session and the admin it belongs to.
type AdminSession struct {
	AdminID    int64
	Email      string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

const adminColumns = `id, email, password_hash, created_at, COALESCE(last_login_at, 0)`

func scanAdmin(row interface{ Scan(...any) error }) (Admin, error) {
	var a Admin
	var created, last int64
	if err := row.Scan(&a.ID, &a.Email, &a.PasswordHash, &created, &last); err != nil {
		return Admin{}, err
	}
	a.CreatedAt, a.LastLoginAt = fromMilli(created), fromMilli(last)
	return a, nil
}

// CreateAdmin adds an admin. email must already be normalised; passwordHash
// is the hash, never the password. A duplicate email is ErrAdminExists.
func (s *Store) CreateAdmin(ctx context.Context, email, passwordHash string) (Admin, error) {
	var a Admin
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = insertAdmin(ctx, tx, email, passwordHash, s.now())
		return err
	})
	if err != nil {
		return Admin{}, fmt.Errorf("store: create admin: %w", err)
	}
	return a, nil
}

func insertAdmin(ctx context.Context, tx *sql.Tx, email, passwordHash string, now time.Time) (Admin, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM admins WHERE email = ?`, email).Scan(&n); err != nil {
		return Admin{}, err
	}
	if n > 0 {
		return Admin{}, ErrAdminExists
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO admins (email, password_hash, created_at) VALUES (?, ?, ?)`,
		email, passwordHash, now.UnixMilli())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return Admin{}, ErrAdminExists
		}
		return Admin{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Admin{}, err
	}
	return Admin{ID: id, Email: email, PasswordHash: passwordHash, CreatedAt: fromMilli(now.UnixMilli())}, nil
}

// AdminByEmail returns the admin with email (compared without case), or
// ErrNotFound.
func (s *Store) AdminByEmail(ctx context.Context, email string) (Admin, error) {
	a, err := scanAdmin(s.read.QueryRowContext(ctx, `SELECT `+adminColumns+` FROM admins WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return Admin{}, ErrNotFound
	}
	if err != nil {
		return Admin{}, fmt.Errorf("store: admin by email: %w", err)
	}
	return a, nil
}

// CountAdmins returns how many admins exist.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM admins`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count admins: %w", err)
	}
	return n, nil
}

// RecordLogin stamps the admin's last login time.
func (s *Store) RecordLogin(ctx context.Context, adminID int64) error {
	_, err := s.w.ExecContext(ctx, `UPDATE admins SET last_login_at = ? WHERE id = ?`, s.now().UnixMilli(), adminID)
	if err != nil {
		return fmt.Errorf("store: record login: %w", err)
	}
	return nil
}

// ReplaceSetupToken stores the hash of a new one-time setup token valid
// until expires, and forgets every unused earlier token: only the link
// logged last works.
func (s *Store) ReplaceSetupToken(ctx context.Context, tokenHash string, expires time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens WHERE used_at IS NULL`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)`,
			tokenHash, s.now().UnixMilli(), expires.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: replace setup token: %w", err)
	}
	return nil
}

// CheckSetupToken returns nil when tokenHash names an unused, unexpired
// setup token, ErrSetupTokenInvalid otherwise.
func (s *Store) CheckSetupToken(ctx context.Context, tokenHash string) error {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		tokenHash, s.now().UnixMilli()).Scan(&n)
	if err != nil {
		return fmt.Errorf("store: check setup token: %w", err)
	}
	if n == 0 {
		return ErrSetupTokenInvalid
	}
	return nil
}

// CreateFirstAdmin uses the setup token and creates the first admin, in one
// transaction: the token must be unused and unexpired (ErrSetupTokenInvalid)
// and no admin may exist yet (ErrSetupClosed). On any error nothing changes.
func (s *Store) CreateFirstAdmin(ctx context.Context, tokenHash, email, passwordHash string) (Admin, error) {
	var a Admin
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM admins`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrSetupClosed
		}
		res, err := tx.ExecContext(ctx, `UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			now.UnixMilli(), tokenHash, now.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrSetupTokenInvalid
		}
		a, err = insertAdmin(ctx, tx, email, passwordHash, now)
		return err
	})
	if err != nil {
		return Admin{}, fmt.Errorf("store: create first admin: %w", err)
	}
	return a, nil
}

// CreateSession records a new signed-in session for an admin under the hash
// of its id.
func (s *Store) CreateSession(ctx context.Context, idHash string, adminID int64) error {
	now := s.now().UnixMilli()
	_, err := s.w.ExecContext(ctx, `INSERT INTO admin_sessions (id_hash, admin_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
		idHash, adminID, now, now)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Session returns the session stored under idHash with its admin's email,
// or ErrNotFound.
func (s *Store) Session(ctx context.Context, idHash string) (AdminSession, error) {
	var as AdminSession
	var created, seen int64
	err := s.read.QueryRowContext(ctx, `
		SELECT s.admin_id, a.email, s.created_at, s.last_seen_at
		FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
		WHERE s.id_hash = ?`, idHash).Scan(&as.AdminID, &as.Email, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return AdminSession{}, ErrNotFound
	}
	if err != nil {
		return AdminSession{}, fmt.Errorf("store: session: %w", err)
	}
	as.CreatedAt, as.LastSeenAt = fromMilli(created), fromMilli(seen)
	return as, nil
}

// TouchSession moves the session's last-seen time to now.
func (s *Store) TouchSession(ctx context.Context, idHash string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE admin_sessions SET last_seen_at = ? WHERE id_hash = ?`, s.now().UnixMilli(), idHash)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends the session stored under idHash; an unknown id is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM admin_sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore, and returns how many it removed.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM admin_sessions WHERE last_seen_at < ? OR created_at < ?`,
		idleBefore.UnixMilli(), createdBefore.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
