package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"pinaccess/internal/sandbox"
)

// outWatch is the sandbox command's stdout; it reports the base URL as soon
// as it is printed.
type outWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	base chan string
	sent bool
}

var sandboxBaseRE = regexp.MustCompile(`(?s)Pinterest sandbox listening on (\S+)\n.*Stop with Ctrl-C`)

func (w *outWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := sandboxBaseRE.FindSubmatch(w.buf.Bytes()); m != nil && !w.sent {
		w.sent = true
		w.base <- string(m[1])
	}
	return len(p), nil
}

func (w *outWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func startSandbox(t *testing.T, extra ...string) (base string, out *outWatch, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &outWatch{base: make(chan string, 1)}
	var errOut bytes.Buffer
	done := make(chan error, 1)
	args := append([]string{"sandbox", "--addr", "127.0.0.1:0"}, extra...)
	go func() { done <- Run(ctx, args, Stdio{In: strings.NewReader(""), Out: out, Err: &errOut}) }()
	select {
	case base = <-out.base:
	case err := <-done:
		cancel()
		t.Fatalf("sandbox exited: %v\n%s", err, errOut.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("sandbox did not start within 30s")
	}
	return base, out, func() error { cancel(); return <-done }
}

func TestSandboxCommandServesTheWholeFlow(t *testing.T) {
	base, out, stop := startSandbox(t, "--dataset", "small", "--seed", "3")
	for _, want := range []string{"API base URL   " + base + "/v5", "ID 1000001, secret sandbox-secret",
		"Business ID    482344901002451200", "sandbox-admin        BIZ_ADMIN", "sandbox-employee     EMPLOYEE",
		"sandbox-outsider     not a member", "small, seed 3: 30 members"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	redirect := "http://127.0.0.1:5555/cb"
	res, err := noRedirect.PostForm(base+"/oauth/", url.Values{"client_id": {"1000001"}, "redirect_uri": {redirect},
		"response_type": {"code"}, "scope": {"biz_access:read,ads:read"}, "state": {"s"}, "user": {"sandbox-admin"}, "decision": {"allow"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	code := loc.Query().Get("code")
	if res.StatusCode != http.StatusFound || code == "" {
		t.Fatalf("consent: %d %s", res.StatusCode, loc)
	}
	req, _ := http.NewRequest("POST", base+"/v5/oauth/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("1000001", "sandbox-secret")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	req, _ = http.NewRequest("GET", base+"/v5/businesses/482344901002451200/members?page_size=250", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.Count(string(body), `"business_roles"`) != 28 {
		t.Errorf("members: %d %.300s", res.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Errorf("sandbox returned %v after shutdown", err)
	}
}

func TestSandboxCommandLoadsADatasetFile(t *testing.T) {
	d, _ := sandbox.Generate("small", 1)
	d.Business.Name = "Ünïcode Bäkery"
	path := filepath.Join(t.TempDir(), "biz.json")
	var buf bytes.Buffer
	d.WriteJSON(&buf)
	os.WriteFile(path, buf.Bytes(), 0o600)
	_, out, stop := startSandbox(t, "--dataset", path, "--rate-limit", "5", "--latency", "1ms", "--error-rate", "0.1", "--retry-after")
	if !strings.Contains(out.String(), "Business ID    482344901002451200 (Ünïcode Bäkery)") {
		t.Errorf("output:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}

func TestSandboxCommandRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"business":{"id":"12x","username":"b"},"users":[]}`), 0o600)
	unknownField := filepath.Join(dir, "typo.json")
	os.WriteFile(unknownField, []byte(`{"busines":{}}`), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dataset", "huge"}, "want small, medium, large, xl or a .json file"},
		{[]string{"--dataset", filepath.Join(dir, "missing.json")}, "no such file"},
		{[]string{"--dataset", broken}, `business id "12x"`},
		{[]string{"--dataset", unknownField}, `unknown field "busines"`},
		{[]string{"--error-rate", "2"}, "from 0 to 1"},
		{[]string{"--latency", "-1s"}, "cannot be negative"},
	} {
		err := Run(context.Background(), append([]string{"sandbox", "--addr", "127.0.0.1:0"}, tc.args...), Stdio{Out: io.Discard, Err: io.Discard})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
