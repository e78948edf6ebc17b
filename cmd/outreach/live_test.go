package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/webhooks"
)

// TestLivePushAcrossProcesses runs two API processes on the same
// PostgreSQL and Redis: replies posted to one reach the counsellor's live
// inbox opened on the other, and only that counsellor's.
func TestLivePushAcrossProcesses(t *testing.T) {
	a := startE2E(t)
	b := startServeOnly(t, a)

	var counsellors [2]struct{ ID int64 }
	for i, name := range []string{"claire", "paul"} {
		a.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": name + "@agence.example", "name": name, "agency": "Lyon"},
			&counsellors[i], http.StatusCreated)
	}
	phones := [2]string{}
	for i, p := range loopPeople(0)[:2] {
		p.body["counsellor_id"] = counsellors[i].ID
		var c struct{ Phone string }
		a.must(http.MethodPost, "/api/v1/candidates", p.body, &c, http.StatusCreated)
		phones[i] = c.Phone
	}
	// Streams on B, one per counsellor. The stream has subscribed when its
	// headers arrive, so no event can be missed.
	streams := [2]<-chan string{b.sseEvents(counsellors[0].ID), b.sseEvents(counsellors[1].ID)}

	// Alternating replies: an event delivered to the wrong stream would be
	// read there before the one expected next.
	replies := []struct {
		who  int
		body string
	}{{0, "OUI"}, {1, "non merci"}, {0, "c'est où ?"}, {1, "STOP"}}
	for i, r := range replies {
		form := url.Values{"MessageSid": {fmt.Sprintf("SMlive%030d", i)}, "From": {phones[r.who]}, "To": {simulatorNumber}, "Body": {r.body}}
		if code, body := a.signedPost(webhooks.InboundPath, form, a.cfg.TwilioAuthToken); code != http.StatusOK {
			t.Fatalf("reply %q on A: %d %s", r.body, code, body)
		}
		var inbox struct {
			Items []struct{ ID int64 } `json:"items"`
		}
		a.must(http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d&limit=1", counsellors[r.who].ID), nil, &inbox, http.StatusOK)
		if len(inbox.Items) != 1 {
			t.Fatalf("reply %q: no inbox item", r.body)
		}
		select {
		case got := <-streams[r.who]:
			if want := itoa64(inbox.Items[0].ID); got != want {
				t.Errorf("reply %q: counsellor %d's stream on B got item %s, want %s", r.body, r.who, got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("reply %q posted to A never reached counsellor %d's stream on B", r.body, r.who)
		}
	}
}

// startServeOnly starts a second API process (no worker) on a's database
// and Redis namespace, behind its own public URL.
func startServeOnly(t *testing.T, a *e2e) *e2e {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := a.cfg
	cfg.PublicURL = "http://" + ln.Addr().String()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := startStack(context.Background(), cfg, log, stackOptions{serve: true, listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return &e2e{t: t, cfg: cfg, stack: s, api: newAPIClient(cfg.PublicURL, cfg.APIToken)}
}
