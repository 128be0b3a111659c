package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"pinaccess/internal/config"
	"pinaccess/internal/export"
	"pinaccess/internal/store"
)

// runExport is `pinaccess export INTEGRATION_ID KIND [-o FILE]`: the kind's
// whole list as CSV, the same bytes as an unfiltered download, recorded in
// the audit log as a command-line export. Without -o it writes to standard
// output; with -o the file appears only once the export is complete.
func runExport(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	var dbPath, out, logLevel string
	config.BindDB(fs, &dbPath)
	fs.StringVar(&out, "o", "", "write to this file instead of standard output")
	fs.StringVar(&logLevel, "log-level", config.Env("PINACCESS_LOG_LEVEL", "warn"), "debug, info, warn or error (env PINACCESS_LOG_LEVEL)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errBadArgs
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("export: %q is not an integration ID (see pinaccess integration list)", pos[0])
	}
	kind := pos[1]
	if _, ok := export.Columns(kind); !ok {
		return fmt.Errorf("export: unknown kind %q: use one of %s", kind, strings.Join(export.Kinds(), ", "))
	}
	log, err := newLogger(stdio.Err, logLevel)
	if err != nil {
		return err
	}
	st, _, err := openStore(ctx, dbPath, log)
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := st.Integration(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("export: there is no integration %d (see pinaccess integration list)", id)
	}
	if err != nil {
		return err
	}
	req := export.Request{IntegrationID: in.ID, IntegrationName: in.Name, BusinessID: in.BusinessID, Kind: kind,
		Actor: store.AuditActorCLI}
	if out == "" {
		w := bufio.NewWriter(stdio.Out)
		if _, err := export.Audited(ctx, w, st, st, req); err != nil {
			return err
		}
		return w.Flush()
	}
	// Write beside the target and rename, so a failed export never leaves
	// a truncated file that looks complete. The rename would replace a
	// symlink or device (-o /dev/stdout) with a plain file, so only regular
	// files are taken.
	if fi, err := os.Lstat(out); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("export: -o %s is not a regular file; leave -o out to write to standard output", out)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	rows, err := export.Audited(ctx, tmp, st, st, req)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("export: %w", cerr)
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdio.Err, "wrote %d %s rows to %s\n", rows, kind, out)
	return nil
}
