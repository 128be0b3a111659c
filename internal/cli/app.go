package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"pinaccess/internal/config"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

// keyCheckSetting holds a value sealed with the installation key, so a wrong
// key is caught at start-up instead of surfacing later as unreadable secrets.
const (
	keyCheckSetting = "secret_key_check"
	keyCheckLabel   = "settings/secret_key_check"
	keyCheckValue   = "pinaccess secret key check v1"
)

// openStore opens the database and the key that seals its secrets. Every
// command that touches the database starts here.
func openStore(ctx context.Context, dbPath string, log *slog.Logger) (*store.Store, *secret.Box, error) {
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, nil, err
	}
	box, err := openKey(ctx, st, dbPath, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, box, nil
}

func openKey(ctx context.Context, st *store.Store, dbPath string, log *slog.Logger) (*secret.Box, error) {
	var key []byte
	source := "PINACCESS_SECRET_KEY"
	if env := os.Getenv("PINACCESS_SECRET_KEY"); env != "" {
		k, err := secret.ParseKey(env)
		if err != nil {
			return nil, fmt.Errorf("PINACCESS_SECRET_KEY: %w", err)
		}
		key = k
	} else {
		path := config.KeyFile(dbPath)
		k, created, err := secret.LoadOrCreateKeyFile(path)
		if err != nil {
			return nil, err
		}
		key = k
		source = "key file " + path
		if created {
			log.Info("created a new secret key file; back it up with the database, or set PINACCESS_SECRET_KEY", "path", path)
		} else {
			log.Info("using the secret key file", "path", path)
		}
	}
	box, err := secret.New(key)
	if err != nil {
		return nil, err
	}
	check, err := st.Setting(ctx, keyCheckSetting)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if err := st.PutSetting(ctx, keyCheckSetting, box.Seal([]byte(keyCheckValue), keyCheckLabel)); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		plain, err := box.Open(check, keyCheckLabel)
		if err != nil || string(plain) != keyCheckValue {
			return nil, fmt.Errorf("the secret key (from %s) is not the one this database's secrets were sealed with; "+
				"set PINACCESS_SECRET_KEY to the original key or restore the original key file beside the database", source)
		}
	}
	return box, nil
}

// newLogger returns a structured logger writing to w at the named level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
