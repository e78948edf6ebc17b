package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
)

const (
	testAccountSID = "AC0123456789abcdef0123456789abcdef"
	testAuthToken  = "0123456789abcdef0123456789abcdef"
	seeker         = "+33612345678"
)

// setup starts a simulator behind a real HTTP server and returns both.
func setup(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	cfg.AccountSID = testAccountSID
	cfg.AuthToken = testAuthToken
	if cfg.StatusDelay == 0 {
		cfg.StatusDelay = 5 * time.Millisecond
	}
	sim := New(cfg)
	ts := httptest.NewServer(sim.Handler())
	t.Cleanup(func() {
		ts.Close()
		sim.Close()
	})
	return sim, ts
}

// postMessage posts form to the simulator's Messages.json with the test
// credentials, unless token says otherwise.
func postMessage(t *testing.T, ts *httptest.Server, accountSID, token string, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	u := ts.URL + "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testAccountSID, token)
	return do(t, req)
}

// do sends req and decodes the JSON answer, if any.
func do(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("decode answer (status %d): %v", resp.StatusCode, err)
		}
	}
	return resp, body
}

// webhook is one request received by a webhookReceiver.
type webhook struct {
	Form      url.Values
	RawBody   string
	Signature string
	Valid     bool // the signature checks with twilio-go's validator
}

// webhookReceiver is a service endpoint that records the webhooks posted
// to it and answers with answer(n), n counting from 0.
type webhookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	received []webhook
	notify   chan webhook
}

func newWebhookReceiver(t *testing.T, answer func(n int, w http.ResponseWriter)) *webhookReceiver {
	t.Helper()
	rcv := &webhookReceiver{notify: make(chan webhook, 100)}
	validator := client.NewRequestValidator(testAuthToken)
	rcv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read webhook: %v", err)
		}
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			t.Errorf("parse webhook form: %v", err)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("webhook Content-Type = %q", ct)
		}
		params := map[string]string{}
		for k := range form {
			params[k] = form.Get(k)
		}
		sig := r.Header.Get("X-Twilio-Signature")
		hook := webhook{
			Form:      form,
			RawBody:   string(raw),
			Signature: sig,
			Valid:     validator.Validate(rcv.URL+r.URL.RequestURI(), params, sig),
		}
		rcv.mu.Lock()
		n := len(rcv.received)
		rcv.received = append(rcv.received, hook)
		rcv.mu.Unlock()
		answer(n, w)
		rcv.notify <- hook
	}))
	t.Cleanup(rcv.Close)
	return rcv
}

// next waits for the next webhook.
func (rcv *webhookReceiver) next(t *testing.T) webhook {
	t.Helper()
	select {
	case h := <-rcv.notify:
		return h
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook received")
		return webhook{}
	}
}

func answerOK(int, http.ResponseWriter) {}
