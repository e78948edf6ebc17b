package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
)

// Personal data on the command line: `outreach erase --candidate
// EXTERNAL_ID` erases a job seeker's data everywhere, Redis included;
// `outreach audit --candidate EXTERNAL_ID` (or --id, for an erased one)
// prints who saw or exported it, one line per access.

// runErase erases the job seeker and prints one line with the counts; an
// unknown one is an error (one line, non-zero exit).
func runErase(ctx context.Context, cfg Config, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("erase", flag.ContinueOnError)
	external := fs.String("candidate", "", "the job seeker's external id")
	if err := fs.Parse(args); err != nil || strings.TrimSpace(*external) == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: outreach erase --candidate EXTERNAL_ID: %w", errUsage)
	}
	svc, done, err := privacyService(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer done()
	e, err := svc.Erase(ctx, *external, outreach.Access{Actor: outreach.Actor{Kind: outreach.ActorSystem},
		What: "outreach erase"})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased candidate %d: %s\n", e.CandidateID, countsLine(e.Counts()))
	return nil
}

// runAudit prints the accesses to a job seeker's data, oldest first, one
// line each.
func runAudit(ctx context.Context, cfg Config, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	external := fs.String("candidate", "", "the job seeker's external id")
	internal := fs.Int64("id", 0, "the job seeker's internal id (an erased job seeker's, printed by erase)")
	if err := fs.Parse(args); err != nil || (*external == "") == (*internal <= 0) || fs.NArg() > 0 {
		return fmt.Errorf("usage: outreach audit --candidate EXTERNAL_ID (or --id ID): %w", errUsage)
	}
	svc, done, err := privacyService(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer done()
	var accesses []outreach.Access
	if *internal > 0 {
		accesses, err = svc.AuditOf(ctx, *internal)
	} else {
		_, accesses, err = svc.CandidateAudit(ctx, *external)
	}
	if err != nil {
		return err
	}
	for _, a := range accesses {
		fmt.Fprintln(stdout, accessLine(a))
	}
	return nil
}

// privacyService opens what erasure and the audit log need: PostgreSQL
// (migrated) and the queue in Redis.
func privacyService(ctx context.Context, cfg Config, log *slog.Logger) (*outreach.Service, func(), error) {
	if pending, err := postgres.PendingMigrations(ctx, cfg.DatabaseURL); err != nil {
		return nil, nil, fmt.Errorf("check migrations: %w", err)
	} else if pending > 0 {
		return nil, nil, fmt.Errorf("%d migration(s) pending: run 'outreach migrate' first", pending)
	}
	pool, err := openPostgres(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return nil, nil, err
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	tasks := queue.NewClient(rdb, cfg.QueueName)
	svc := outreach.NewService(postgres.NewStore(pool), nil, tasks, nil, outreach.ServiceConfig{Logger: log})
	svc.UseTaskCanceller(tasks)
	return svc, func() { rdb.Close(); pool.Close() }, nil
}

// accessLine writes an access on one line: when, what was done, by whom,
// where, how many job seekers it concerned, its counts, its request.
func accessLine(a outreach.Access) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s by %s", a.At.UTC().Format(time.RFC3339), a.Action, a.Actor.Kind)
	if a.Actor.Kind == outreach.ActorAPI && a.Actor.ID != 0 {
		b.WriteString(" client")
	}
	if a.Actor.ID != 0 {
		b.WriteString(" " + strconv.FormatInt(a.Actor.ID, 10))
	}
	fmt.Fprintf(&b, ": %s", a.What)
	if n := len(a.CandidateIDs); n > 1 {
		fmt.Fprintf(&b, " (%d job seekers)", n)
	}
	if len(a.Counts) > 0 {
		b.WriteString(" " + countsLine(a.Counts))
	}
	if a.RequestID != "" {
		b.WriteString(" request=" + a.RequestID)
	}
	return b.String()
}

// countsLine writes counts as name=n, by name.
func countsLine(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, k+"="+strconv.Itoa(counts[k]))
	}
	return strings.Join(parts, " ")
}

// loadRetention reads RETENTION_AFTER: a Go duration or a number of days
// ("180d"), or off.
func (c *Config) loadRetention(get func(key, def string) string, bad func(string, ...any)) {
	v := get("RETENTION_AFTER", "180d")
	d, err := parseRetention(v)
	if err != nil {
		bad("RETENTION_AFTER: %q must be a duration such as 180d or 4320h, at least 1h, or off", v)
		return
	}
	c.RetentionAfter = d
}

// parseRetention reads "180d", "4320h" or "off" (0).
func parseRetention(v string) (time.Duration, error) {
	if v == "off" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 100*365 {
			return 0, fmt.Errorf("bad number of days %q", days)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Hour {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	return d, nil
}

// retainer is what the worker runs once a day to purge expired personal
// data: nil (no daily task) when retention is off.
func retainer(cfg Config, svc *outreach.Service) queue.Retainer {
	if cfg.RetentionAfter <= 0 {
		return nil
	}
	return svc
}
