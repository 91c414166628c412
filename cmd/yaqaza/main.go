// Command yaqaza is the Yaqaza operations platform: one binary that serves
// the API and console and runs the operator's tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/yaqaza/yaqaza"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `yaqaza — the operations platform of a police prefecture

Usage:
  yaqaza serve   [--data DIR] [--addr HOST:PORT] [--postgres URL]   run the server
  yaqaza migrate [--data DIR] [--postgres URL]                      bring the schema up to date
  yaqaza token create --role ROLE --name NAME [--zones Z1,Z2] [--expires 720h] [--data DIR]
                                                                    create an API token (printed alone)
  yaqaza token list | token revoke [flags] ID                       list or revoke API tokens
  yaqaza user add --username U --name N --role ROLE [--zones Z] [--email E]
                                                                    create an account (prints a one-time password)
  yaqaza user list | user disable [flags] U | user reset [--totp] [flags] U
  yaqaza audit verify [--data DIR]                                  check the audit trail's hash chain
  yaqaza keys init|rotate|reseal [--keys FILE]                      the keyring that seals personal data
  yaqaza pack load DIR [--data DIR] [--postgres URL]               load a jurisdiction pack
  yaqaza bench intake [--duration 10s] [--clients 64]               measure durable intake
  yaqaza classify train --train FILE --test FILE                    train and score a text classifier
  yaqaza check orphans [--data DIR]                                 open incidents without owner or deadline
  yaqaza replay --calls FILE [--speed 1000]                         replay a dispatch log through Yaqaza
  yaqaza bench pages [--incidents 100000]                           console pages' server time, a year in the store
  yaqaza bench dispatch|triage|events                               other benchmarks
  yaqaza version

The embedded store lives in --data (default ./data). With --postgres (or
YAQAZA_POSTGRES) every node shares one PostgreSQL database instead.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startProfile(os.Getenv("YAQAZA_CPUPROFILE"))
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	stop()
	if err != nil {
		var ue usageError
		var help helpRequested
		if errors.As(err, &help) {
			fmt.Fprint(os.Stdout, help.text)
			return
		}
		if errors.As(err, &ue) {
			fmt.Fprintf(os.Stderr, "yaqaza: %v\n\n%s", err, usage)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "yaqaza: %s\n", message(err))
		os.Exit(1)
	}
}

// startProfile writes a CPU profile of the whole run to path, for the
// engineers chasing where a benchmark's time goes; nothing when path is "".
func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "yaqaza: no CPU profile: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// message shows a domain error by its message and anything else as is.
func message(err error) string {
	var e *yaqaza.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"a command is needed"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout)
	case "token":
		return runToken(ctx, rest, stdout)
	case "pack":
		return runPack(ctx, rest, stdout)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "classify":
		return runClassify(ctx, rest, stdout, stderr)
	case "check":
		return runCheck(ctx, rest, stdout)
	case "replay":
		return runReplay(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout)
	case "audit":
		return runAudit(ctx, rest, stdout)
	case "keys":
		return runKeys(ctx, rest, stdout)
	case "version":
		fmt.Fprintln(stdout, "yaqaza", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// newFlags returns a flag set whose errors are returned, not printed and exited.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			var b strings.Builder
			fs.SetOutput(&b)
			fs.PrintDefaults()
			return helpRequested{fmt.Sprintf("Usage: yaqaza %s [flags]\n\n%s", fs.Name(), b.String())}
		}
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	return nil
}

// helpRequested is a command's --help: its flags, printed, and no error.
type helpRequested struct{ text string }

func (h helpRequested) Error() string { return h.text }
