package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"pinaccess/internal/sandbox"
)

// runSandbox is `pinaccess sandbox`: the Pinterest emulator alone, for
// trying pinaccess (or any Pinterest client) without Pinterest.
func runSandbox(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	addr := fs.String("addr", "127.0.0.1:8090", "`host:port` to listen on (port 0 picks a free one)")
	dataset := fs.String("dataset", "medium", "dataset: small, medium, large, xl, or a JSON `file` (see docs/sandbox.md)")
	seed := fs.Int64("seed", 1, "seed of the generated dataset and of injected errors")
	latency := fs.Duration("latency", 0, "delay added to every API answer, e.g. 200ms")
	errorRate := fs.Float64("error-rate", 0, "share (0-1) of API requests answered with a 500")
	rateLimit := fs.Int("rate-limit", 0, "requests per minute allowed per user, app and rate-limit category (0: Pinterest's Standard tier)")
	retryAfter := fs.Bool("retry-after", false, "send a Retry-After header with 429 answers (Pinterest documents none)")
	tokenTTL := fs.Duration("access-token-ttl", 0, "lifetime of access tokens (0: 30 days, as Pinterest)")
	baseURL := fs.String("base-url", "", "public URL of the sandbox (default http://<addr>)")
	redirects := fs.String("redirect-base", "", "comma-separated URL prefixes accepted as redirect URIs besides localhost and loopback addresses")
	dump := fs.Bool("dump-dataset", false, "write the dataset as JSON to standard output and exit")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return errBadArgs
	}
	if *errorRate < 0 || *errorRate > 1 {
		return fmt.Errorf("sandbox: --error-rate %v: want a number from 0 to 1", *errorRate)
	}
	if *latency < 0 || *rateLimit < 0 || *tokenTTL < 0 {
		return errors.New("sandbox: --latency, --rate-limit and --access-token-ttl cannot be negative")
	}
	d, label, err := loadDataset(*dataset, *seed)
	if err != nil {
		return err
	}
	if *dump {
		return d.WriteJSON(stdio.Out)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	base := strings.TrimSuffix(*baseURL, "/")
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	opts := sandbox.Options{
		Dataset:        d,
		BaseURL:        base,
		Seed:           *seed,
		RetryAfter:     *retryAfter,
		Faults:         sandbox.Faults{Latency: *latency, ErrorRate: *errorRate},
		AccessTokenTTL: *tokenTTL,
	}
	for _, r := range strings.Split(*redirects, ",") {
		if r = strings.TrimSpace(r); r != "" {
			opts.RedirectBases = append(opts.RedirectBases, r)
		}
	}
	if *rateLimit > 0 {
		opts.Limits = sandbox.Limits{}
		for c := range sandbox.DefaultLimits() {
			opts.Limits[c] = sandbox.Limit{Requests: *rateLimit, Per: time.Minute}
		}
	}
	sb, err := sandbox.New(opts)
	if err != nil {
		return err
	}
	printSandbox(stdio.Out, base, label, d)

	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sandbox: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sandbox: shutdown: %w", err)
	}
	return nil
}

// loadDataset generates a named size or reads a dataset file.
func loadDataset(name string, seed int64) (*sandbox.Dataset, string, error) {
	if slices.Contains(sandbox.Sizes, name) {
		d, err := sandbox.Generate(name, seed)
		return d, fmt.Sprintf("%s, seed %d", name, seed), err
	}
	if !strings.HasSuffix(strings.ToLower(name), ".json") {
		return nil, "", fmt.Errorf("sandbox: --dataset %q: want small, medium, large, xl or a .json file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox: %w", err)
	}
	defer f.Close()
	d, err := sandbox.LoadDataset(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	return d, name, nil
}

// printSandbox writes the banner in one piece, so whoever watches the
// output sees it whole.
func printSandbox(out io.Writer, base, label string, d *sandbox.Dataset) {
	w := &strings.Builder{}
	defer func() { io.WriteString(out, w.String()) }()
	members := 0
	for _, u := range d.Users {
		if u.IsMember() {
			members++
		}
	}
	fmt.Fprintf(w, "Pinterest sandbox listening on %s\n\n", base)
	fmt.Fprintf(w, "  API base URL   %s/v5\n", base)
	fmt.Fprintf(w, "  Consent page   %s/oauth/\n", base)
	for _, a := range d.Apps {
		fmt.Fprintf(w, "  App            ID %s, secret %s\n", a.ID, a.Secret)
	}
	fmt.Fprintf(w, "  Business ID    %s (%s)\n", d.Business.ID, d.Business.Name)
	fmt.Fprintf(w, "  Dataset        %s: %d members, %d partners, %d assets, %d grants, %d conversion tags, %d invites\n",
		label, members, len(d.Partners), len(d.Assets), len(d.Grants), len(d.ConversionTags), len(d.Invites))
	fmt.Fprintln(w, "  Accounts")
	var shown []sandbox.User
	for _, u := range d.Users {
		if strings.HasPrefix(u.Username, "sandbox-") {
			shown = append(shown, u)
		}
	}
	if len(shown) == 0 {
		shown = d.Users[:min(5, len(d.Users))]
	}
	for _, u := range shown {
		role := "not a member"
		if u.IsMember() {
			role = strings.Join(u.BusinessRoles, ", ")
		}
		fmt.Fprintf(w, "    %-20s %s\n", u.Username, role)
	}
	fmt.Fprintln(w, "\nRedirect URIs on localhost or a loopback address are accepted. Stop with Ctrl-C.")
}
