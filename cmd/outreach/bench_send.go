package main

// `outreach bench send`: a campaign through the real worker, twilio-go and
// the simulator, against asynq's own pace with a no-op handler.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/ratelimit"
	"github.com/franceoutreach/outreach/seed"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/sms"
)

type benchSendOptions struct {
	contacts    int
	concurrency int
	inProcess   bool // simulator in this process (tests) rather than a child process
	cpuProfile  string
	rate        float64 // SMS per second for the sender (ratelimit); 0: none
}

func parseBenchSendFlags(args []string) (benchSendOptions, error) {
	var o benchSendOptions
	fs := flag.NewFlagSet("bench send", flag.ContinueOnError)
	fs.IntVar(&o.contacts, "contacts", 100_000, "contacts in the campaign")
	fs.IntVar(&o.concurrency, "concurrency", 512, "tasks the worker runs at once (WORKER_CONCURRENCY)")
	fs.BoolVar(&o.inProcess, "simulator-in-process", false, "run the simulator in this process rather than as 'outreach simulator'")
	fs.Float64Var(&o.rate, "rate", 0, "pace the sender at this many SMS per second, as SMS_RATE_PER_SECOND does; 0: no limit")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the campaign to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	switch {
	case o.contacts < 1 || o.contacts > 10_000_000:
		return o, errors.New("bench send: -contacts must be between 1 and 10,000,000")
	case o.concurrency < 1 || o.concurrency > 1000:
		return o, errors.New("bench send: -concurrency must be between 1 and 1000")
	case o.rate < 0:
		return o, errors.New("bench send: -rate must not be negative")
	}
	return o, nil
}

// sendBenchBody is the campaign's SMS: a real offer text, 2 segments.
var sendBenchBody = outreach.ComposeOfferSMS(outreach.OfferSMS{AgencyName: "France Travail", FirstName: "Camille",
	JobTitle: "Préparateur de commandes", Town: "Vénissieux", ContractType: "CDI", Reference: "B3N7K2"})

// runBenchSend plans a campaign of -contacts contacts in a database of its
// own, queues them as StartOutreach does and lets a worker send them
// through twilio-go to the simulator (no rate limit, no delivery reports),
// timing from the first queued to the last SID stored; then times asynq
// alone, the same number of tasks with a no-op handler, and prints one
// key=value line.
func runBenchSend(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	opts, err := parseBenchSendFlags(args)
	if err != nil {
		return err
	}
	dbURL, name, err := benchDatabaseNamed(cfg.DatabaseURL, "send")
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
	batchCtx, stopBatching := context.WithCancel(ctx)
	defer stopBatching()
	store.StartBatching(batchCtx)

	simURL, stopSim, err := startBenchSimulator(ctx, cfg, opts.inProcess)
	if err != nil {
		return err
	}
	defer stopSim()

	suffix := strconv.Itoa(os.Getpid())
	sendQueue, noopQueue := "bench-send-"+suffix, "bench-noop-"+suffix
	defer deleteQueues(rdb, sendQueue, noopQueue)

	quiet, _ := outreach.ParseQuietHours("off", time.UTC)
	sender, err := sms.NewTwilioSender(sms.Config{AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken,
		From: cfg.TwilioFrom, APIURL: simURL})
	if err != nil {
		return err
	}
	discard := slog.New(slog.DiscardHandler)
	svc := outreach.NewService(store, sender, queue.NewClient(rdb, sendQueue), live.NewHub(rdb, sendQueue),
		outreach.ServiceConfig{AgencyName: cfg.AgencyName, QuietHours: quiet, Logger: discard})

	if opts.rate > 0 {
		svc.UsePacer(ratelimit.New(rdb, "outreach:"+sendQueue+":rate", opts.rate, 1))
	}
	offerID, planned, err := planSendCampaign(ctx, store, svc, opts.contacts, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bench database %s: campaign of %s planned contacts (offer %d)\n", name, thousands(planned), offerID)

	counted := &countingSender{ContactSender: svc, want: int64(planned), done: make(chan struct{})}
	worker := queue.NewWorker(rdb, queue.WorkerConfig{Queue: sendQueue, Concurrency: opts.concurrency,
		SweepEvery: time.Hour, Logger: discard}, counted)
	stopProfile, err := startCPUProfile(opts.cpuProfile)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := worker.Start(); err != nil {
		stopProfile()
		return err
	}
	if _, err := svc.QueuePlanned(ctx, offerID); err != nil {
		worker.Shutdown()
		return err
	}
	queued := time.Since(start)
	err = counted.wait(ctx, start, out)
	elapsed := time.Since(start)
	if f := counted.failures(); f != "" {
		fmt.Fprintln(out, f)
	}
	stopProfile()
	worker.Shutdown()
	if err == nil {
		err = checkAllSent(ctx, store, offerID, planned)
	}
	if err != nil {
		return err
	}
	mem := readMemory()
	smsRate := float64(planned) / elapsed.Seconds()
	fmt.Fprintf(out, "sent %s SMS in %s (all queued after %s): %.0f SMS/s end to end, concurrency %d\n",
		thousands(planned), elapsed.Round(time.Millisecond), queued.Round(time.Millisecond), smsRate, opts.concurrency)

	times, err := simulatorTimes(ctx, cfg, simURL)
	if err != nil {
		return err
	}
	messages := len(times)
	// Every contact has one SID, so any further message is a second SMS.
	duplicates := messages - planned
	fmt.Fprintf(out, "simulator: %s messages for %s contacts with a SID: %d duplicates\n", thousands(messages), thousands(planned), duplicates)
	paceNote := ""
	if opts.rate > 0 {
		busiest, window := busiestWindow(times, time.Minute)
		paceNote = fmt.Sprintf(" rate_limit=%g busiest_window_s=%.0f busiest_rate=%.2f pace_ratio=%.3f", opts.rate, window.Seconds(), busiest, busiest/opts.rate)
		fmt.Fprintf(out, "pace: limit %g SMS/s; busiest %.0f s window at the simulator %.2f SMS/s (%.1f%% of the limit)\n",
			opts.rate, window.Seconds(), busiest, 100*busiest/opts.rate)
	}

	noopRate, err := timeNoop(ctx, rdb, noopQueue, planned, opts.concurrency)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "asynq alone (same tasks, no-op handler, same concurrency): %.0f tasks/s\n", noopRate)
	fmt.Fprintf(out, "memory of this process (worker, queueing, pool): Go heap in use %.0f MB, peak RSS %s MB\n", mem.heapInuseMB, mem.peakRSS)
	fmt.Fprintf(out, "contacts=%d sent=%d messages=%d duplicates=%d sms_per_s=%.0f noop_asynq_per_s=%.0f ratio=%.2f concurrency=%d rss_mb=%s%s\n",
		planned, planned, messages, duplicates, smsRate, noopRate, smsRate/noopRate, opts.concurrency, mem.peakRSS, paceNote)
	return nil
}

// planSendCampaign makes sure the database holds n job seekers, then
// replaces its offers with one whose campaign plans a contact for each.
func planSendCampaign(ctx context.Context, store *postgres.Store, svc *outreach.Service, n int, out io.Writer) (int64, int, error) {
	if err := store.ResetOffers(ctx); err != nil {
		return 0, 0, err
	}
	co, err := svc.CreateCounsellor(ctx, outreach.CounsellorInput{Email: fmt.Sprintf("bench-send-%d@agence.example", time.Now().UnixNano()),
		Name: "Bench", Agency: "Bench"})
	if err != nil {
		return 0, 0, err
	}
	total, _, err := store.CandidateCounts(ctx, seed.NationalIDPrefix)
	if err != nil {
		return 0, 0, err
	}
	if total < n {
		if err := store.ResetOutreach(ctx); err != nil {
			return 0, 0, err
		}
		if co, err = svc.CreateCounsellor(ctx, outreach.CounsellorInput{Email: "bench-send@agence.example", Name: "Bench", Agency: "Bench"}); err != nil {
			return 0, 0, err
		}
		if err := copySendPopulation(ctx, store, n, co.ID, out); err != nil {
			return 0, 0, err
		}
	}
	offer, err := svc.CreateOffer(ctx, outreach.OfferInput{Title: "Préparateur de commandes", ROMECode: "N1103",
		CommuneCode: "69259", Town: "Vénissieux", Employer: outreach.Employer{Name: "Entrepôt de test", Email: "rh@entrepot.example"},
		ContractType: "CDI", RadiusKM: 30, CounsellorID: co.ID, Questions: &[]outreach.Question{}})
	if err != nil {
		return 0, 0, err
	}
	planned, err := store.PlanContacts(ctx, offer.ID, n, sendBenchBody)
	return offer.ID, planned, err
}

func copySendPopulation(ctx context.Context, store *postgres.Store, n int, counsellor int64, out io.Writer) error {
	src, err := seed.NationalFollowedBy(n, benchPopulationSeed, counsellor)
	if err != nil {
		return err
	}
	start := time.Now()
	copied, err := store.CopyCandidates(ctx, src, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "loaded %s job seekers by COPY in %s\n", thousands(copied), time.Since(start).Round(time.Millisecond))
	return nil
}

// countingSender counts the sends that stored their SID (SendContact
// returns nil after the commit), so that the bench knows when the campaign
// is over without polling PostgreSQL, which would add its own load; the
// database is checked once at the end (checkAllSent).
type countingSender struct {
	queue.ContactSender
	sent atomic.Int64
	want int64
	done chan struct{}

	mu     sync.Mutex
	errors map[string]int // failed sends by error, for the report
}

func (c *countingSender) SendContact(ctx context.Context, id int64) error {
	err := c.ContactSender.SendContact(ctx, id)
	if err != nil {
		c.mu.Lock()
		if c.errors == nil {
			c.errors = map[string]int{}
		}
		c.errors[err.Error()]++
		c.mu.Unlock()
		return err
	}
	if c.sent.Add(1) == c.want {
		close(c.done)
	}
	return nil
}

// failures describes the failed sends (retried by the queue), if any.
func (c *countingSender) failures() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	total, example := 0, ""
	for e, n := range c.errors {
		total += n
		example = e
	}
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("%d sends failed and were retried (%d kinds of error; one: %s)", total, len(c.errors), example)
}

// wait blocks until every contact was sent, printing progress, or fails
// when nothing moved for a minute.
func (c *countingSender) wait(ctx context.Context, start time.Time, out io.Writer) error {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	stalled, before := time.Now(), int64(-1)
	for {
		select {
		case <-c.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		n := c.sent.Load()
		if n != before {
			stalled, before = time.Now(), n
		} else if time.Since(stalled) > time.Minute {
			return fmt.Errorf("bench send: stuck at %d of %d SMS sent for a minute", n, c.want)
		}
		fmt.Fprintf(out, "  %s / %s sent, %.0f/s so far\n", thousands(int(n)), thousands(int(c.want)), float64(n)/time.Since(start).Seconds())
	}
}

// checkAllSent checks in the database that every contact has its SID.
func checkAllSent(ctx context.Context, store *postgres.Store, offerID int64, want int) error {
	n, err := store.CountSent(ctx, offerID)
	if err == nil && n != want {
		err = fmt.Errorf("bench send: %d of %d contacts have a SID", n, want)
	}
	return err
}

// startBenchSimulator runs the simulator, as a child process
// ('outreach simulator', so that its memory and messages are not the
// worker's) or in this process, and returns its URL.
func startBenchSimulator(ctx context.Context, cfg Config, inProcess bool) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	url := "http://" + ln.Addr().String()
	if inProcess {
		sim := simulator.New(simulator.Config{AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken,
			PhoneNumber: cfg.TwilioFrom, Logger: slog.New(slog.DiscardHandler)})
		srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		return url, func() { _ = srv.Close(); sim.Close() }, nil
	}
	addr := ln.Addr().String()
	ln.Close()
	exe, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "simulator", "--addr", addr)
	cmd.Env = append(os.Environ(), "LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start the simulator: %w", err)
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	for deadline := time.Now().Add(10 * time.Second); ; {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return url, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("the simulator did not listen on %s: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// simulatorTimes returns when the simulator recorded each message, in order.
func simulatorTimes(ctx context.Context, cfg Config, simURL string) ([]time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, simURL+"/messages", nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(cfg.TwilioAccountSID, cfg.TwilioAuthToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("simulator messages: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Messages []struct {
			CreatedAt time.Time `json:"created_at"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("simulator messages: %w", err)
	}
	times := make([]time.Time, len(body.Messages))
	for i, m := range body.Messages {
		times[i] = m.CreatedAt
	}
	slices.SortFunc(times, time.Time.Compare)
	return times, nil
}

// busiestWindow returns the highest rate over any window of the given
// length (shorter when the run is), counting the messages in it.
func busiestWindow(times []time.Time, length time.Duration) (float64, time.Duration) {
	if len(times) < 2 {
		return 0, 0
	}
	length = min(length, times[len(times)-1].Sub(times[0]))
	if length <= 0 {
		return 0, 0
	}
	most, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) > length {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return float64(most) / length.Seconds(), length
}

// timeNoop queues n tasks with IDs, as the service queues SMS (16 streams),
// while a worker of the same concurrency runs them with a no-op handler,
// and returns tasks per second from the first queued to the last done.
func timeNoop(ctx context.Context, rdb redis.UniversalClient, queueName string, n, concurrency int) (float64, error) {
	var done atomic.Int64
	finished := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc("bench:noop", func(context.Context, *asynq.Task) error {
		if done.Add(1) == int64(n) {
			close(finished)
		}
		return nil
	})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{Concurrency: concurrency, Queues: map[string]int{queueName: 1},
		LogLevel: asynq.FatalLevel})
	client := asynq.NewClientFromRedisClient(rdb)
	start := time.Now()
	if err := srv.Start(mux); err != nil {
		return 0, err
	}
	defer srv.Shutdown()
	const streams = 16
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for w := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += streams {
				task := asynq.NewTask("bench:noop", nil, asynq.TaskID("bench:noop:"+strconv.Itoa(i)), asynq.Queue(queueName))
				if _, err := client.EnqueueContext(ctx, task); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, fmt.Errorf("queue no-op tasks: %w", err)
	}
	select {
	case <-finished:
	case <-time.After(10 * time.Minute):
		return 0, fmt.Errorf("no-op tasks: %d of %d done after 10 minutes", done.Load(), n)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// deleteQueues removes the bench's queues from Redis.
func deleteQueues(rdb redis.UniversalClient, names ...string) {
	insp := asynq.NewInspectorFromRedisClient(rdb)
	for _, name := range names {
		_ = insp.DeleteQueue(name, true)
	}
}
