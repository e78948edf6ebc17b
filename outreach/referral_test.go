package outreach_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// shortlistEnv is a bakery offer whose candidates said yes and went
// through the pre-screening, one per outcome, on a clock of the test's.
type shortlistEnv struct {
	st    testenv.Stack
	clock *testClock
	offer outreach.Offer
	qs    []outreach.Question
	// by first name
	contacts map[string]outreach.Contact
}

// newShortlistEnv makes the candidates, best score first:
//
//	Ana  qualified after three yes, in 40 min
//	Bob  not qualified: no to question 2
//	Cid  incomplete: expired at question 2
//	Dan  incomplete: unclear twice on question 1, handed over
//	Eve  opted out at question 3
//	Fay  still answering question 2
//	Gus  no conversation (the offer asked none when he said yes)
//	Hal  a conversation without questions: qualified at once
func newShortlistEnv(t *testing.T) *shortlistEnv {
	t.Helper()
	clock := &testClock{}
	st := testenv.Service(t, nil, outreach.ServiceConfig{Now: clock.Now})
	_, offer := st.Bakery(t, "0639982000")
	e := &shortlistEnv{st: st, clock: clock, offer: offer, qs: testenv.ScreeningQuestions(t),
		contacts: map[string]outreach.Contact{}}
	now := time.Now().Truncate(time.Microsecond)
	at := func(a outreach.Answer, ago time.Duration) testenv.ScreeningStep {
		return testenv.ScreeningStep{Answer: a, At: now.Add(-ago)}
	}
	yes, no, unclear := outreach.AnswerYes, outreach.AnswerNo, outreach.AnswerUnclear
	h := time.Hour
	plans := []struct {
		name  string
		qs    []outreach.Question
		steps []testenv.ScreeningStep
	}{
		{"Ana", e.qs, []testenv.ScreeningStep{at(yes, 2*h+50*time.Minute), at(yes, 2*h+40*time.Minute), at(yes, 2*h+20*time.Minute)}},
		{"Bob", e.qs, []testenv.ScreeningStep{at(yes, 2*h), at(no, h)}},
		{"Cid", e.qs, []testenv.ScreeningStep{at(yes, 2*h), {Expired: true, At: now}}},
		{"Dan", e.qs, []testenv.ScreeningStep{at(unclear, 2*h), at(unclear, h)}},
		{"Eve", e.qs, []testenv.ScreeningStep{at(yes, 2*h), at(yes, h), at(outreach.AnswerStop, h/2)}},
		{"Fay", e.qs, []testenv.ScreeningStep{at(yes, h)}},
		{"Gus", nil, nil},
		{"Hal", []outreach.Question{}, nil},
	}
	for i, p := range plans {
		c := st.InterestedContact(t, offer.ID, fmt.Sprintf("06399820%02d", i+1), p.name, float64(90-i), now.Add(-3*h))
		if p.qs != nil {
			st.Screen(t, c, offer.Reference, p.qs, now.Add(-3*h), p.steps...)
		}
		e.contacts[p.name] = c
	}
	return e
}

// entry finds the first name on the offer's shortlist.
func (e *shortlistEnv) entry(t *testing.T, name string) outreach.ShortlistContact {
	t.Helper()
	list, err := e.st.Service.Shortlist(context.Background(), e.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Contacts {
		if c.FirstName == name {
			return c
		}
	}
	t.Fatalf("%s not on the shortlist", name)
	return outreach.ShortlistContact{}
}

// TestShortlistProposals: only the qualified candidates, and those with
// no conversation, are proposed by default; each shows where the
// conversation stands and how long the completed ones took.
func TestShortlistProposals(t *testing.T) {
	e := newShortlistEnv(t)
	list, err := e.st.Service.Shortlist(context.Background(), e.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contacts) != len(e.contacts) {
		t.Fatalf("%d on the shortlist, want %d", len(list.Contacts), len(e.contacts))
	}
	tests := []struct {
		name       string
		status     outreach.ScreeningStatus // "" for no conversation
		question   int
		answers    int
		handedOver bool
		proposed   bool
		took       time.Duration // 0: no screening time
	}{
		{"Ana", outreach.ScreeningQualified, 2, 3, false, true, 40 * time.Minute},
		{"Bob", outreach.ScreeningNotQualified, 1, 2, false, false, 2 * time.Hour},
		{"Cid", outreach.ScreeningIncomplete, 1, 1, false, false, 0},
		{"Dan", outreach.ScreeningIncomplete, 0, 0, true, false, 0},
		{"Eve", outreach.ScreeningOptedOut, 2, 2, false, false, 0},
		{"Fay", outreach.ScreeningAsking, 1, 1, false, false, 0},
		{"Gus", "", 0, 0, false, true, 0},
		{"Hal", outreach.ScreeningQualified, 0, 0, false, true, 0},
	}
	for i, tt := range tests {
		c := list.Contacts[i]
		if c.FirstName != tt.name {
			t.Fatalf("shortlist[%d] is %s, want %s (best score first)", i, c.FirstName, tt.name)
		}
		if c.ProposedByDefault != tt.proposed || c.Proposed != tt.proposed {
			t.Errorf("%s: proposed %v (by default %v), want %v", tt.name, c.Proposed, c.ProposedByDefault, tt.proposed)
		}
		var took time.Duration
		if c.ScreeningTime != nil {
			took = *c.ScreeningTime
		}
		if took != tt.took || c.ReferralTime != nil {
			t.Errorf("%s: screening took %s, referral %v, want %s and none", tt.name, took, c.ReferralTime, tt.took)
		}
		sc := c.Screening
		if tt.status == "" {
			if sc != nil {
				t.Errorf("%s: conversation %+v, want none", tt.name, sc)
			}
			continue
		}
		if sc == nil || sc.Status != tt.status || sc.Question != tt.question || len(sc.Answers) != tt.answers ||
			sc.HandedOver != tt.handedOver || sc.Status.Ended() != (sc.EndedAt != nil) {
			t.Errorf("%s: conversation %+v, want %s at question %d with %d answers, handed over %v",
				tt.name, sc, tt.status, tt.question, tt.answers, tt.handedOver)
		}
	}
	if bob := list.Contacts[1].Screening; bob.QuestionLabel(bob.Question) != "Peut se rendre à Lyon (12 km) ?" {
		t.Errorf("Bob failed on %q, want the travel question", bob.QuestionLabel(bob.Question))
	}
}

// TestDecideShortlist: the counsellor goes against the default only with a
// reason; every decision is kept, the latest counting.
func TestDecideShortlist(t *testing.T) {
	ctx := context.Background()
	e := newShortlistEnv(t)
	co := e.st.Counsellor.ID
	tests := []struct {
		name       string
		offerID    int64
		who        string
		counsellor int64
		proposed   bool
		reason     string
		wantField  string // a validation error on that field
		notFound   bool
		decisions  int // after it
	}{
		{"propose the not qualified without reason", e.offer.ID, "Bob", co, true, "  ", "reason", false, 0},
		{"propose the not qualified", e.offer.ID, "Bob", co, true, "A déménagé à Lyon", "", false, 1},
		{"reason on two lines", e.offer.ID, "Bob", co, false, "non\nmerci", "reason", false, 1},
		{"withdraw the qualified without reason", e.offer.ID, "Ana", co, false, "", "reason", false, 0},
		{"confirm the qualified", e.offer.ID, "Ana", co, true, "", "", false, 1},
		{"confirm the incomplete is not proposed", e.offer.ID, "Cid", co, false, "", "", false, 1},
		{"back to the default for Bob", e.offer.ID, "Bob", co, false, "", "", false, 2},
		{"unknown counsellor", e.offer.ID, "Fay", co + 100, true, "Joint par téléphone", "counsellor_id", false, 0},
		{"no counsellor", e.offer.ID, "Fay", 0, true, "Joint par téléphone", "counsellor_id", false, 0},
		{"unknown offer", e.offer.ID + 100, "Fay", co, true, "Joint par téléphone", "", true, 0},
	}
	for _, tt := range tests {
		c := e.contacts[tt.who]
		got, err := e.st.Service.DecideShortlist(ctx, tt.offerID, c.CandidateID, tt.counsellor, tt.proposed, tt.reason)
		var invalid *outreach.ValidationError
		switch {
		case tt.wantField != "":
			if !errors.As(err, &invalid) || invalid.Field != tt.wantField {
				t.Errorf("%s: %v, want a validation error on %s", tt.name, err, tt.wantField)
			}
		case tt.notFound:
			if !errors.Is(err, outreach.ErrNotFound) {
				t.Errorf("%s: %v, want not found", tt.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case got.Proposed != tt.proposed || len(got.Decisions) != tt.decisions:
			t.Errorf("%s: proposed %v with %d decisions, want %v with %d", tt.name, got.Proposed, len(got.Decisions),
				tt.proposed, tt.decisions)
		}
		if tt.offerID != e.offer.ID {
			continue
		}
		if stored := e.entry(t, tt.who); len(stored.Decisions) != tt.decisions {
			t.Errorf("%s: %d decisions stored, want %d", tt.name, len(stored.Decisions), tt.decisions)
		}
	}
	bob := e.entry(t, "Bob")
	first := bob.Decisions[0]
	if bob.Proposed || bob.ProposedByDefault || !first.Proposed || first.Reason != "A déménagé à Lyon" ||
		first.CounsellorID != co || first.CounsellorName != e.st.Counsellor.Name || first.DecidedAt.IsZero() {
		t.Errorf("Bob: proposed %v, decisions %+v; want not proposed, the override recorded with its reason", bob.Proposed, bob.Decisions)
	}

	declined := e.st.InterestedContact(t, e.offer.ID, "0639982099", "Ivy", 10, time.Now())
	if err := e.st.Store.SetReply(ctx, declined.ID, outreach.InterestDeclined, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Who said no cannot be proposed to the employer (the employer never
	// receives their data); who was not texted about the offer is not found.
	var invalid *outreach.ValidationError
	if _, err := e.st.Service.DecideShortlist(ctx, e.offer.ID, declined.CandidateID, co, true, "x"); !errors.As(err, &invalid) ||
		invalid.Field != "candidate_id" {
		t.Errorf("decision on a candidate who said no: %v, want invalid candidate_id", err)
	}
	if _, err := e.st.Service.DecideShortlist(ctx, e.offer.ID, declined.CandidateID+100, co, true, "x"); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("decision on a candidate not texted about the offer: %v, want not found", err)
	}
}

// TestRefer: the proposed candidates are referred once each, with the time
// from the offer; a decision after the referral leaves it.
func TestRefer(t *testing.T) {
	ctx := context.Background()
	e := newShortlistEnv(t)
	svc, co := e.st.Service, e.st.Counsellor.ID
	names := func(cs []outreach.ShortlistContact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.FirstName)
		}
		return out
	}
	if _, err := svc.DecideShortlist(ctx, e.offer.ID, e.contacts["Bob"].CandidateID, co, true, "Permis obtenu hier"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Hour)
	steps := []struct {
		name   string
		decide string // proposed before referring, with a reason
		want   []string
	}{
		{"the qualified, the one without conversation and the override", "", []string{"Ana", "Bob", "Gus", "Hal"}},
		{"again", "", nil},
		{"one more proposed", "Fay", []string{"Fay"}},
	}
	for _, s := range steps {
		if s.decide != "" {
			if _, err := svc.DecideShortlist(ctx, e.offer.ID, e.contacts[s.decide].CandidateID, co, true, "Vu en entretien"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := svc.Refer(ctx, e.offer.ID, co)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if fmt.Sprint(names(got)) != fmt.Sprint(s.want) {
			t.Errorf("%s: referred %v, want %v", s.name, names(got), s.want)
		}
		for _, c := range got {
			if c.ReferredAt == nil || c.ReferredBy != co || c.ReferralTime == nil || *c.ReferralTime != c.ReferredAt.Sub(e.offer.CreatedAt) {
				t.Errorf("%s: %s referred at %v by %d after %v", s.name, c.FirstName, c.ReferredAt, c.ReferredBy, c.ReferralTime)
			}
		}
	}
	ana := e.entry(t, "Ana")
	if ana.ReferredAt == nil || ana.ReferralTime == nil || *ana.ReferralTime < 5*time.Hour {
		t.Fatalf("Ana after referral: %v after %v, want referred 5 h after the offer", ana.ReferredAt, ana.ReferralTime)
	}
	if _, err := svc.DecideShortlist(ctx, e.offer.ID, e.contacts["Ana"].CandidateID, co, false, "Désistement"); err != nil {
		t.Fatal(err)
	}
	if after := e.entry(t, "Ana"); after.Proposed || after.ReferredAt == nil || !after.ReferredAt.Equal(*ana.ReferredAt) {
		t.Errorf("Ana withdrawn after the referral: proposed %v, referred %v; want not proposed, still referred at %s",
			after.Proposed, after.ReferredAt, ana.ReferredAt)
	}
	var invalid *outreach.ValidationError
	if _, err := svc.Refer(ctx, e.offer.ID, co+100); !errors.As(err, &invalid) || invalid.Field != "counsellor_id" {
		t.Errorf("referral by an unknown counsellor: %v, want invalid counsellor_id", err)
	}
	if _, err := svc.Refer(ctx, e.offer.ID+100, co); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("referral for an unknown offer: %v, want not found", err)
	}
}

// TestTimingsFilter: the service checks the filter before measuring.
func TestTimingsFilter(t *testing.T) {
	ctx := context.Background()
	e := newShortlistEnv(t)
	now := time.Now()
	var invalid *outreach.ValidationError
	if _, err := e.st.Service.Timings(ctx, outreach.TimingsFilter{Since: now, Until: now}); !errors.As(err, &invalid) || invalid.Field != "until" {
		t.Errorf("until = since: %v, want invalid until", err)
	}
	for _, f := range []outreach.TimingsFilter{{OfferID: e.offer.ID + 100}, {CounsellorID: e.st.Counsellor.ID + 100}} {
		if _, err := e.st.Service.Timings(ctx, f); !errors.Is(err, outreach.ErrNotFound) {
			t.Errorf("%+v: %v, want not found", f, err)
		}
	}
	got, err := e.st.Service.Timings(ctx, outreach.TimingsFilter{CounsellorID: e.st.Counsellor.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Ana and Bob completed (40 min, 2 h); Cid, Dan and Eve ended otherwise;
	// Fay has been answering for 3 h: not late yet.
	s := got.Screening
	if s.Started != 6 || s.Settled != 5 || s.Completed != 2 || s.CompletedWithin != 2 || *s.Median != 80*time.Minute {
		t.Errorf("screening timings %+v, want 6 started, 5 settled, 2 completed within 5 h, median 80 min", s)
	}
}
