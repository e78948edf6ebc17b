package main

// `outreach bench webhooks`: Twilio's side of a campaign, replayed against
// a real API process over loopback, next to pgbench on the same database.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/seed"
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
	pool, _, err := openBenchDatabase(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	rdb, err := openRedis(ctx, cfg)
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

	streams, err := openInboxStreams(ctx, apiCfg, store, camp.counsellors)
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
		ContractType: "CDI", RadiusKM: 30, CounsellorID: camp.counsellors[0], Questions: &[]outreach.Question{}})
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
		ContractType: "CDI", RadiusKM: 30, CounsellorID: camp.counsellors[0], Questions: &[]outreach.Question{}})
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
