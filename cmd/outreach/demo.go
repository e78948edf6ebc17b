package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// runDemo runs the whole loop on this machine: a fresh demo database,
// serve + worker + simulator in one process, a realistic population, one
// offer, its outreach, and simulated job seekers answering.
func runDemo(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address of the demo server")
	n := fs.Int("candidates", 3000, "number of demo job seekers")
	exit := fs.Bool("exit", false, "stop after the report instead of serving the inbox until Ctrl-C")
	speed := fs.Float64("speed", 600, "time compression of the job seekers' reply delays (600: one real minute lasts 0.1 s)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, err := demoConfig(cfg)
	if err != nil {
		return err
	}
	p := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	p("== outreach demo ==")
	p("Quiet hours are OFF for the demo (it runs at any hour, any day); SMS go to the built-in Twilio simulator, never to real phones.")
	p("Database: %s (recreated)", redactURL(cfg.DatabaseURL))
	if err := recreateDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	if err := runMigrate(ctx, cfg, nil, stdout); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s (choose another with -addr): %w", *addr, err)
	}
	cfg.PublicURL = "http://" + ln.Addr().String()
	cfg.TwilioAPIURL = cfg.PublicURL + "/simulator"
	log := newLogger(stderr, "warn")
	s, err := startStack(ctx, cfg, log, stackOptions{serve: true, work: true, listener: ln})
	if err != nil {
		ln.Close()
		return err
	}
	defer s.close()
	started := time.Now()
	counsellors, count, err := seedDemo(ctx, s.svc, postgres.NewStore(s.pool), *n, 1)
	if err != nil {
		return err
	}
	p("Seeded %d job seekers in real towns around Lyon, Lille, Nantes, Toulouse, Rennes and Bordeaux (%s), followed by %d counsellors.",
		count, time.Since(started).Round(time.Millisecond), len(counsellors))
	signIn := accounts.NewService(postgres.NewStore(s.pool).Accounts(), nil, nil)
	for _, co := range counsellors {
		if err := signIn.SetPassword(ctx, co.ID, demoPassword, false); err != nil {
			return fmt.Errorf("demo account of %s: %w", co.Email, err)
		}
	}
	d := &demoRun{cfg: cfg, stack: s, api: newAPIClient(cfg.PublicURL, cfg.APIToken), print: p, speed: *speed}
	if err := d.run(ctx, counsellors[0]); err != nil {
		return err
	}
	if *exit {
		return nil
	}
	p("\nThe server keeps running so you can open the inbox. Press Ctrl-C to stop.")
	return s.wait(ctx)
}

// demoPassword signs every demo counsellor in: the demo database holds
// fictional people only.
const demoPassword = "demo-outreach-2026"

func demoConfig(cfg Config) (Config, error) {
	// The demo never texts real people, whatever credentials are set.
	cfg.Simulator = true
	if cfg.APIToken == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return cfg, err
		}
		cfg.APIToken = hex.EncodeToString(b)
	}
	cfg.TwilioAccountSID = simulatorAccountSID
	cfg.TwilioAuthToken = deriveSecret(cfg.APIToken, "simulator auth token")
	cfg.TwilioFrom, cfg.TwilioMessagingServiceSID = simulatorNumber, ""
	quiet, err := outreach.ParseQuietHours("off", cfg.Timezone)
	if err != nil {
		return cfg, err
	}
	cfg.QuietHours = quiet
	cfg.QueueName = "outreach-demo"
	pc, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return cfg, fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.DatabaseURL = strings.Replace(cfg.DatabaseURL, "/"+pc.Database, "/"+pc.Database+"_demo", 1)
	return cfg, nil
}

func recreateDatabase(ctx context.Context, databaseURL string) error {
	if err := postgres.DropDatabase(ctx, databaseURL); err != nil {
		return fmt.Errorf("%w (is PostgreSQL running? try: make services)", err)
	}
	return postgres.EnsureDatabase(ctx, databaseURL)
}
