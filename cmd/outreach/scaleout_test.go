package main

// Scale-out: two `outreach serve` and two `outreach worker` processes on
// the same PostgreSQL database and Redis namespace, behind a round-robin
// load balancer whose URL is PUBLIC_URL, with a Twilio simulator of the
// test's own. OUTREACH_SCALEOUT_CONTACTS sets the campaign size (300).

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

// TestTwoServeTwoWorkers shows that serve and worker are stateless:
//   - sending: a campaign queued through the load balancer is sent by the
//     two workers together, one SMS per contact at the simulator;
//   - live inbox: counsellor A's stream is open on serve #1, B's on serve
//     #2; their job seekers' replies reach the load balancer in turn, so
//     each process takes replies of both; each counsellor receives their
//     own replies' events, each once, and none of the other's.
func TestTwoServeTwoWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four outreach processes")
	}
	bin, err := buildOutreach()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dbURL := testenv.DatabaseURL(t)
	rdb, ns := testenv.Redis(t)
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	lb := startLoadBalancer(t)
	accountSID, authToken := "AC"+strings.Repeat("5", 32), "ScaleOutAuthToken0123456789"
	sim := simulator.New(simulator.Config{AccountSID: accountSID, AuthToken: authToken, PhoneNumber: simulatorNumber,
		InboundURL: lb.URL + webhooks.InboundPath})
	t.Cleanup(sim.Close)
	// Each worker reaches the simulator under its own prefix, which tells
	// who sent what.
	var sentBy [2]atomic.Int64
	mux := http.NewServeMux()
	for i := range sentBy {
		prefix := fmt.Sprintf("/worker%d", i+1)
		mux.Handle(prefix+"/", http.StripPrefix(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Messages.json") {
				sentBy[i].Add(1)
			}
			sim.Handler().ServeHTTP(w, r)
		})))
	}
	simServer := httptest.NewServer(mux)
	t.Cleanup(simServer.Close)

	env := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": testenv.RedisURL(), "QUEUE_NAME": ns,
		"PUBLIC_URL": lb.URL, "TRUST_PROXY": "true", "API_TOKEN": "scale-out-test-token-0123456789",
		"TWILIO_ACCOUNT_SID": accountSID, "TWILIO_AUTH_TOKEN": authToken, "TWILIO_FROM": simulatorNumber,
		"QUIET_HOURS": "off", "MATCH_INDEX": "off", "WORKER_CONCURRENCY": "8",
		// One pace for the sender shared by both workers, so that the
		// campaign lasts seconds: an idle asynq worker looks at the queue
		// every second, and both get their share.
		"SMS_RATE_PER_SECOND": "100",
		"OUTBOX_SWEEP_EVERY":  "500ms", "LOG_LEVEL": "warn",
	}
	var serves, probes []string
	for i := range 2 {
		addr, metricsAddr := unusedAddr(t), unusedAddr(t)
		startOutreachProcess(t, bin, "serve", env, map[string]string{"HTTP_ADDR": addr})
		serves = append(serves, "http://"+addr)
		waitServing(t, "http://"+addr)
		startOutreachProcess(t, bin, "worker", env, map[string]string{"METRICS_ADDR": metricsAddr,
			"TWILIO_API_URL": fmt.Sprintf("%s/worker%d", simServer.URL, i+1)})
		probes = append(probes, "http://"+addr+"/readyz", "http://"+metricsAddr+"/readyz")
	}
	// The container healthcheck: every process ready.
	for _, target := range probes {
		pollUntil(t, target+" ready", func(context.Context) bool {
			cmd := exec.Command(bin, "probe", target)
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			return cmd.Run() == nil
		})
	}
	lb.route(serves)
	pollUntil(t, "both workers registered with asynq", func(context.Context) bool {
		servers, err := asynq.NewInspectorFromRedisClient(rdb).Servers()
		n := 0
		for _, s := range servers {
			if _, ok := s.Queues[ns]; ok && s.Status == "active" {
				n++
			}
		}
		return err == nil && n == 2
	})
	api := newAPIClient(lb.URL, env["API_TOKEN"])

	t.Run("campaign", func(t *testing.T) {
		n := scaleOutContacts(t)
		offerID := campaignThroughLB(t, api, n)
		waitAllSent(t, &stack{pool: pool, sim: sim}, offerID, n, 2*time.Minute)
		one, two := sentBy[0].Load(), sentBy[1].Load()
		t.Logf("%d SMS: %d sent by worker 1, %d by worker 2", n, one, two)
		if one+two != int64(n) || one == 0 || two == 0 {
			t.Errorf("workers sent %d and %d SMS for %d contacts: want all, by both", one, two, n)
		}
		// The delivery reports, the last traffic through the balancer
		// before the replies, all taken.
		pollUntil(t, "every SMS delivered", func(ctx context.Context) bool {
			var delivered int
			err := pool.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE offer_id = $1 AND status = 'delivered'`, offerID).Scan(&delivered)
			return err == nil && delivered == n
		})
	})
	t.Run("live inbox", func(t *testing.T) { twoCounsellorsLive(t, api, pool, sim, lb, serves) })
}

// twoCounsellorsLive signs counsellor A in on serve #1 and B on serve #2,
// opens their live streams there, and has their job seekers reply through
// the load balancer.
func twoCounsellorsLive(t *testing.T, api *apiClient, pool *pgxpool.Pool, sim *simulator.Server, lb *loadBalancer, serves []string) {
	ctx := context.Background()
	type counsellor struct {
		id     int64
		phones []string
		events <-chan string
	}
	var who [2]counsellor
	for i, name := range []string{"alice", "bruno"} {
		email := name + "@agence.example"
		var co struct{ ID int64 }
		if err := api.call(ctx, http.MethodPost, "/api/v1/counsellors", map[string]string{"email": email, "name": name, "agency": "Lyon"},
			&co, http.StatusCreated); err != nil {
			t.Fatal(err)
		}
		password := "le mot de passe de " + name
		if err := accounts.NewService(postgres.NewStore(pool).Accounts(), nil, nil).SetPassword(ctx, co.ID, password, false); err != nil {
			t.Fatal(err)
		}
		who[i].id = co.ID
		for j := range 5 {
			var c struct{ Phone string }
			if err := api.call(ctx, http.MethodPost, "/api/v1/candidates", map[string]any{
				"external_id": fmt.Sprintf("LIVE-%s-%d", name, j), "first_name": name, "phone": fmt.Sprintf("063997%02d%02d", i, j),
				"commune_code": "69259", "rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": co.ID,
			}, &c, http.StatusCreated); err != nil {
				t.Fatal(err)
			}
			who[i].phones = append(who[i].phones, c.Phone)
		}
		who[i].events = liveStream(t, serves[i], email, password)
	}
	// Each stream has subscribed (its headers came), so no event is missed.
	// Replies go A, B, B, A, A, B, B, A, while the balancer alternates
	// serve #1 and #2: each counsellor's replies land on both processes.
	// Every event read is checked to be the reply just posted, so one that
	// went to the wrong stream, or came twice, is read in place of the
	// next expected there; the closing replies flush the last ones out.
	takenBy := map[int]map[string]bool{0: {}, 1: {}}
	reply := func(c, k int, body string) {
		t.Helper()
		res, err := sim.Reply(ctx, who[c].phones[k%len(who[c].phones)], body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("reply %q: %v %+v", body, err, res)
		}
		takenBy[c][lb.tookInbound(res.MessageSid)] = true
	}
	expect := func(c int, body string) {
		t.Helper()
		select {
		case got := <-who[c].events:
			id, _ := strconv.ParseInt(got, 10, 64)
			var owner int64
			var text string
			err := pool.QueryRow(ctx, `SELECT i.counsellor_id, m.body FROM inbox_items i JOIN inbound_messages m ON m.id = i.inbound_id
				WHERE i.id = $1`, id).Scan(&owner, &text)
			if err != nil || owner != who[c].id || text != body {
				t.Fatalf("counsellor %d's stream got item %s (counsellor %d, %q, %v), want the reply %q", c, got, owner, text, err, body)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("the reply %q never reached counsellor %d's stream", body, c)
		}
	}
	for k := range 8 {
		c := (k + 1) / 2 % 2
		body := fmt.Sprintf("réponse %d pour le conseiller %d", k, c)
		reply(c, k, body)
		expect(c, body)
	}
	reply(0, 4, "dernière réponse pour 0")
	reply(1, 4, "dernière réponse pour 1")
	expect(0, "dernière réponse pour 0")
	expect(1, "dernière réponse pour 1")
	for c, taken := range takenBy {
		if len(taken) != 2 {
			t.Errorf("counsellor %d's replies were all taken by %v: want both serve processes", c, taken)
		}
	}
}

// liveStream signs in on one serve process through the sign-in form and
// opens the live inbox stream (/boite/flux) there, read in the background.
func liveStream(t *testing.T, base, email, password string) <-chan string {
	t.Helper()
	client := newSignInClient()
	token := signInFormToken(t, client, base)
	res, err := client.PostForm(base+"/connexion", url.Values{"csrf": {token}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s on %s: %d", email, base, res.StatusCode)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/boite/flux", nil)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("live stream of %s: %d %s", email, res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan string, 16)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				out <- data
			}
		}
	}()
	return out
}

// campaignThroughLB imports n job seekers and starts an outreach to all of
// them through the load balancer, and returns the offer.
func campaignThroughLB(t *testing.T, api *apiClient, n int) int64 {
	t.Helper()
	ctx := context.Background()
	var co struct{ ID int64 }
	if err := api.call(ctx, http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "campagne@agence.example",
		"name": "Campagne", "agency": "Lyon"}, &co, http.StatusCreated); err != nil {
		t.Fatal(err)
	}
	var ndjson bytes.Buffer
	for i := range n {
		fmt.Fprintf(&ndjson, `{"external_id":"SCALE-%d","first_name":"Prénom","phone":"0640%06d","commune_code":"69259",`+
			`"rome_codes":["N1103"],"sms_consent":true,"counsellor_id":%d}`+"\n", i, i, co.ID)
	}
	req, _ := http.NewRequest(http.MethodPost, api.base+"/api/v1/candidates/import", &ndjson)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+api.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`"created":%d`, n)) {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	var offer struct{ ID int64 }
	if err := api.call(ctx, http.MethodPost, "/api/v1/offers", offerBody(co.ID, "OF-SCALE"), &offer, http.StatusCreated); err != nil {
		t.Fatal(err)
	}
	var started struct{ Queued int }
	if err := api.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": n},
		&started, http.StatusAccepted); err != nil {
		t.Fatal(err)
	}
	if started.Queued != n {
		t.Fatalf("outreach queued %d of %d", started.Queued, n)
	}
	return offer.ID
}

func scaleOutContacts(t *testing.T) int {
	if v := os.Getenv("OUTREACH_SCALEOUT_CONTACTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			t.Fatalf("OUTREACH_SCALEOUT_CONTACTS=%q: want 1 to 10000", v)
		}
		return n
	}
	return 300
}

// loadBalancer is the test's load balancer: each request goes to the next
// serve process in turn, with no sticky sessions, keeping the public Host
// and adding X-Forwarded-For. It notes which process took each inbound
// SMS webhook.
type loadBalancer struct {
	URL      string
	mu       sync.Mutex
	backends []*httputil.ReverseProxy
	names    []string
	inbound  map[string]string // MessageSid -> backend
	next     atomic.Uint64
}

func startLoadBalancer(t *testing.T) *loadBalancer {
	t.Helper()
	lb := &loadBalancer{inbound: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(lb.serve))
	t.Cleanup(srv.Close)
	lb.URL = srv.URL
	return lb
}

// route sets the backends.
func (lb *loadBalancer) route(backends []string) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	for _, b := range backends {
		target, _ := url.Parse(b)
		lb.backends = append(lb.backends, &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
			pr.Out.Host = pr.In.Host // the public host, as load balancers keep it
		}})
		lb.names = append(lb.names, b)
	}
}

func (lb *loadBalancer) serve(w http.ResponseWriter, r *http.Request) {
	lb.mu.Lock()
	if len(lb.backends) == 0 {
		lb.mu.Unlock()
		http.Error(w, "no backend yet", http.StatusServiceUnavailable)
		return
	}
	i := int(lb.next.Add(1)-1) % len(lb.backends)
	proxy, name := lb.backends[i], lb.names[i]
	lb.mu.Unlock()
	if r.URL.Path == webhooks.InboundPath {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			lb.mu.Lock()
			lb.inbound[form.Get("MessageSid")] = name
			lb.mu.Unlock()
		}
	}
	proxy.ServeHTTP(w, r)
}

// tookInbound is the backend that took an inbound SMS webhook.
func (lb *loadBalancer) tookInbound(messageSid string) string {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.inbound[messageSid]
}

// startOutreachProcess runs `outreach <command>` with env and extra
// variables, logging its output; it gets SIGTERM when the test ends.
func startOutreachProcess(t *testing.T, bin, command string, env, extra map[string]string) {
	t.Helper()
	cmd := exec.Command(bin, command)
	for _, vars := range []map[string]string{env, extra} {
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdout, cmd.Stderr = testWriter{t}, testWriter{t}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
}

// unusedAddr is a 127.0.0.1 address whose port was free a moment ago.
func unusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitServing waits until a serve process answers /healthz.
func waitServing(t *testing.T, base string) {
	t.Helper()
	pollUntil(t, base+" healthy", func(ctx context.Context) bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}
