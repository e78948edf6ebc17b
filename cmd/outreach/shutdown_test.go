package main

// Graceful life of the processes: SIGTERM drains serve (requests in
// flight answered, live streams ended, new connections refused) and worker
// (tasks in flight finished or back in the queue); startup refuses a
// schema behind the code and an invalid configuration.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

// process is an outreach command run as a child process.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once it exited; then err is its end
	err    error
}

// startProcess runs the built command with env, logging its stderr in
// the test; it is killed at the end of the test if still running.
func startProcess(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	bin, err := buildOutreach()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = testWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// stop sends SIGTERM and waits for the exit, at most within: it fails the
// test if the process outlives it or exits other than with 0.
func (p *process) stop(t *testing.T, within time.Duration) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(within):
		t.Fatalf("still running %s after SIGTERM", within)
	}
	if p.err != nil {
		t.Fatalf("exit after SIGTERM: %v, want 0", p.err)
	}
}

// TestServeDrainsOnSIGTERM stops `outreach serve` while a webhook is half
// received and a counsellor's live inbox is open: the stream ends at once,
// new connections are refused, the webhook gets its normal answer once its
// body is in, and the process exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command")
	}
	ctx := context.Background()
	_, ns := testenv.Redis(t)
	dbURL := testenv.DatabaseURL(t)
	addr := freeAddr(t)
	env := faultEnv(dbURL, testenv.RedisURL(), ns, "http://"+addr)
	env["HTTP_ADDR"] = addr
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	serve := startProcess(t, env, "serve")
	waitHealthy(t, serve, cfg.PublicURL)

	var co struct{ ID int64 }
	if err := newAPIClient(cfg.PublicURL, cfg.APIToken).call(ctx, http.MethodPost, "/api/v1/counsellors",
		map[string]string{"email": "lou@agence.example", "name": "Lou", "agency": "Lyon"}, &co, http.StatusCreated); err != nil {
		t.Fatal(err)
	}
	streamEnded := openLiveInbox(t, cfg.PublicURL, dbURL, co.ID)

	// A webhook whose handler runs and reads a body not all sent yet (the
	// server asks for it with 100 Continue when the handler reads).
	form := url.Values{"MessageSid": {"SMdrain0000000000000000000000001"}, "From": {"+33639980099"}, "To": {cfg.TwilioFrom}, "Body": {"Bonjour"}}
	body := form.Encode()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"+
		"Expect: 100-continue\r\nX-Twilio-Signature: %s\r\n\r\n", webhooks.InboundPath, addr, len(body),
		simulator.Sign(cfg.TwilioAuthToken, cfg.PublicURL+webhooks.InboundPath, form))
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("webhook: %q %v, want 100 Continue", line, err)
	}
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, body[:len(body)/2]); err != nil {
		t.Fatal(err)
	}

	_ = serve.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-streamEnded:
	case <-serve.exited:
		t.Fatal("serve exited before ending the live inbox stream and answering the webhook in flight")
	}
	waitRefused(t, addr)
	if _, err := io.WriteString(conn, body[len(body)/2:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("webhook in flight at SIGTERM: %v, want its answer", err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(answer), "<Response>") {
		t.Fatalf("webhook in flight at SIGTERM: %d %s, want 200 and TwiML", res.StatusCode, answer)
	}
	serve.stop(t, 30*time.Second)
	pool := openPool(t, dbURL)
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM inbound_messages WHERE message_sid = $1`, form.Get("MessageSid")).Scan(&stored); err != nil || stored != 1 {
		t.Errorf("the webhook answered during the drain stored %d messages (%v), want 1", stored, err)
	}
}

// TestWorkerDrainsOnSIGTERM stops `outreach worker` mid-campaign: it exits
// 0 within its shutdown timeout leaving no contact claimed (its tasks in
// flight finished or went back to the queue), and a new worker completes
// the campaign with exactly one SMS per contact.
func TestWorkerDrainsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command")
	}
	ctx := context.Background()
	_, ns := testenv.Redis(t)
	env := faultEnv(testenv.DatabaseURL(t), testenv.RedisURL(), ns, "")
	s := startFaultStack(t, env, false) // API, webhooks and simulator; the worker is a child process
	env["TWILIO_API_URL"] = s.cfg.PublicURL + "/simulator"
	const n = 1000
	offerID := planFaultCampaign(t, s, n)
	store := postgres.NewStore(s.pool)

	worker := startProcess(t, env, "worker")
	eventually(t, "a quarter of the campaign sent", func() bool {
		sent, err := store.CountSent(ctx, offerID)
		return err == nil && sent >= n/4
	})
	start := time.Now()
	worker.stop(t, queue.DefaultShutdownTimeout+10*time.Second)
	var sent, sending int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE message_sid IS NOT NULL), count(*) FILTER (WHERE status = 'sending')
		FROM contacts WHERE offer_id = $1`, offerID).Scan(&sent, &sending); err != nil {
		t.Fatal(err)
	}
	t.Logf("worker stopped in %s with %d of %d sent", time.Since(start).Round(time.Millisecond), sent, n)
	if sending != 0 {
		t.Errorf("%d contacts left in sending: a task in flight neither finished nor went back to the queue", sending)
	}
	worker = startProcess(t, env, "worker")
	waitAllSent(t, s, offerID, n, 2*time.Minute)
	worker.stop(t, queue.DefaultShutdownTimeout+10*time.Second)
}

// TestStartupRefusals: serve and worker refuse to start on a schema with a
// migration pending, or with invalid settings, saying what to fix and
// exiting 1.
func TestStartupRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command")
	}
	behind := testenv.DatabaseURL(t)
	pool := openPool(t, behind)
	if _, err := pool.Exec(context.Background(), `UPDATE schema_version SET version = version - 1`); err != nil {
		t.Fatal(err)
	}
	_, ns := testenv.Redis(t)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // lines of stderr
	}{
		{"serve, a migration pending", []string{"serve"}, nil,
			[]string{"outreach: 1 migration(s) pending: run 'outreach migrate' first"}},
		{"worker, a migration pending", []string{"worker"}, nil,
			[]string{"outreach: 1 migration(s) pending: run 'outreach migrate' first"}},
		{"serve, invalid settings", []string{"serve"}, map[string]string{"PUBLIC_URL": "ftp://x", "WORKER_CONCURRENCY": "abc"},
			[]string{"outreach: invalid configuration:", `  PUBLIC_URL: "ftp://x" is not an absolute http(s) URL`,
				"  WORKER_CONCURRENCY: must be a whole number from 1 to 1000"}},
		{"worker, invalid settings", []string{"worker"}, map[string]string{"SEND_LEASE": "soon", "REDIS_URL": "localhost:6379"},
			[]string{"outreach: invalid configuration:", "  REDIS_URL: must be a redis:// or rediss:// URL",
				"  SEND_LEASE: must be a duration such as 2m, at least 1s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := faultEnv(behind, testenv.RedisURL(), ns, "http://127.0.0.1:1")
			env["HTTP_ADDR"] = freeAddr(t)
			for k, v := range tt.env {
				env[k] = v
			}
			var stderr strings.Builder
			bin, err := buildOutreach()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, tt.args...)
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			cmd.Stderr = &stderr
			err = cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("exit: %v, want status 1", err)
			}
			got := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// openLiveInbox opens a counsellor's live inbox (/boite/flux) in a web
// session and returns a channel closed when the stream ends.
func openLiveInbox(t *testing.T, publicURL, dbURL string, counsellorID int64) <-chan struct{} {
	t.Helper()
	token, _, err := operatorSession(context.Background(), postgres.NewStore(openPool(t, dbURL)), counsellorID)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, publicURL+"/boite/flux", nil)
	req.AddCookie(&http.Cookie{Name: "outreach_session", Value: token})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("live inbox: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
	}()
	return ended
}

// waitHealthy waits until the process answers /healthz.
func waitHealthy(t *testing.T, p *process, publicURL string) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-p.exited:
			t.Fatalf("exited at start: %v", p.err)
		default:
		}
		if res, err := client.Get(publicURL + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("serve not healthy after 30 s")
		}
	}
}

// waitRefused waits until connections to addr are refused.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted 15 s after SIGTERM")
		}
	}
}

// freeAddr is a 127.0.0.1 address free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
