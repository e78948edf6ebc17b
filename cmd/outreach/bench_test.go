package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/postgres"
)

// TestBenchMatch runs the benchmark on a small population, twice (load,
// then reuse), and checks its summary line; timings are not asserted.
func TestBenchMatch(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a population")
	}
	_, ns := testenv.Redis(t)
	dbURL := benchTestDatabase(t, "3000")
	env := map[string]string{
		"DATABASE_URL": dbURL,
		"REDIS_URL":    testenv.RedisURL(),
		"QUEUE_NAME":   ns,
		"QUIET_HOURS":  "off",
	}
	bench := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		args = append([]string{"bench", "match", "--candidates", "3000"}, args...)
		if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		t.Log(out.String())
		return out.String()
	}

	out := bench("--offers", "20")
	for _, want := range []string{"loaded 3,000 / 3,000 candidates", "opted out 100 of the 10,000 fictional numbers", "naive baseline"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	summary := checkSummary(t, out)
	if summary["candidates"] != "3000" || summary["offers"] != "20" || summary["naive_offers"] != "20" {
		t.Errorf("summary %v", summary)
	}

	out = bench("--offers", "5", "--naive=false")
	if !strings.Contains(out, "reusing the 3,000 candidates") || strings.Contains(out, "loaded 3,000") {
		t.Errorf("second run did not reuse the population:\n%s", out)
	}
	if s := checkSummary(t, out); s["naive_p95_ms"] != "na" || s["speedup"] != "na" {
		t.Errorf("without the naive baseline: %v", s)
	}
}

// summaryLine parses the last line of the output as key=value pairs.
func summaryLine(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	summary := map[string]string{}
	for field := range strings.FieldsSeq(lines[len(lines)-1]) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			t.Fatalf("summary field %q is not key=value", field)
		}
		summary[k] = v
	}
	return summary
}

// checkSummary parses the match bench's summary line and checks that every
// expected key holds a number (or na where allowed).
func checkSummary(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	summary := summaryLine(t, out)
	numbers := []string{"candidates", "offers", "p50_ms", "p95_ms", "p99_ms", "rss_mb", "top10_share", "gini"}
	orNA := []string{"naive_p95_ms", "speedup"}
	for _, k := range append(numbers, orNA...) {
		v, ok := summary[k]
		if !ok {
			t.Errorf("summary lacks %s=: %q", k, lines[len(lines)-1])
			continue
		}
		if _, err := strconv.ParseFloat(v, 64); err != nil && (v != "na" || !slices.Contains(orNA, k)) {
			t.Errorf("summary %s=%q is not a number", k, v)
		}
	}
	return summary
}

func TestBenchDatabaseURL(t *testing.T) {
	tests := []struct {
		in, want, name string
		wantErr        bool
	}{
		{"postgres://postgres@127.0.0.1:5432/outreach?sslmode=disable",
			"postgres://postgres@127.0.0.1:5432/outreach_bench_1000000?sslmode=disable", "outreach_bench_1000000", false},
		{"postgresql://u:p@db/prod", "postgresql://u:p@db/prod_bench_1000000", "prod_bench_1000000", false},
		{"postgres://db", "postgres://db/outreach_bench_1000000", "outreach_bench_1000000", false},
		{"mysql://db/x", "", "", true},
	}
	for _, tt := range tests {
		got, name, err := benchDatabaseURL(tt.in, 1_000_000)
		if (err != nil) != tt.wantErr || got != tt.want || name != tt.name {
			t.Errorf("benchDatabaseURL(%q) = %q, %q, %v; want %q, %q", tt.in, got, name, err, tt.want, tt.name)
		}
	}
}

func TestPercentile(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[i] = time.Duration(100-i) * time.Millisecond // 100 ms down to 1 ms
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond},
		{100, 100 * time.Millisecond}, {0, time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(ds, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v", got)
	}
	if got := percentile([]time.Duration{3}, 99); got != 3 {
		t.Errorf("p99 of one = %v", got)
	}
}

func TestThousands(t *testing.T) {
	tests := map[int]string{0: "0", 999: "999", 1000: "1,000", 1200000: "1,200,000", 6000000: "6,000,000", -12345: "-12,345"}
	for n, want := range tests {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// benchTestDatabase returns a DATABASE_URL of its own for a bench command,
// and drops the bench database the command makes from it (suffix as in
// benchDatabaseNamed) when the test ends.
func benchTestDatabase(t *testing.T, suffix string) string {
	t.Helper()
	u, err := url.Parse(testenv.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/outreach_bt_" + strings.ToLower(rand.Text()[:10])
	benchURL, _, err := benchDatabaseNamed(u.String(), suffix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := postgres.DropDatabase(ctx, benchURL); err != nil {
			t.Errorf("drop bench database: %v", err)
		}
	})
	return u.String()
}

// TestBenchSend runs the send benchmark on a small campaign, paced, and
// checks its summary line: every contact sent once, the pace honoured.
// Speeds are not asserted.
func TestBenchSend(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a campaign")
	}
	env := map[string]string{"DATABASE_URL": benchTestDatabase(t, "send"), "REDIS_URL": testenv.RedisURL(), "API_TOKEN": "bench-send-token-0123456789"}
	var out bytes.Buffer
	args := []string{"bench", "send", "--contacts", "600", "--rate", "200", "--simulator-in-process"}
	if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out.String())
	}
	t.Log(out.String())
	summary := summaryLine(t, out.String())
	for key, want := range map[string]string{"contacts": "600", "sent": "600", "messages": "600", "duplicates": "0"} {
		if summary[key] != want {
			t.Errorf("%s=%s, want %s", key, summary[key], want)
		}
	}
	if r, err := strconv.ParseFloat(summary["pace_ratio"], 64); err != nil || r > 1.05 {
		t.Errorf("pace_ratio=%s: the limit of 200 SMS/s was not honoured within 5%%", summary["pace_ratio"])
	}
	for _, key := range []string{"sms_per_s", "noop_asynq_per_s", "ratio", "rss_mb"} {
		if _, err := strconv.ParseFloat(summary[key], 64); err != nil {
			t.Errorf("%s=%q is not a number", key, summary[key])
		}
	}
}

// TestBenchWebhooks runs the webhook benchmark on a small campaign and
// checks its summary line: every request answered, every reply pushed,
// pgbench measured. Speeds are not asserted.
func TestBenchWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a campaign's webhooks")
	}
	env := map[string]string{"DATABASE_URL": benchTestDatabase(t, "webhooks"), "REDIS_URL": testenv.RedisURL(), "API_TOKEN": "bench-webhooks-token-0123456789"}
	var out bytes.Buffer
	args := []string{"bench", "webhooks", "--requests", "1500", "--contacts", "1000", "--per-counsellor", "100",
		"--concurrency", "8", "--pgbench-seconds", "1", "--api-in-process"}
	if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out.String())
	}
	t.Log(out.String())
	summary := summaryLine(t, out.String())
	if summary["requests"] != "1500" || summary["concurrency"] != "8" {
		t.Errorf("requests=%s concurrency=%s, want 1500 and 8", summary["requests"], summary["concurrency"])
	}
	counts := map[string]int{}
	for _, key := range []string{"inbound", "status", "retries"} {
		n, err := strconv.Atoi(summary[key])
		if err != nil || n <= 0 {
			t.Errorf("%s=%q, want a positive count", key, summary[key])
		}
		counts[key] = n
	}
	if counts["inbound"]+counts["status"] != 1500 {
		t.Errorf("inbound %d + status %d != 1500 requests", counts["inbound"], counts["status"])
	}
	for _, key := range []string{"rps", "p50_ms", "p99_ms", "pgbench_tps", "ratio", "push_p50_ms", "push_p99_ms", "api_rss_mb"} {
		if v, err := strconv.ParseFloat(summary[key], 64); err != nil || v <= 0 {
			t.Errorf("%s=%q is not a positive number", key, summary[key])
		}
	}
}
