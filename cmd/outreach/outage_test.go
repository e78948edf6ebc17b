package main

// Outage tests: PostgreSQL, Redis and Twilio go down while the service
// runs and come back, without the service being restarted. PostgreSQL and
// Redis are private servers of the test's own (see testenv.PrivatePostgres
// and testenv.PrivateRedis), crashed and started again on the same port;
// Twilio is a simulator on a listener of the test's own, shut down and
// started again on the same address.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

// TestPostgresDownAndBack crashes PostgreSQL under a running stack: the
// webhooks answer 503 (Twilio retries them) and the API a 503 error, at
// once rather than at a timeout; once PostgreSQL is back, the same stack
// takes the retried webhooks, each stored once, and the API answers again.
func TestPostgresDownAndBack(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test")
	}
	ctx := context.Background()
	pg := testenv.PrivatePostgres(t)
	_, ns := testenv.Redis(t)
	twilio := reserveTwilioAPI(t)
	env := faultEnv(pg.URL(), testenv.RedisURL(), ns, "")
	env["TWILIO_API_URL"] = twilio.url()
	s := startFaultStack(t, env, true)
	e := e2eOf(t, s)
	// No delivery reports from the provider: the test posts its own.
	twilio.start(simulatorConfig(s.cfg, time.Hour))
	const n = 10
	offerID := planFaultCampaign(t, s, n)
	waitOneSMSEach(t, s.pool, offerID, n, twilio.messages)
	var contactID int64
	var phone, sid string
	if err := s.pool.QueryRow(ctx, `SELECT id, phone, message_sid FROM contacts WHERE offer_id = $1 ORDER BY id LIMIT 1`,
		offerID).Scan(&contactID, &phone, &sid); err != nil {
		t.Fatal(err)
	}
	reply := url.Values{"MessageSid": {"SMpgdown000000000000000000000001"}, "AccountSid": {s.cfg.TwilioAccountSID},
		"From": {phone}, "To": {s.cfg.TwilioFrom}, "Body": {"OUI"}}
	delivered := url.Values{"MessageSid": {sid}, "AccountSid": {s.cfg.TwilioAccountSID}, "From": {s.cfg.TwilioFrom},
		"To": {phone}, "MessageStatus": {"delivered"}}
	progress := fmt.Sprintf("/api/v1/offers/%d/outreach", offerID)

	pg.Stop()
	start := time.Now()
	if code, body := twilioPost(t, s.cfg, webhooks.InboundPath, reply); code != http.StatusServiceUnavailable {
		t.Errorf("reply with PostgreSQL down: %d %s, want 503", code, body)
	}
	if code, body := twilioPost(t, s.cfg, webhooks.StatusPath, delivered); code != http.StatusServiceUnavailable {
		t.Errorf("delivery report with PostgreSQL down: %d %s, want 503", code, body)
	}
	var refused struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := e.api.call(ctx, http.MethodGet, progress, nil, &refused, http.StatusServiceUnavailable); err != nil || refused.Error.Code != "unavailable" {
		t.Errorf("API with PostgreSQL down: %v %+v, want 503 unavailable", err, refused)
	}
	t.Logf("PostgreSQL down: two webhooks and an API call refused in %s", time.Since(start).Round(time.Millisecond))
	checkReady(t, e, "postgres", false)

	pg.Start()
	// Twilio retries; the stack was not restarted. A retry repeated (a
	// retry of the retry) changes nothing.
	for attempt := range 2 {
		code, body := twilioPost(t, s.cfg, webhooks.InboundPath, reply)
		if code != http.StatusOK || (attempt == 0) != strings.Contains(body, "<Message>") {
			t.Errorf("reply retried (%d) after PostgreSQL came back: %d %s", attempt+1, code, body)
		}
		if code, body := twilioPost(t, s.cfg, webhooks.StatusPath, delivered); code != http.StatusNoContent {
			t.Errorf("delivery report retried (%d) after PostgreSQL came back: %d %s", attempt+1, code, body)
		}
	}
	var messages, items, reports int
	var interest, status string
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM inbound_messages WHERE message_sid = $1),
		(SELECT count(*) FROM inbox_items i JOIN inbound_messages m ON m.id = i.inbound_id WHERE m.message_sid = $1),
		(SELECT count(*) FROM status_events WHERE message_sid = $2),
		(SELECT coalesce(reply, '') FROM contacts WHERE id = $3),
		(SELECT status FROM contacts WHERE id = $3)`, reply.Get("MessageSid"), sid, contactID).
		Scan(&messages, &items, &reports, &interest, &status)
	if err != nil || messages != 1 || items != 1 || reports != 1 || interest != "interested" || status != "delivered" {
		t.Fatalf("stored %d messages, %d inbox items, %d reports, interest %q, status %q (%v); want one each, interested, delivered",
			messages, items, reports, interest, status, err)
	}
	var v outreachView
	e.must(http.MethodGet, progress, nil, &v, http.StatusOK)
	if v.Counts["interested"] != 1 {
		t.Errorf("progress after PostgreSQL came back: %v", v.Counts)
	}
	checkReady(t, e, "postgres", true)

	// The worker's batched claims and records of SIDs work again too.
	var counsellorID int64
	if err := s.pool.QueryRow(ctx, `SELECT counsellor_id FROM offers WHERE id = $1`, offerID).Scan(&counsellorID); err != nil {
		t.Fatal(err)
	}
	var again struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellorID, "OF-AFTER"), &again, http.StatusCreated)
	if planned, err := postgres.NewStore(s.pool).PlanContacts(ctx, again.ID, n, "Après la panne : "+sendBenchBody); err != nil || planned != n {
		t.Fatalf("planned %d of %d: %v", planned, n, err)
	}
	if _, err := s.svc.QueuePlanned(ctx, again.ID); err != nil {
		t.Fatal(err)
	}
	waitOneSMSEach(t, s.pool, again.ID, n, twilio.messages)
}

// checkReady checks /readyz: 503 naming the service while it is down,
// and 200 again (at once or after its cached checks expire) once it is up.
func checkReady(t *testing.T, e *e2e, service string, up bool) {
	t.Helper()
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	get := func() int {
		code, body := e.raw(http.MethodGet, "/readyz", "", "", nil)
		if err := json.Unmarshal([]byte(body), &ready); err != nil {
			t.Fatalf("/readyz: %d %s", code, body)
		}
		return code
	}
	if !up {
		if code := get(); code != http.StatusServiceUnavailable || ready.Checks[service] == "ok" {
			t.Errorf("/readyz with %s down: %d %+v, want 503 naming it", service, code, ready)
		}
		return
	}
	eventually(t, "/readyz ready again", func() bool { return get() == http.StatusOK })
}

// TestRedisDownAndBack kills Redis under a running stack: the API keeps
// taking candidates, offers, outreach and webhooks (the live inbox misses
// the event; the inbox shows the reply at its next load); sign-in is
// refused with a message. The outreach started meanwhile stays planned in
// PostgreSQL, and once Redis is back (empty) the worker's outbox sweep
// sends it, one SMS each, without a restart.
func TestRedisDownAndBack(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test")
	}
	ctx := context.Background()
	rds := testenv.PrivateRedis(t)
	twilio := reserveTwilioAPI(t)
	env := faultEnv(testenv.DatabaseURL(t), rds.URL(), "outage", "")
	env["TWILIO_API_URL"] = twilio.url()
	s := startFaultStack(t, env, true)
	e := e2eOf(t, s)
	twilio.start(simulatorConfig(s.cfg, time.Hour))

	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "ines@agence.example", "name": "Inès", "agency": "Lyon"}, &co, http.StatusCreated)
	people := loopPeople(co.ID)
	phones := map[string]string{}
	for _, p := range people[:5] { // the eligible ones
		var c struct{ Phone string }
		e.must(http.MethodPost, "/api/v1/candidates", p.body, &c, http.StatusCreated)
		phones[p.id] = c.Phone
	}
	first := startOutreachAPI(t, e, "OF-BEFORE")
	waitOneSMSEach(t, s.pool, first, 5, twilio.messages)
	var sid string
	if err := s.pool.QueryRow(ctx, `SELECT message_sid FROM contacts WHERE offer_id = $1 AND phone = $2`, first, phones["C-YES"]).Scan(&sid); err != nil {
		t.Fatal(err)
	}

	rds.Stop()
	down := time.Now()
	late := map[string]any{"external_id": "C-LATE", "first_name": "Prénom LATE", "phone": "0639980011", "rome_codes": []string{"N1103"},
		"sms_consent": true, "counsellor_id": co.ID, "commune_code": "69123"}
	e.must(http.MethodPost, "/api/v1/candidates", late, nil, http.StatusCreated)
	second := startOutreachAPI(t, e, "OF-DURING")
	var planned, total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'planned'), count(*) FROM contacts WHERE offer_id = $1`,
		second).Scan(&planned, &total); err != nil || total != 6 || planned != total {
		t.Fatalf("outreach with Redis down: %d of %d contacts planned (%v), want all 6", planned, total, err)
	}
	t.Logf("Redis down: a candidate, an offer and its outreach taken in %s", time.Since(down).Round(time.Millisecond))
	down = time.Now()
	reply := url.Values{"MessageSid": {"SMredisdown00000000000000000001"}, "From": {phones["C-YES"]}, "To": {s.cfg.TwilioFrom}, "Body": {"OUI"}}
	if code, body := twilioPost(t, s.cfg, webhooks.InboundPath, reply); code != http.StatusOK || !strings.Contains(body, "<Message>") {
		t.Errorf("reply with Redis down: %d %s, want 200 and a confirmation", code, body)
	}
	delivered := url.Values{"MessageSid": {sid}, "From": {s.cfg.TwilioFrom}, "To": {phones["C-YES"]}, "MessageStatus": {"delivered"}}
	if code, body := twilioPost(t, s.cfg, webhooks.StatusPath, delivered); code != http.StatusNoContent {
		t.Errorf("delivery report with Redis down: %d %s, want 204", code, body)
	}
	t.Logf("Redis down: a reply and a delivery report taken in %s", time.Since(down).Round(time.Millisecond))
	var status, interest string
	if err := s.pool.QueryRow(ctx, `SELECT status, coalesce(reply, '') FROM contacts WHERE message_sid = $1`, sid).Scan(&status, &interest); err != nil ||
		status != "delivered" || interest != "interested" {
		t.Errorf("with Redis down, the webhooks left the contact %s, %q (%v); want delivered, interested", status, interest, err)
	}
	signInWithRedisDown(t, e, co.ID)
	checkReady(t, e, "redis", false)

	rds.Start()
	back := time.Now()
	checkReady(t, e, "redis", true)
	waitOneSMSEach(t, s.pool, second, 6, twilio.messages)
	t.Logf("Redis back: the outreach started while it was down sent %s later", time.Since(back).Round(time.Millisecond))
	waitOneSMSEach(t, s.pool, first, 5, twilio.messages)
}

// signInWithRedisDown: the sign-in throttle lives in Redis, so sign-in is
// refused with a page asking to try again, and the server goes on.
func signInWithRedisDown(t *testing.T, e *e2e, counsellorID int64) {
	t.Helper()
	if err := accounts.NewService(postgres.NewStore(e.stack.pool).Accounts(), nil, nil).
		SetPassword(context.Background(), counsellorID, "un mot de passe solide", false); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(e.cfg.PublicURL + "/connexion")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var csrf string
	for _, c := range res.Cookies() {
		if c.Name == "outreach_signin" {
			csrf = c.Value
		}
	}
	form := url.Values{"csrf": {csrf}, "email": {"ines@agence.example"}, "password": {"un mot de passe solide"}}
	req, _ := http.NewRequest(http.MethodPost, e.cfg.PublicURL+"/connexion", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "outreach_signin", Value: csrf})
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Réessayez") {
		t.Errorf("sign-in with Redis down: %d, want 503 and a page asking to try again:\n%s", res.StatusCode, body)
	}
	if code, _ := e.raw(http.MethodGet, "/healthz", "", "", nil); code != http.StatusOK {
		t.Errorf("after a sign-in with Redis down, /healthz: %d", code)
	}
}

// TestTwilioDownAndBack shuts the provider down mid-campaign (connections
// refused): the sends fail as transient and wait for a retry, no contact
// fails; once it is back on the same address, every contact has exactly
// one SMS, counting the messages of both provider instances.
func TestTwilioDownAndBack(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test")
	}
	ctx := context.Background()
	_, ns := testenv.Redis(t)
	twilio := reserveTwilioAPI(t)
	env := faultEnv(testenv.DatabaseURL(t), testenv.RedisURL(), ns, "")
	env["TWILIO_API_URL"] = twilio.url()
	env["SMS_RATE_PER_SECOND"] = "100"
	s := startFaultStack(t, env, true)
	twilio.start(simulatorConfig(s.cfg, 0))
	const n = 300
	offerID := planFaultCampaign(t, s, n)
	store := postgres.NewStore(s.pool)
	eventually(t, "a third of the campaign sent", func() bool {
		sent, err := store.CountSent(ctx, offerID)
		return err == nil && sent >= n/3
	})
	twilio.stop()
	sent, _ := store.CountSent(ctx, offerID)
	t.Logf("provider down with %d of %d sent", sent, n)
	insp := asynq.NewInspectorFromRedisClient(s.rdb)
	eventually(t, "sends failing and waiting for a retry", func() bool {
		q, err := insp.GetQueueInfo(ns)
		return err == nil && q.Retry > 0
	})
	if failed := countFailed(t, s.pool, offerID); failed != 0 {
		t.Fatalf("%d contacts failed while the provider was down: they must wait for it", failed)
	}
	twilio.start(simulatorConfig(s.cfg, 0))
	waitOneSMSEach(t, s.pool, offerID, n, twilio.messages)
	if failed := countFailed(t, s.pool, offerID); failed != 0 {
		t.Errorf("%d contacts failed", failed)
	}
}

func countFailed(t *testing.T, pool *pgxpool.Pool, offerID int64) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM contacts WHERE offer_id = $1 AND status = 'failed'`, offerID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// startOutreachAPI creates an offer for the loopPeople's counsellor and
// starts its outreach through the API, which must accept it.
func startOutreachAPI(t *testing.T, e *e2e, externalID string) int64 {
	t.Helper()
	var co struct{ ID int64 }
	if err := e.stack.pool.QueryRow(context.Background(), `SELECT id FROM counsellors ORDER BY id LIMIT 1`).Scan(&co.ID); err != nil {
		t.Fatal(err)
	}
	var offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(co.ID, externalID), &offer, http.StatusCreated)
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, nil, http.StatusAccepted)
	return offer.ID
}

// e2eOf gives a fault stack the end-to-end helpers (API, signed webhooks).
func e2eOf(t *testing.T, s *stack) *e2e {
	return &e2e{t: t, cfg: s.cfg, stack: s, api: newAPIClient(s.cfg.PublicURL, s.cfg.APIToken)}
}

// twilioPost posts a signed webhook as Twilio does: it gives up after 15 s
// without an answer.
func twilioPost(t *testing.T, cfg Config, path string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, cfg.PublicURL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", simulator.Sign(cfg.TwilioAuthToken, cfg.PublicURL+path, form))
	res, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return res.StatusCode, readAll(t, res)
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// twilioAPI is a simulated Twilio API on an address of the test's own,
// which the test shuts down (connections refused) and starts again.
type twilioAPI struct {
	t    *testing.T
	addr string
	ln   net.Listener // reserved until the first start

	mu   sync.Mutex
	sims []*simulator.Server // every instance, in order
	srv  *http.Server        // while up
}

func reserveTwilioAPI(t *testing.T) *twilioAPI {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &twilioAPI{t: t, addr: ln.Addr().String(), ln: ln}
	t.Cleanup(func() {
		a.stop()
		if a.ln != nil {
			a.ln.Close()
		}
	})
	return a
}

// url is what TWILIO_API_URL must be.
func (a *twilioAPI) url() string { return "http://" + a.addr }

// start starts a new, empty simulator on the address.
func (a *twilioAPI) start(cfg simulator.Config) {
	a.t.Helper()
	ln := a.ln
	a.ln = nil
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", a.addr); err != nil {
			a.t.Fatalf("provider back on %s: %v", a.addr, err)
		}
	}
	sim := simulator.New(cfg)
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	a.mu.Lock()
	a.sims, a.srv = append(a.sims, sim), srv
	a.mu.Unlock()
}

// stop takes the provider down: it stops taking connections, answers the
// requests it is handling (as Twilio's own servers would drain), and stops
// its status callbacks.
func (a *twilioAPI) stop() {
	a.mu.Lock()
	srv, sim := a.srv, (*simulator.Server)(nil)
	if len(a.sims) > 0 {
		sim = a.sims[len(a.sims)-1]
	}
	a.srv = nil
	a.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	sim.Close()
}

// messages lists the SMS every instance took.
func (a *twilioAPI) messages() []simulator.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	var all []simulator.Message
	for _, s := range a.sims {
		all = append(all, s.Messages("")...)
	}
	return all
}

// simulatorConfig is the configuration of a simulator standing for the
// stack's Twilio account, waiting statusDelay before each status callback.
func simulatorConfig(cfg Config, statusDelay time.Duration) simulator.Config {
	return simulator.Config{AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken, PhoneNumber: cfg.TwilioFrom,
		InboundURL: cfg.PublicURL + webhooks.InboundPath, StatusDelay: statusDelay}
}

// waitOneSMSEach waits until every contact of the offer has a SID, then
// checks that the provider took exactly one SMS per contact: one message
// to its number with its text, the one whose SID is stored.
func waitOneSMSEach(t *testing.T, pool *pgxpool.Pool, offerID int64, n int, messages func() []simulator.Message) {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pool)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		sent, err := store.CountSent(ctx, offerID)
		if err == nil && sent == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d contacts sent (err %v)", sent, n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	rows, err := pool.Query(ctx, `SELECT phone, body, message_sid, status FROM contacts WHERE offer_id = $1`, offerID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[[2]string]string{} // number and text → SID stored
	for rows.Next() {
		var phone, body, sid, status string
		if err := rows.Scan(&phone, &body, &sid, &status); err != nil {
			t.Fatal(err)
		}
		want[[2]string{phone, body}] = sid
	}
	if err := rows.Err(); err != nil || len(want) != n {
		t.Fatalf("%d distinct contacts for %d (%v)", len(want), n, err)
	}
	got := map[[2]string][]string{}
	for _, m := range messages() {
		k := [2]string{m.To, m.Body}
		if _, ok := want[k]; ok {
			got[k] = append(got[k], m.SID)
		}
	}
	for k, sid := range want {
		if len(got[k]) != 1 || got[k][0] != sid {
			t.Errorf("contact %s: the provider took %v, want exactly the stored %s", outreach.MaskPhone(k[0]), got[k], sid)
		}
	}
}
