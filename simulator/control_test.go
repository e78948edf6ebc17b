package simulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func control(t *testing.T, ts *httptest.Server, method, path, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(testAccountSID, testAuthToken)
	return do(t, req)
}

func TestControlAPI(t *testing.T) {
	rcv := newWebhookReceiver(t, func(_ int, w http.ResponseWriter) {
		io.WriteString(w, "<Response><Message>Bien reçu</Message></Response>")
	})
	sim, ts := setup(t, Config{InboundURL: rcv.URL})

	resp, _ := control(t, ts, "POST", "/numbers", `{"phone":"+33600000001","reject_code":21614}`)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("numbers: %d", resp.StatusCode)
	}
	_, body := postMessage(t, ts, testAccountSID, testAuthToken,
		url.Values{"To": {"+33600000001"}, "From": {"+33700000001"}, "Body": {"x"}})
	if body["code"] != float64(21614) {
		t.Errorf("after /numbers: %v", body)
	}

	resp, _ = control(t, ts, "POST", "/outage", `{"status":503,"count":1}`)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("outage: %d", resp.StatusCode)
	}
	resp, _ = postMessage(t, ts, testAccountSID, testAuthToken,
		url.Values{"To": {seeker}, "From": {"+33700000001"}, "Body": {"x"}})
	if resp.StatusCode != 503 {
		t.Errorf("after /outage: %d", resp.StatusCode)
	}

	resp, body = control(t, ts, "POST", "/inbound", `{"from":"+33612345678","body":"OUI"}`)
	replies, _ := body["replies"].([]any)
	if resp.StatusCode != 200 || body["status_code"] != float64(200) || len(replies) != 1 ||
		!strings.HasPrefix(body["message_sid"].(string), "SM") {
		t.Errorf("inbound: %d %v", resp.StatusCode, body)
	}

	// An unescaped "+" in the query string still finds the number.
	resp, body = control(t, ts, "GET", "/messages?to=+33612345678", "")
	msgs, _ := body["messages"].([]any)
	if resp.StatusCode != 200 || len(msgs) != 1 {
		t.Fatalf("messages: %d %v", resp.StatusCode, body)
	}
	m := msgs[0].(map[string]any)
	if m["body"] != "Bien reçu" || m["direction"] != "outbound-reply" || m["to"] != seeker {
		t.Errorf("message = %v", m)
	}
	if len(sim.Messages("")) != 1 {
		t.Errorf("all messages = %v", sim.Messages(""))
	}
}

func TestControlAPIRefusals(t *testing.T) {
	_, ts := setup(t, Config{})
	tests := []struct {
		name, method, path, body string
		noAuth                   bool
		want                     int
	}{
		{"no credentials", "GET", "/messages", "", true, 401},
		{"bad phone", "POST", "/numbers", `{"phone":"0612"}`, false, 400},
		{"bad final status", "POST", "/numbers", `{"phone":"+33612345678","final_status":"lost"}`, false, 400},
		{"unknown field", "POST", "/outage", `{"status":503,"times":1}`, false, 400},
		{"bad outage status", "POST", "/outage", `{"status":200,"count":1}`, false, 400},
		{"bad from", "POST", "/inbound", `{"from":"abc","body":"OUI"}`, false, 400},
		{"no inbound URL", "POST", "/inbound", `{"from":"+33612345678","body":"OUI"}`, false, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
			if !tt.noAuth {
				req.SetBasicAuth(testAccountSID, testAuthToken)
			}
			resp, body := do(t, req)
			if resp.StatusCode != tt.want || body["message"] == "" {
				t.Errorf("got %d %v, want %d", resp.StatusCode, body, tt.want)
			}
		})
	}
}
