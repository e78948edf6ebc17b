package main

// The service on Redis Sentinel and on Redis Cluster: private redis-server
// processes of the test's own on free ports (never the shared Redis), and
// a stack configured through REDIS_SENTINEL_* or REDIS_CLUSTER_ADDRS that
// queues and sends SMS with asynq, pushes live inbox events over pub/sub,
// paces sends and throttles sign-ins.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/ratelimit"
)

// TestRedisSentinel runs a stack on a master found through Sentinel, with
// passwords on both and the database taken from REDIS_URL (whose host is
// ignored), then has Sentinel fail the master over to its replica: the
// same stack keeps working on the new master.
func TestRedisSentinel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts private redis-server processes")
	}
	const masterPassword, sentinelPassword = "master-pw", "sentinel-pw"
	auth := []string{"--requirepass", masterPassword, "--masterauth", masterPassword}
	master := startRedisProcess(t, auth...)
	replica := startRedisProcess(t, append(auth, "--replicaof", "127.0.0.1", strconv.Itoa(master))...)
	replicaClient := redis.NewClient(&redis.Options{Addr: redisAddr(replica), Password: masterPassword})
	t.Cleanup(func() { replicaClient.Close() })
	pollUntil(t, "the replica in sync", func(ctx context.Context) bool {
		info, err := replicaClient.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	})
	// Started after the replica, so that its first look at the master
	// finds it.
	conf := fmt.Sprintf("sentinel monitor outreach 127.0.0.1 %d 1\nsentinel auth-pass outreach %s\n"+
		"sentinel down-after-milliseconds outreach 2000\nsentinel failover-timeout outreach 10000\nrequirepass %s\n",
		master, masterPassword, sentinelPassword)
	path := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	sentinel := startRedisProcess(t, path, "--sentinel")
	sentinelClient := redis.NewSentinelClient(&redis.Options{Addr: redisAddr(sentinel), Password: sentinelPassword})
	t.Cleanup(func() { sentinelClient.Close() })
	pollUntil(t, "Sentinel to know the replica", func(ctx context.Context) bool {
		replicas, err := sentinelClient.Replicas(ctx, "outreach").Result()
		return err == nil && len(replicas) == 1 && !strings.Contains(replicas[0]["flags"], "down")
	})

	e := startE2E(t, withEnv(map[string]string{
		"REDIS_URL":               "redis://:" + masterPassword + "@not-this-host.invalid:1/3",
		"REDIS_SENTINEL_ADDRS":    redisAddr(sentinel),
		"REDIS_SENTINEL_MASTER":   "outreach",
		"REDIS_SENTINEL_PASSWORD": sentinelPassword,
		"SMS_RATE_PER_SECOND":     "50",
	}))
	exerciseRedis(t, e, 1)
	masterClient := redis.NewClient(&redis.Options{Addr: redisAddr(master), Password: masterPassword, DB: 3})
	t.Cleanup(func() { masterClient.Close() })
	if in, err := masterClient.SIsMember(context.Background(), "asynq:queues", e.cfg.QueueName).Result(); err != nil || !in {
		t.Errorf("the queue is not in the master's database 3 (%v)", err)
	}

	// Failover: the replica becomes the master; the stack follows.
	if err := sentinelClient.Failover(context.Background(), "outreach").Err(); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "the failover", func(ctx context.Context) bool {
		addr, err := sentinelClient.GetMasterAddrByName(ctx, "outreach").Result()
		role, rerr := replicaClient.Do(ctx, "ROLE").Slice()
		return err == nil && rerr == nil && addr[1] == strconv.Itoa(replica) && role[0] == "master"
	})
	exerciseRedis(t, e, 2)
	// The outbox sweep saw the queue's mark come from the old master, so
	// queued everything again (a no-op for tasks the failover kept, a new
	// one for tasks it lost) and marked the queue whole on the new master.
	newRunID := runID(t, replicaClient)
	pollUntil(t, "the queue marked whole on the new master", func(ctx context.Context) bool {
		return e.stack.rdb.Get(ctx, "outreach:{"+e.cfg.QueueName+"}:queue-whole").Val() == newRunID
	})
	newMaster := redis.NewClient(&redis.Options{Addr: redisAddr(replica), Password: masterPassword, DB: 3})
	t.Cleanup(func() { newMaster.Close() })
	if n, err := newMaster.Exists(context.Background(), "outreach:rate-check:2").Result(); err != nil || n != 1 {
		t.Errorf("the new master holds no rate-limit key of the second round (%d, %v)", n, err)
	}
}

// TestRedisCluster runs a stack on a three-node Redis Cluster with a
// password: asynq's scripts, our rate-limit script, the sign-in throttle's
// transaction and the queue mark keep their keys in one hash slot each
// (a CROSSSLOT error would fail them), and live events go through the
// cluster's pub/sub, which carries a message to subscribers on any node.
func TestRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts private redis-server processes")
	}
	const password = "cluster-pw"
	dir := t.TempDir()
	var nodes []string
	for i := range 3 {
		port := startRedisProcess(t, "--requirepass", password, "--masterauth", password, "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", i)), "--cluster-node-timeout", "2000")
		nodes = append(nodes, redisAddr(port))
	}
	args := append([]string{"--cluster", "create"}, nodes...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes", "-a", password, "--no-auth-warning")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range nodes {
		node := redis.NewClient(&redis.Options{Addr: addr, Password: password})
		t.Cleanup(func() { node.Close() })
		pollUntil(t, "cluster_state:ok on "+addr, func(ctx context.Context) bool {
			info, err := node.ClusterInfo(ctx).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok")
		})
	}

	e := startE2E(t, withEnv(map[string]string{
		"REDIS_URL":           "redis://:" + password + "@not-this-host.invalid:1/0",
		"REDIS_CLUSTER_ADDRS": strings.Join(nodes, ","),
		"SMS_RATE_PER_SECOND": "50",
	}))
	if _, ok := e.stack.rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("the stack's client is a %T", e.stack.rdb)
	}
	exerciseRedis(t, e, 1)
	exerciseRedis(t, e, 2)
	// The queue's mark holds the run ID of the node that holds the queue.
	mark := "outreach:{" + e.cfg.QueueName + "}:queue-whole"
	node, err := e.stack.rdb.(*redis.ClusterClient).MasterForKey(context.Background(), mark)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.stack.rdb.Get(context.Background(), mark).Val(), runID(t, node); got != want {
		t.Errorf("queue mark %q, want the run ID %q of the queue's node", got, want)
	}
	var spread []string
	for _, addr := range nodes {
		node := redis.NewClient(&redis.Options{Addr: addr, Password: password})
		n, _ := node.DBSize(context.Background()).Result()
		node.Close()
		spread = append(spread, fmt.Sprintf("%s: %d keys", addr, n))
	}
	t.Logf("keys per node: %s", strings.Join(spread, ", "))
}

// exerciseRedis uses every part of the service that needs Redis: an
// outreach to three new job seekers queued and sent by the worker (asynq,
// paced by the rate limiter), a reply pushed to the counsellor's live
// inbox (pub/sub), a rate-limit slot taken, sign-in failures counted and
// a sign-in refused over HTTP, and the queue seen in asynqmon.
func exerciseRedis(t *testing.T, e *e2e, round int) {
	t.Helper()
	ctx := context.Background()
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": fmt.Sprintf("redis-%d@agence.example", round),
		"name": "Redis", "agency": "Lyon"}, &co, http.StatusCreated)
	phones := make([]string, 3)
	for i := range phones {
		var c struct{ Phone string }
		e.must(http.MethodPost, "/api/v1/candidates", map[string]any{
			"external_id": fmt.Sprintf("R%d-%d", round, i), "first_name": "Prénom", "phone": fmt.Sprintf("063998%02d%02d", 70+round, i),
			"commune_code": "69259", "rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": co.ID,
		}, &c, http.StatusCreated)
		phones[i] = c.Phone
	}
	var offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(co.ID, fmt.Sprintf("OF-REDIS-%d", round)), &offer, http.StatusCreated)
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, nil, http.StatusAccepted)
	// The offer also reaches the job seekers of earlier rounds.
	eventually(t, "every SMS delivered", func() bool {
		c := e.outreach(offer.ID).Counts
		return c["total"] >= 3 && c["delivered"] == c["total"]
	})

	events := e.sseEvents(co.ID)
	if res, err := e.stack.sim.Reply(ctx, phones[0], "OUI"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("reply: %v %+v", err, res)
	}
	var item int64
	if err := e.stack.pool.QueryRow(ctx, `SELECT max(id) FROM inbox_items WHERE counsellor_id = $1`, co.ID).Scan(&item); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-events:
		if got != itoa64(item) {
			t.Errorf("live event for item %s, want %d", got, item)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reply never reached the counsellor's live inbox")
	}

	// A slot every 1,000 s: the second caller must wait most of it.
	limiter := ratelimit.New(e.stack.rdb, fmt.Sprintf("outreach:rate-check:%d", round), 0.001, 1)
	first, err := limiter.Reserve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := limiter.Reserve(ctx)
	if err != nil || first != 0 || second < 500*time.Second {
		t.Errorf("rate limit slots: wait %s then %s (%v), want none then most of 1000 s", first, second, err)
	}
	throttle := accounts.NewRedisThrottle(e.stack.rdb, e.cfg.QueueName)
	key := fmt.Sprintf("check-%d", round)
	for range 2 {
		if err := throttle.Fail(ctx, key, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if n, resetIn, err := throttle.Failures(ctx, key); err != nil || n != 2 || resetIn <= 0 {
		t.Errorf("sign-in failures %d, reset in %s (%v): want 2 within the hour", n, resetIn, err)
	}
	if status := wrongSignIn(t, e.cfg.PublicURL, fmt.Sprintf("redis-%d@agence.example", round)); status != http.StatusUnauthorized {
		t.Errorf("a wrong password: %d, want 401", status)
	}
	status, body := e.raw(http.MethodGet, adminQueuesPath+"/api/queues", "", "", map[string]string{"Authorization": "Bearer " + e.cfg.APIToken})
	if status != http.StatusOK || !strings.Contains(body, e.cfg.QueueName) {
		t.Errorf("asynqmon's queues: %d %.200s", status, body)
	}
}

// wrongSignIn signs in with a wrong password through the sign-in form
// (its CSRF cookie and field) and returns the status.
func wrongSignIn(t *testing.T, base, email string) int {
	t.Helper()
	client := newSignInClient()
	token := signInFormToken(t, client, base)
	res, err := client.PostForm(base+"/connexion", url.Values{"csrf": {token}, "email": {email}, "password": {"pas le bon"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// newSignInClient keeps cookies and does not follow redirects.
func newSignInClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var signInFormCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInFormToken loads the sign-in form, which sets its CSRF cookie, and
// returns the form's CSRF field.
func signInFormToken(t *testing.T, client *http.Client, base string) string {
	t.Helper()
	res, err := client.Get(base + "/connexion")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := signInFormCSRF.FindSubmatch(b)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("sign-in form: %d, CSRF field found %v", res.StatusCode, m != nil)
	}
	return string(m[1])
}

// startRedisProcess starts a redis-server of the test's own on a free
// port, keeping nothing on disk, with extra arguments (a config file
// first, if any), and returns its port. It is killed when the test ends.
func startRedisProcess(t *testing.T, args ...string) int {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not found: scripts/services.sh installs it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var conf []string
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		conf, args = args[:1], args[1:]
	}
	all := append(conf, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	cmd := exec.Command(bin, append(all, args...)...)
	cmd.Dir = t.TempDir() // where a cluster node or Sentinel may write
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("redis-server %s exited at start:\n%s", strings.Join(cmd.Args[1:], " "), out)
		default:
		}
		if c, err := net.Dial("tcp", redisAddr(port)); err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %d takes no connection", port)
		}
	}
}

// runID is the run ID of a Redis server.
func runID(t *testing.T, node *redis.Client) string {
	t.Helper()
	info, err := node.Info(context.Background(), "server").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if id, ok := strings.CutPrefix(strings.TrimSpace(line), "run_id:"); ok {
			return id
		}
	}
	t.Fatal("INFO server gives no run_id")
	return ""
}

func redisAddr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// pollUntil polls cond until it holds, or fails the test after 20 s.
func pollUntil(t *testing.T, what string, cond func(ctx context.Context) bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ok := cond(ctx)
		cancel()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
