// Command outreach runs the SMS outreach service: the HTTP API and
// webhooks (serve), the SMS sender (worker), schema migrations (migrate),
// demo data (seed), a Twilio simulator (simulator) and a full demo (demo).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

const usage = `usage: outreach <command> [flags]

commands:
  serve       run the HTTP API, the Twilio webhooks and the inbox page
  worker      run the asynq worker that sends SMS
  migrate     create the database if needed, apply migrations, load reference data
  seed        create demo counsellors and job seekers
  counsellor  counsellor add --email E --name N --agency A [--admin] < password: a web app account
  simulator   run the Twilio-compatible simulator on its own
  demo        run the whole loop on this machine and print what happened
  probe       probe [URL]: exit 0 if URL (default: /readyz on HTTP_ADDR) answers 2xx, for container healthchecks
  erase       erase --candidate EXTERNAL_ID: remove a job seeker's personal data everywhere
  audit       audit --candidate EXTERNAL_ID (or --id ID): who saw or exported a job seeker's data
  apikey      apikey add --name N --agency A | list | revoke --id N: the agencies' API clients
  bench       bench match: time shortlists against a national population;
              bench send: a campaign through the worker and the simulator;
              bench webhooks: Twilio's webhooks against the API, next to pgbench

Configuration comes from environment variables: see README.md.`

// defaultMemoryLimit is the soft memory limit of every command unless
// GOMEMLIMIT says otherwise: the Go heap then stays under it by collecting
// garbage more often rather than growing to twice what is live. With the
// candidate index (about 30 bytes per job seeker with SMS consent), the API
// holds 6 million job seekers within it; raise it for a larger population.
const defaultMemoryLimit = 270 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "outreach:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("see 'outreach help'")

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	switch args[0] {
	case "serve":
		return runServe(ctx, cfg, log)
	case "worker":
		return runWorker(ctx, cfg, log)
	case "migrate":
		return runMigrate(ctx, cfg, args[1:], stdout)
	case "counsellor":
		return runCounsellor(ctx, cfg, args[1:], os.Stdin, stdout)
	case "seed":
		return runSeed(ctx, cfg, args[1:], stdout)
	case "simulator":
		return runSimulator(ctx, cfg, args[1:], log)
	case "demo":
		return runDemo(ctx, cfg, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, cfg, args[1:], stdout)
	case "probe":
		return runProbe(ctx, cfg, args[1:], stdout)
	case "erase":
		return runErase(ctx, cfg, args[1:], stdout, log)
	case "audit":
		return runAudit(ctx, cfg, args[1:], stdout, log)
	case "apikey":
		return runAPIKey(ctx, cfg, args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(newLogHandler(w, l))
}
