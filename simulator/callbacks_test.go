package simulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestStatusCallbacks(t *testing.T) {
	tests := []struct {
		name      string
		behaviour Behaviour
		final     string
		errorCode string
	}{
		{"delivered by default", Behaviour{}, "delivered", ""},
		{"undelivered", Behaviour{FinalStatus: "undelivered", ErrorCode: 30005}, "undelivered", "30005"},
		{"undelivered default code", Behaviour{FinalStatus: "undelivered"}, "undelivered", "30003"},
		{"failed", Behaviour{FinalStatus: "failed", ErrorCode: 30007}, "failed", "30007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, ts := setup(t, Config{})
			sim.SetBehaviour(seeker, tt.behaviour)
			rcv := newWebhookReceiver(t, answerOK)
			callback := rcv.URL + "/webhooks/twilio/status?contact=7"
			_, raw := postMessage(t, ts, testAccountSID, testAuthToken, url.Values{
				"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"}, "StatusCallback": {callback},
			})
			sid := raw["sid"].(string)

			for _, want := range []struct{ status, code string }{{"queued", ""}, {"sent", ""}, {tt.final, tt.errorCode}} {
				hook := rcv.next(t)
				if !hook.Valid {
					t.Errorf("%s: signature %q does not validate", want.status, hook.Signature)
				}
				f := hook.Form
				if f.Get("MessageStatus") != want.status || f.Get("SmsStatus") != want.status ||
					f.Get("ErrorCode") != want.code || f.Get("MessageSid") != sid || f.Get("SmsSid") != sid ||
					f.Get("AccountSid") != testAccountSID || f.Get("To") != seeker ||
					f.Get("From") != "+33700000001" || f.Get("ApiVersion") != "2010-04-01" {
					t.Errorf("callback form = %v, want status %s code %q", f, want.status, want.code)
				}
			}
			m := sim.Messages(seeker)[0]
			if m.Status != tt.final || (tt.errorCode != "" && m.ErrorCode == 0) {
				t.Errorf("stored message = %+v", m)
			}
		})
	}
}

func TestStatusCallbackRetriedAfterServerError(t *testing.T) {
	_, ts := setup(t, Config{})
	rcv := newWebhookReceiver(t, func(n int, w http.ResponseWriter) {
		if n < 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	postMessage(t, ts, testAccountSID, testAuthToken, url.Values{
		"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"}, "StatusCallback": {rcv.URL},
	})
	var statuses []string
	for range 5 {
		statuses = append(statuses, rcv.next(t).Form.Get("MessageStatus"))
	}
	want := []string{"queued", "queued", "queued", "sent", "delivered"}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("callbacks = %v, want %v", statuses, want)
		}
	}
}

func TestStatusCallbackGivesUp(t *testing.T) {
	_, ts := setup(t, Config{})
	rcv := newWebhookReceiver(t, func(_ int, w http.ResponseWriter) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	postMessage(t, ts, testAccountSID, testAuthToken, url.Values{
		"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"}, "StatusCallback": {rcv.URL},
	})
	// 1 attempt and 3 retries for each of "queued", "sent" and "delivered".
	for i := range 12 {
		want := []string{"queued", "sent", "delivered"}[i/4]
		if got := rcv.next(t).Form.Get("MessageStatus"); got != want {
			t.Fatalf("callback %d is %q, want %q", i, got, want)
		}
	}
	select {
	case h := <-rcv.notify:
		t.Errorf("unexpected extra callback %v", h.Form)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestStatusWithoutCallback(t *testing.T) {
	sim, ts := setup(t, Config{})
	postMessage(t, ts, testAccountSID, testAuthToken, url.Values{
		"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"},
	})
	deadline := time.Now().Add(5 * time.Second)
	for sim.Messages(seeker)[0].Status != "delivered" {
		if time.Now().After(deadline) {
			t.Fatalf("status stuck at %q", sim.Messages(seeker)[0].Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCloseStopsPendingCallbacks(t *testing.T) {
	sim, ts := setup(t, Config{StatusDelay: time.Hour})
	postMessage(t, ts, testAccountSID, testAuthToken, url.Values{
		"To": {seeker}, "From": {"+33700000001"}, "Body": {"Bonjour"}, "StatusCallback": {"http://127.0.0.1:1/"},
	})
	done := make(chan struct{})
	go func() {
		sim.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not stop the pending callback")
	}
	if got := sim.Messages(seeker)[0].Status; got != "queued" {
		t.Errorf("status = %q after Close", got)
	}
}
