package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// shortlistView is GET /api/v1/offers/{id}/shortlist as the tests read it.
type shortlistView struct {
	OfferID    int64            `json:"offer_id"`
	Candidates []shortlistEntry `json:"candidates"`
	Final      bool             `json:"final"`
}

type shortlistEntry struct {
	CandidateID int64  `json:"candidate_id"`
	FirstName   string `json:"first_name"`
	Screening   *struct {
		Status         string  `json:"status"`
		QuestionCount  int     `json:"question_count"`
		QuestionIndex  int     `json:"question_index"`
		Question       *string `json:"question"`
		FailedQuestion *string `json:"failed_question"`
		StoppedAt      *string `json:"stopped_at"`
		Answers        []struct {
			Question  string `json:"question"`
			Answer    string `json:"answer"`
			Qualifies bool   `json:"qualifies"`
		} `json:"answers"`
		StartedAt time.Time  `json:"started_at"`
		EndedAt   *time.Time `json:"ended_at"`
	} `json:"screening"`
	Proposed          bool `json:"proposed"`
	ProposedByDefault bool `json:"proposed_by_default"`
	Decisions         []struct {
		CounsellorID   int64  `json:"counsellor_id"`
		CounsellorName string `json:"counsellor_name"`
		Proposed       bool   `json:"proposed"`
		Reason         string `json:"reason"`
	} `json:"decisions"`
	ReferredAt       *time.Time `json:"referred_at"`
	ReferredBy       *int64     `json:"referred_by"`
	ScreeningMinutes *float64   `json:"screening_minutes"`
	ReferralHours    *float64   `json:"referral_hours"`
}

// shortlistFixture is an offer asking three questions, whose candidates
// said yes and answered, written straight to the store:
//
//	Ana  qualified in 1 h
//	Bob  not qualified in 6 h: no to question 2
//	Cid  incomplete: expired at question 2
//	Dan  no conversation
//	Eve  qualified in 2 h
type shortlistFixture struct {
	st    testenv.Stack
	offer outreach.Offer
	qs    []outreach.Question
	ids   map[string]int64 // candidate IDs by first name
}

func newShortlistFixture(t *testing.T, e *e2e) shortlistFixture {
	t.Helper()
	ctx := context.Background()
	co, err := e.stack.svc.CreateCounsellor(ctx, outreach.CounsellorInput{Email: "claire@agence.example", Name: "Claire", Agency: "Lyon"})
	if err != nil {
		t.Fatal(err)
	}
	f := shortlistFixture{st: testenv.Stack{Service: e.stack.svc, Store: postgres.NewStore(e.stack.pool), Pool: e.stack.pool,
		Counsellor: co}, qs: testenv.ScreeningQuestions(t), ids: map[string]int64{}}
	_, f.offer = f.st.Bakery(t, "0639983000")
	now := time.Now().Truncate(time.Microsecond)
	h := time.Hour
	at := func(a outreach.Answer, ago time.Duration) testenv.ScreeningStep {
		return testenv.ScreeningStep{Answer: a, At: now.Add(-ago)}
	}
	yes := outreach.AnswerYes
	plans := []struct {
		name    string
		started time.Duration // ago; 0: no conversation
		steps   []testenv.ScreeningStep
	}{
		{"Ana", 8 * h, []testenv.ScreeningStep{at(yes, 7*h+30*time.Minute), at(yes, 7*h+15*time.Minute), at(yes, 7*h)}},
		{"Bob", 8 * h, []testenv.ScreeningStep{at(yes, 4*h), at(outreach.AnswerNo, 2*h)}},
		{"Cid", 50 * h, []testenv.ScreeningStep{at(yes, 49*h), {Expired: true, At: now.Add(-2 * h)}}},
		{"Dan", 0, nil},
		{"Eve", 3 * h, []testenv.ScreeningStep{at(yes, 2*h+30*time.Minute), at(yes, 2*h), at(yes, h)}},
	}
	for i, p := range plans {
		c := f.st.InterestedContact(t, f.offer.ID, fmt.Sprintf("06399830%02d", i+1), p.name, float64(90-i), now.Add(-p.started))
		if p.started != 0 {
			f.st.Screen(t, c, f.offer.Reference, f.qs, now.Add(-p.started), p.steps...)
		}
		f.ids[p.name] = c.CandidateID
	}
	return f
}

func (f shortlistFixture) shortlist(e *e2e) shortlistView {
	var v shortlistView
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/shortlist", f.offer.ID), nil, &v, http.StatusOK)
	return v
}

func entryOf(t *testing.T, v shortlistView, name string) shortlistEntry {
	t.Helper()
	for _, c := range v.Candidates {
		if c.FirstName == name {
			return c
		}
	}
	t.Fatalf("%s not on the shortlist", name)
	return shortlistEntry{}
}

// TestShortlistShowsScreening: the shortlist shows each candidate's
// answers, the question that failed or where it stopped, and proposes only
// the qualified ones, and those without conversation, by default.
func TestShortlistShowsScreening(t *testing.T) {
	e := startE2E(t)
	f := newShortlistFixture(t, e)
	v := f.shortlist(e)
	var names []string
	for _, c := range v.Candidates {
		names = append(names, c.FirstName)
	}
	if want := []string{"Ana", "Bob", "Cid", "Dan", "Eve"}; !slices.Equal(names, want) {
		t.Fatalf("shortlist %v, want %v", names, want)
	}
	label := func(i int) string { return f.qs[i].Label() }
	tests := []struct {
		name     string
		status   string // "" for no conversation
		failed   string
		stopped  string
		answers  []string
		proposed bool
		minutes  float64 // 0: none
	}{
		{"Ana", "qualified", "", "", []string{"yes", "yes", "yes"}, true, 60},
		{"Bob", "not_qualified", label(1), "", []string{"yes", "no"}, false, 360},
		{"Cid", "incomplete", "", label(1), []string{"yes"}, false, 0},
		{"Dan", "", "", "", nil, true, 0},
		{"Eve", "qualified", "", "", []string{"yes", "yes", "yes"}, true, 120},
	}
	for _, tt := range tests {
		c := entryOf(t, v, tt.name)
		if c.Proposed != tt.proposed || c.ProposedByDefault != tt.proposed || len(c.Decisions) != 0 || c.ReferredAt != nil ||
			c.ReferralHours != nil {
			t.Errorf("%s: proposed %v (default %v), %d decisions, referred %v; want proposed %v, no decision, not referred",
				tt.name, c.Proposed, c.ProposedByDefault, len(c.Decisions), c.ReferredAt, tt.proposed)
		}
		if (c.ScreeningMinutes == nil) != (tt.minutes == 0) || (c.ScreeningMinutes != nil && *c.ScreeningMinutes != tt.minutes) {
			t.Errorf("%s: screening minutes %v, want %v", tt.name, c.ScreeningMinutes, tt.minutes)
		}
		sc := c.Screening
		if tt.status == "" {
			if sc != nil {
				t.Errorf("%s: screening %+v, want null", tt.name, sc)
			}
			continue
		}
		if sc == nil || sc.Status != tt.status || sc.QuestionCount != 3 || labelOf(sc.FailedQuestion) != tt.failed ||
			labelOf(sc.StoppedAt) != tt.stopped || len(sc.Answers) != len(tt.answers) || sc.EndedAt == nil {
			t.Errorf("%s: screening %+v, want %s, failed %q, stopped at %q, %d answers", tt.name, sc, tt.status, tt.failed,
				tt.stopped, len(tt.answers))
			continue
		}
		for i, a := range sc.Answers {
			if a.Question != label(i) || a.Answer != tt.answers[i] || a.Qualifies != (a.Answer == "yes") {
				t.Errorf("%s: answer %d %+v, want %q to %q", tt.name, i, a, tt.answers[i], label(i))
			}
		}
	}
	if bob := entryOf(t, v, "Bob").Screening; bob.QuestionIndex != 1 || labelOf(bob.Question) != "Peut se rendre à Lyon (12 km) ?" {
		t.Errorf("Bob's question %d %q, want the second, the travel one", bob.QuestionIndex, labelOf(bob.Question))
	}
}

// TestShortlistDecisionsAndReferral: the counsellor overrides the default
// with a reason, recorded and shown; the referral sends the proposed
// candidates once; the timings and the inbox page show the figures next to
// the pilot's.
func TestShortlistDecisionsAndReferral(t *testing.T) {
	e := startE2E(t)
	f := newShortlistFixture(t, e)
	co := f.st.Counsellor.ID
	decide := func(name string) string {
		return fmt.Sprintf("/api/v1/offers/%d/shortlist/%d", f.offer.ID, f.ids[name])
	}
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	errorsTests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"against the default without reason", "PUT", decide("Bob"), fmt.Sprintf(`{"counsellor_id":%d,"proposed":true}`, co), 422, "invalid_field", "reason"},
		{"blank reason", "PUT", decide("Ana"), fmt.Sprintf(`{"counsellor_id":%d,"proposed":false,"reason":"  "}`, co), 422, "invalid_field", "reason"},
		{"no proposed", "PUT", decide("Bob"), fmt.Sprintf(`{"counsellor_id":%d,"reason":"x"}`, co), 422, "invalid_field", "proposed"},
		{"unknown counsellor", "PUT", decide("Bob"), `{"counsellor_id":999,"proposed":true,"reason":"x"}`, 422, "invalid_field", "counsellor_id"},
		{"unknown field", "PUT", decide("Bob"), `{"counsellor":1,"proposed":true}`, 400, "unknown_field", "counsellor"},
		{"not on the shortlist", "PUT", fmt.Sprintf("/api/v1/offers/%d/shortlist/999999", f.offer.ID), fmt.Sprintf(`{"counsellor_id":%d,"proposed":true,"reason":"x"}`, co), 404, "not_found", ""},
		{"candidate not an id", "PUT", fmt.Sprintf("/api/v1/offers/%d/shortlist/bob", f.offer.ID), `{}`, 404, "not_found", "candidate_id"},
		{"referral by nobody", "POST", fmt.Sprintf("/api/v1/offers/%d/referral", f.offer.ID), `{}`, 422, "invalid_field", "counsellor_id"},
		{"referral of an unknown offer", "POST", "/api/v1/offers/999999/referral", fmt.Sprintf(`{"counsellor_id":%d}`, co), 404, "not_found", ""},
	}
	for _, tt := range errorsTests {
		code, body := e.raw(tt.method, tt.path, "application/json", tt.body, auth)
		t.Run(tt.name, func(t *testing.T) { checkAPIError(t, code, body, tt.status, tt.code, tt.field) })
	}

	// Bob is proposed against the default, with a reason.
	var bob shortlistEntry
	e.must(http.MethodPut, decide("Bob"), map[string]any{"counsellor_id": co, "proposed": true, "reason": "Déménage à Lyon en mai"},
		&bob, http.StatusOK)
	if !bob.Proposed || bob.ProposedByDefault || len(bob.Decisions) != 1 || bob.Decisions[0].Reason != "Déménage à Lyon en mai" ||
		bob.Decisions[0].CounsellorName != "Claire" || !bob.Decisions[0].Proposed {
		t.Errorf("Bob after the override: %+v, want proposed, the decision recorded with its reason", bob)
	}
	// Ana's default confirmed: no reason needed.
	e.must(http.MethodPut, decide("Ana"), map[string]any{"counsellor_id": co, "proposed": true}, nil, http.StatusOK)

	refer := func() []string {
		var out struct {
			OfferID  int64            `json:"offer_id"`
			Referred []shortlistEntry `json:"referred"`
		}
		e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/referral", f.offer.ID), map[string]any{"counsellor_id": co}, &out, http.StatusOK)
		names := []string{}
		for _, c := range out.Referred {
			names = append(names, c.FirstName)
			if c.ReferredAt == nil || c.ReferredBy == nil || *c.ReferredBy != co || c.ReferralHours == nil || *c.ReferralHours >= 24 {
				t.Errorf("referred %s: at %v by %v after %v h", c.FirstName, c.ReferredAt, c.ReferredBy, c.ReferralHours)
			}
		}
		return names
	}
	if got, want := refer(), []string{"Ana", "Bob", "Dan", "Eve"}; !slices.Equal(got, want) {
		t.Errorf("referred %v, want %v", got, want)
	}
	if got := refer(); len(got) != 0 {
		t.Errorf("second referral: %v, want nobody", got)
	}
	v := f.shortlist(e)
	if c := entryOf(t, v, "Cid"); c.ReferredAt != nil || c.Proposed {
		t.Errorf("Cid: referred %v, proposed %v; want neither", c.ReferredAt, c.Proposed)
	}
	if b := entryOf(t, v, "Bob"); b.ReferredAt == nil || len(b.Decisions) != 1 || b.ReferralHours == nil {
		t.Errorf("Bob in the shortlist: %+v, want referred, with his decision", b)
	}

	// Timings of the offer: Ana (1 h) and Eve (2 h) within 5 h, Bob (6 h)
	// not, Cid never; all four referred within 24 h.
	var timings struct {
		OfferID   *int64 `json:"offer_id"`
		Screening struct {
			Started, Settled, Completed int
			CompletedWithin5h           int      `json:"completed_within_5h"`
			ShareWithin5h               *float64 `json:"share_within_5h"`
			MedianMinutes               *float64 `json:"median_minutes"`
			P90Minutes                  *float64 `json:"p90_minutes"`
			Reference                   struct {
				Share       float64 `json:"share"`
				WithinHours float64 `json:"within_hours"`
			} `json:"reference"`
		} `json:"screening"`
		Referral struct {
			Referred       int      `json:"referred"`
			Within24h      int      `json:"within_24h"`
			ShareWithin24h *float64 `json:"share_within_24h"`
			MedianHours    *float64 `json:"median_hours"`
			Reference      struct {
				Share       float64 `json:"share"`
				WithinHours float64 `json:"within_hours"`
			} `json:"reference"`
		} `json:"referral"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/stats/timings?offer_id=%d&since=2020-01-01", f.offer.ID), nil, &timings, http.StatusOK)
	s, r := timings.Screening, timings.Referral
	if s.Started != 4 || s.Settled != 4 || s.Completed != 3 || s.CompletedWithin5h != 2 || deref64(s.ShareWithin5h) != 0.5 ||
		deref64(s.MedianMinutes) != 120 || deref64(s.P90Minutes) != 312 || s.Reference.Share != 0.9 || s.Reference.WithinHours != 5 {
		t.Errorf("screening timings %+v, want 4 started, 2 of 4 within 5 h, median 120 min, p90 312 min, reference 90%% in 5 h", s)
	}
	if r.Referred != 4 || r.Within24h != 4 || deref64(r.ShareWithin24h) != 1 || r.MedianHours == nil ||
		r.Reference.Share != 0.5 || r.Reference.WithinHours != 24 {
		t.Errorf("referral timings %+v, want 4 referred within 24 h, reference 50%% in 24 h", r)
	}
	if timings.OfferID == nil || *timings.OfferID != f.offer.ID {
		t.Errorf("timings for offer %v, want %d", timings.OfferID, f.offer.ID)
	}

	// The counsellor's dashboard shows both figures next to the pilot's.
	page := e.page(co, fmt.Sprintf("/tableau?offre=%d&du=2020-01-01", f.offer.ID))
	for _, want := range []string{"Pré-sélection terminée en moins de 5 h", "Référence du pilote : 90", "2 sur 4 pré-sélections",
		"Mise en relation en moins de 24 h", "Référence du pilote : 50", "4 sur 4 candidats transmis"} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

func deref64(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}

// TestTimingsRejectsBadQuery: query parameters that are not what they
// should be are answered 400 naming them; an unknown offer, 404.
func TestTimingsRejectsBadQuery(t *testing.T) {
	e := startE2E(t)
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	tests := []struct {
		name, query string
		status      int
		code, field string
	}{
		{"offer not a number", "offer_id=abc", 400, "invalid_query", "offer_id"},
		{"offer not positive", "offer_id=0", 400, "invalid_query", "offer_id"},
		{"counsellor not a number", "counsellor_id=x", 400, "invalid_query", "counsellor_id"},
		{"since not a date", "since=yesterday", 400, "invalid_query", "since"},
		{"since in French order", "since=01/05/2025", 400, "invalid_query", "since"},
		{"until not a date", "until=2025-13-01", 400, "invalid_query", "until"},
		{"until before since", "since=2025-05-02&until=2025-05-01", 400, "invalid_query", "until"},
		{"unknown offer", "offer_id=999999", 404, "not_found", ""},
		{"unknown counsellor", "counsellor_id=999999", 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.raw("GET", "/api/v1/stats/timings?"+tt.query, "", "", auth)
			checkAPIError(t, code, body, tt.status, tt.code, tt.field)
		})
	}
	var empty struct {
		Since     *time.Time `json:"since"`
		Until     *time.Time `json:"until"`
		Screening struct {
			Started       int      `json:"started"`
			ShareWithin5h *float64 `json:"share_within_5h"`
		} `json:"screening"`
	}
	e.must(http.MethodGet, "/api/v1/stats/timings?since=2025-05-01T08:00:00%2B02:00&until=2025-05-01", nil, &empty, http.StatusOK)
	wantSince := time.Date(2025, 5, 1, 6, 0, 0, 0, time.UTC)
	wantUntil := time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC) // the day given as the end is included
	if empty.Since == nil || !empty.Since.Equal(wantSince) || empty.Until == nil || !empty.Until.Equal(wantUntil) ||
		empty.Screening.Started != 0 || empty.Screening.ShareWithin5h != nil {
		t.Errorf("timings of an empty period: %+v, want since %s, until %s, nothing started, no share", empty, wantSince, wantUntil)
	}
	if code, body := e.raw("GET", "/api/v1/stats/timings", "", "", nil); code != 401 {
		t.Errorf("timings without token: %d %s", code, body)
	}
}

// labelOf is a label given or null, "" for null.
func labelOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
