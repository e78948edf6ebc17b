package sms

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/simulator"
)

const (
	testAccountSID = "AC0123456789abcdef0123456789abcdef"
	testAuthToken  = "0123456789abcdef0123456789abcdef"
	serviceNumber  = "+33700000001"
	seeker         = "+33612345678"
)

// startSimulator serves a simulator under /simulator, as the service does,
// and returns it with the API URL to give the sender.
func startSimulator(t *testing.T) (*simulator.Server, string) {
	t.Helper()
	sim := simulator.New(simulator.Config{
		AccountSID:  testAccountSID,
		AuthToken:   testAuthToken,
		StatusDelay: 5 * time.Millisecond,
	})
	ts := httptest.NewServer(http.StripPrefix("/simulator", sim.Handler()))
	t.Cleanup(func() {
		ts.Close()
		sim.Close()
	})
	return sim, ts.URL + "/simulator"
}

func newSender(t *testing.T, cfg Config) *TwilioSender {
	t.Helper()
	if cfg.AccountSID == "" {
		cfg.AccountSID = testAccountSID
	}
	if cfg.AuthToken == "" {
		cfg.AuthToken = testAuthToken
	}
	if cfg.From == "" && cfg.MessagingServiceSID == "" {
		cfg.From = serviceNumber
	}
	s, err := NewTwilioSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// statusCallback is one status callback the service received.
type statusCallback struct {
	form  url.Values
	valid bool
}

// startCallbackReceiver stands for the service's status callback endpoint.
func startCallbackReceiver(t *testing.T) (string, <-chan statusCallback) {
	t.Helper()
	got := make(chan statusCallback, 10)
	validator := client.NewRequestValidator(testAuthToken)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("parse callback: %v", err)
		}
		params := map[string]string{}
		for k := range r.PostForm {
			params[k] = r.PostForm.Get(k)
		}
		sig := r.Header.Get("X-Twilio-Signature")
		got <- statusCallback{form: r.PostForm, valid: validator.Validate(srv.URL+r.URL.RequestURI(), params, sig)}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/twilio/status?contact=12", got
}

func TestSendThroughSimulator(t *testing.T) {
	sim, apiURL := startSimulator(t)
	callbackURL, callbacks := startCallbackReceiver(t)
	sender := newSender(t, Config{APIURL: apiURL})

	body := "Bonjour Éloïse, une offre de cariste à Rouen (K4P8M2) ? Répondez OUI ou NON. STOP au 36179"
	sent, err := sender.Send(context.Background(), outreach.OutboundSMS{To: seeker, Body: body, StatusCallback: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sent.SID, "SM") || len(sent.SID) != 34 || sent.Status != "queued" {
		t.Errorf("sent = %+v", sent)
	}
	msgs := sim.Messages(seeker)
	if len(msgs) != 1 {
		t.Fatalf("simulator recorded %d messages", len(msgs))
	}
	if m := msgs[0]; m.SID != sent.SID || m.To != seeker || m.Body != body || m.From != serviceNumber ||
		m.StatusCallback != callbackURL {
		t.Errorf("recorded %+v", m)
	}

	for _, want := range []string{"queued", "sent", "delivered"} {
		select {
		case cb := <-callbacks:
			if !cb.valid {
				t.Errorf("%s callback: signature does not validate", want)
			}
			if cb.form.Get("MessageStatus") != want || cb.form.Get("MessageSid") != sent.SID {
				t.Errorf("callback = %v, want %s", cb.form, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s callback", want)
		}
	}
}

func TestSendWithMessagingService(t *testing.T) {
	sim, apiURL := startSimulator(t)
	sender := newSender(t, Config{APIURL: apiURL, MessagingServiceSID: "MG0123456789abcdef0123456789abcdef"})
	sent, err := sender.Send(context.Background(), outreach.OutboundSMS{To: seeker, Body: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Status != "accepted" {
		t.Errorf("status = %q", sent.Status)
	}
	if m := sim.Messages(seeker); len(m) != 1 || m[0].MessagingServiceSID == "" || m[0].StatusCallback != "" {
		t.Errorf("recorded %+v", m)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		prepare   func(*simulator.Server)
		token     string
		apiURL    string // overrides the simulator's
		want      outreach.SendError
		thenSends bool // the next send succeeds
	}{
		{name: "invalid number", prepare: reject(21211),
			want: outreach.SendError{Code: 21211, HTTPStatus: 400, Permanent: true}},
		{name: "unsubscribed", prepare: reject(21610),
			want: outreach.SendError{Code: 21610, HTTPStatus: 400, Permanent: true, OptedOut: true}},
		{name: "not a mobile", prepare: reject(21614),
			want: outreach.SendError{Code: 21614, HTTPStatus: 400, Permanent: true}},
		{name: "unavailable", prepare: func(s *simulator.Server) { s.SetOutage(503, 1) },
			want: outreach.SendError{Code: 20503, HTTPStatus: 503}, thenSends: true},
		{name: "rate limited", prepare: func(s *simulator.Server) { s.SetOutage(429, 1) },
			want: outreach.SendError{Code: 20429, HTTPStatus: 429}, thenSends: true},
		{name: "wrong auth token", token: "wrong0token",
			want: outreach.SendError{Code: 20003, HTTPStatus: 401, Permanent: true}},
		{name: "unreachable API", apiURL: closedPortURL(t),
			want: outreach.SendError{}},
		{name: "proxy error page", apiURL: htmlServer(t, http.StatusBadGateway),
			want: outreach.SendError{HTTPStatus: 502}},
		{name: "proxy not found page", apiURL: htmlServer(t, http.StatusNotFound),
			want: outreach.SendError{HTTPStatus: 404, Permanent: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, apiURL := startSimulator(t)
			if tt.prepare != nil {
				tt.prepare(sim)
			}
			if tt.apiURL != "" {
				apiURL = tt.apiURL
			}
			sender := newSender(t, Config{APIURL: apiURL, AuthToken: tt.token})
			_, err := sender.Send(context.Background(), outreach.OutboundSMS{To: seeker, Body: "Bonjour"})
			checkSendError(t, err, tt.want)
			if tt.thenSends {
				if _, err := sender.Send(context.Background(), outreach.OutboundSMS{To: seeker, Body: "Bonjour"}); err != nil {
					t.Errorf("next send: %v", err)
				}
			}
		})
	}
}

func TestSendTimesOut(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select { // answer nothing until the client gives up or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) }) // runs first: frees handlers so Close returns

	sender := newSender(t, Config{APIURL: hang.URL, Timeout: 50 * time.Millisecond})
	_, err := sender.Send(context.Background(), outreach.OutboundSMS{To: seeker, Body: "Bonjour"})
	checkSendError(t, err, outreach.SendError{})

	sender = newSender(t, Config{APIURL: hang.URL})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = sender.Send(ctx, outreach.OutboundSMS{To: seeker, Body: "Bonjour"})
	checkSendError(t, err, outreach.SendError{})
}

func TestNewTwilioSenderChecksConfig(t *testing.T) {
	valid := Config{AccountSID: testAccountSID, AuthToken: testAuthToken, From: serviceNumber}
	tests := []struct {
		name   string
		change func(*Config)
		ok     bool
	}{
		{"valid", func(*Config) {}, true},
		{"messaging service only", func(c *Config) { c.From = ""; c.MessagingServiceSID = "MG1" }, true},
		{"simulator URL", func(c *Config) { c.APIURL = "http://127.0.0.1:8080/simulator/" }, true},
		{"no SID", func(c *Config) { c.AccountSID = "" }, false},
		{"no token", func(c *Config) { c.AuthToken = "" }, false},
		{"token with symbols", func(c *Config) { c.AuthToken = "abc-def" }, false},
		{"no sender", func(c *Config) { c.From = "" }, false},
		{"ftp URL", func(c *Config) { c.APIURL = "ftp://example.org" }, false},
		{"URL without host", func(c *Config) { c.APIURL = "http:///x" }, false},
		{"unparsable URL", func(c *Config) { c.APIURL = "http://[::1" }, false},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)
			_, err := NewTwilioSender(cfg)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSendErrorMasksPhoneNumbers(t *testing.T) {
	_, apiURL := startSimulator(t)
	sender := newSender(t, Config{APIURL: apiURL})
	_, err := sender.Send(context.Background(), outreach.OutboundSMS{To: "+3361234567890123", Body: "Bonjour"})
	se, ok := err.(*outreach.SendError)
	if !ok || se.Code != 21211 {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(se.Message, "1234567890") || !strings.Contains(se.Message, "+33************23") {
		t.Errorf("message = %q", se.Message)
	}
}
