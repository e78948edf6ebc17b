package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// e2eClock is the service's clock in an end-to-end test: real time, moved
// forward by hand, so that days of a campaign pass at once and nothing
// depends on how fast the machine is.
type e2eClock struct{ ahead atomic.Int64 }

func (c *e2eClock) Now() time.Time          { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *e2eClock) Advance(d time.Duration) { c.ahead.Add(int64(d)) }

// campaignView is what the offer and its shortlist say of the campaign.
type campaignView struct {
	OutreachStartedAt *time.Time `json:"outreach_started_at"`
	ClosesAt          *time.Time `json:"closes_at"`
	ClosedAt          *time.Time `json:"closed_at"`
	Final             bool       `json:"final"`
	Candidates        []struct {
		ExternalID string `json:"external_id"`
	} `json:"candidates"`
}

// TestFollowUpAndClose: with reminders after 48 h and campaigns of 72 h,
// the silent job seekers get one reminder each and the one who said NO
// none; an OUI to the reminder enters the shortlist; after the close the
// shortlist is final, and a late OUI reaches the counsellor, marked late,
// without entering it.
func TestFollowUpAndClose(t *testing.T) {
	clock := &e2eClock{}
	e := startE2E(t, withClock(clock.Now), withEnv(map[string]string{
		"FOLLOW_UP_AFTER": "48h", "CAMPAIGN_WINDOW": "72h", "OUTBOX_SWEEP_EVERY": "100ms", "MATCH_INDEX": "off"}))
	ctx := context.Background()
	sim := e.stack.sim

	var counsellor struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "ines@agence.example", "name": "Inès", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	phones := map[string]string{}
	for i, who := range []string{"F-SILENT", "F-NO", "F-LATER"} {
		var c struct{ Phone string }
		e.must(http.MethodPost, "/api/v1/candidates", map[string]any{
			"external_id": who, "first_name": "Prénom", "phone": fmt.Sprintf("06399804%02d", i), "commune_code": "69259",
			"rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": counsellor.ID,
		}, &c, http.StatusCreated)
		phones[who] = c.Phone
	}
	var offer struct {
		ID        int64  `json:"id"`
		Reference string `json:"reference"`
		campaignView
	}
	e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellor.ID, "OF-FOLLOW"), &offer, http.StatusCreated)
	if offer.OutreachStartedAt != nil || offer.ClosesAt != nil || offer.Final {
		t.Errorf("offer before its outreach: %+v", offer.campaignView)
	}
	var started struct{ Queued int }
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	if started.Queued != 3 {
		t.Fatalf("queued %d, want 3", started.Queued)
	}
	eventually(t, "the three offer SMS delivered", func() bool { return e.outreach(offer.ID).Counts["delivered"] == 3 })
	reply := func(who, body string) []string {
		t.Helper()
		res, err := sim.Reply(ctx, phones[who], body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s replies %q: %v %+v", who, body, err, res)
		}
		return res.Replies
	}
	reply("F-NO", "non merci")

	// Two days later: one reminder each for the two silent ones.
	clock.Advance(48*time.Hour + time.Minute)
	reminders := func() map[string]string {
		got := map[string]string{}
		for _, c := range e.outreachReminders(offer.ID) {
			got[c.ExternalID] = c.Reminder
		}
		return got
	}
	eventually(t, "reminders sent", func() bool {
		r := reminders()
		return r["F-SILENT"] == "sent" && r["F-LATER"] == "sent"
	})
	if swept, err := e.stack.svc.ReconcileOutbox(ctx); err != nil || swept.RemindersQueued != 0 {
		t.Fatalf("a sweep after the reminders: %+v (%v), want none queued", swept, err)
	}
	for who, want := range map[string]int{"F-SILENT": 2, "F-NO": 1, "F-LATER": 2} {
		msgs := sim.Messages(phones[who])
		if n := countOutbound(msgs); n != want {
			t.Fatalf("%s got %d SMS, want %d", who, n, want)
		}
		if want == 2 && !strings.Contains(msgs[len(msgs)-1].Body, offer.Reference) {
			t.Errorf("%s: reminder %q lacks the reference %s", who, msgs[len(msgs)-1].Body, offer.Reference)
		}
	}
	if r := reminders(); r["F-NO"] != "" {
		t.Errorf("F-NO, who answered, has a reminder %q", r["F-NO"])
	}

	// An OUI to the reminder counts.
	if confirm := reply("F-LATER", "Oui !"); len(confirm) != 1 || !strings.Contains(confirm[0], "Merci !") {
		t.Errorf("confirmation of the OUI to the reminder: %q", confirm)
	}
	shortlist := func() campaignView {
		var v campaignView
		e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/shortlist", offer.ID), nil, &v, http.StatusOK)
		return v
	}
	if s := shortlist(); s.Final || s.ClosesAt == nil || s.ClosedAt != nil || len(s.Candidates) != 1 || s.Candidates[0].ExternalID != "F-LATER" {
		t.Fatalf("shortlist before the close: %+v, want F-LATER, open", s)
	}

	// A day later the campaign closes; a late OUI no longer counts.
	clock.Advance(24 * time.Hour)
	eventually(t, "the campaign closed", func() bool {
		var o campaignView
		e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d", offer.ID), nil, &o, http.StatusOK)
		return o.Final && o.ClosedAt != nil
	})
	if confirm := reply("F-SILENT", "OUI je suis intéressée"); len(confirm) != 1 || !strings.Contains(confirm[0], "closes") {
		t.Errorf("confirmation of the late OUI: %q", confirm)
	}
	if s := shortlist(); !s.Final || s.ClosedAt == nil || len(s.Candidates) != 1 || s.Candidates[0].ExternalID != "F-LATER" {
		t.Errorf("final shortlist: %+v, want F-LATER alone", s)
	}
	var inbox struct {
		Items []struct {
			Body      string `json:"body"`
			Late      bool   `json:"late"`
			Candidate struct {
				ExternalID string `json:"external_id"`
			} `json:"candidate"`
		} `json:"items"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", counsellor.ID), nil, &inbox, http.StatusOK)
	if len(inbox.Items) != 3 {
		t.Fatalf("inbox %+v, want 3 replies", inbox.Items)
	}
	for i, want := range []struct {
		who  string
		late bool
	}{{"F-SILENT", true}, {"F-LATER", false}, {"F-NO", false}} {
		if it := inbox.Items[i]; it.Candidate.ExternalID != want.who || it.Late != want.late {
			t.Errorf("inbox item %d: %s late %v, want %s late %v", i, it.Candidate.ExternalID, it.Late, want.who, want.late)
		}
	}
}

// contactReminder is a contact's reminder, as the outreach view shows it.
type contactReminder struct {
	ExternalID string     `json:"external_id"`
	Reminder   string     `json:"reminder"`
	RemindedAt *time.Time `json:"reminded_at"`
}

func (e *e2e) outreachReminders(offerID int64) []contactReminder {
	var v struct {
		Contacts []contactReminder `json:"contacts"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/outreach", offerID), nil, &v, http.StatusOK)
	return v.Contacts
}
