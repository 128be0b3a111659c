package cli

import (
	"context"
	"errors"
	"flag"
)

// These commands are being built; they are replaced by their own files.

func runSandbox(ctx context.Context, fs *flag.FlagSet, args []string, stdio Stdio) error {
	return errors.New("sandbox: not built yet")
}
