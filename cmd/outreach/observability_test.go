package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

// TestMetricsOfACampaign runs a small campaign with one provider outage,
// one refusal, one undelivered SMS, two replies, a Twilio retry, a forged
// and a malformed webhook, and reads the exact counts on /metrics.
func TestMetricsOfACampaign(t *testing.T) {
	e := startE2E(t, withEnv(map[string]string{"SMS_RETRY_BASE": "10ms"}))
	ctx := context.Background()
	sim := e.stack.sim

	var counsellor struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "claire@agence.example", "name": "Claire", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	phones := map[string]string{}
	for _, p := range loopPeople(counsellor.ID) {
		var c struct{ Phone string }
		e.must(http.MethodPost, "/api/v1/candidates", p.body, &c, http.StatusCreated)
		phones[p.id] = c.Phone
	}
	var offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellor.ID, "OF-M"), &offer, http.StatusCreated)
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/matches?limit=10", offer.ID), nil, nil, http.StatusOK)

	// The five eligible: C-STOP's number is refused for good, C-GARBLED's
	// SMS is undelivered, and the first post to the provider meets an
	// outage (whichever SMS it is, it is retried).
	sim.SetBehaviour(phones["C-STOP"], simulator.Behaviour{RejectCode: 21612})
	sim.SetBehaviour(phones["C-GARBLED"], simulator.Behaviour{FinalStatus: "undelivered"})
	sim.SetOutage(http.StatusServiceUnavailable, 1)
	var started struct{ Queued int }
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	if started.Queued != 5 {
		t.Fatalf("queued %d, want 5", started.Queued)
	}
	waitFor(t, "the SMS settled", func() bool {
		c := e.outreach(offer.ID).Counts
		return c["delivered"] == 3 && c["undelivered"] == 1 && c["failed"] == 1
	})

	var yesSID string
	for _, r := range []struct{ who, body string }{{"C-YES", "OUI"}, {"C-NO", "non merci"}} {
		res, err := sim.Reply(ctx, phones[r.who], r.body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("reply %q: %v %+v", r.body, err, res)
		}
		if r.who == "C-YES" {
			yesSID = res.MessageSid
		}
	}
	if res, err := sim.ReplayInbound(ctx, yesSID); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("replay: %v %+v", err, res)
	}
	forged := url.Values{"MessageSid": {"SMforged000000000000000000000000"}, "From": {phones["C-YES"]}, "Body": {"NON"}}
	if code, _ := e.signedPost(webhooks.InboundPath, forged, "not-the-auth-token"); code != http.StatusForbidden {
		t.Errorf("forged signature: %d, want 403", code)
	}
	if code, _ := e.signedPost(webhooks.InboundPath, url.Values{"Body": {"OUI"}}, e.cfg.TwilioAuthToken); code != http.StatusBadRequest {
		t.Errorf("inbound without MessageSid: %d, want 400", code)
	}
	var yesContactSID string
	for _, c := range e.outreach(offer.ID).Contacts {
		if c.ExternalID == "C-YES" {
			yesContactSID = c.MessageSID
		}
	}
	if code, _ := e.signedPost(webhooks.StatusPath, url.Values{"MessageSid": {yesContactSID}, "MessageStatus": {"delivered"}}, e.cfg.TwilioAuthToken); code != http.StatusNoContent {
		t.Errorf("repeated delivery report: %d, want 204", code)
	}
	// No route: 404, or 401 from the web app's catch-all asking to sign in.
	unmatched, _ := e.raw(http.MethodGet, "/no/such/page", "", "", nil)

	want := map[string]float64{
		`outreach_webhooks_total{kind="inbound",outcome="accepted"}`:      2,
		`outreach_webhooks_total{kind="inbound",outcome="duplicate"}`:     1,
		`outreach_webhooks_total{kind="inbound",outcome="bad_signature"}`: 1,
		`outreach_webhooks_total{kind="inbound",outcome="bad_request"}`:   1,
		// queued, sent and the outcome for each of the 4 SMS taken.
		`outreach_webhooks_total{kind="status",outcome="accepted"}`:  12,
		`outreach_webhooks_total{kind="status",outcome="duplicate"}`: 1,

		`outreach_sms_sends_total{error_code="none",outcome="sent",sms="offer"}`:     4,
		`outreach_sms_sends_total{error_code="21612",outcome="failed",sms="offer"}`:  1,
		`outreach_sms_sends_total{error_code="20503",outcome="retried",sms="offer"}`: 1,

		`outreach_sms_delivery_reports_total{error_code="none",status="queued"}`:       4,
		`outreach_sms_delivery_reports_total{error_code="none",status="sent"}`:         4,
		`outreach_sms_delivery_reports_total{error_code="none",status="delivered"}`:    3,
		`outreach_sms_delivery_reports_total{error_code="30003",status="undelivered"}`: 1,

		`outreach_reply_latency_seconds_count`: 2,

		`outreach_http_requests_total{method="POST",route="/api/v1/offers",status="201"}`:                     1,
		`outreach_http_requests_total{method="POST",route="/api/v1/candidates",status="201"}`:                 10,
		`outreach_http_requests_total{method="POST",route="/webhooks/twilio/sms",status="403"}`:               1,
		`outreach_http_requests_total{method="GET",route="unmatched",status="` + fmt.Sprint(unmatched) + `"}`: 1,
		`outreach_http_requests_total{method="POST",route="/api/v1/offers/:id/outreach",status="202"}`:        1,
		`outreach_task_duration_seconds_count{result="failed",type="sms:send"}`:                               1,
		`outreach_task_duration_seconds_count{result="retry",type="sms:send"}`:                                1,
		`outreach_queue_up{queue="` + e.cfg.QueueName + `"}`:                                                  1,
		`outreach_queue_tasks{queue="` + e.cfg.QueueName + `",state="pending"}`:                               0,
		`outreach_queue_tasks{queue="` + e.cfg.QueueName + `",state="retry"}`:                                 0,
		// The refused SMS's task, kept by asynq as archived.
		`outreach_queue_tasks{queue="` + e.cfg.QueueName + `",state="archived"}`:                     1,
		`outreach_http_requests_total{method="GET",route="/api/v1/offers/:id/matches",status="200"}`: 1,
	}
	// A webhook's outcome is counted once it is answered: wait until the
	// last ones are in, then compare everything.
	var got map[string]float64
	var diff []string
	waitFor(t, "the metrics of every webhook", func() bool {
		got = scrape(t, e.cfg.PublicURL, e.cfg.APIToken)
		diff = compareMetrics(got, want)
		return len(diff) == 0
	}, func() { t.Errorf("metrics differ:\n  %s", strings.Join(diff, "\n  ")) })
	// The preview's shortlist (from the index once it is loaded) and the
	// outreach's ranking (PostgreSQL).
	if n := got[`outreach_matcher_duration_seconds_count{source="postgres"}`] +
		got[`outreach_matcher_duration_seconds_count{source="index"}`]; n != 2 {
		t.Errorf("%v shortlists timed, want 2", n)
	}
	// Four sent; the outbox sweep may queue a task that finds its SMS gone.
	if n := got[`outreach_task_duration_seconds_count{result="ok",type="sms:send"}`]; n < 4 {
		t.Errorf("%v sms:send tasks ok, want at least 4", n)
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s missing: the Go and process collectors are not registered", name)
		}
	}
}

// compareMetrics lists the series of want that got lacks or holds with
// another value.
func compareMetrics(got, want map[string]float64) []string {
	var diff []string
	for key, w := range want {
		if g, ok := got[key]; !ok || g != w {
			diff = append(diff, fmt.Sprintf("%s = %v (present: %v), want %v", key, g, ok, w))
		}
	}
	sort.Strings(diff)
	return diff
}

// scrape reads /metrics of the server at base with the Bearer token into
// series keyed like the text format: name{label="value",...}, labels in
// order; a histogram gives name_count and name_sum.
func scrape(t *testing.T, base, token string) map[string]float64 {
	t.Helper()
	code, body := getWithToken(t, base+metricsPath, token)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			key := func(n string) string {
				if len(labels) == 0 {
					return n
				}
				return n + "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[key(name)] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key(name)] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[key(name+"_count")] = float64(m.GetHistogram().GetSampleCount())
				out[key(name+"_sum")] = m.GetHistogram().GetSampleSum()
			case m.Untyped != nil:
				out[key(name)] = m.GetUntyped().GetValue()
			}
		}
	}
	return out
}

func getWithToken(t *testing.T, u, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds, for up to 30 s (an asynq retry waits
// for its forwarder, every 5 s); then it runs onTimeout, if given, and
// fails.
func waitFor(t *testing.T, what string, cond func() bool, onTimeout ...func()) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			for _, f := range onTimeout {
				f()
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMetricsToken: /metrics answers the token holder only; /healthz and
// /readyz answer anyone.
func TestMetricsToken(t *testing.T) {
	e := startE2E(t)
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "not-the-token-0123456789", http.StatusUnauthorized},
		{"API token when METRICS_TOKEN is unset", e.cfg.APIToken, http.StatusOK},
	} {
		if code, body := getWithToken(t, e.cfg.PublicURL+metricsPath, tc.token); code != tc.want {
			t.Errorf("%s: /metrics %d, want %d: %s", tc.name, code, tc.want, body)
		}
	}
	if code, _ := getWithToken(t, e.cfg.PublicURL+healthPath, ""); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	code, body := getWithToken(t, e.cfg.PublicURL+readyPath, "")
	if code != http.StatusOK || !strings.Contains(body, `"status":"ready"`) {
		t.Errorf("/readyz: %d %s", code, body)
	}
}

// TestWorkerMetricsAddr: a worker serves /healthz, /readyz and /metrics
// on METRICS_ADDR; with METRICS_TOKEN set, only that token opens
// /metrics.
func TestWorkerMetricsAddr(t *testing.T) {
	const metricsToken = "metrics-token-0123456789"
	e := startE2E(t, withEnv(map[string]string{"METRICS_ADDR": "127.0.0.1:0", "METRICS_TOKEN": metricsToken}),
		func(_ map[string]string, opts *stackOptions) { opts.serve = false })
	base := "http://" + e.stack.metricsAddr
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{metricsPath, "", http.StatusUnauthorized},
		{metricsPath, e.cfg.APIToken, http.StatusUnauthorized},
		{metricsPath, metricsToken, http.StatusOK},
		{healthPath, "", http.StatusOK},
		{readyPath, "", http.StatusOK},
	} {
		if code, body := getWithToken(t, base+tc.path, tc.token); code != tc.want {
			t.Errorf("%s with token %q: %d, want %d: %s", tc.path, tc.token, code, tc.want, body)
		}
	}
	if got := scrape(t, base, metricsToken); got[`outreach_queue_up{queue="`+e.cfg.QueueName+`"}`] != 1 {
		t.Errorf("worker metrics lack the queue's depth")
	}
}

// TestReadiness: /readyz names the failing check and why, and answers
// 503, when the schema is behind or Redis is unreachable.
func TestReadiness(t *testing.T) {
	ctx := context.Background()
	redisURL := testenv.RedisURL()
	closed := closedPort(t)
	for _, tc := range []struct {
		name      string
		redisAddr string // "" : the test Redis
		behind    bool   // the schema version is one short
		want      int
		failing   map[string]string // check: start of its reason
	}{
		{name: "ready", want: http.StatusOK},
		{name: "migration pending", behind: true, want: http.StatusServiceUnavailable,
			failing: map[string]string{"migrations": "1 pending"}},
		{name: "redis unreachable", redisAddr: closed, want: http.StatusServiceUnavailable,
			failing: map[string]string{"redis": "unreachable: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbURL := testenv.DatabaseURL(t)
			if tc.behind {
				setSchemaBehind(t, dbURL)
			}
			pool, err := openPostgres(ctx, dbURL, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			opts, err := redis.ParseURL(redisURL)
			if err != nil {
				t.Fatal(err)
			}
			if tc.redisAddr != "" {
				opts.Addr, opts.MaxRetries = tc.redisAddr, -1
			}
			rdb := redis.NewClient(opts)
			defer rdb.Close()

			rec := httptest.NewRecorder()
			newReadiness(pool.Ping, rdb, dbURL).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, readyPath, nil))
			var ans readyAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
				t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
			}
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			for _, check := range []string{"postgres", "redis", "migrations"} {
				prefix, failing := tc.failing[check]
				if got := ans.Checks[check]; (failing && !strings.HasPrefix(got, prefix)) || (!failing && got != "ok") {
					t.Errorf("check %s: %q, want ok or %q...", check, got, prefix)
				}
			}
			if strings.Contains(rec.Body.String(), "127.0.0.1") || strings.Contains(rec.Body.String(), "postgres://") {
				t.Errorf("the answer gives addresses away: %s", rec.Body)
			}
		})
	}
}

// setSchemaBehind makes the database look one migration behind, as if
// the binary was newer: tern keeps the version in one row.
func setSchemaBehind(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE schema_version SET version = version - 1`); err != nil {
		t.Fatal(err)
	}
}

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestMetricsConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		problem string // "" : valid
	}{
		{"off by default", map[string]string{}, ""},
		{"worker address with the API token", map[string]string{"METRICS_ADDR": ":9090", "API_TOKEN": "api-token-0123456789"}, ""},
		{"worker address with its own token", map[string]string{"METRICS_ADDR": "127.0.0.1:9090", "METRICS_TOKEN": "metrics-token-0123456789"}, ""},
		{"worker address without a token", map[string]string{"METRICS_ADDR": ":9090"}, "METRICS_ADDR: set METRICS_TOKEN (or API_TOKEN)"},
		{"not an address", map[string]string{"METRICS_ADDR": "9090", "API_TOKEN": "api-token-0123456789"}, `METRICS_ADDR: "9090" is not a listen address`},
		{"short token", map[string]string{"METRICS_TOKEN": "short"}, "METRICS_TOKEN: must be at least 16 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(func(k string) string { return tc.env[k] })
			switch {
			case tc.problem == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
				t.Errorf("error %v, want one saying %q", err, tc.problem)
			}
		})
	}
}
