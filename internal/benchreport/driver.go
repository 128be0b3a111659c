package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
)

// Pinaccess drives a built pinaccess binary through its command line, as an
// operator or a script would.
type Pinaccess struct {
	Bin      string
	Features Features
	env      []string
}

// buildPinaccess compiles ./cmd/pinaccess into dir once for the whole run.
func buildPinaccess(ctx context.Context, dir string) (*Pinaccess, error) {
	bin := filepath.Join(dir, "pinaccess")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pinaccess")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/pinaccess: %w\n%s", err, out)
	}
	key := make([]byte, 32)
	rand.Read(key)
	env := append(os.Environ(), "PINACCESS_SECRET_KEY="+base64.StdEncoding.EncodeToString(key))
	return &Pinaccess{Bin: bin, env: env}, nil
}

// Command returns a command running pinaccess with args.
func (p *Pinaccess) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.Bin, args...)
	cmd.Env = p.env
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// SandboxSpec is how a sandbox process is started.
type SandboxSpec struct {
	Dataset string
	Seed    int
	Latency time.Duration
	// QuotaPerMinute is the quota of every rate-limit category, in the
	// sandbox and in the client.
	QuotaPerMinute int
}

// unpacedQuota is the quota of the runs without injected latency: high
// enough that neither the sandbox nor the client paces the import, so they
// measure pinaccess rather than Pinterest's quotas.
const unpacedQuota = 10_000_000

// SandboxProc is a running `pinaccess sandbox`.
type SandboxProc struct {
	*Background
	BaseURL string // where /oauth/ and /v5/ are served
}

var urlRe = regexp.MustCompile(`https?://[^\s"']+`)

// startSandbox runs `pinaccess sandbox` on a free port and waits for it to
// print its base URL.
func (p *Pinaccess) startSandbox(ctx context.Context, spec SandboxSpec) (*SandboxProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"sandbox", "--addr", addr, "--dataset", spec.Dataset, "--seed", strconv.Itoa(spec.Seed)}
	if spec.Latency > 0 {
		args = append(args, "--latency", spec.Latency.String())
	}
	if spec.QuotaPerMinute > 0 {
		args = append(args, "--rate-limit", strconv.Itoa(spec.QuotaPerMinute))
	}
	bg, line, err := startBackground(ctx, "sandbox "+spec.Dataset, p.Command(ctx, args...), 5*time.Minute, func(line string) bool {
		return strings.Contains(line, addr)
	})
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(urlRe.FindString(line), "/.,;")
	if base == "" {
		base = "http://" + addr
	}
	// The sandbox may print its API URL (…/v5) or its root; the harness
	// wants the root, where /oauth/ lives.
	base = strings.TrimSuffix(base, "/v5")
	if err := waitHTTP(ctx, base+"/oauth/sandbox.css", time.Minute); err != nil {
		bg.Stop()
		return nil, fmt.Errorf("sandbox at %s: %w", base, err)
	}
	return &SandboxProc{Background: bg, BaseURL: base}, nil
}

// waitHTTP polls url until it answers 200 or the timeout passes.
func waitHTTP(ctx context.Context, u string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not answering: %w", u, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sandboxToken obtains an access and refresh token for sandbox-admin the
// way a script would: the consent page's Allow, then the code exchange.
func sandboxToken(ctx context.Context, base string) (access, refresh string, err error) {
	redirect := "http://127.0.0.1/callback"
	form := url.Values{
		"client_id":     {sandbox.DefaultAppID},
		"redirect_uri":  {redirect},
		"response_type": {"code"},
		"scope":         {strings.Join(pinterest.ImportScopes(), ",")},
		"state":         {"bench"},
		"user":          {sandbox.AdminUsername},
		"decision":      {"allow"},
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/oauth/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noFollow.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("sandbox consent: %w", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		return "", "", fmt.Errorf("sandbox consent: answered %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	tf := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/v5/oauth/token", strings.NewReader(tf.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(sandbox.DefaultAppID, sandbox.DefaultAppSecret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("sandbox token: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("sandbox token: answered %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", "", fmt.Errorf("sandbox token: unreadable answer: %v", err)
	}
	return tok.AccessToken, tok.RefreshToken, nil
}

// createAdmin runs `pinaccess admin create`.
func (p *Pinaccess) createAdmin(ctx context.Context, db, email, password string) error {
	cmd := p.Command(ctx, "admin", "create", "--db", db, "--email", email, "--password-stdin")
	cmd.Stdin = strings.NewReader(password + "\n")
	_, _, err := runMeasured(cmd)
	return err
}

var firstNumber = regexp.MustCompile(`\b(\d+)\b`)

// addIntegration runs `pinaccess integration add` with the tokens on
// standard input (access, then refresh) and returns the new integration's
// ID. The app's ID and secret let pinaccess renew the token.
func (p *Pinaccess) addIntegration(ctx context.Context, db, businessID, apiURL, access, refresh string) (int64, error) {
	cmd := p.Command(ctx, "integration", "add", "--db", db, "--business", businessID, "--api-url", apiURL,
		"--app-id", sandbox.DefaultAppID, "--name", "Sandbox (bench)", "--token-stdin")
	cmd.Env = append(cmd.Env, "PINACCESS_APP_SECRET="+sandbox.DefaultAppSecret)
	cmd.Stdin = strings.NewReader(access + "\n" + refresh + "\n")
	_, out, err := runMeasured(cmd)
	if err != nil {
		return 0, err
	}
	return parseIntegrationID(string(out))
}

// parseIntegrationID finds the integration's ID in what `integration add`
// printed: the number after "id" or "integration", else the only number
// that is not the business ID.
func parseIntegrationID(out string) (int64, error) {
	if m := regexp.MustCompile(`(?i)(?:\bid\b|integration)\D{0,3}(\d{1,12})\b`).FindStringSubmatch(out); m != nil {
		return strconv.ParseInt(m[1], 10, 64)
	}
	for _, m := range firstNumber.FindAllString(out, -1) {
		if len(m) < 13 {
			return strconv.ParseInt(m, 10, 64)
		}
	}
	return 0, fmt.Errorf("integration add printed no integration ID: %q", out)
}

// latencyBound is the least time calls can take under the latency run's
// quota and the client's concurrency: calls / min(quota rate,
// concurrency / latency).
func latencyBound(calls int64, spec SandboxSpec) (float64, int) {
	conc := pinterest.DefaultConcurrency
	rate := float64(conc) / spec.Latency.Seconds()
	if spec.QuotaPerMinute > 0 {
		rate = min(rate, float64(spec.QuotaPerMinute)/60)
	}
	if rate <= 0 {
		return 0, conc
	}
	return float64(calls) / rate, conc
}

// startServe runs `pinaccess serve` on db (sandbox off) on a free port and
// waits for /healthz.
func (p *Pinaccess) startServe(ctx context.Context, db string) (*Background, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	base := "http://" + addr
	// At level info the server logs every request with its duration: the
	// server-side latencies (see serverTimes).
	cmd := p.Command(ctx, "serve", "--db", db, "--addr", addr, "--sandbox", "off", "--log-level", "info")
	bg, _, err := startBackground(ctx, "serve", cmd, 0, nil)
	if err != nil {
		return nil, "", err
	}
	if err := waitHTTP(ctx, base+"/healthz", 2*time.Minute); err != nil {
		bg.Stop()
		return nil, "", fmt.Errorf("serve: %w: %s", err, lastLines(bg.Output(), 10))
	}
	return bg, base, nil
}
