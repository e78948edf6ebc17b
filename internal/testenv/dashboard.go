package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// DashboardData is a known outreach for the dashboard's tests, in March
// 2026 (CET, UTC+1). Counsellors A and B and the administrator Admin work
// in "Lyon Est", C in "Marseille". A follows the job seekers a1 to a6 (a5
// without SMS consent, a6 opted out), B follows b1 and b2, C c1 and c2.
// A owns the offers O1 and O2, B O3, C O4. The contacts, by number (sent
// at, in UTC; delays from the SMS):
//
//	 1 O1 a1  2 Mar 09:00  delivered, yes after 4 min, qualified, referred
//	 2 O1 a2  2 Mar 09:00  delivered, no after 10 min
//	 3 O1 a3  2 Mar 09:00  delivered, "?" after 12 min then yes after 40 min, not qualified
//	 4 O1 a4  2 Mar 09:00  undelivered (30003)
//	 5 O1 b1  2 Mar 09:00  delivered, no reply
//	 6 O2 a1  8 Mar 22:30  (Sunday 23:30 in Paris) delivered, yes after 3 h
//	 7 O2 a2  9 Mar 08:00  failed before reaching the provider (no send time)
//	 8 O2 a3  8 Mar 23:30  (Monday 00:30 in Paris) delivered, STOP after 25 h
//	 9 O3 b1  3 Mar 09:00  delivered, yes after 20 min
//	10 O3 a1  3 Mar 09:00  delivered, no reply
//	11 O4 c1 10 Mar 09:00  delivered, yes after 1 min
//	12 O4 a3 10 Mar 09:00  delivered, no after 2 min
//	13 O4 a1 10 Mar 09:00  delivered, no reply
//	14 O1 b2  -            planned, not sent
//	15 O3 b2  3 Mar 09:00  sent, no delivery report, unclear after 50 min
//
// Contact 1's pre-screening started with its yes and ended qualified 2 h
// later, and it was referred 20 h after O1 was created (2 Mar 08:00);
// contact 3's started with its yes and ended not qualified 7 h later.
type DashboardData struct {
	A, B, C, Admin outreach.Counsellor
	Offers         map[string]outreach.Offer // "O1" to "O4"
	Contacts       map[int]int64             // by number
	// Week1 and Week2 are the Mondays 2 and 9 March 2026, 00:00 UTC.
	Week1, Week2 time.Time
}

// Viewer is the counsellor c as a viewer; AdminViewer the administrator
// of Lyon Est.
func (d DashboardData) Viewer(c outreach.Counsellor) outreach.Viewer {
	return outreach.Viewer{CounsellorID: c.ID, Agency: c.Agency}
}

// AdminViewer is Admin, administrator of the agency Lyon Est.
func (d DashboardData) AdminViewer() outreach.Viewer {
	return outreach.Viewer{CounsellorID: d.Admin.ID, Agency: d.Admin.Agency, Admin: true}
}

// dashboardContact is one line of the DashboardData table.
type dashboardContact struct {
	n            int
	offer, cand  string
	sentAt       time.Time // zero: not sent (failed before the provider, or planned)
	status       outreach.ContactStatus
	reply        outreach.Interest
	after        time.Duration // the reply's delay
	firstInbound time.Duration // an earlier inbound SMS, 0: none
}

// DashboardData stores the known outreach (see DashboardData).
func (s Stack) DashboardData(t testing.TB) DashboardData {
	t.Helper()
	d := DashboardData{Offers: map[string]outreach.Offer{}, Contacts: map[int]int64{},
		Week1: time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC), Week2: time.Date(2026, time.March, 9, 0, 0, 0, 0, time.UTC)}
	d.A = s.counsellor(t, "ana", "Lyon Est")
	d.B = s.counsellor(t, "basile", "Lyon Est")
	d.C = s.counsellor(t, "chloe", "Marseille")
	d.Admin = s.counsellor(t, "dora", "Lyon Est")
	cands := map[string]outreach.Candidate{}
	for i, p := range []struct {
		name    string
		by      outreach.Counsellor
		consent bool
	}{{"a1", d.A, true}, {"a2", d.A, true}, {"a3", d.A, true}, {"a4", d.A, true}, {"a5", d.A, false}, {"a6", d.A, true},
		{"b1", d.B, true}, {"b2", d.B, true}, {"c1", d.C, true}, {"c2", d.C, true}} {
		cands[p.name] = s.jobSeeker(t, p.name, fmt.Sprintf("06399830%02d", i), p.consent, p.by)
	}
	if err := s.Store.OptOut(context.Background(), cands["a6"].Phone, "sms"); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]struct {
		by      outreach.Counsellor
		created time.Time
	}{"O1": {d.A, march(2, 8, 0)}, "O2": {d.A, march(8, 20, 0)}, "O3": {d.B, march(3, 8, 0)}, "O4": {d.C, march(10, 8, 0)}} {
		d.Offers[name] = s.dashboardOffer(t, name, o.by, o.created)
	}
	const (
		yes, no, unclear, stop = outreach.InterestInterested, outreach.InterestDeclined, outreach.InterestUnclear, outreach.InterestOptedOut
		delivered, sent        = outreach.StatusDelivered, outreach.StatusSent
		m, h                   = time.Minute, time.Hour
	)
	for _, c := range []dashboardContact{
		{1, "O1", "a1", march(2, 9, 0), delivered, yes, 4 * m, 0},
		{2, "O1", "a2", march(2, 9, 0), delivered, no, 10 * m, 0},
		{3, "O1", "a3", march(2, 9, 0), delivered, yes, 40 * m, 12 * m},
		{4, "O1", "a4", march(2, 9, 0), outreach.StatusUndelivered, "", 0, 0},
		{5, "O1", "b1", march(2, 9, 0), delivered, "", 0, 0},
		{6, "O2", "a1", march(8, 22, 30), delivered, yes, 3 * h, 0},
		{7, "O2", "a2", time.Time{}, outreach.StatusFailed, "", 0, 0},
		{8, "O2", "a3", march(8, 23, 30), delivered, stop, 25 * h, 0},
		{9, "O3", "b1", march(3, 9, 0), delivered, yes, 20 * m, 0},
		{10, "O3", "a1", march(3, 9, 0), delivered, "", 0, 0},
		{11, "O4", "c1", march(10, 9, 0), delivered, yes, 1 * m, 0},
		{12, "O4", "a3", march(10, 9, 0), delivered, no, 2 * m, 0},
		{13, "O4", "a1", march(10, 9, 0), delivered, "", 0, 0},
		{14, "O1", "b2", time.Time{}, outreach.StatusPlanned, "", 0, 0},
		{15, "O3", "b2", march(3, 9, 0), sent, unclear, 50 * m, 0},
	} {
		d.Contacts[c.n] = s.dashboardContact(t, c, d.Offers[c.offer], cands[c.cand])
	}
	s.exec(t, `UPDATE contacts SET created_at = sent_at - interval '1 minute' WHERE sent_at IS NOT NULL`)
	s.exec(t, `UPDATE contacts SET created_at = $2 WHERE id = $1`, d.Contacts[7], march(9, 8, 0))

	qs := ScreeningQuestions(t)
	ok := func(a outreach.Answer, at time.Time) ScreeningStep { return ScreeningStep{Answer: a, At: at} }
	one := s.contact(t, d.Contacts[1])
	s.Screen(t, one, d.Offers["O1"].Reference, qs, march(2, 9, 4), ok(outreach.AnswerYes, march(2, 9, 30)),
		ok(outreach.AnswerYes, march(2, 10, 0)), ok(outreach.AnswerYes, march(2, 11, 4)))
	three := s.contact(t, d.Contacts[3])
	s.Screen(t, three, d.Offers["O1"].Reference, qs, march(2, 9, 40), ok(outreach.AnswerYes, march(2, 10, 40)),
		ok(outreach.AnswerNo, march(2, 16, 40)))
	if _, err := s.Store.MarkReferred(context.Background(), []int64{one.ID}, d.A.ID, march(3, 4, 0)); err != nil {
		t.Fatal(err)
	}
	return d
}

// march is 2026-03-day at hh:mm UTC.
func march(day, hh, mm int) time.Time {
	return time.Date(2026, time.March, day, hh, mm, 0, 0, time.UTC)
}

func (s Stack) counsellor(t testing.TB, name, agency string) outreach.Counsellor {
	t.Helper()
	c, err := s.Service.CreateCounsellor(context.Background(), outreach.CounsellorInput{
		Email: name + "@dashboard.example", Name: name, Agency: agency})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s Stack) jobSeeker(t testing.TB, name, phone string, consent bool, by outreach.Counsellor) outreach.Candidate {
	t.Helper()
	c, _, err := s.Service.UpsertCandidate(context.Background(), outreach.CandidateInput{ExternalID: "DASH-" + name,
		FirstName: name, Phone: phone, CommuneCode: "69123", ROMECodes: []string{"D1102"}, SMSConsent: consent,
		CounsellorID: by.ID})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s Stack) dashboardOffer(t testing.TB, name string, by outreach.Counsellor, created time.Time) outreach.Offer {
	t.Helper()
	o, err := s.Service.CreateOffer(context.Background(), outreach.OfferInput{Title: "Offre " + name, ROMECode: "D1102",
		CommuneCode: "69123", ContractType: "CDI", Employer: outreach.Employer{Name: "Fournil", Email: "rh@fournil.example"},
		CounsellorID: by.ID, Questions: &[]outreach.Question{}})
	if err != nil {
		t.Fatal(err)
	}
	s.exec(t, `UPDATE offers SET created_at = $2 WHERE id = $1`, o.ID, created)
	o.CreatedAt = created
	return o
}

// dashboardContact stores one contact of the table through the store's
// own transitions, and its first inbound SMS when it has one.
func (s Stack) dashboardContact(t testing.TB, c dashboardContact, o outreach.Offer, cand outreach.Candidate) int64 {
	t.Helper()
	ctx := context.Background()
	initial := outreach.StatusQueued
	if c.status == outreach.StatusPlanned {
		initial = outreach.StatusPlanned
	}
	created, err := s.Store.CreateContacts(ctx, []outreach.Contact{{OfferID: o.ID, CandidateID: cand.ID, Phone: cand.Phone,
		Status: initial, Body: "Offre"}})
	if err != nil || len(created) != 1 {
		t.Fatalf("create contact %d: %v %v", c.n, created, err)
	}
	id := created[0].ID
	if c.status == outreach.StatusPlanned {
		return id
	}
	if _, ok, err := s.Store.ClaimSend(ctx, id); err != nil || !ok {
		t.Fatalf("claim contact %d: %v %v", c.n, ok, err)
	}
	if c.status == outreach.StatusFailed {
		if err := s.Store.RecordFailed(ctx, id, 21610, "refusé"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	sid := fmt.Sprintf("SMDASH%028d", id)
	if _, err := s.Store.RecordSent(ctx, id, sid, c.sentAt); err != nil {
		t.Fatal(err)
	}
	if c.status != outreach.StatusSent {
		code := 0
		if c.status == outreach.StatusUndelivered {
			code = 30003
		}
		if err := s.Store.SetContactStatus(ctx, id, c.status, code, c.sentAt.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if c.reply != "" {
		if err := s.Store.SetReply(ctx, id, c.reply, c.sentAt.Add(c.after)); err != nil {
			t.Fatal(err)
		}
	}
	if c.firstInbound != 0 {
		s.exec(t, `INSERT INTO inbound_messages (message_sid, from_phone, to_phone, body, intent, link, contact_id,
	candidate_id, received_at) VALUES ($1, $2, '+33700000000', '?', 'unclear', 'inferred', $3, $4, $5)`,
			sid+"IN", cand.Phone, id, cand.ID, c.sentAt.Add(c.firstInbound))
	}
	return id
}

func (s Stack) contact(t testing.TB, id int64) outreach.Contact {
	t.Helper()
	c, err := s.Store.Contact(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exec runs a statement the store has no method for (setting past
// times), failing the test on error.
func (s Stack) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := s.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
