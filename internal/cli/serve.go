package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"pinaccess/internal/config"
	"pinaccess/web"
)

func runServe(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	var cfg config.Config
	cfg.BindServe(fs)
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return errBadArgs
	}
	if err := cfg.Resolve(); err != nil {
		return err
	}
	log, err := newLogger(stdio.Err, cfg.LogLevel)
	if err != nil {
		return err
	}
	st, box, err := openStore(ctx, cfg.DB, log)
	if err != nil {
		return err
	}
	defer st.Close()

	e, err := web.New(web.Deps{Store: st, Secrets: box, Log: log, Config: cfg})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	log.Info("pinaccess is listening", "url", cfg.BaseURL, "addr", ln.Addr().String(), "db", cfg.DB, "sandbox", cfg.Sandbox)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
