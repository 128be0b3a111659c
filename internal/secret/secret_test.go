package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenRoundTripAndLabelBinding(t *testing.T) {
	b, err := New(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal([]byte("pina_token"), "integration/1/access_token")
	if bytes.Contains(sealed, []byte("pina_token")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := b.Open(sealed, "integration/1/access_token")
	if err != nil || string(got) != "pina_token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed, "integration/2/access_token"); !errors.Is(err, ErrOpen) {
		t.Fatalf("Open with another label = %v, want ErrOpen", err)
	}
	other, _ := New(NewKey())
	if _, err := other.Open(sealed, "integration/1/access_token"); !errors.Is(err, ErrOpen) {
		t.Fatalf("Open with another key = %v, want ErrOpen", err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := b.Open(tampered, "integration/1/access_token"); !errors.Is(err, ErrOpen) {
		t.Fatalf("Open of tampered value = %v, want ErrOpen", err)
	}
	for _, short := range [][]byte{nil, {1}, sealed[:10]} {
		if _, err := b.Open(short, "x"); !errors.Is(err, ErrOpen) {
			t.Fatalf("Open(%v) = %v, want ErrOpen", short, err)
		}
	}
}

func TestParseKey(t *testing.T) {
	k := NewKey()
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(k),
		base64.RawURLEncoding.EncodeToString(k) + "\n",
	} {
		got, err := ParseKey(s)
		if err != nil || !bytes.Equal(got, k) {
			t.Fatalf("ParseKey(%q) = %v, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "not base64!!", base64.StdEncoding.EncodeToString(k[:16])} {
		if _, err := ParseKey(bad); err == nil {
			t.Fatalf("ParseKey(%q) accepted a bad key", bad)
		}
	}
}

func TestKeyFileCreatedOnceWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first load: created=%v err=%v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second load: created=%v err=%v same=%v", created, err, bytes.Equal(k1, k2))
	}
	os.WriteFile(path, []byte("garbage"), 0o600)
	if _, _, err := LoadOrCreateKeyFile(path); err == nil {
		t.Fatal("a damaged key file was accepted")
	}
}
