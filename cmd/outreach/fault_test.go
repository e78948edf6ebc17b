package main

// Fault tests of the sending pipeline: a worker process killed with
// SIGKILL mid-campaign, Redis restarted empty mid-campaign, a provider that
// fails a fifth of its calls. Each checks, at the simulator, that every
// contact got exactly one SMS. OUTREACH_FAULT_CONTACTS sets the campaign
// size (default 2,000 in CI; the figure is 10,000).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/hibiken/asynq"
)

func faultContacts(t *testing.T) int {
	if v := os.Getenv("OUTREACH_FAULT_CONTACTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("OUTREACH_FAULT_CONTACTS=%q: want a positive number", v)
		}
		return n
	}
	return 2000
}

// faultEnv is the configuration of a fault test's processes.
func faultEnv(dbURL, redisURL, queueName, publicURL string) map[string]string {
	return map[string]string{
		"DATABASE_URL":        dbURL,
		"REDIS_URL":           redisURL,
		"PUBLIC_URL":          publicURL,
		"API_TOKEN":           "fault-test-token-0123456789",
		"QUIET_HOURS":         "off",
		"QUEUE_NAME":          queueName,
		"MATCH_INDEX":         "off",
		"SEND_LEASE":          "2s",
		"OUTBOX_SWEEP_EVERY":  "300ms",
		"SMS_RETRY_BASE":      "50ms",
		"SMS_RATE_PER_SECOND": "400", // a campaign of 2,000 lasts 5 s: room to strike
		"WORKER_CONCURRENCY":  "32",
		"LOG_LEVEL":           "warn",
	}
}

func startFaultStack(t *testing.T, env map[string]string, work bool) *stack {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env["PUBLIC_URL"] = "http://" + ln.Addr().String()
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	// Quiet: the simulated provider errors would log an error each.
	s, err := startStack(context.Background(), cfg, slog.New(slog.DiscardHandler), stackOptions{serve: true, work: work, listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return s
}

// planFaultCampaign plans and queues a campaign of n contacts.
func planFaultCampaign(t *testing.T, s *stack, n int) int64 {
	t.Helper()
	ctx := context.Background()
	offerID, planned, err := planSendCampaign(ctx, postgres.NewStore(s.pool), s.svc, n, io.Discard)
	if err != nil || planned != n {
		t.Fatalf("planned %d of %d: %v", planned, n, err)
	}
	if _, err := s.svc.QueuePlanned(ctx, offerID); err != nil {
		t.Fatal(err)
	}
	return offerID
}

// waitAllSent waits until every contact of the offer has a SID, then
// checks the simulator holds exactly one message per contact: the SIDs
// stored are the simulator's, one each, and nothing more was sent.
func waitAllSent(t *testing.T, s *stack, offerID int64, n int, within time.Duration) {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(s.pool)
	deadline := time.Now().Add(within)
	for {
		sent, err := store.CountSent(ctx, offerID)
		if err == nil && sent == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d contacts sent after %s (err %v)", sent, n, within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var open int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE offer_id = $1 AND status IN ('planned', 'queued', 'sending')`,
		offerID).Scan(&open); err != nil || open != 0 {
		t.Fatalf("%d contacts still planned, queued or sending (err %v)", open, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT message_sid FROM contacts WHERE offer_id = $1`, offerID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var sid string
		if err := rows.Scan(&sid); err != nil {
			t.Fatal(err)
		}
		stored[sid] = true
	}
	messages := s.sim.Messages("")
	if len(messages) != n || len(stored) != n {
		t.Fatalf("the simulator got %d messages for %d contacts with %d distinct SIDs: want exactly one each", len(messages), n, len(stored))
	}
	for _, m := range messages {
		if !stored[m.SID] {
			t.Fatalf("message %s at the simulator belongs to no contact: a second SMS", m.SID)
		}
	}
}

// buildOutreach builds the command into a temporary directory, once.
var buildOutreach = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "outreach-fault-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "outreach")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// TestWorkerKilledMidCampaign kills the worker process with SIGKILL at
// random moments, four times, restarting it each time: no contact is lost
// and none gets two SMS, whether the kill fell before the claim, during
// the provider call or before the SID was stored (the outbox sweep asks the
// provider about those).
func TestWorkerKilledMidCampaign(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	bin, err := buildOutreach()
	if err != nil {
		t.Fatal(err)
	}
	n := faultContacts(t)
	_, ns := testenv.Redis(t)
	env := faultEnv(testenv.DatabaseURL(t), testenv.RedisURL(), ns, "")
	s := startFaultStack(t, env, false) // API, webhooks and simulator; the worker is a child process
	env["TWILIO_API_URL"] = s.cfg.PublicURL + "/simulator"
	offerID := planFaultCampaign(t, s, n)

	startWorker := func() *exec.Cmd {
		cmd := exec.Command(bin, "worker")
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stderr = testWriter{t}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	store := postgres.NewStore(s.pool)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for kill := range 4 {
		cmd := startWorker()
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		sent, _ := store.CountSent(context.Background(), offerID)
		t.Logf("kill %d: %d of %d sent", kill+1, sent, n)
	}
	cmd := startWorker()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	// asynq gives a dead worker's tasks back after their 30 s lease.
	waitAllSent(t, s, offerID, n, 3*time.Minute)
}

// TestRedisRestartedEmptyMidCampaign kills Redis (which keeps nothing on
// disk) mid-campaign and starts it again empty: the outbox sweep notices
// and queues the unsent contacts again; nothing is lost or doubled.
func TestRedisRestartedEmptyMidCampaign(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found: scripts/services.sh installs it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	startRedis := func() *exec.Cmd {
		cmd := exec.Command(redisBin, "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				return cmd
			}
			if time.Now().After(deadline) {
				t.Fatal("redis-server did not start")
			}
		}
	}
	redis := startRedis()
	t.Cleanup(func() { _ = redis.Process.Kill(); _ = redis.Wait() })

	n := faultContacts(t)
	env := faultEnv(testenv.DatabaseURL(t), "redis://127.0.0.1:"+port+"/0", "fault", "")
	s := startFaultStack(t, env, true)
	offerID := planFaultCampaign(t, s, n)
	store := postgres.NewStore(s.pool)
	time.Sleep(time.Duration(n/400/3) * time.Second) // about a third of the campaign
	_ = redis.Process.Signal(syscall.SIGKILL)
	_ = redis.Wait()
	sent, _ := store.CountSent(context.Background(), offerID)
	t.Logf("Redis killed with %d of %d sent", sent, n)
	time.Sleep(time.Second) // the worker's calls to Redis fail meanwhile
	redis = startRedis()
	waitAllSent(t, s, offerID, n, 3*time.Minute)
}

// TestProviderFailingAFifthOfCalls has the simulator answer 20% of sends
// with 429 or 500: every contact still ends with exactly one SMS.
func TestProviderFailingAFifthOfCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	n := min(faultContacts(t), 1000)
	_, ns := testenv.Redis(t)
	env := faultEnv(testenv.DatabaseURL(t), testenv.RedisURL(), ns, "")
	env["SMS_RATE_PER_SECOND"] = "0"
	s := startFaultStack(t, env, true)
	s.sim.SetFlakiness(0.2, 429, 500)
	offerID := planFaultCampaign(t, s, n)
	waitAllSent(t, s, offerID, n, 2*time.Minute)
}

// TestPermanentRefusalsAreNotRetried has the provider refuse four numbers
// for good (invalid, unsubscribed, not a mobile, region not enabled): each
// contact fails with its code at the first attempt, its task is archived
// without a retry, the unsubscribed number is opted out, and the others of
// the campaign are sent once.
func TestPermanentRefusalsAreNotRetried(t *testing.T) {
	ctx := context.Background()
	_, ns := testenv.Redis(t)
	env := faultEnv(testenv.DatabaseURL(t), testenv.RedisURL(), ns, "")
	env["SMS_RATE_PER_SECOND"] = "0"
	s := startFaultStack(t, env, true)
	const n = 30
	offerID, planned, err := planSendCampaign(ctx, postgres.NewStore(s.pool), s.svc, n, io.Discard)
	if err != nil || planned != n {
		t.Fatalf("planned %d: %v", planned, err)
	}
	codes := []int{21211, 21610, 21614, 21408}
	refused := map[int64]int{} // contact -> code
	rows, err := s.pool.Query(ctx, `SELECT id, phone FROM contacts WHERE offer_id = $1 ORDER BY id LIMIT 4`, offerID)
	if err != nil {
		t.Fatal(err)
	}
	phones := map[int64]string{}
	for i := 0; rows.Next(); i++ {
		var id int64
		var phone string
		if err := rows.Scan(&id, &phone); err != nil {
			t.Fatal(err)
		}
		s.sim.SetBehaviour(phone, simulator.Behaviour{RejectCode: codes[i]})
		refused[id], phones[id] = codes[i], phone
	}
	if _, err := s.svc.QueuePlanned(ctx, offerID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "every contact sent or failed", func() bool {
		var open int
		err := s.pool.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE offer_id = $1 AND status IN ('planned', 'queued', 'sending')`,
			offerID).Scan(&open)
		return err == nil && open == 0
	})
	insp := asynq.NewInspectorFromRedisClient(s.rdb)
	archived, err := insp.ListArchivedTasks(ns)
	if err != nil {
		t.Fatal(err)
	}
	archivedIDs := map[string]*asynq.TaskInfo{}
	for _, a := range archived {
		archivedIDs[a.ID] = a
	}
	for id, code := range refused {
		c, err := postgres.NewStore(s.pool).Contact(ctx, id)
		if err != nil || c.Status != outreach.StatusFailed || c.ErrorCode != code || c.MessageSID != "" {
			t.Errorf("contact %d refused with %d: %s code %d sid %q (%v)", id, code, c.Status, c.ErrorCode, c.MessageSID, err)
		}
		task := archivedIDs[queue.SendSMSTaskID(id)]
		if task == nil || task.Retried != 0 {
			t.Errorf("contact %d: task %+v, want archived at the first attempt", id, task)
		}
		optedOut, err := postgres.NewStore(s.pool).IsOptedOut(ctx, phones[id])
		if err != nil || optedOut != (code == 21610) {
			t.Errorf("contact %d (%d): opted out %v (%v)", id, code, optedOut, err)
		}
	}
	if len(archived) != len(refused) {
		t.Errorf("%d tasks archived, want the %d refused", len(archived), len(refused))
	}
	if sent, err := postgres.NewStore(s.pool).CountSent(ctx, offerID); err != nil || sent != n-len(refused) || len(s.sim.Messages("")) != sent {
		t.Errorf("%d sent, %d at the simulator, want %d each (%v)", sent, len(s.sim.Messages("")), n-len(refused), err)
	}
}
