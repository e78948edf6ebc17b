package simulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	api "github.com/twilio/twilio-go/rest/api/v2010"
)

var sidPattern = regexp.MustCompile(`^SM[0-9a-f]{32}$`)

func TestCreateMessageAnswersLikeTwilio(t *testing.T) {
	sim, ts := setup(t, Config{})
	form := url.Values{"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour Éloïse"}}
	resp, raw := postMessage(t, ts, testAccountSID, testAuthToken, form)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status = %d, body %v", resp.StatusCode, raw)
	}
	for _, field := range []string{"price", "error_code", "error_message", "messaging_service_sid"} {
		if v, ok := raw[field]; !ok || v != nil {
			t.Errorf("%s = %v, want null", field, v)
		}
	}

	// The real client's model must read the answer.
	encoded, _ := json.Marshal(raw)
	var msg api.ApiV2010Message
	if err := json.Unmarshal(encoded, &msg); err != nil {
		t.Fatalf("unmarshal into twilio-go model: %v", err)
	}
	if !sidPattern.MatchString(*msg.Sid) {
		t.Errorf("sid = %q", *msg.Sid)
	}
	checks := map[string][2]string{
		"account_sid":  {*msg.AccountSid, testAccountSID},
		"to":           {*msg.To, seeker},
		"from":         {*msg.From, "+33700000001"},
		"body":         {*msg.Body, "Bonjour Éloïse"},
		"status":       {*msg.Status, "queued"},
		"num_segments": {*msg.NumSegments, "1"},
		"direction":    {*msg.Direction, "outbound-api"},
		"api_version":  {*msg.ApiVersion, "2010-04-01"},
		"uri":          {*msg.Uri, "/2010-04-01/Accounts/" + testAccountSID + "/Messages/" + *msg.Sid + ".json"},
	}
	for field, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", field, c[0], c[1])
		}
	}
	if _, err := time.Parse(time.RFC1123Z, *msg.DateCreated); err != nil {
		t.Errorf("date_created %q: %v", *msg.DateCreated, err)
	}

	got := sim.Messages(seeker)
	if len(got) != 1 || got[0].SID != *msg.Sid || got[0].Body != "Bonjour Éloïse" || got[0].Segments != 1 {
		t.Errorf("recorded %+v", got)
	}
}

func TestCreateMessageWithMessagingService(t *testing.T) {
	sim, ts := setup(t, Config{PhoneNumber: "+33700000009"})
	form := url.Values{"To": {seeker}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"}, "Body": {"Bonjour"}}
	resp, raw := postMessage(t, ts, testAccountSID, testAuthToken, form)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status = %d, body %v", resp.StatusCode, raw)
	}
	if raw["status"] != "accepted" || raw["from"] != "+33700000009" ||
		raw["messaging_service_sid"] != "MG0123456789abcdef0123456789abcdef" {
		t.Errorf("answer = %v", raw)
	}
	if m := sim.Messages(""); len(m) != 1 || m[0].MessagingServiceSID == "" {
		t.Errorf("recorded %+v", m)
	}
}

func TestCreateMessageRefusals(t *testing.T) {
	valid := url.Values{"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"}}
	with := func(key, value string) url.Values {
		f := url.Values{}
		for k, v := range valid {
			f[k] = v
		}
		f.Set(key, value)
		return f
	}
	tests := []struct {
		name       string
		prepare    func(*Server)
		accountSID string
		token      string
		form       url.Values
		wantStatus int
		wantCode   int
	}{
		{"wrong token", nil, testAccountSID, "wrongtoken", valid, 401, 20003},
		{"other account in path", nil, "AC00000000000000000000000000000000", testAuthToken, valid, 401, 20003},
		{"To not E.164", nil, testAccountSID, testAuthToken, with("To", "0612345678"), 400, 21211},
		{"no sender", nil, testAccountSID, testAuthToken, with("From", ""), 400, 21603},
		{"empty body", nil, testAccountSID, testAuthToken, with("Body", ""), 400, 21602},
		{"unsubscribed", func(s *Server) { s.SetBehaviour(seeker, Behaviour{RejectCode: 21610}) },
			testAccountSID, testAuthToken, valid, 400, 21610},
		{"outage", func(s *Server) { s.SetOutage(503, 1) }, testAccountSID, testAuthToken, valid, 503, 20503},
		{"rate limited", func(s *Server) { s.SetOutage(429, -1) }, testAccountSID, testAuthToken, valid, 429, 20429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, ts := setup(t, Config{})
			if tt.prepare != nil {
				tt.prepare(sim)
			}
			resp, body := postMessage(t, ts, tt.accountSID, tt.token, tt.form)
			if resp.StatusCode != tt.wantStatus || body["code"] != float64(tt.wantCode) ||
				body["status"] != float64(tt.wantStatus) || body["message"] == "" {
				t.Errorf("got %d %v, want %d code %d", resp.StatusCode, body, tt.wantStatus, tt.wantCode)
			}
			if tt.wantStatus == 401 && body["message"] != "Authenticate" {
				t.Errorf("message = %v", body["message"])
			}
			if n := len(sim.Messages("")); n != 0 {
				t.Errorf("%d messages recorded for a refusal", n)
			}
		})
	}
}

func TestOutageCounts(t *testing.T) {
	sim, ts := setup(t, Config{})
	form := url.Values{"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"}}
	statuses := func(n int) []int {
		var out []int
		for range n {
			resp, _ := postMessage(t, ts, testAccountSID, testAuthToken, form)
			out = append(out, resp.StatusCode)
		}
		return out
	}
	sim.SetOutage(503, 2)
	if got := statuses(3); got[0] != 503 || got[1] != 503 || got[2] != 201 {
		t.Errorf("count 2: %v", got)
	}
	sim.SetOutage(429, -1)
	if got := statuses(3); got[0] != 429 || got[2] != 429 {
		t.Errorf("until cleared: %v", got)
	}
	sim.SetOutage(0, 0)
	if got := statuses(1); got[0] != 201 {
		t.Errorf("cleared: %v", got)
	}
}

func TestWaitForMessages(t *testing.T) {
	sim, ts := setup(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	type result struct {
		msgs []Message
		err  error
	}
	done := make(chan result)
	go func() {
		msgs, err := sim.WaitForMessages(ctx, seeker, 2)
		done <- result{msgs, err}
	}()
	for range 2 {
		postMessage(t, ts, testAccountSID, testAuthToken,
			url.Values{"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"}})
	}
	if r := <-done; r.err != nil || len(r.msgs) != 2 {
		t.Fatalf("got %d messages, %v", len(r.msgs), r.err)
	}

	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := sim.WaitForMessages(short, "+33600000000", 1); err != context.DeadlineExceeded {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
}

func TestUnknownRouteAnswersTwilioJSON(t *testing.T) {
	_, ts := setup(t, Config{})
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/2010-04-01/Nothing", nil)
	resp, body := do(t, req)
	if resp.StatusCode != 404 || body["code"] != float64(20404) || !strings.Contains(body["message"].(string), "Nothing") {
		t.Errorf("got %d %v", resp.StatusCode, body)
	}
}
