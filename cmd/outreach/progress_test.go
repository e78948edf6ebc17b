package main

import (
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/simulator"
)

// outreachSummaryView is the answer of GET /offers/{id}/outreach/summary.
type outreachSummaryView struct {
	OfferID     int64          `json:"offer_id"`
	Total       int            `json:"total"`
	Statuses    map[string]int `json:"statuses"`
	Replies     map[string]int `json:"replies"`
	Replied     int            `json:"replied"`
	Failures    map[string]int `json:"failures"`
	FirstSentAt *time.Time     `json:"first_sent_at"`
	LastSentAt  *time.Time     `json:"last_sent_at"`
	Done        bool           `json:"done"`
}

// startCampaign texts the five eligible loop people about a new offer
// and returns the offer's id.
func startCampaign(t *testing.T, e *e2e) int64 {
	t.Helper()
	var counsellor, offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "ines@agence.example", "name": "Inès", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	for _, p := range loopPeople(counsellor.ID) {
		e.must(http.MethodPost, "/api/v1/candidates", p.body, nil, http.StatusCreated)
	}
	e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellor.ID, "OF-SUMMARY"), &offer, http.StatusCreated)
	var started struct{ Queued int }
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	if started.Queued != 5 {
		t.Fatalf("queued %d, want 5", started.Queued)
	}
	return offer.ID
}

// TestOutreachSummaryAPI follows a campaign through its summary: the
// exact JSON keys, every status and reply counted, failures by provider
// error code, and the errors of the route.
func TestOutreachSummaryAPI(t *testing.T) {
	e := startE2E(t)
	sim := e.stack.sim
	sim.SetBehaviour("+33639980002", simulator.Behaviour{FinalStatus: "undelivered"}) // C-NO: 30003
	sim.SetBehaviour("+33639980003", simulator.Behaviour{FinalStatus: "undelivered"}) // C-STOP: 30003
	sim.SetBehaviour("+33639980004", simulator.Behaviour{FinalStatus: "failed", ErrorCode: 30007})
	offerID := startCampaign(t, e)
	path := fmt.Sprintf("/api/v1/offers/%d/outreach/summary", offerID)

	var raw map[string]json.RawMessage
	e.must(http.MethodGet, path, nil, &raw, http.StatusOK)
	keys := slices.Sorted(maps.Keys(raw))
	if want := []string{"done", "failures", "first_sent_at", "last_sent_at", "offer_id", "replied", "replies", "statuses", "total"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}

	var v outreachSummaryView
	eventually(t, "every delivery report", func() bool {
		e.must(http.MethodGet, path, nil, &v, http.StatusOK)
		return v.Statuses["delivered"]+v.Statuses["undelivered"]+v.Statuses["failed"] == 5
	})
	wantStatuses := map[string]int{"planned": 0, "queued": 0, "sending": 0, "sent": 0, "delivered": 2, "undelivered": 2, "failed": 1}
	wantReplies := map[string]int{"interested": 0, "declined": 0, "unclear": 0, "opted_out": 0}
	if v.OfferID != offerID || v.Total != 5 || !v.Done || !maps.Equal(v.Statuses, wantStatuses) || !maps.Equal(v.Replies, wantReplies) ||
		v.Replied != 0 || !maps.Equal(v.Failures, map[string]int{"30003": 2, "30007": 1}) {
		t.Errorf("summary %+v, want 5 contacts, done: statuses %v, no reply, failures 30003×2 and 30007", v, wantStatuses)
	}
	if v.FirstSentAt == nil || v.LastSentAt == nil || v.LastSentAt.Before(*v.FirstSentAt) ||
		time.Since(*v.FirstSentAt) > time.Minute {
		t.Errorf("sent from %v to %v, want two recent times in order", v.FirstSentAt, v.LastSentAt)
	}

	// The counsellor sees the three failures on their inbox page, explained.
	var co struct{ ID int64 }
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d", offerID), nil, &struct {
		CounsellorID *int64 `json:"counsellor_id"`
	}{&co.ID}, http.StatusOK)
	page := html.UnescapeString(e.page(co.ID, "/boite"))
	if strings.Count(page, `class="failure card"`) != 3 || strings.Count(page, "téléphone éteint ou hors réseau (code 30003)") != 2 ||
		!strings.Contains(page, "SMS filtré par l'opérateur (code 30007)") || strings.Contains(page, "+33639980002") {
		t.Errorf("the inbox page does not list the 3 failures, explained, with masked phones:\n%s", page)
	}

	// A reply shows at once, and agrees with the full listing.
	if res, err := sim.Reply(t.Context(), "+33639980001", "OUI"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("reply: %v %+v", err, res)
	}
	e.must(http.MethodGet, path, nil, &v, http.StatusOK)
	if v.Replies["interested"] != 1 || v.Replied != 1 {
		t.Errorf("after OUI: replies %v, replied %d", v.Replies, v.Replied)
	}
	full := e.outreach(offerID)
	for st, n := range v.Statuses {
		if full.Counts[st] != n {
			t.Errorf("%s: summary %d, listing %d", st, n, full.Counts[st])
		}
	}

	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	tests := []struct {
		name, path  string
		header      map[string]string
		status      int
		code, field string
	}{
		{"unknown offer", fmt.Sprintf("/api/v1/offers/%d/outreach/summary", offerID+1000), auth, 404, "not_found", ""},
		{"bad offer id", "/api/v1/offers/abc/outreach/summary", auth, 404, "not_found", "id"},
		{"zero offer id", "/api/v1/offers/0/outreach/summary", auth, 404, "not_found", "id"},
		{"no token", path, nil, 401, "unauthorized", ""},
		{"wrong token", path, map[string]string{"Authorization": "Bearer nope-nope-nope-nope"}, 401, "unauthorized", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.raw(http.MethodGet, tt.path, "", "", tt.header)
			checkAPIError(t, code, body, tt.status, tt.code, tt.field)
		})
	}
}
