// Package config holds pinaccess's settings: each a command-line flag with a
// PINACCESS_* environment variable behind it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Config is what `pinaccess serve` (and the commands that share its flags)
// runs with.
type Config struct {
	Addr          string
	DB            string
	BaseURL       string
	Sandbox       bool
	SecretKey     string // base64; empty means use the key file beside the database
	AdminEmail    string
	AdminPassword string
	LogLevel      string

	sandboxRaw *string
}

// Env reads an environment variable, falling back to def.
func Env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// BindDB registers --db on fs.
func BindDB(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "db", Env("PINACCESS_DB", "./data/pinaccess.db"), "SQLite database file; its directory is created (env PINACCESS_DB)")
}

// BindServe registers the flags of `pinaccess serve` on fs.
func (c *Config) BindServe(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", Env("PINACCESS_ADDR", "127.0.0.1:8080"), "address to listen on (env PINACCESS_ADDR)")
	BindDB(fs, &c.DB)
	fs.StringVar(&c.BaseURL, "base-url", Env("PINACCESS_BASE_URL", ""), "public URL of the dashboard, used for OAuth redirects; default http://<addr> (env PINACCESS_BASE_URL)")
	sandbox := Env("PINACCESS_SANDBOX", "on")
	fs.Func("sandbox", "serve the Pinterest sandbox at /sandbox/: on or off; default on (env PINACCESS_SANDBOX)", func(s string) error {
		sandbox = s
		return nil
	})
	fs.StringVar(&c.LogLevel, "log-level", Env("PINACCESS_LOG_LEVEL", "info"), "debug, info, warn or error (env PINACCESS_LOG_LEVEL)")
	c.SecretKey = os.Getenv("PINACCESS_SECRET_KEY")
	c.AdminEmail = os.Getenv("PINACCESS_ADMIN_EMAIL")
	c.AdminPassword = os.Getenv("PINACCESS_ADMIN_PASSWORD")
	c.sandboxRaw = &sandbox
}

// Resolve checks the parsed values and fills in derived defaults.
func (c *Config) Resolve() error {
	if c.sandboxRaw != nil {
		switch strings.ToLower(strings.TrimSpace(*c.sandboxRaw)) {
		case "on", "true", "1", "yes":
			c.Sandbox = true
		case "off", "false", "0", "no":
			c.Sandbox = false
		default:
			return fmt.Errorf("--sandbox must be on or off, not %q", *c.sandboxRaw)
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q is not host:port: %v", c.Addr, err)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--base-url %q must be an absolute http or https URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return errors.New("PINACCESS_ADMIN_EMAIL and PINACCESS_ADMIN_PASSWORD must be set together")
	}
	return nil
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// KeyFile is the path of the secret key file used when PINACCESS_SECRET_KEY
// is unset: next to the database.
func KeyFile(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "pinaccess.key")
}
