package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"pinaccess/internal/config"
	"pinaccess/internal/integration"
	"pinaccess/internal/store"
)

// runIntegrationList is `pinaccess integration list`: every integration
// with its status and latest sync.
func runIntegrationList(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	var dbPath string
	config.BindDB(fs, &dbPath)
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return errBadArgs
	}
	// Listing touches no sealed value: only the store is opened.
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	ovs, err := st.IntegrationOverviews(ctx)
	if err != nil {
		return err
	}
	if len(ovs) == 0 {
		fmt.Fprintln(stdio.Out, "No integrations yet: add one on the dashboard (/integrations/new) or with 'pinaccess integration add'.")
		return nil
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tENVIRONMENT\tBUSINESS\tSTATUS\tLAST SYNC")
	for _, o := range ovs {
		last := "never"
		if o.LastRun.ID != 0 {
			last = fmt.Sprintf("%s %s (run %d)", o.LastRun.Status, o.LastRun.StartedAt.Format("2006-01-02 15:04 UTC"), o.LastRun.ID)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", o.ID, oneLine(o.Name), o.Environment, dash(o.BusinessID), o.Status, last)
	}
	return tw.Flush()
}

// runIntegrationAdd is `pinaccess integration add --business ID --api-url
// URL --token-stdin`: it connects with an existing token instead of the
// consent page, after the same checks as the wizard (the account behind
// the token is a BIZ_ADMIN of the business, and is the service account
// when one is given).
func runIntegrationAdd(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	var dbPath, logLevel string
	var in integration.TokenSetup
	var fromStdin bool
	config.BindDB(fs, &dbPath)
	fs.StringVar(&in.BusinessID, "business", "", "the Business Manager ID (required)")
	fs.StringVar(&in.APIURL, "api-url", "", "the API base ending in /v5: https://api.pinterest.com/v5, or a sandbox's …/sandbox/v5 (required)")
	fs.BoolVar(&fromStdin, "token-stdin", false, "read the access token from the first line of standard input and an optional refresh token from the second (required)")
	fs.StringVar(&in.Name, "name", "", "the integration's name; default \"Business <ID>\"")
	fs.StringVar(&in.ServiceAccount, "service-account", "", "username or email the token must belong to (checked when given)")
	fs.StringVar(&in.AppID, "app-id", "", "the Pinterest app's ID, needed to renew a refresh token; its secret is read from PINACCESS_APP_SECRET")
	fs.StringVar(&logLevel, "log-level", config.Env("PINACCESS_LOG_LEVEL", "warn"), "debug, info, warn or error (env PINACCESS_LOG_LEVEL)")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || in.BusinessID == "" || in.APIURL == "" || !fromStdin {
		return errBadArgs
	}
	var err error
	in.AccessToken, in.RefreshToken, err = readTokens(stdio.In)
	if err != nil {
		return err
	}
	if in.AppID != "" {
		in.AppSecret = os.Getenv("PINACCESS_APP_SECRET")
	}
	log, err := newLogger(stdio.Err, logLevel)
	if err != nil {
		return err
	}
	st, box, err := openStore(ctx, dbPath, log)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := &integration.Service{Store: st, Box: box, Log: log}
	id, user, err := svc.AddWithToken(ctx, in)
	var fe integration.FieldErrors
	var ce *integration.ConnectError
	switch {
	case errors.As(err, &fe):
		return fmt.Errorf("integration add: %s", fe.Error())
	case errors.As(err, &ce):
		return fmt.Errorf("integration add: refused (%s): %s", ce.Reason, ce.Message)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdio.Out, "added integration %d: Business Manager %s, connected as %s\n", id, strings.TrimSpace(in.BusinessID), user)
	return nil
}

// readTokens reads the access token (first line) and an optional refresh
// token (second line).
func readTokens(r io.Reader) (access, refresh string, err error) {
	if r == nil {
		return "", "", errors.New("integration add: no standard input to read the token from")
	}
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	var lines []string
	for sc.Scan() && len(lines) < 2 {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("integration add: read token: %w", err)
	}
	if len(lines) == 0 || lines[0] == "" {
		return "", "", errors.New("integration add: no access token on standard input (pipe it in, e.g. printf '%s\\n' \"$TOKEN\" | pinaccess integration add … --token-stdin)")
	}
	if len(lines) == 2 {
		refresh = lines[1]
	}
	return lines[0], refresh, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
