package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/simulator"
)

// e2e is serve + worker + simulator in one process, on a fresh database
// and a private Redis namespace.
type e2e struct {
	t     *testing.T
	cfg   Config
	stack *stack
	api   *apiClient
}

// e2eOption changes what startE2E starts: the environment it reads its
// configuration from, or the stack's options.
type e2eOption func(env map[string]string, opts *stackOptions)

// withEnv sets configuration variables over startE2E's own.
func withEnv(vars map[string]string) e2eOption {
	return func(env map[string]string, _ *stackOptions) {
		for k, v := range vars {
			env[k] = v
		}
	}
}

// withClock gives the service a clock of the test's.
func withClock(now func() time.Time) e2eOption {
	return func(_ map[string]string, opts *stackOptions) { opts.now = now }
}

func startE2E(t *testing.T, options ...e2eOption) *e2e {
	t.Helper()
	dbURL := testenv.DatabaseURL(t)
	_, ns := testenv.Redis(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"DATABASE_URL": dbURL,
		"REDIS_URL":    testenv.RedisURL(),
		"PUBLIC_URL":   "http://" + ln.Addr().String(),
		"API_TOKEN":    "e2e-test-token-0123456789",
		"QUIET_HOURS":  "off",
		"QUEUE_NAME":   ns,
	}
	opts := stackOptions{serve: true, work: true, listener: ln}
	for _, o := range options {
		o(env, &opts)
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := startStack(context.Background(), cfg, log, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return &e2e{t: t, cfg: cfg, stack: s, api: newAPIClient(cfg.PublicURL, cfg.APIToken)}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// must calls the API and fails the test on any error.
func (e *e2e) must(method, path string, body, out any, want int) {
	e.t.Helper()
	if err := e.api.call(context.Background(), method, path, body, out, want); err != nil {
		e.t.Fatal(err)
	}
}

// status sends a raw request and returns the status and body.
func (e *e2e) raw(method, path, contentType, body string, header map[string]string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.cfg.PublicURL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually polls cond until it holds or 15 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type outreachView struct {
	Counts   map[string]int `json:"counts"`
	Contacts []struct {
		ContactID   int64   `json:"contact_id"`
		CandidateID int64   `json:"candidate_id"`
		ExternalID  string  `json:"external_id"`
		Status      string  `json:"status"`
		Reply       *string `json:"reply"`
		MessageSID  string  `json:"message_sid"`
	} `json:"contacts"`
}

func (e *e2e) outreach(offerID int64) outreachView {
	var v outreachView
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/outreach", offerID), nil, &v, http.StatusOK)
	return v
}

// signedPost posts a form to a webhook, signed with the given token.
func (e *e2e) signedPost(path string, form url.Values, token string) (int, string) {
	sig := simulator.Sign(token, e.cfg.PublicURL+path, form)
	return e.raw(http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(),
		map[string]string{"X-Twilio-Signature": sig})
}

// sseEvents reads a counsellor's live inbox stream (/boite/flux), in a
// web app session of theirs, in the background.
func (e *e2e) sseEvents(counsellorID int64) <-chan string {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.cfg.PublicURL+"/boite/flux", nil)
	req.AddCookie(e.session(counsellorID))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		e.t.Fatalf("event stream: status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 16)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				out <- data
			}
		}
	}()
	return out
}

// session is a web app session cookie of a counsellor, opened without
// their password (see operatorSession).
func (e *e2e) session(counsellorID int64) *http.Cookie {
	e.t.Helper()
	token, _, err := operatorSession(context.Background(), postgres.NewStore(e.stack.pool), counsellorID)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Cookie{Name: "outreach_session", Value: token}
}

// page GETs a web app page in a counsellor's session and returns its body,
// failing the test unless it is a 200.
func (e *e2e) page(counsellorID int64, path string) string {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.cfg.PublicURL+path, nil)
	req.AddCookie(e.session(counsellorID))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
