package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"pinaccess/internal/auth"
	"pinaccess/internal/config"
	"pinaccess/internal/importer"
	"pinaccess/internal/integration"
	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
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
	if err := bootstrapAdmin(ctx, st, cfg, log); err != nil {
		return err
	}

	deps := web.Deps{Store: st, Secrets: box, Log: log, Config: cfg}
	if cfg.Sandbox {
		sb, err := sandbox.New(sandbox.Options{BaseURL: cfg.BaseURL + "/sandbox", RedirectBases: []string{cfg.BaseURL}})
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		deps.Sandbox = sb
	}
	// Syncs started from the dashboard (the wizard's first sync, Sync now)
	// run in this process; shutting down cancels them and records it.
	envs := integration.Environments{}
	if cfg.Sandbox {
		envs.SandboxURL = cfg.BaseURL + "/sandbox"
	}
	if n, err := st.MarkInterruptedRuns(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Warn("syncs left running by the previous start were marked interrupted", "runs", n)
	}
	conn := importer.StoreConnector{Store: st, Box: box, Endpoint: envs.Endpoint, Client: pinterest.Options{Logger: log}}
	syncs := importer.NewManager(st, conn.Connect, importer.Options{Logger: log, Warm: true})
	defer syncs.Close()
	deps.Syncs = syncs
	e, err := web.New(deps)
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
	// Connected integrations sync on their own interval, once the listener
	// is up (the embedded sandbox is reached through it); the scheduler
	// stops with the server.
	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	go importer.NewScheduler(syncs, st, importer.SchedulerOptions{Logger: log}).Run(schedCtx)
	go warmInventories(schedCtx, st, log)
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

// bootstrapAdmin creates the admin named by PINACCESS_ADMIN_EMAIL and
// PINACCESS_ADMIN_PASSWORD if it does not exist, and, when there is still
// no admin, logs a one-time setup link for creating the first one.
func bootstrapAdmin(ctx context.Context, st *store.Store, cfg config.Config, log *slog.Logger) error {
	admins := auth.NewAdmins(st, nil)
	if cfg.AdminEmail != "" {
		created, err := admins.Ensure(ctx, cfg.AdminEmail, cfg.AdminPassword)
		if fe := (auth.FieldErrors{}); errors.As(err, &fe) {
			return fmt.Errorf("PINACCESS_ADMIN_EMAIL/PINACCESS_ADMIN_PASSWORD: %s", fe.Error())
		}
		if err != nil {
			return err
		}
		if created {
			log.Info("created the admin from PINACCESS_ADMIN_EMAIL", "email", auth.NormalizeEmail(cfg.AdminEmail))
		}
	}
	need, err := admins.NeedsSetup(ctx)
	if err != nil || !need {
		return err
	}
	token, err := admins.IssueSetupToken(ctx)
	if err != nil {
		return err
	}
	log.Warn("no admin yet: open this one-time link to create the first one (valid 24 hours, until the next start)",
		"url", cfg.BaseURL+"/setup?token="+token)
	return nil
}

// warmInventories prepares the inventory pages of every integration's
// current snapshot in the background (store.WarmInventory), so that the
// first admin after a start does not wait for their counts.
func warmInventories(ctx context.Context, st *store.Store, log *slog.Logger) {
	start := time.Now()
	ins, err := st.Integrations(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("could not list integrations to prepare their inventories", "error", err)
		}
		return
	}
	for _, in := range ins {
		if err := st.WarmInventory(ctx, in.ID); err != nil {
			if ctx.Err() == nil {
				log.Warn("could not prepare an inventory's counts", "integration", in.ID, "error", err)
			}
			return
		}
	}
	log.Info("inventories prepared", "integrations", len(ins), "duration", time.Since(start).Round(time.Millisecond))
}
