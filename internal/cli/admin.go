package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"pinaccess/internal/auth"
	"pinaccess/internal/config"
	"pinaccess/internal/store"
)

// runAdminCreate is `pinaccess admin create --email E --password-stdin`.
// The password comes from standard input (its first line) so it never shows
// in the process list or shell history.
func runAdminCreate(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	var dbPath, email string
	var fromStdin bool
	config.BindDB(fs, &dbPath)
	fs.StringVar(&email, "email", "", "the new admin's email address (required)")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input (required)")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || email == "" || !fromStdin {
		return errBadArgs
	}
	password, err := readPassword(stdio.In)
	if err != nil {
		return err
	}
	// Only the store is opened, not the secret key: creating an admin
	// touches no sealed data, so it must not create or demand a key file.
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	admin, err := auth.NewAdmins(st, nil).Create(ctx, email, password)
	if fe := (auth.FieldErrors{}); errors.As(err, &fe) {
		return fmt.Errorf("admin create: %s", fe.Error())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "created admin %s (id %d)\n", admin.Email, admin.ID)
	return nil
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("admin create: no standard input to read the password from")
	}
	line, err := bufio.NewReaderSize(io.LimitReader(r, 64<<10), 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("admin create: read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("admin create: no password on standard input (pipe it in, e.g. printf '%s\\n' \"$PASSWORD\" | pinaccess admin create --email … --password-stdin)")
	}
	return line, nil
}
