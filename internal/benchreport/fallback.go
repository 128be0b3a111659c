package main

// Stand-ins for command-line features pinaccess lacks when the harness
// runs. Each is used only when the pinaccess binary does not offer the
// feature (checked from its help output), and the report names the ones
// used, so a reader knows which measurements went through the product's own
// commands.
//
//   - `pinaccess integration add --token-stdin`: without it, the harness
//     records the connected integration through internal/store with a token
//     sealed under the same secret key, as the command would.
//   - `pinaccess sync --quota N`: without it, the command paces its client
//     at the integration's tier (Standard: ads_read 1,000 a minute), which makes
//     `large` take minutes whatever the sandbox allows. Without a flag, the
//     harness runs the sync as a child process of its own ("sync-child")
//     with the wiring of internal/cli/sync.go and the client's quota set to
//     the sandbox's.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"pinaccess/internal/importer"
	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
)

// Features are what the pinaccess binary offers, from its help output.
type Features struct {
	IntegrationAdd bool // `integration add` exists
	SyncQuotaFlag  bool // `sync --quota N` sets the client's quota
	Export         bool // `export` exists
}

func (p *Pinaccess) features(ctx context.Context) Features {
	var f Features
	out, _ := p.Command(ctx, "help").CombinedOutput()
	f.IntegrationAdd = strings.Contains(string(out), "integration add")
	f.Export = strings.Contains(string(out), "\n  export ")
	out, _ = p.Command(ctx, "sync", "--help").CombinedOutput()
	f.SyncQuotaFlag = strings.Contains(string(out), "-quota")
	return f
}

// addIntegrationStore records a connected sandbox integration holding
// token, sealed with the key the pinaccess commands use (from
// PINACCESS_SECRET_KEY in p's environment).
func (p *Pinaccess) addIntegrationStore(ctx context.Context, db, businessID, token string) (int64, error) {
	box, err := p.box()
	if err != nil {
		return 0, err
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	id, err := st.AddConnectedIntegration(ctx, store.ConnectedIntegration{Name: "Sandbox (bench)", Environment: "sandbox",
		BusinessID: businessID, AppID: sandbox.DefaultAppID, SyncInterval: "off"})
	if err != nil {
		return 0, err
	}
	err = st.SaveIntegrationTokens(ctx, id, box.Seal([]byte(token), store.SecretLabel(id, "access_token")), nil,
		time.Now().Add(24*time.Hour), time.Time{})
	return id, err
}

func (p *Pinaccess) box() (*secret.Box, error) {
	for _, kv := range p.env {
		if v, ok := strings.CutPrefix(kv, "PINACCESS_SECRET_KEY="); ok {
			key, err := secret.ParseKey(v)
			if err != nil {
				return nil, err
			}
			return secret.New(key)
		}
	}
	return nil, errors.New("no PINACCESS_SECRET_KEY in the commands' environment")
}

// syncCommand is the measured sync: `pinaccess sync` when it can be told
// the quota, else this harness's sync-child.
func (p *Pinaccess) syncCommand(ctx context.Context, f Features, db string, id int64, apiURL string, quota int) (*exec.Cmd, error) {
	if f.SyncQuotaFlag {
		return p.Command(ctx, "sync", "--db", db, "--api-url", apiURL, "--quota", strconv.Itoa(quota), strconv.FormatInt(id, 10)), nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "sync-child", "-db", db, "-api-url", apiURL, "-rate-limit", strconv.Itoa(quota),
		"-integration", strconv.FormatInt(id, 10))
	cmd.Env = p.env
	cmd.WaitDelay = 10 * time.Second
	return cmd, nil
}

// runSyncChild is `benchreport sync-child`: one sync of an integration with
// the wiring of `pinaccess sync` and the client's quota set to rate-limit
// calls a minute in every category.
func runSyncChild(args []string) error {
	fs := flag.NewFlagSet("sync-child", flag.ContinueOnError)
	db := fs.String("db", "", "database")
	apiURL := fs.String("api-url", "", "API base ending in /v5")
	quota := fs.Int("rate-limit", 0, "client quota per minute per category")
	id := fs.Int64("integration", 0, "integration ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	key, err := secret.ParseKey(os.Getenv("PINACCESS_SECRET_KEY"))
	if err != nil {
		return err
	}
	box, err := secret.New(key)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := pinterest.Options{}
	if *quota > 0 {
		q := pinterest.Quota(*quota, time.Minute)
		opts.Limits = map[pinterest.Category]pinterest.Limit{pinterest.AdsRead: q, pinterest.AllTraffic: q,
			pinterest.OrgRead: q, pinterest.AdsWrite: q, pinterest.OrgWrite: q}
	}
	api := strings.TrimRight(*apiURL, "/")
	conn := importer.StoreConnector{Store: st, Box: box, Client: opts,
		Endpoint: func(string) (pinterest.Endpoint, error) {
			return pinterest.Endpoint{APIURL: api, TokenURL: api + "/oauth/token"}, nil
		}}
	m := importer.NewManager(st, conn.Connect, importer.Options{})
	defer m.Close()
	runID, err := m.Start(ctx, *id, "cli")
	if err != nil {
		return err
	}
	run, err := m.Wait(ctx, runID)
	if err != nil {
		return err
	}
	fmt.Printf("sync %d %s: %d API calls, %d grant rows\n", run.ID, run.Status, run.APICallsTotal, run.Counts.Grants)
	if run.Status != store.RunSucceeded {
		return fmt.Errorf("sync %d %s: %s", run.ID, run.Status, run.Error)
	}
	return nil
}
