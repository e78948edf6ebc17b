package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// Shortlists for the tests: candidates who said yes to an offer, and their
// pre-screening conversations, written straight to the store.

// InterestedContact makes a job seeker looking for bakery work in Lyon,
// with the given phone and first name, and their contact on the offer,
// scored score, who said yes at repliedAt.
func (s Stack) InterestedContact(t testing.TB, offerID int64, phone, firstName string, score float64,
	repliedAt time.Time) outreach.Contact {
	t.Helper()
	ctx := context.Background()
	cand, _, err := s.Service.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: "YES-" + phone, FirstName: firstName,
		Phone: phone, CommuneCode: "69123", ROMECodes: []string{"D1102"}, SMSConsent: true, CounsellorID: s.Counsellor.ID})
	if err != nil {
		t.Fatal(err)
	}
	created, err := s.Store.CreateContacts(ctx, []outreach.Contact{{OfferID: offerID, CandidateID: cand.ID,
		Phone: cand.Phone, Status: outreach.StatusPlanned, Score: score, Body: "Offre"}})
	if err != nil || len(created) != 1 {
		t.Fatalf("create contact: %v %v", created, err)
	}
	if err := s.Store.SetReply(ctx, created[0].ID, outreach.InterestInterested, repliedAt); err != nil {
		t.Fatal(err)
	}
	c, err := s.Store.Contact(ctx, created[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ScreeningStep is what happens to a test conversation, and when: an
// answer, or the expiry when Expired.
type ScreeningStep struct {
	Answer  outreach.Answer
	Expired bool
	At      time.Time
}

// Screen stores the pre-screening of the contact for the offer with
// reference ref, asking qs, started at startedAt and moved on by each step
// in turn as the service would, and returns its last state.
func (s Stack) Screen(t testing.TB, c outreach.Contact, ref string, qs []outreach.Question, startedAt time.Time,
	steps ...ScreeningStep) outreach.Screening {
	t.Helper()
	ctx := context.Background()
	var cfg outreach.ScreeningConfig
	sc := cfg.Start(ref, qs).State
	ok, err := s.Store.StartScreening(ctx, c.ID, c.Phone, sc, startedAt, startedAt.Add(outreach.DefaultScreeningExpireAfter))
	if err != nil || !ok {
		t.Fatalf("start screening of contact %d: %v %v", c.ID, ok, err)
	}
	for _, st := range steps {
		e := outreach.ScreeningEvent{Kind: outreach.EventAnswered, Step: sc.Step, Answer: st.Answer}
		if st.Expired {
			e = outreach.ScreeningEvent{Kind: outreach.EventExpired, Step: sc.Step}
		}
		next := cfg.Next(sc, e)
		if next.Ignored {
			t.Fatalf("screening of contact %d: %+v ignored in %s", c.ID, e, sc.Status)
		}
		ok, err := s.Store.AdvanceScreening(ctx, c.ID, sc.Step, next.State, st.At)
		if err != nil || !ok {
			t.Fatalf("advance screening of contact %d: %v %v", c.ID, ok, err)
		}
		sc = next.State
	}
	return sc
}

// ScreeningQuestions are three questions an offer may ask: available from
// 1 September 2026, can travel to Lyon (12 km), holds a driving licence.
func ScreeningQuestions(t testing.TB) []outreach.Question {
	t.Helper()
	qs, err := outreach.ValidateQuestions([]outreach.Question{
		{Kind: outreach.QuestionAvailableFrom, Date: time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC)},
		{Kind: outreach.QuestionCanTravel, Town: "Lyon", DistanceKM: 12},
		{Kind: outreach.QuestionHoldsLicence, Licence: "Permis B"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return qs
}
