package main

// pgbench's side of `outreach bench webhooks`, and where the CPU went.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// processCPU reads a process's user and system time from its /proc stat
// file; 0 where there is none.
func processCPU(statPath string) time.Duration {
	b, err := os.ReadFile(statPath)
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th, in clock ticks (100 per second on Linux).
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// postgresCPU sums the CPU time of the local PostgreSQL server's processes
// (those that exist now: the pools' backends live through a run).
func postgresCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total time.Duration
	for _, p := range stats {
		if comm, err := os.ReadFile(filepath.Join(filepath.Dir(p), "comm")); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			total += processCPU(p)
		}
	}
	return total
}

// pgbenchSIDPrefix marks the status events pgbench's script adds.
const pgbenchSIDPrefix = "PGBENCH"

// pgbenchScript is a delivery report's work in two statements: store the
// event, move the contact.
const pgbenchScript = `\set id random(:min_id, :max_id)
\set n random(1, 2000000000)
BEGIN;
INSERT INTO status_events (message_sid, status, error_code) VALUES ('` + pgbenchSIDPrefix + `' || :client_id || '-' || :n, 'delivered', NULL) ON CONFLICT DO NOTHING;
UPDATE contacts SET status = 'delivered', error_code = coalesce(NULL, error_code), delivered_at = now(), updated_at = now() WHERE id = :id;
END;
`

// findPgbench looks for pgbench on PATH, then where Debian's server
// packages put it.
func findPgbench() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	if found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(found) > 0 {
		slices.Sort(found)
		return found[len(found)-1], nil
	}
	return "", errors.New("bench webhooks: pgbench not found (it comes with PostgreSQL's server packages: run scripts/services.sh)")
}

// runPgbench runs pgbench with the script and returns its TPS.
func runPgbench(ctx context.Context, pgbench, dbURL string, camp webhookCampaign, opts benchWebhooksOptions) (float64, error) {
	f, err := os.CreateTemp("", "outreach-pgbench-*.sql")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(pgbenchScript); err != nil {
		return 0, err
	}
	f.Close()
	cmd := exec.CommandContext(ctx, pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(opts.concurrency), "-j", "2",
		"-T", strconv.Itoa(opts.pgbenchSeconds), "-f", f.Name(),
		"-D", "min_id="+strconv.FormatInt(camp.pgbenchIDs[0], 10), "-D", "max_id="+strconv.FormatInt(camp.pgbenchIDs[1], 10),
		dbURL)
	outb, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, strings.TrimSpace(string(outb)))
	}
	for line := range strings.SplitSeq(string(outb), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "tps = "); ok {
			num, _, _ := strings.Cut(rest, " ")
			return strconv.ParseFloat(num, 64)
		}
	}
	return 0, fmt.Errorf("pgbench: no tps in its output: %s", outb)
}
