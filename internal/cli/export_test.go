package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pinaccess/internal/inventorytest"
	"pinaccess/internal/sandbox"
	"pinaccess/internal/secret"
	"pinaccess/internal/store"
	"pinaccess/internal/webtest"
)

func TestExportWritesTheSameBytesAsTheDownloadAndIsAudited(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "pinaccess.db")
	key := secret.NewKey()
	t.Setenv("PINACCESS_SECRET_KEY", base64.StdEncoding.EncodeToString(key))
	srv := webtest.Start(t, webtest.Options{DBPath: db, SecretKey: key})
	d, err := sandbox.Generate("medium", 1)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := inventorytest.Import(ctx, srv.Store, d, inventorytest.Integration{})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateAdmin(t, "ops@example.com", "correct horse battery staple")
	c := srv.Client(t)
	c.Login(t, "ops@example.com", "correct horse battery staple")

	for _, kind := range []string{"access", "members", "changes"} {
		res := c.Get(t, fmt.Sprintf("/integrations/%d/export/%s.csv", id, kind))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("download %s: %d", kind, res.StatusCode)
		}
		var out, errOut bytes.Buffer
		if err := Run(ctx, []string{"export", "--db", db, fmt.Sprint(id), kind}, Stdio{Out: &out, Err: &errOut}); err != nil {
			t.Fatalf("export %s: %v: %s", kind, err, errOut.String())
		}
		if out.String() != res.Body {
			t.Fatalf("export %s to stdout (%d bytes) differs from the download (%d bytes)", kind, out.Len(), len(res.Body))
		}
		file := filepath.Join(dir, kind+".csv")
		if err := Run(ctx, []string{"export", fmt.Sprint(id), kind, "-o", file, "--db", db}, Stdio{Out: &out, Err: &errOut}); err != nil {
			t.Fatalf("export %s -o: %v", kind, err)
		}
		got, err := os.ReadFile(file)
		if err != nil || string(got) != res.Body {
			t.Fatalf("export %s -o wrote %d bytes (%v), the download has %d", kind, len(got), err, len(res.Body))
		}
	}

	page, err := srv.Store.AuditEntries(ctx, store.AuditQuery{IntegrationID: id, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	byActor := map[string]int{}
	for _, e := range page.Rows {
		if e.Outcome != store.AuditCompleted || e.Rows == 0 && e.Kind != "changes" {
			t.Errorf("audit entry %+v", e)
		}
		byActor[e.Actor]++
	}
	if byActor[store.AuditActorCLI] != 6 || byActor["ops@example.com"] != 3 {
		t.Fatalf("audit entries by actor: %v; want 6 from the command line and 3 downloads", byActor)
	}
}

func TestExportRefusesBadArgumentsWithoutWritingAFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pinaccess.db")
	t.Setenv("PINACCESS_SECRET_KEY", base64.StdEncoding.EncodeToString(secret.NewKey()))
	file := filepath.Join(dir, "out.csv")
	for _, args := range [][]string{
		{"export", "--db", db, "1"},
		{"export", "--db", db, "x", "members", "-o", file},
		{"export", "--db", db, "1", "passwords", "-o", file},
		{"export", "--db", db, "99", "members", "-o", file},
	} {
		var out, errOut bytes.Buffer
		err := Run(context.Background(), args, Stdio{Out: &out, Err: &errOut})
		if err == nil {
			t.Errorf("%s: no error", strings.Join(args, " "))
		}
		if _, serr := os.Stat(file); serr == nil {
			t.Fatalf("%s left a file", strings.Join(args, " "))
		}
	}
}

func TestExportRefusesToReplaceALinkOrDevice(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pinaccess.db")
	t.Setenv("PINACCESS_SECRET_KEY", base64.StdEncoding.EncodeToString(secret.NewKey()))
	target := filepath.Join(dir, "target.txt")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	st, _, err := openStore(context.Background(), db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.AddConnectedIntegration(context.Background(), store.ConnectedIntegration{Name: "S", Environment: "sandbox", BusinessID: "1"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = Run(context.Background(), []string{"export", "--db", db, strconv.FormatInt(id, 10), "members", "-o", link}, Stdio{Out: &out, Err: &errOut})
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("export to a symlink: %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Fatalf("the link's target changed: %q", b)
	}
}
