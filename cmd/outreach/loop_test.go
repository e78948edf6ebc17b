package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

type person struct {
	id, phone string
	body      map[string]any
}

// loopPeople are job seekers around Vénissieux (Lyon); the first five are
// eligible for a CDI as order picker there, the others are not, each for
// one reason.
func loopPeople(counsellorID int64) []person {
	base := func(id, phone string, extra map[string]any) person {
		b := map[string]any{
			"external_id": id, "first_name": "Prénom " + id[2:], "phone": phone,
			"rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": counsellorID,
			"skills": []string{"préparation de commandes"},
		}
		for k, v := range extra {
			b[k] = v
		}
		return person{id: id, phone: phone, body: b}
	}
	return []person{
		base("C-YES", "06 39 98 00 01", map[string]any{"commune_code": "69123", "skills": []string{"Préparation de commandes", "CACES 1"}}),
		base("C-NO", "+33 6 39 98 00 02", map[string]any{"location": map[string]float64{"lat": 45.70, "lon": 4.89}}),
		base("C-STOP", "0639980003", map[string]any{"commune_code": "69266"}),
		base("C-GARBLED", "06.39.98.00.04", map[string]any{"commune_code": "69259"}),
		base("C-SILENT", "0033639980005", map[string]any{"commune_code": "69029"}),
		base("C-FAR", "0639980006", map[string]any{"commune_code": "75056"}),
		base("C-NOCONSENT", "0639980007", map[string]any{"commune_code": "69123", "sms_consent": false}),
		base("C-OTHERJOB", "0639980008", map[string]any{"commune_code": "69123", "rome_codes": []string{"J1501"}}),
		base("C-CDDONLY", "0639980009", map[string]any{"commune_code": "69123", "contract_types": []string{"CDD"}}),
		base("C-HOMEBODY", "0639980010", map[string]any{"commune_code": "69266", "mobility_km": 2}),
	}
}

func offerBody(counsellorID int64, externalID string) map[string]any {
	return map[string]any{
		"external_id": externalID, "title": "Préparateur de commandes", "rome_code": "N1103",
		"employer":     map[string]string{"name": "Entrepôt Test", "email": "rh@entrepot.example"},
		"commune_code": "69259", "contract_type": "CDI", "radius_km": 25,
		"skills": []string{"préparation de commandes", "caces 1"}, "counsellor_id": counsellorID,
		"questions": []any{}, // no pre-screening: a yes is just a yes
	}
}

func TestWholeLoop(t *testing.T) {
	e := startE2E(t)
	ctx := context.Background()
	sim := e.stack.sim

	var counsellor, other struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "claire@agence.example", "name": "Claire", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "paul@agence.example", "name": "Paul", "agency": "Lille"}, &other, http.StatusCreated)
	people := loopPeople(counsellor.ID)
	phones := map[string]string{}
	for _, p := range people {
		var c struct {
			ID    int64  `json:"id"`
			Phone string `json:"phone"`
		}
		e.must(http.MethodPost, "/api/v1/candidates", p.body, &c, http.StatusCreated)
		if !strings.HasPrefix(c.Phone, "+3363998") {
			t.Fatalf("%s: phone not normalised to E.164: %q", p.id, c.Phone)
		}
		phones[p.id] = c.Phone
	}
	phone := func(id string) string { return phones[id] }

	var offer struct {
		ID        int64  `json:"id"`
		Reference string `json:"reference"`
	}
	e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellor.ID, "OF-1"), &offer, http.StatusCreated)

	// Matching: only the five eligible, best first, every score explained.
	var matches struct {
		Matches []struct {
			ExternalID string  `json:"external_id"`
			Score      float64 `json:"score"`
			Reasons    []struct {
				Factor string `json:"factor"`
				Detail string `json:"detail"`
			} `json:"reasons"`
		} `json:"matches"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/matches?limit=50", offer.ID), nil, &matches, http.StatusOK)
	var got []string
	for i, m := range matches.Matches {
		got = append(got, m.ExternalID)
		if i > 0 && m.Score > matches.Matches[i-1].Score {
			t.Errorf("matches not sorted by score: %v", matches.Matches)
		}
		if len(m.Reasons) != 6 || m.Reasons[0].Factor != "occupation" || m.Reasons[1].Factor != "distance" {
			t.Errorf("%s: reasons %+v", m.ExternalID, m.Reasons)
		}
	}
	slices.Sort(got)
	if want := []string{"C-GARBLED", "C-NO", "C-SILENT", "C-STOP", "C-YES"}; !slices.Equal(got, want) {
		t.Fatalf("matched %v, want %v", got, want)
	}

	var insight struct {
		Eligible   map[string]int `json:"eligible"`
		HardToFill bool           `json:"hard_to_fill"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/insight", offer.ID), nil, &insight, http.StatusOK)
	if insight.Eligible["30km"] != 5 || insight.HardToFill {
		t.Errorf("insight %+v, want 5 eligible at 30 km and not hard to fill", insight)
	}

	// Outreach: one SMS each, with the offer, the reply instructions and the reference.
	var started struct{ Queued int }
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	if started.Queued != 5 {
		t.Fatalf("queued %d, want 5", started.Queued)
	}
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	if started.Queued != 0 {
		t.Fatalf("second outreach queued %d, want 0: nobody is texted twice for one offer", started.Queued)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	msgs, err := sim.WaitForMessages(waitCtx, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		for _, want := range []string{"Préparateur de commandes", "OUI", "NON", offer.Reference, "STOP"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("SMS to %s lacks %q: %s", m.To, want, m.Body)
			}
		}
	}
	eventually(t, "all SMS delivered", func() bool { return e.outreach(offer.ID).Counts["delivered"] == 5 })

	// Replies, pushed live to the counsellor.
	events := e.sseEvents(counsellor.ID)
	replies := []struct{ who, body, wantIntent, wantConfirm string }{
		{"C-YES", "Oui je suis intéressé !", "yes", "Merci"},
		{"C-NO", "non merci", "no", "noté"},
		{"C-STOP", "STOP", "stop", "START"},
		{"C-GARBLED", "c pour quand ??", "unclear", "compris"},
	}
	var yesSID string
	for _, r := range replies {
		res, err := sim.Reply(ctx, phone(r.who), r.body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("reply %q: %v %+v", r.body, err, res)
		}
		if len(res.Replies) != 1 || !strings.Contains(res.Replies[0], r.wantConfirm) {
			t.Errorf("reply %q: confirmation %q, want one containing %q", r.body, res.Replies, r.wantConfirm)
		}
		if r.who == "C-YES" {
			yesSID = res.MessageSid
		}
		select {
		case <-events:
		case <-time.After(10 * time.Second):
			t.Fatalf("no live inbox event after %q", r.body)
		}
	}

	// Twilio retries the same webhook: nothing changes.
	if res, err := sim.ReplayInbound(ctx, yesSID); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("replay: %v %+v", err, res)
	}
	// A forged or unsigned webhook is refused and stores nothing.
	forged := url.Values{"MessageSid": {"SMforged000000000000000000000000"}, "From": {phone("C-YES")}, "Body": {"NON"}, "To": {simulatorNumber}}
	if code, _ := e.signedPost(webhooks.InboundPath, forged, "not-the-auth-token"); code != http.StatusForbidden {
		t.Errorf("forged signature: status %d, want 403", code)
	}
	if code, _ := e.raw(http.MethodPost, webhooks.InboundPath, "application/x-www-form-urlencoded", forged.Encode(), nil); code != http.StatusForbidden {
		t.Errorf("missing signature: status %d, want 403", code)
	}
	// A late or repeated delivery report never moves a contact backwards.
	v := e.outreach(offer.ID)
	var yesContactSID string
	for _, c := range v.Contacts {
		if c.ExternalID == "C-YES" {
			yesContactSID = c.MessageSID
		}
	}
	for _, st := range []string{"sent", "undelivered", "delivered"} {
		code, _ := e.signedPost(webhooks.StatusPath, url.Values{"MessageSid": {yesContactSID}, "MessageStatus": {st}}, e.cfg.TwilioAuthToken)
		if code != http.StatusNoContent {
			t.Errorf("status callback %s: %d", st, code)
		}
	}

	checkOutcome(t, e, offer.ID, counsellor.ID, other.ID)

	checkUnknownNumbers(t, e)

	// STOP holds for every later offer, until START.
	var offer2 struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellor.ID, "OF-2"), &offer2, http.StatusCreated)
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer2.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	if started.Queued != 4 {
		t.Errorf("second offer queued %d, want 4 (everyone but the STOP)", started.Queued)
	}
	if _, err := sim.WaitForMessages(waitCtx, "", 5+4+4); err != nil {
		t.Fatal(err)
	}
	if n := countOutbound(sim.Messages(phone("C-STOP"))); n != 1 {
		t.Errorf("STOP candidate got %d offer SMS, want 1", n)
	}
	if res, err := sim.Reply(ctx, phone("C-STOP"), "START"); err != nil || len(res.Replies) != 1 {
		t.Fatalf("START: %v %+v", err, res)
	}
	var m2 struct {
		Matches []struct {
			ExternalID string `json:"external_id"`
		}
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/matches", offer2.ID), nil, &m2, http.StatusOK)
	if len(m2.Matches) != 1 || m2.Matches[0].ExternalID != "C-STOP" {
		t.Errorf("after START, offer 2 matches %+v, want only C-STOP", m2.Matches)
	}
}

// checkUnknownNumbers: replies from unknown numbers are kept for
// administrators, newest first, never dropped.
func checkUnknownNumbers(t *testing.T, e *e2e) {
	t.Helper()
	for _, r := range []struct{ phone, body string }{{"+33639989999", "OUI"}, {"+33639989998", "C'est qui ?"}} {
		if res, err := e.stack.sim.Reply(context.Background(), r.phone, r.body); err != nil || res.StatusCode != http.StatusOK || len(res.Replies) != 0 {
			t.Errorf("unknown number %s: %v %+v", r.phone, err, res)
		}
	}
	var unassigned struct {
		Items []struct {
			ID          int64     `json:"id"`
			ReceivedAt  time.Time `json:"received_at"`
			PhoneMasked string    `json:"phone_masked"`
			Body        string    `json:"body"`
			Intent      string    `json:"intent"`
		} `json:"items"`
	}
	e.must(http.MethodGet, "/api/v1/inbox/unassigned", nil, &unassigned, http.StatusOK)
	var got []string
	for _, it := range unassigned.Items {
		if it.ID == 0 || it.ReceivedAt.IsZero() {
			t.Errorf("unassigned item without id or time: %+v", it)
		}
		got = append(got, it.PhoneMasked+" "+it.Body+" "+it.Intent)
	}
	if want := []string{"+336******98 C'est qui ? unclear", "+336******99 OUI yes"}; !slices.Equal(got, want) {
		t.Errorf("unassigned inbox %q, want %q (newest first)", got, want)
	}
	e.must(http.MethodGet, "/api/v1/inbox/unassigned?limit=1", nil, &unassigned, http.StatusOK)
	if len(unassigned.Items) != 1 || unassigned.Items[0].Body != "C'est qui ?" {
		t.Errorf("unassigned inbox with limit=1: %+v", unassigned.Items)
	}
}

func countOutbound(msgs []simulator.Message) int {
	n := 0
	for _, m := range msgs {
		if m.Direction == "outbound-api" {
			n++
		}
	}
	return n
}

// checkOutcome verifies statuses, replies, shortlist and inboxes after the replies.
func checkOutcome(t *testing.T, e *e2e, offerID, counsellorID, otherID int64) {
	t.Helper()
	wantReply := map[string]string{"C-YES": "interested", "C-NO": "declined", "C-STOP": "opted_out", "C-GARBLED": "unclear", "C-SILENT": ""}
	v := e.outreach(offerID)
	for _, c := range v.Contacts {
		got := ""
		if c.Reply != nil {
			got = *c.Reply
		}
		if got != wantReply[c.ExternalID] || c.Status != "delivered" {
			t.Errorf("%s: status %s reply %q, want delivered %q", c.ExternalID, c.Status, got, wantReply[c.ExternalID])
		}
	}
	if v.Counts["interested"] != 1 || v.Counts["replied"] != 4 || v.Counts["delivered"] != 5 {
		t.Errorf("counts %v", v.Counts)
	}
	var shortlist struct {
		Candidates []struct {
			ExternalID string `json:"external_id"`
		}
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/shortlist", offerID), nil, &shortlist, http.StatusOK)
	if len(shortlist.Candidates) != 1 || shortlist.Candidates[0].ExternalID != "C-YES" {
		t.Errorf("shortlist %+v, want only C-YES", shortlist.Candidates)
	}
	var inbox struct {
		Items []struct {
			Body   string `json:"body"`
			Intent string `json:"intent"`
			Link   string `json:"link"`
		} `json:"items"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", counsellorID), nil, &inbox, http.StatusOK)
	var intents []string
	for _, it := range inbox.Items {
		intents = append(intents, it.Intent)
	}
	if want := []string{"unclear", "stop", "no", "yes"}; !slices.Equal(intents, want) {
		t.Errorf("inbox intents %v, want %v (newest first, replay and forgeries not counted)", intents, want)
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", otherID), nil, &inbox, http.StatusOK)
	if len(inbox.Items) != 0 {
		t.Errorf("another counsellor's inbox shows %d items", len(inbox.Items))
	}
}
