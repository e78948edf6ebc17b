package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

func runServe(ctx context.Context, cfg Config, log *slog.Logger) error {
	if err := cfg.requireAPIToken(); err != nil {
		return err
	}
	log.Info("starting serve", "config", cfg.String())
	s, err := startStack(ctx, cfg, log, stackOptions{serve: true})
	if err != nil {
		return err
	}
	defer s.close()
	return s.wait(ctx)
}

func runWorker(ctx context.Context, cfg Config, log *slog.Logger) error {
	log.Info("starting worker", "config", cfg.String())
	s, err := startStack(ctx, cfg, log, stackOptions{work: true})
	if err != nil {
		return err
	}
	defer s.close()
	return s.wait(ctx)
}

func runMigrate(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	reference := fs.Bool("reference", true, "load the ROME and commune reference data")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := postgres.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	version, err := postgres.Migrate(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema at version %d\n", version)
	if !*reference {
		return nil
	}
	pool, err := openPostgres(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	counts, err := postgres.LoadReference(ctx, pool)
	if err != nil {
		return fmt.Errorf("load reference data: %w", err)
	}
	state := "loaded"
	if counts.Skipped {
		state = "already loaded"
	}
	fmt.Fprintf(stdout, "reference data %s: %d ROME codes, %d job titles, %d mobility links, %d communes\n",
		state, counts.ROMECodes, counts.Appellations, counts.MobilityLinks, counts.Communes)
	return nil
}

func runSimulator(ctx context.Context, cfg Config, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	addr := fs.String("addr", ":8090", "listen address")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	sim := simulator.New(simulator.Config{
		AccountSID:  cfg.TwilioAccountSID,
		AuthToken:   cfg.TwilioAuthToken,
		PhoneNumber: cfg.TwilioFrom,
		InboundURL:  cfg.PublicURL + webhooks.InboundPath,
		Logger:      log,
	})
	defer sim.Close()
	srv := &http.Server{Addr: *addr, Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("simulator listening", "addr", *addr, "account_sid", cfg.TwilioAccountSID, "inbound_url", cfg.PublicURL+webhooks.InboundPath)
	select {
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	case err := <-errc:
		return err
	}
}
