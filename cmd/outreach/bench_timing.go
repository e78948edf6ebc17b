package main

// Timing, percentiles, progress and memory figures of the bench command.

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// benchTiming is the latency of one kind of shortlist over many offers.
type benchTiming struct {
	durations []time.Duration
	offers    []outreach.Offer // the offer of each duration
	matches   int              // shortlisted candidates, over all offers
	empty     int              // offers with nobody shortlisted
}

func (t *benchTiming) add(o outreach.Offer, d time.Duration, matches int) {
	t.durations = append(t.durations, d)
	t.offers = append(t.offers, o)
	t.matches += matches
	if matches == 0 {
		t.empty++
	}
}

// ms returns the p-th percentile (nearest rank) in milliseconds.
func (t *benchTiming) ms(p float64) float64 {
	return float64(percentile(t.durations, p)) / float64(time.Millisecond)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(ds))
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// timeShortlists times top-50 shortlists through outreach.Service.Matches,
// the path of GET /api/v1/offers/{id}/matches, one offer at a time.
func (b *bench) timeShortlists(ctx context.Context, warm, offers []outreach.Offer) (*benchTiming, error) {
	for _, o := range warm {
		if _, err := b.svc.Matches(ctx, o.ID, benchShortlist); err != nil {
			return nil, fmt.Errorf("warm-up shortlist of offer %d: %w", o.ID, err)
		}
	}
	t := &benchTiming{}
	tick := newTicker(b.out, "shortlists", len(offers))
	for _, o := range offers {
		start := time.Now()
		m, err := b.svc.Matches(ctx, o.ID, benchShortlist)
		if err != nil {
			return nil, fmt.Errorf("shortlist of offer %d: %w", o.ID, err)
		}
		t.add(o, time.Since(start), len(m))
		tick.done(len(t.durations))
	}
	b.printTiming(fmt.Sprintf("shortlists (top %d, outreach.Service.Matches, after %d warm-up)", benchShortlist, len(warm)), t)
	return t, nil
}

// timeNaive times the naive baseline query on the first offers.
func (b *bench) timeNaive(ctx context.Context, warm, offers []outreach.Offer) (*benchTiming, error) {
	offers = offers[:min(len(offers), b.opts.naiveOffers)]
	fmt.Fprintf(b.out, "naive baseline: one plain SQL per offer, every exclusion and the haversine distance computed in SQL over all candidates, ORDER BY distance LIMIT %d; no index on the occupation (= ANY) nor on the place:\n", benchShortlist)
	for line := range strings.SplitSeq(strings.TrimSpace(postgres.NaiveShortlistSQL), "\n") {
		fmt.Fprintln(b.out, "  | "+strings.ReplaceAll(line, "\t", "  "))
	}
	for _, o := range warm[:min(len(warm), 2)] {
		if _, err := b.store.NaiveShortlist(ctx, o, benchShortlist); err != nil {
			return nil, fmt.Errorf("naive warm-up of offer %d: %w", o.ID, err)
		}
	}
	t := &benchTiming{}
	tick := newTicker(b.out, "naive shortlists", len(offers))
	for _, o := range offers {
		start := time.Now()
		ids, err := b.store.NaiveShortlist(ctx, o, benchShortlist)
		if err != nil {
			return nil, fmt.Errorf("naive shortlist of offer %d: %w", o.ID, err)
		}
		t.add(o, time.Since(start), len(ids))
		tick.done(len(t.durations))
	}
	what := "naive baseline"
	if len(offers) < b.opts.offers {
		what = fmt.Sprintf("naive baseline (first %d of the %d offers: -naive-offers caps it, it is slow)", len(offers), b.opts.offers)
	}
	b.printTiming(what, t)
	return t, nil
}

func (b *bench) printTiming(what string, t *benchTiming) {
	fmt.Fprintf(b.out, "%s: %d offers, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; %.1f candidates per shortlist, %d empty\n",
		what, len(t.durations), t.ms(50), t.ms(95), t.ms(99), t.ms(100),
		float64(t.matches)/float64(len(t.durations)), t.empty)
	fmt.Fprintf(b.out, "  slowest: %s\n", strings.Join(t.slowest(3), "; "))
}

// slowest describes the n slowest offers, to see what costs the most.
func (t *benchTiming) slowest(n int) []string {
	idx := make([]int, len(t.durations))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(t.durations[b], t.durations[a]) })
	var out []string
	for _, i := range idx[:min(n, len(idx))] {
		o := t.offers[i]
		out = append(out, fmt.Sprintf("%s %s %s %.0f km %.1f ms", o.ROMECode, o.Town, o.ContractType, o.RadiusKM,
			float64(t.durations[i])/float64(time.Millisecond)))
	}
	return out
}

// ticker prints a progress line at most every 10 seconds.
type ticker struct {
	out   io.Writer
	what  string
	total int
	last  time.Time
}

func newTicker(out io.Writer, what string, total int) *ticker {
	return &ticker{out: out, what: what, total: total, last: time.Now()}
}

func (t *ticker) done(n int) {
	if time.Since(t.last) >= 10*time.Second && n < t.total {
		fmt.Fprintf(t.out, "  %s / %s %s\n", thousands(n), thousands(t.total), t.what)
		t.last = time.Now()
	}
}

// report prints the speedup and memory, then the summary line.
func (b *bench) report(fast, naive *benchTiming, sp spread) {
	naiveP95, speedup := "na", "na"
	naiveOffers := 0
	if naive != nil {
		naiveOffers = len(naive.durations)
		naiveP95 = fmt.Sprintf("%.2f", naive.ms(95))
		speedup = fmt.Sprintf("%.1f", naive.ms(95)/math.Max(fast.ms(95), 0.001))
		fmt.Fprintf(b.out, "speedup (naive p95 / p95): %sx\n", speedup)
	}
	mem := readMemory()
	fmt.Fprintf(b.out, "memory of this process: Go heap in use %.0f MB, Go runtime total %.0f MB, peak RSS (VmHWM, loading included) %s MB, RSS now %s MB\n",
		mem.heapInuseMB, mem.sysMB, mem.peakRSS, mem.rss)
	fmt.Fprintf(b.out, "candidates=%d offers=%d p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f naive_offers=%d naive_p95_ms=%s speedup=%s rss_mb=%s heap_mb=%.0f top10_share=%.3f gini=%.3f\n",
		b.opts.candidates, len(fast.durations), fast.ms(50), fast.ms(95), fast.ms(99), naiveOffers, naiveP95, speedup,
		mem.peakRSS, mem.heapInuseMB, sp.top10, sp.gini)
}

// benchMemory is the memory use of this process.
type benchMemory struct {
	heapInuseMB, sysMB float64
	peakRSS, rss       string // MB from /proc/self/status; "na" elsewhere than Linux
}

func readMemory() benchMemory {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := procMemory("/proc/self/status")
	m.heapInuseMB, m.sysMB = float64(ms.HeapInuse)/(1<<20), float64(ms.Sys)/(1<<20)
	return m
}

// procMemory reads a process's resident memory from its /proc status file.
func procMemory(statusPath string) benchMemory {
	m := benchMemory{peakRSS: "na", rss: "na"}
	f, err := os.Open(statusPath)
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, _ := strings.Cut(sc.Text(), ":")
		kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(value), " kB"))
		if err != nil {
			continue
		}
		switch key {
		case "VmHWM":
			m.peakRSS = fmt.Sprintf("%.0f", float64(kb)/1024)
		case "VmRSS":
			m.rss = fmt.Sprintf("%.0f", float64(kb)/1024)
		}
	}
	return m
}

// thousands writes n with comma thousands separators: 1,200,000.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return thousands(int(float64(n) / d.Seconds()))
}
