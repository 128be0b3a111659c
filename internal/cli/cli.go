// Package cli is pinaccess's command line: one binary, sub-commands that
// share one help style, everything wired by hand here.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ErrUsage is returned after a usage message has been printed; the process
// exits with status 2.
var ErrUsage = errors.New("usage")

// Stdio carries the standard streams, so tests can run commands in-process.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// command is one sub-command. Its flags are declared inside run, through the
// FlagSet it is given, so every command parses and prints help the same way.
type command struct {
	name    string
	args    string // synopsis of positional arguments
	summary string
	run     func(ctx context.Context, fs *flag.FlagSet, args []string, io Stdio) error
}

func commands() []command {
	return []command{
		{name: "serve", summary: "run the dashboard (the default command)", run: runServe},
		{name: "sandbox", summary: "run the Pinterest sandbox alone", run: runSandbox},
		{name: "admin create", summary: "create an admin; the password is read from standard input", run: runAdminCreate},
		{name: "integration list", summary: "list the integrations with their status and latest sync", run: runIntegrationList},
		{name: "integration add", summary: "connect a Business Manager with an existing token read from standard input", run: runIntegrationAdd},
		{name: "sync", args: "INTEGRATION_ID", summary: "sync an integration now, showing progress; fails unless the sync succeeds", run: runSync},
		{name: "export", args: "INTEGRATION_ID KIND", summary: "write a list (members, partners, assets, access, roles, pixels, invites, changes) as CSV", run: runExport},
	}
}

// Run executes the command named by args; no command means serve.
func Run(ctx context.Context, args []string, stdio Stdio) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		args = append([]string{"serve"}, args...)
	}
	if args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		printCommands(stdio.Out)
		return nil
	}
	if args[0] == "version" {
		fmt.Fprintln(stdio.Out, "pinaccess", Version())
		return nil
	}
	var match *command
	rest := args
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			if match == nil || len(words) > len(strings.Fields(match.name)) {
				c := c
				match, rest = &c, args[len(words):]
			}
		}
	}
	if match == nil {
		fmt.Fprintf(stdio.Err, "pinaccess: unknown command %q\n\n", strings.Join(args, " "))
		printCommands(stdio.Err)
		return ErrUsage
	}
	fs := flag.NewFlagSet("pinaccess "+match.name, flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: pinaccess %s [flags] %s\n\n%s.\n", match.name, match.args, upperFirst(match.summary))
		if hasFlags(fs) {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	err := match.run(ctx, fs, rest, stdio)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if errors.Is(err, errBadArgs) {
		fs.Usage()
		return ErrUsage
	}
	return err
}

// errBadArgs makes Run print the command's usage and exit with status 2.
var errBadArgs = errors.New("bad arguments")

// parse parses flags, allowing them before and after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errBadArgs
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "Usage: pinaccess <command> [flags] [arguments]")
	fmt.Fprintln(w, "\npinaccess keeps an inventory of who can access what in a Pinterest Business Manager.")
	fmt.Fprintln(w, "\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  version            print the version")
	fmt.Fprintln(w, "\nRun 'pinaccess <command> --help' for a command's flags.")
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
