package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// referralEnv is one bakery offer and the store, with a clock of its own.
type referralEnv struct {
	t     *testing.T
	st    testenv.Stack
	offer outreach.Offer
	qs    []outreach.Question
	now   time.Time
	count int
}

func newReferralEnv(t *testing.T) *referralEnv {
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	_, offer := st.Bakery(t, "0639981000")
	return &referralEnv{t: t, st: st, offer: offer, qs: testenv.ScreeningQuestions(t),
		now: time.Now().Truncate(time.Microsecond)}
}

// yes makes a candidate who said yes to the offer, scored score.
func (e *referralEnv) yes(name string, score float64) outreach.Contact {
	e.t.Helper()
	e.count++
	return e.st.InterestedContact(e.t, e.offer.ID, fmt.Sprintf("06399810%02d", e.count), name, score, e.now)
}

// screen stores the contact's conversation, started ago before now.
func (e *referralEnv) screen(c outreach.Contact, ago time.Duration, steps ...testenv.ScreeningStep) {
	e.t.Helper()
	e.st.Screen(e.t, c, e.offer.Reference, e.qs, e.now.Add(-ago), steps...)
}

// answer is a step of a conversation: answer a at at.
func answer(a outreach.Answer, at time.Time) testenv.ScreeningStep {
	return testenv.ScreeningStep{Answer: a, At: at}
}

// TestShortlistContacts: the offer's interested contacts come best score
// first with their conversation, as stored, and their decisions, oldest
// first; a contact who declined is not listed, and decisions are never
// changed.
func TestShortlistContacts(t *testing.T) {
	ctx := context.Background()
	e := newReferralEnv(t)
	store := e.st.Store
	lea := e.yes("Léa", 80)
	zoe := e.yes("Zoé", 90)
	tom := e.yes("Tom", 70)
	declined := e.yes("Max", 95)
	if err := store.SetReply(ctx, declined.ID, outreach.InterestDeclined, e.now); err != nil {
		t.Fatal(err)
	}
	e.screen(lea, 3*time.Hour, answer(outreach.AnswerYes, e.now.Add(-2*time.Hour)), answer(outreach.AnswerNo, e.now.Add(-time.Hour)))
	e.screen(zoe, time.Hour)
	decisions := []outreach.ShortlistDecision{
		{ContactID: lea.ID, Proposed: true, Reason: "Déménage à Lyon le mois prochain", CounsellorID: e.st.Counsellor.ID,
			DecidedAt: e.now.Add(-30 * time.Minute)},
		{ContactID: lea.ID, Proposed: false, Reason: "Finalement non", CounsellorID: e.st.Counsellor.ID, DecidedAt: e.now},
		{ContactID: declined.ID, Proposed: true, Reason: "x", CounsellorID: e.st.Counsellor.ID, DecidedAt: e.now},
	}
	for i := range decisions {
		if err := store.RecordShortlistDecision(ctx, &decisions[i]); err != nil || decisions[i].ID == 0 {
			t.Fatalf("record decision %d: %v (id %d)", i, err, decisions[i].ID)
		}
		decisions[i].CounsellorName = e.st.Counsellor.Name
	}

	got, err := store.ShortlistContacts(ctx, e.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if want := []int64{zoe.ID, lea.ID, tom.ID}; !slices.Equal(ids, want) {
		t.Fatalf("contacts %v, want %v (best score first, not the one who declined)", ids, want)
	}
	zoeGot, leaGot, tomGot := got[0], got[1], got[2]
	if zoeGot.Screening == nil || zoeGot.Screening.Status != outreach.ScreeningAsking || zoeGot.Screening.EndedAt != nil ||
		!zoeGot.Screening.StartedAt.Equal(e.now.Add(-time.Hour)) || len(zoeGot.Decisions) != 0 {
		t.Errorf("Zoé: %+v, want asking question 1 since an hour, no decision", zoeGot.Screening)
	}
	sc := leaGot.Screening
	if sc == nil || sc.Status != outreach.ScreeningNotQualified || sc.Question != 1 ||
		!slices.Equal(sc.Answers, []outreach.Answer{outreach.AnswerYes, outreach.AnswerNo}) ||
		!reflect.DeepEqual(sc.Questions, e.qs) || sc.EndedAt == nil || !sc.EndedAt.Equal(e.now.Add(-time.Hour)) {
		t.Errorf("Léa: %+v, want not qualified on question 2 an hour ago, answers yes, no", sc)
	}
	if sc != nil && sc.QuestionLabel(sc.Question) != e.qs[1].Label() {
		t.Errorf("Léa's failed question %q, want %q", sc.QuestionLabel(sc.Question), e.qs[1].Label())
	}
	if !reflect.DeepEqual(leaGot.Decisions, decisions[:2]) {
		t.Errorf("Léa's decisions\n%+v\nwant\n%+v", leaGot.Decisions, decisions[:2])
	}
	if tomGot.Screening != nil || tomGot.ReferredAt != nil || tomGot.FirstName != "Tom" || tomGot.Score != 70 {
		t.Errorf("Tom: %+v, want no conversation, not referred", tomGot)
	}

	for _, q := range []string{`UPDATE shortlist_decisions SET proposed = true`, `DELETE FROM shortlist_decisions`} {
		if _, err := e.st.Pool.Exec(ctx, q); err == nil {
			t.Errorf("%s: no error, want decisions append-only", q)
		}
	}
}

// TestMarkReferred: a contact is referred once, by whoever comes first,
// and only while interested.
func TestMarkReferred(t *testing.T) {
	ctx := context.Background()
	e := newReferralEnv(t)
	store := e.st.Store
	a, b, c := e.yes("Ana", 90), e.yes("Bob", 80), e.yes("Cid", 70)
	declined := e.yes("Dan", 60)
	if err := store.SetReply(ctx, declined.ID, outreach.InterestDeclined, e.now); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ids  []int64
		want []int64
	}{
		{"first referral, not the one who declined", []int64{a.ID, b.ID, declined.ID}, []int64{a.ID, b.ID}},
		{"again, with one more", []int64{a.ID, b.ID, c.ID}, []int64{c.ID}},
		{"all referred", []int64{a.ID, b.ID, c.ID}, nil},
		{"none", nil, nil},
	}
	for i, tt := range tests {
		at := e.now.Add(time.Duration(i) * time.Hour)
		got, err := store.MarkReferred(ctx, tt.ids, e.st.Counsellor.ID, at)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: referred %v (%v), want %v", tt.name, got, err, tt.want)
		}
	}
	list, err := store.ShortlistContacts(ctx, e.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range list {
		want := e.now.Add(time.Duration(i/2) * time.Hour) // Ana and Bob first, Cid an hour later
		if k.ReferredAt == nil || !k.ReferredAt.Equal(want) || k.ReferredBy != e.st.Counsellor.ID {
			t.Errorf("%s referred at %v by %d, want %s by %d", k.FirstName, k.ReferredAt, k.ReferredBy, want, e.st.Counsellor.ID)
		}
	}

	// Two referrals at once: each contact goes to one of them.
	more := []int64{e.yes("Eve", 50).ID, e.yes("Fay", 40).ID, e.yes("Gus", 30).ID}
	var wg sync.WaitGroup
	results := make([][]int64, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids, err := store.MarkReferred(ctx, more, e.st.Counsellor.ID, e.now)
			if err != nil {
				t.Error(err)
			}
			results[i] = ids
		}()
	}
	wg.Wait()
	all := slices.Concat(results...)
	slices.Sort(all)
	if !slices.Equal(all, more) {
		t.Errorf("concurrent referrals referred %v, want each of %v once", all, more)
	}
}

// TestTimings measures a known set of conversations and referrals: the
// shares within the reference times, over the conversations whose outcome
// is known, and the median and 90th percentile, for each filter.
func TestTimings(t *testing.T) {
	ctx := context.Background()
	e := newReferralEnv(t)
	store := e.st.Store
	now := e.now
	h := time.Hour
	step := func(a outreach.Answer, ago time.Duration) testenv.ScreeningStep { return answer(a, now.Add(-ago)) }
	yes := outreach.AnswerYes

	// The counsellor's offer: three completed in 1 h, 3 h and 6 h, one
	// expired, one open for 7 h (late already), one open for 1 h (not
	// known yet), one without questions (no pre-screening).
	quick, slow, late := e.yes("Ana", 90), e.yes("Bob", 80), e.yes("Cid", 70)
	e.screen(quick, 10*h, step(yes, 9*h+30*time.Minute), step(yes, 9*h+15*time.Minute), step(yes, 9*h))
	e.screen(slow, 9*h, step(yes, 7*h), step(outreach.AnswerNo, 6*h))
	e.screen(late, 8*h, step(yes, 7*h), step(yes, 5*h), step(yes, 2*h))
	e.screen(e.yes("Dan", 60), 60*h, step(yes, 59*h), testenv.ScreeningStep{Expired: true, At: now.Add(-12 * h)})
	e.screen(e.yes("Eve", 50), 7*h)
	e.screen(e.yes("Fay", 40), 1*h)
	e.st.Screen(t, e.yes("Gus", 30), e.offer.Reference, nil, now.Add(-3*h))
	created := e.offer.CreatedAt
	for _, r := range []struct {
		c     outreach.Contact
		after time.Duration
	}{{quick, 2 * h}, {slow, 30 * h}, {late, 10 * h}} {
		if _, err := store.MarkReferred(ctx, []int64{r.c.ID}, e.st.Counsellor.ID, created.Add(r.after)); err != nil {
			t.Fatal(err)
		}
	}

	// Another counsellor's offer: one completed in 30 min, referred after 1 h.
	other := e.st
	var err error
	if other.Counsellor, err = e.st.Service.CreateCounsellor(ctx, outreach.CounsellorInput{Email: "paul@agence.example",
		Name: "Paul", Agency: "Lyon"}); err != nil {
		t.Fatal(err)
	}
	_, otherOffer := other.Bakery(t, "0639981099")
	o := other.InterestedContact(t, otherOffer.ID, "0639981098", "Hugo", 90, now)
	other.Screen(t, o, otherOffer.Reference, e.qs, now.Add(-2*h), step(yes, 110*time.Minute), step(yes, 100*time.Minute),
		step(yes, 90*time.Minute))
	if _, err := store.MarkReferred(ctx, []int64{o.ID}, other.Counsellor.ID, otherOffer.CreatedAt.Add(h)); err != nil {
		t.Fatal(err)
	}

	dur := func(d time.Duration) *time.Duration { return &d }
	m := time.Minute
	mine := outreach.Timings{
		Screening: outreach.ScreeningTimings{Started: 6, Settled: 5, Completed: 3, CompletedWithin: 2,
			Median: dur(180 * m), P90: dur(324 * m)}, // 180 + 0.8 × (360 − 180)
		Referral: outreach.ReferralTimings{Referred: 3, Within: 2, Median: dur(10 * h), P90: dur(26 * h)},
	}
	tests := []struct {
		name string
		f    outreach.TimingsFilter
		want outreach.Timings
	}{
		{"everything", outreach.TimingsFilter{}, outreach.Timings{
			Screening: outreach.ScreeningTimings{Started: 7, Settled: 6, Completed: 4, CompletedWithin: 3,
				Median: dur(120 * m), P90: dur(306 * m)},
			Referral: outreach.ReferralTimings{Referred: 4, Within: 3, Median: dur(6 * h), P90: dur(24 * h)}}},
		{"the offer", outreach.TimingsFilter{OfferID: e.offer.ID}, mine},
		{"the counsellor", outreach.TimingsFilter{CounsellorID: e.st.Counsellor.ID}, mine},
		{"the other counsellor", outreach.TimingsFilter{CounsellorID: other.Counsellor.ID}, outreach.Timings{
			Screening: outreach.ScreeningTimings{Started: 1, Settled: 1, Completed: 1, CompletedWithin: 1,
				Median: dur(30 * m), P90: dur(30 * m)},
			Referral: outreach.ReferralTimings{Referred: 1, Within: 1, Median: dur(h), P90: dur(h)}}},
		{"started in the last 8.5 h", outreach.TimingsFilter{OfferID: e.offer.ID, Since: now.Add(-8*h - 30*m)}, outreach.Timings{
			Screening: outreach.ScreeningTimings{Started: 3, Settled: 2, Completed: 1, CompletedWithin: 0,
				Median: dur(360 * m), P90: dur(360 * m)},
			Referral: mine.Referral}},
		{"started before, referred before", outreach.TimingsFilter{OfferID: e.offer.ID, Until: now.Add(-8*h - 30*m)}, outreach.Timings{
			Screening: outreach.ScreeningTimings{Started: 3, Settled: 3, Completed: 2, CompletedWithin: 2,
				Median: dur(120 * m), P90: dur(168 * m)}}}, // 60 + 0.9 × (180 − 60)
		{"referred in the first day", outreach.TimingsFilter{OfferID: e.offer.ID, Since: created, Until: created.Add(24 * h)},
			outreach.Timings{Referral: outreach.ReferralTimings{Referred: 2, Within: 2, Median: dur(6 * h), P90: dur(9*h + 12*m)}}},
	}
	for _, tt := range tests {
		got, err := store.Timings(ctx, tt.f, now)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, timingsString(got), timingsString(tt.want))
		}
	}
	if s, ok := mine.Screening.ShareWithin(); !ok || s != 0.4 {
		t.Errorf("share within 5 h %v %v, want 0.4", s, ok)
	}
	if s, ok := (outreach.ReferralTimings{}).ShareWithin(); ok {
		t.Errorf("share of no referral %v, want none", s)
	}
}

func timingsString(t outreach.Timings) string {
	d := func(p *time.Duration) string {
		if p == nil {
			return "-"
		}
		return p.String()
	}
	s, r := t.Screening, t.Referral
	return fmt.Sprintf("screening %d started %d settled %d completed %d within, median %s p90 %s; referral %d, %d within, median %s p90 %s",
		s.Started, s.Settled, s.Completed, s.CompletedWithin, d(s.Median), d(s.P90), r.Referred, r.Within, d(r.Median), d(r.P90))
}
