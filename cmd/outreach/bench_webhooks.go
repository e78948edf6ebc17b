package main

// `outreach bench webhooks`: Twilio's side of a campaign, replayed against
// a real API process over loopback, next to pgbench on the same database.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/franceoutreach/outreach/api"
	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/seed"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

type benchWebhooksOptions struct {
	requests       int
	contacts       int
	concurrency    int
	perCounsellor  int // job seekers per counsellor: how many live streams are open
	pgbenchSeconds int
	inProcess      bool   // API in this process (tests) rather than 'outreach serve'
	cpuProfile     string // of this process while posting: the API's only with -api-in-process
}

func parseBenchWebhooksFlags(args []string) (benchWebhooksOptions, error) {
	var o benchWebhooksOptions
	fs := flag.NewFlagSet("bench webhooks", flag.ContinueOnError)
	fs.IntVar(&o.requests, "requests", 100_000, "webhook requests to post (inbound SMS and status callbacks)")
	fs.IntVar(&o.contacts, "contacts", 100_000, "contacts of the campaign the webhooks are about")
	fs.IntVar(&o.concurrency, "concurrency", 32, "requests in flight at once, and pgbench's clients")
	fs.IntVar(&o.perCounsellor, "per-counsellor", 300, "job seekers per counsellor (one live inbox stream per counsellor)")
	fs.IntVar(&o.pgbenchSeconds, "pgbench-seconds", 10, "how long each of pgbench's two runs lasts")
	fs.BoolVar(&o.inProcess, "api-in-process", false, "run the API in this process rather than as 'outreach serve'")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of this process while posting (with -api-in-process, the API's too)")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	switch {
	case o.requests < 1 || o.requests > 10_000_000:
		return o, errors.New("bench webhooks: -requests must be between 1 and 10,000,000")
	case o.contacts < 1 || o.contacts > 10_000_000:
		return o, errors.New("bench webhooks: -contacts must be between 1 and 10,000,000")
	case o.concurrency < 1 || o.concurrency > 1000:
		return o, errors.New("bench webhooks: -concurrency must be between 1 and 1000")
	case o.perCounsellor < 1:
		return o, errors.New("bench webhooks: -per-counsellor must be at least 1")
	case o.pgbenchSeconds < 1 || o.pgbenchSeconds > 600:
		return o, errors.New("bench webhooks: -pgbench-seconds must be between 1 and 600")
	}
	return o, nil
}

// runBenchWebhooks sends a campaign of -contacts contacts (in a database
// of its own, SIDs made up), starts the API, opens every counsellor's live
// inbox stream, then posts -requests signed webhooks from -concurrency
// clients: delivery reports (sent, then delivered, sometimes in the other
// order), replies (yes, no, unclear, STOP, help...) and Twilio's retries.
// It times each request and each reply's trip to its counsellor's stream,
// checks what the database holds, runs pgbench on the equivalent
// two-statement transaction (before and after, on another campaign's
// contacts), and prints one key=value line.
func runBenchWebhooks(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	opts, err := parseBenchWebhooksFlags(args)
	if err != nil {
		return err
	}
	pgbench, err := findPgbench()
	if err != nil {
		return err
	}
	dbURL, name, err := benchDatabaseNamed(cfg.DatabaseURL, "webhooks")
	if err != nil {
		return err
	}
	if err := postgres.EnsureDatabase(ctx, dbURL); err != nil {
		return err
	}
	if _, err := postgres.Migrate(ctx, dbURL); err != nil {
		return err
	}
	pool, err := openPostgres(ctx, dbURL, 0)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := postgres.LoadReference(ctx, pool); err != nil {
		return fmt.Errorf("load reference data: %w", err)
	}
	rdb, err := openRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	store := postgres.NewStore(pool)
	ns := "bench-webhooks-" + strconv.Itoa(os.Getpid())
	svc := outreach.NewService(store, nil, queue.NewClient(rdb, ns), live.NewHub(rdb, ns),
		outreach.ServiceConfig{Logger: slog.New(slog.DiscardHandler)})
	camp, err := sendWebhookCampaign(ctx, store, svc, opts, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bench database %s: campaign of %s sent contacts (offer %d, reference %s), %d counsellors\n",
		name, thousands(len(camp.contacts)), camp.offerID, camp.reference, len(camp.counsellors))

	apiCfg, apiEnv, err := benchAPIConfig(cfg, dbURL, ns)
	if err != nil {
		return err
	}
	apiProc, err := startBenchAPI(ctx, apiCfg, apiEnv, opts.inProcess)
	if err != nil {
		return err
	}
	defer apiProc.stop()

	plan := planWebhooks(camp, opts.requests, apiCfg)
	if len(plan.requests) < opts.requests {
		return fmt.Errorf("bench webhooks: a campaign of %d contacts makes %d webhooks; raise -contacts for -requests %d",
			len(camp.contacts), len(plan.requests), opts.requests)
	}
	fmt.Fprintf(out, "plan: %s requests: %s inbound SMS, %s status callbacks, %s of them Twilio retries\n",
		thousands(len(plan.requests)), thousands(plan.inbound), thousands(plan.status), thousands(plan.retries))

	streams, err := openInboxStreams(ctx, apiCfg, camp.counsellors)
	if err != nil {
		return err
	}
	defer streams.close()

	// pgbench before and after the webhooks, on contacts of their own: the
	// mean is less at the mercy of a machine whose speed drifts.
	tpsBefore, err := runPgbench(ctx, pgbench, dbURL, camp, opts)
	if err != nil {
		return err
	}
	if err := store.DeletePgbenchEvents(ctx, pgbenchSIDPrefix); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(opts.cpuProfile)
	if err != nil {
		return err
	}
	apiCPU0, benchCPU0, pgCPU0 := apiProc.cpu(), processCPU("/proc/self/stat"), postgresCPU()
	load := postWebhooks(ctx, apiCfg.PublicURL, plan.requests, opts.concurrency, out)
	apiCPU, benchCPU, pgCPU := apiProc.cpu()-apiCPU0, processCPU("/proc/self/stat")-benchCPU0, postgresCPU()-pgCPU0
	stopProfile()
	if load.failed > 0 {
		return fmt.Errorf("bench webhooks: %d of %d requests failed (first: %s)", load.failed, len(plan.requests), load.firstFailure)
	}
	fmt.Fprintf(out, "posted %s webhooks in %s from %d clients: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		thousands(len(plan.requests)), load.elapsed.Round(time.Millisecond), opts.concurrency, load.rps(),
		ms(percentile(load.latencies, 50)), ms(percentile(load.latencies, 99)), ms(slices.Max(load.latencies)))
	if !opts.inProcess && apiCPU > 0 {
		perRequest := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(len(plan.requests)) }
		fmt.Fprintf(out, "  CPU while posting, per request: API %.0f µs, PostgreSQL %.0f µs, this process (clients, live streams) %.0f µs; %.1f s of %.1f s on %d cores\n",
			perRequest(apiCPU), perRequest(pgCPU), perRequest(benchCPU), (apiCPU + pgCPU + benchCPU).Seconds(), load.elapsed.Seconds(), runtime.NumCPU())
	}
	fmt.Fprintf(out, "  inbound SMS alone: p50 %.2f ms, p99 %.2f ms\n", ms(percentile(load.inboundLat, 50)), ms(percentile(load.inboundLat, 99)))

	push, err := streams.pushLatencies(ctx, store, load.sentAt, plan.expectedItems)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "reply to inbox: %s items pushed live to their counsellor, p50 %.2f ms, p99 %.2f ms\n",
		thousands(len(push)), ms(percentile(push, 50)), ms(percentile(push, 99)))
	apiRSS := apiProc.peakRSS()
	apiProc.stop()

	if err := checkWebhookEffects(ctx, store, camp.offerID, plan); err != nil {
		return err
	}
	fmt.Fprintln(out, "database checked: every webhook applied once, retries changed nothing")

	tpsAfter, err := runPgbench(ctx, pgbench, dbURL, camp, opts)
	if err != nil {
		return err
	}
	tps := (tpsBefore + tpsAfter) / 2
	if err := store.DeletePgbenchEvents(ctx, pgbenchSIDPrefix); err != nil {
		return err
	}
	fmt.Fprintf(out, "pgbench, the same %d clients, BEGIN; INSERT status event; UPDATE contact; COMMIT: %.0f transactions/s (%.0f before the webhooks, %.0f after)\n",
		opts.concurrency, tps, tpsBefore, tpsAfter)
	fmt.Fprintf(out, "requests=%d inbound=%d status=%d retries=%d concurrency=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f pgbench_tps=%.0f ratio=%.2f push_p50_ms=%.2f push_p99_ms=%.2f api_rss_mb=%s\n",
		len(plan.requests), plan.inbound, plan.status, plan.retries, opts.concurrency, load.rps(),
		ms(percentile(load.latencies, 50)), ms(percentile(load.latencies, 99)), tps, load.rps()/tps,
		ms(percentile(push, 50)), ms(percentile(push, 99)), apiRSS)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type webhookCampaign struct {
	offerID     int64
	reference   string
	counsellors []int64
	contacts    []postgres.SentContact
	// pgbench's contacts: another campaign of the same size, so that its
	// runs before and after the webhooks change none of theirs.
	pgbenchIDs [2]int64
}

// sendWebhookCampaign makes sure the database holds the job seekers,
// shares them among counsellors and replaces the offers with one whose
// contacts were all sent.
func sendWebhookCampaign(ctx context.Context, store *postgres.Store, svc *outreach.Service, opts benchWebhooksOptions, out io.Writer) (webhookCampaign, error) {
	var camp webhookCampaign
	if err := store.ResetOffers(ctx); err != nil {
		return camp, err
	}
	if err := store.ResetConsent(ctx); err != nil {
		return camp, err
	}
	total, _, err := store.CandidateCounts(ctx, seed.NationalIDPrefix)
	if err != nil {
		return camp, err
	}
	if total < opts.contacts {
		if err := store.ResetOutreach(ctx); err != nil {
			return camp, err
		}
		ids, err := store.SpreadCandidates(ctx, "bench-webhooks-", 1)
		if err != nil {
			return camp, err
		}
		if err := copySendPopulation(ctx, store, opts.contacts, ids[0], out); err != nil {
			return camp, err
		}
	}
	if err := store.GiveUniquePhones(ctx); err != nil {
		return camp, err
	}
	counsellors := (opts.contacts + opts.perCounsellor - 1) / opts.perCounsellor
	if camp.counsellors, err = store.SpreadCandidates(ctx, "bench-webhooks-", counsellors); err != nil {
		return camp, err
	}
	offer, err := svc.CreateOffer(ctx, outreach.OfferInput{Title: "Préparateur de commandes", ROMECode: "N1103",
		CommuneCode: "69259", Town: "Vénissieux", Employer: outreach.Employer{Name: "Entrepôt de test", Email: "rh@entrepot.example"},
		ContractType: "CDI", RadiusKM: 30, CounsellorID: camp.counsellors[0]})
	if err != nil {
		return camp, err
	}
	camp.offerID, camp.reference = offer.ID, offer.Reference
	if _, err := store.PlanContacts(ctx, offer.ID, opts.contacts, sendBenchBody); err != nil {
		return camp, err
	}
	if _, err := store.MarkCampaignSent(ctx, offer.ID); err != nil {
		return camp, err
	}
	other, err := svc.CreateOffer(ctx, outreach.OfferInput{Title: "Cariste", ROMECode: "N1101",
		CommuneCode: "69259", Town: "Vénissieux", Employer: outreach.Employer{Name: "Entrepôt de test", Email: "rh@entrepot.example"},
		ContractType: "CDI", RadiusKM: 30, CounsellorID: camp.counsellors[0]})
	if err != nil {
		return camp, err
	}
	if _, err := store.PlanContacts(ctx, other.ID, opts.contacts, sendBenchBody); err != nil {
		return camp, err
	}
	if _, err := store.MarkCampaignSent(ctx, other.ID); err != nil {
		return camp, err
	}
	if camp.pgbenchIDs[0], camp.pgbenchIDs[1], err = store.ContactIDRange(ctx, other.ID); err != nil {
		return camp, err
	}
	if err := store.AnalyzeOutreach(ctx); err != nil {
		return camp, err
	}
	camp.contacts, err = store.SentContacts(ctx, offer.ID)
	return camp, err
}

// benchAPIConfig is the configuration of the API under test: this one on
// the bench database, a loopback address and a queue namespace of its own.
func benchAPIConfig(cfg Config, dbURL, namespace string) (Config, map[string]string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Config{}, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	token := cfg.APIToken
	if token == "" {
		token = "bench-webhooks-api-token"
	}
	for k, v := range map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": cfg.RedisURL, "HTTP_ADDR": addr, "PUBLIC_URL": "http://" + addr,
		"API_TOKEN": token, "QUEUE_NAME": namespace, "LOG_LEVEL": "warn",
	} {
		env[k] = v
	}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		return Config{}, nil, fmt.Errorf("bench webhooks: API configuration: %w", err)
	}
	return c, env, nil
}

// benchAPI is the API under test, a child process or in this process.
type benchAPI struct {
	cmd  *exec.Cmd
	stop func()
}

func (a *benchAPI) peakRSS() string {
	if a.cmd == nil {
		return readMemory().peakRSS
	}
	return procMemory(fmt.Sprintf("/proc/%d/status", a.cmd.Process.Pid)).peakRSS
}

// cpu is the CPU time the API process used so far (0 in process).
func (a *benchAPI) cpu() time.Duration {
	if a.cmd == nil {
		return 0
	}
	return processCPU(fmt.Sprintf("/proc/%d/stat", a.cmd.Process.Pid))
}

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

func startBenchAPI(ctx context.Context, cfg Config, env map[string]string, inProcess bool) (*benchAPI, error) {
	if inProcess {
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return nil, err
		}
		s, err := startStack(ctx, cfg, slog.New(slog.DiscardHandler), stackOptions{serve: true, listener: ln})
		if err != nil {
			return nil, err
		}
		var once sync.Once
		return &benchAPI{stop: func() { once.Do(s.close) }}, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "serve")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the API: %w", err)
	}
	var once sync.Once
	a := &benchAPI{cmd: cmd, stop: func() {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		})
	}}
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(cfg.PublicURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return a, nil
			}
		}
		if time.Now().After(deadline) {
			a.stop()
			return nil, fmt.Errorf("bench webhooks: the API did not answer on %s", cfg.PublicURL)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A webhookRequest is one signed form post, ready to send.
type webhookRequest struct {
	path, body, signature string
	inboundSID            string // set for an inbound SMS's first post
	delivers              string // set for a "delivered" report: the SID
}

type webhookPlan struct {
	requests                 []webhookRequest
	inbound, status, retries int
	expectedItems            int // inbox items: distinct inbound SMS
	delivered                int // contacts with a "delivered" report
}

// replyMix is what job seekers answer, with how often (per thousand).
var replyMix = []struct {
	body   func(ref string) string
	weight int
}{
	{func(string) string { return "OUI" }, 250},
	{func(string) string { return "Oui je suis intéressée" }, 150},
	{func(ref string) string { return "oui " + strings.ToLower(ref) }, 50},
	{func(string) string { return "👍" }, 50},
	{func(string) string { return "non merci" }, 200},
	{func(string) string { return "NON" }, 80},
	{func(string) string { return "pas dispo" }, 50},
	{func(string) string { return "c'est où exactement ?" }, 90},
	{func(string) string { return "STOP" }, 40},
	{func(string) string { return "AIDE" }, 10},
	{func(string) string { return "" }, 30},
}

// planWebhooks lays out what Twilio would post for the campaign, in the
// order it would: for each contact, in order of sending, a "sent" report,
// a "delivered" report shortly after (before "sent" one time in twenty),
// and for 40% of them a reply minutes later; one request in fifty is
// retried. It keeps the first n requests.
func planWebhooks(camp webhookCampaign, n int, cfg Config) webhookPlan {
	type event struct {
		at  float64 // position in the stream
		req webhookRequest
	}
	rng := rand.New(rand.NewPCG(7, uint64(len(camp.contacts))))
	sign := func(path string, form url.Values) webhookRequest {
		return webhookRequest{path: path, body: form.Encode(), signature: simulator.Sign(cfg.TwilioAuthToken, cfg.PublicURL+path, form)}
	}
	statusForm := func(c postgres.SentContact, status string) url.Values {
		return url.Values{"AccountSid": {cfg.TwilioAccountSID}, "ApiVersion": {"2010-04-01"}, "From": {cfg.TwilioFrom},
			"MessageSid": {c.SID}, "MessageStatus": {status}, "SmsSid": {c.SID}, "SmsStatus": {status}, "To": {c.Phone}}
	}
	var events []event
	total := 0
	for i, c := range camp.contacts {
		if total >= 2*n { // enough to fill n once sorted
			break
		}
		base := float64(i) * 2.4
		sent, delivered := base, base+5+rng.Float64()*60
		if rng.IntN(20) == 0 {
			delivered = base - 1
		}
		deliveredReq := sign(webhooks.StatusPath, statusForm(c, "delivered"))
		deliveredReq.delivers = c.SID
		events = append(events, event{sent, sign(webhooks.StatusPath, statusForm(c, "sent"))}, event{delivered, deliveredReq})
		total += 2
		if rng.IntN(10) < 4 {
			sid := fmt.Sprintf("SM%032x", rng.Uint64()) // a new SMS from the job seeker
			form := url.Values{"AccountSid": {cfg.TwilioAccountSID}, "ApiVersion": {"2010-04-01"}, "Body": {pickReply(rng, camp.reference)},
				"From": {c.Phone}, "FromCountry": {"FR"}, "MessageSid": {sid}, "NumMedia": {"0"}, "NumSegments": {"1"},
				"SmsMessageSid": {sid}, "SmsSid": {sid}, "SmsStatus": {"received"}, "To": {cfg.TwilioFrom}, "ToCountry": {"FR"}}
			req := sign(webhooks.InboundPath, form)
			req.inboundSID = sid
			events = append(events, event{base + 200 + rng.Float64()*3000, req})
			total++
		}
	}
	// Retries: the same request again, a little later.
	for i := range len(events) / 50 {
		e := events[(i*50+rng.IntN(50))%len(events)]
		e.at += 1 + rng.Float64()*100
		e.req.inboundSID = "" // a retry makes no new inbox item
		events = append(events, e)
	}
	slices.SortStableFunc(events, func(a, b event) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	var p webhookPlan
	seen := map[string]bool{}
	for _, e := range events[:min(n, len(events))] {
		p.requests = append(p.requests, e.req)
		key := e.req.path + "?" + e.req.body
		if seen[key] {
			p.retries++
		}
		seen[key] = true
		if e.req.path == webhooks.InboundPath {
			p.inbound++
		} else {
			p.status++
		}
	}
	delivered := map[string]bool{}
	for _, r := range p.requests {
		if r.inboundSID != "" {
			p.expectedItems++
		}
		if r.delivers != "" {
			delivered[r.delivers] = true
		}
	}
	p.delivered = len(delivered)
	return p
}

func pickReply(rng *rand.Rand, ref string) string {
	r := rng.IntN(1000)
	for _, m := range replyMix {
		if r < m.weight {
			return m.body(ref)
		}
		r -= m.weight
	}
	return "OUI"
}

// webhookLoad is what posting the plan measured.
type webhookLoad struct {
	elapsed      time.Duration
	latencies    []time.Duration
	inboundLat   []time.Duration      // the inbound SMS' share of latencies
	sentAt       map[string]time.Time // inbound SID → when its post started
	failed       int
	firstFailure string
}

func (l webhookLoad) rps() float64 { return float64(len(l.latencies)) / l.elapsed.Seconds() }

// postWebhooks posts the requests in order from concurrency clients, each
// taking the next request when its previous one is answered.
func postWebhooks(ctx context.Context, baseURL string, reqs []webhookRequest, concurrency int, out io.Writer) webhookLoad {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency, IdleConnTimeout: time.Minute}}
	var next atomic.Int64
	var mu sync.Mutex
	load := webhookLoad{sentAt: make(map[string]time.Time, len(reqs)/2)}
	stopProgress := progress(out, "posted", len(reqs), func() int { return int(min(next.Load(), int64(len(reqs)))) })
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, len(reqs)/concurrency+1)
			var inLat []time.Duration
			sent := map[string]time.Time{}
			var failed int
			var failure string
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) || ctx.Err() != nil {
					break
				}
				r := reqs[i]
				t0 := time.Now()
				if r.inboundSID != "" {
					sent[r.inboundSID] = t0
				}
				if err := postWebhook(ctx, client, baseURL, r); err != nil {
					failed++
					if failure == "" {
						failure = err.Error()
					}
				}
				d := time.Since(t0)
				lat = append(lat, d)
				if r.path == webhooks.InboundPath {
					inLat = append(inLat, d)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			load.latencies = append(load.latencies, lat...)
			load.inboundLat = append(load.inboundLat, inLat...)
			for k, v := range sent {
				load.sentAt[k] = v
			}
			load.failed += failed
			if load.firstFailure == "" {
				load.firstFailure = failure
			}
		}()
	}
	wg.Wait()
	load.elapsed = time.Since(start)
	stopProgress()
	return load
}

func postWebhook(ctx context.Context, client *http.Client, baseURL string, r webhookRequest) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+r.path, strings.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", r.signature)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("%s: HTTP %d", r.path, resp.StatusCode)
	}
	return nil
}

// progress prints how far a long step got every 2 seconds until stopped.
func progress(out io.Writer, what string, total int, done func() int) (stop func()) {
	quit := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				n := done()
				fmt.Fprintf(out, "  %s / %s %s, %.0f/s so far\n", thousands(n), thousands(total), what, float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// inboxStreams reads every counsellor's live inbox stream, noting when
// each item arrived.
type inboxStreams struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	arrived map[int64]time.Time // inbox item → when its event was read
	wrong   int                 // events on another counsellor's stream
}

func openInboxStreams(ctx context.Context, cfg Config, counsellors []int64) (*inboxStreams, error) {
	ctx, cancel := context.WithCancel(ctx)
	s := &inboxStreams{cancel: cancel, arrived: map[int64]time.Time{}}
	links := api.NewInboxLinks(cfg.APIToken)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(counsellors)}}
	ready := make(chan error, len(counsellors))
	for _, id := range counsellors {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.read(ctx, client, cfg.PublicURL+strings.Replace(links.Path(id), "?", "/events?", 1), ready)
		}()
	}
	for range counsellors {
		if err := <-ready; err != nil {
			s.close()
			return nil, fmt.Errorf("open inbox stream: %w", err)
		}
	}
	return s, nil
}

// read follows one stream, reporting on ready once it is subscribed (the
// server's first line comes after its subscription).
func (s *inboxStreams) read(ctx context.Context, client *http.Client, url string, ready chan<- error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		ready <- err
		return
	}
	resp, err := client.Do(req)
	if err != nil {
		ready <- err
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		ready <- fmt.Errorf("HTTP %d", resp.StatusCode)
		return
	}
	sc := bufio.NewScanner(resp.Body)
	first := true
	for sc.Scan() {
		if first {
			ready <- nil
			first = false
		}
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(data, 10, 64)
		if err != nil {
			continue
		}
		now := time.Now()
		s.mu.Lock()
		s.arrived[id] = now
		s.mu.Unlock()
	}
	if first {
		ready <- errors.New("stream closed before its first line")
	}
}

func (s *inboxStreams) close() {
	s.cancel()
	s.wg.Wait()
}

func (s *inboxStreams) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.arrived)
}

// pushLatencies waits (up to 10 s) for every expected item to arrive and
// returns, for each, the time from its webhook's post to its event.
func (s *inboxStreams) pushLatencies(ctx context.Context, store *postgres.Store, sentAt map[string]time.Time, want int) ([]time.Duration, error) {
	for deadline := time.Now().Add(10 * time.Second); s.count() < want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	s.close()
	sids, err := store.InboxItemSIDs(ctx)
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for id, at := range s.arrived {
		sid, ok := sids[id]
		if !ok {
			return nil, fmt.Errorf("bench webhooks: live event for inbox item %d, which is not in the database", id)
		}
		if t0, ok := sentAt[sid]; ok {
			out = append(out, at.Sub(t0))
		}
	}
	if len(out) != want || len(sids) != want {
		return nil, fmt.Errorf("bench webhooks: %d inbox items in the database and %d pushed live, want %d", len(sids), len(out), want)
	}
	return out, nil
}

// checkWebhookEffects checks that the database holds each webhook once.
func checkWebhookEffects(ctx context.Context, store *postgres.Store, offerID int64, p webhookPlan) error {
	got, err := store.CountWebhookEffects(ctx, offerID)
	if err != nil {
		return err
	}
	if got.Inbound != p.expectedItems || got.InboxItems != p.expectedItems {
		return fmt.Errorf("bench webhooks: %d inbound SMS and %d inbox items stored, want %d of each", got.Inbound, got.InboxItems, p.expectedItems)
	}
	if got.Delivered != p.delivered {
		return fmt.Errorf("bench webhooks: %d contacts delivered, want %d (every contact with a delivered report, whatever came after)", got.Delivered, p.delivered)
	}
	if got.StatusEvents != p.status-countRetries(p, webhooks.StatusPath) {
		return fmt.Errorf("bench webhooks: %d status events stored for %d distinct callbacks", got.StatusEvents, p.status-countRetries(p, webhooks.StatusPath))
	}
	return nil
}

func countRetries(p webhookPlan, path string) int {
	seen, n := map[string]bool{}, 0
	for _, r := range p.requests {
		if r.path != path {
			continue
		}
		if seen[r.body] {
			n++
		}
		seen[r.body] = true
	}
	return n
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
