package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// screeningEnv is a store whose contacts are each on their own offer.
type screeningEnv struct {
	t     *testing.T
	st    testenv.Stack
	now   time.Time
	count int
}

func newScreeningEnv(t *testing.T) *screeningEnv {
	return &screeningEnv{t: t, st: testenv.Service(t, nil, outreach.ServiceConfig{}),
		now: time.Now().Truncate(time.Microsecond)}
}

// contact creates a contact of phone ("" for a new phone) on a new offer.
func (e *screeningEnv) contact(phone string) (outreach.Contact, outreach.Offer) {
	e.t.Helper()
	if phone == "" {
		e.count++
		phone = fmt.Sprintf("06399803%02d", e.count)
	}
	cand, offer := e.st.Bakery(e.t, phone)
	created, err := e.st.Store.CreateContacts(context.Background(), []outreach.Contact{{OfferID: offer.ID,
		CandidateID: cand.ID, Phone: cand.Phone, Status: outreach.StatusPlanned, Body: "Offre " + offer.Reference}})
	if err != nil || len(created) != 1 {
		e.t.Fatalf("create contact: %v %v", created, err)
	}
	return created[0], offer
}

// start stores the conversation started at startedAt (before now) for a
// contact of phone, expiring after expires (from now).
func (e *screeningEnv) start(phone string, qs []outreach.Question, startedAt, expires time.Duration) (outreach.Contact, outreach.Screening) {
	e.t.Helper()
	c, offer := e.contact(phone)
	sc := outreach.ScreeningConfig{}.Start(offer.Reference, qs).State
	ok, err := e.st.Store.StartScreening(context.Background(), c.ID, c.Phone, sc, e.now.Add(-startedAt), e.now.Add(expires))
	if err != nil || !ok {
		e.t.Fatalf("start screening: %v %v", ok, err)
	}
	return c, sc
}

// stored reads a contact's conversation.
func (e *screeningEnv) stored(contactID int64) outreach.Screening {
	e.t.Helper()
	sc, err := e.st.Store.Screening(context.Background(), contactID)
	if err != nil {
		e.t.Fatal(err)
	}
	return sc
}

// allKinds are valid questions of every kind, more than an offer asks.
func allKinds(t *testing.T) []outreach.Question {
	t.Helper()
	qs, err := outreach.ValidateQuestions([]outreach.Question{
		{Kind: outreach.QuestionAvailableFrom, Date: time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC)},
		{Kind: outreach.QuestionAcceptsHours, Hours: "du lundi au vendredi, 6h-14h"},
		{Kind: outreach.QuestionCanTravel, Town: "Lyon"},
		{Kind: outreach.QuestionAcceptsSalary, Salary: "1 900 € brut/mois"},
		{Kind: outreach.QuestionHoldsLicence, Licence: "CACES R489 cat. 3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	free, err := outreach.ValidateQuestions([]outreach.Question{
		{Kind: outreach.QuestionFree, Text: "Avez-vous déjà travaillé de nuit ?", Qualifying: outreach.AnswerNo}})
	if err != nil {
		t.Fatal(err)
	}
	return append(qs, free...)
}

// TestOfferQuestions: an offer's questions come back as saved, each save
// replacing the previous ones; a refused save leaves them as they were.
func TestOfferQuestions(t *testing.T) {
	ctx := context.Background()
	e := newScreeningEnv(t)
	store := e.st.Store
	_, offer := e.contact("")
	all := allKinds(t)
	tests := []struct {
		name    string
		save    []outreach.Question
		wantErr bool
		want    []outreach.Question
	}{
		{"five kinds", all[:5], false, all[:5]},
		{"fewer, free text qualifying on no", []outreach.Question{all[5], all[0]}, false, []outreach.Question{all[5], all[0]}},
		{"hours question without hours", []outreach.Question{{Kind: outreach.QuestionAcceptsHours, Qualifying: outreach.AnswerYes}},
			true, []outreach.Question{all[5], all[0]}},
		{"six questions", all, true, []outreach.Question{all[5], all[0]}},
		{"none", nil, false, nil},
	}
	for _, tt := range tests {
		err := store.SaveOfferQuestions(ctx, offer.ID, tt.save)
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: save: %v, want error %v", tt.name, err, tt.wantErr)
		}
		got, err := store.OfferQuestions(ctx, offer.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Fatalf("%s: questions\n%+v\nwant\n%+v", tt.name, got, tt.want)
		}
	}
	if err := store.SaveOfferQuestions(ctx, offer.ID+1000, all[:1]); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("questions of an unknown offer: %v, want ErrNotFound", err)
	}
}

// TestStartScreening: a contact's conversation is stored once, its
// questions' snapshot included; one without questions starts ended.
func TestStartScreening(t *testing.T) {
	ctx := context.Background()
	e := newScreeningEnv(t)
	store := e.st.Store
	qs := allKinds(t)[1:]
	qs[1] = qs[1].WithDistance(12.4)
	c, sc := e.start("", qs, 0, 48*time.Hour)
	if got := e.stored(c.ID); !reflect.DeepEqual(got, sc) {
		t.Fatalf("stored\n%+v\nwant\n%+v", got, sc)
	}
	again := sc
	again.Question, again.Step = 1, 2
	if ok, err := store.StartScreening(ctx, c.ID, c.Phone, again, e.now, e.now.Add(time.Hour)); err != nil || ok {
		t.Fatalf("second start: %v %v, want not stored", ok, err)
	}
	if got := e.stored(c.ID); !reflect.DeepEqual(got, sc) {
		t.Fatalf("after the second start\n%+v\nwant the first\n%+v", got, sc)
	}

	none, sc := e.start("", nil, 0, 48*time.Hour)
	if got := e.stored(none.ID); got.Status != outreach.ScreeningQualified || !reflect.DeepEqual(got, sc) {
		t.Fatalf("without questions: %+v, want %+v", got, sc)
	}
	if ended := e.endedAt(none.ID); ended == nil || !ended.Equal(e.now) {
		t.Errorf("without questions, ended at %v, want %v", ended, e.now)
	}
	if _, err := store.Screening(ctx, c.ID+1000); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("screening of an unknown contact: %v, want ErrNotFound", err)
	}
}

func (e *screeningEnv) endedAt(contactID int64) *time.Time {
	e.t.Helper()
	var at *time.Time
	if err := e.st.Pool.QueryRow(context.Background(), `SELECT ended_at FROM screenings WHERE contact_id = $1`,
		contactID).Scan(&at); err != nil {
		e.t.Fatal(err)
	}
	return at
}

func answered(step int, a outreach.Answer) outreach.ScreeningEvent {
	return outreach.ScreeningEvent{Kind: outreach.EventAnswered, Step: step, Answer: a}
}

// TestAdvanceScreening: a transition is stored only from the step it was
// decided at, once: replays, late answers, skipped steps and anything
// after the end change nothing.
func TestAdvanceScreening(t *testing.T) {
	ctx := context.Background()
	e := newScreeningEnv(t)
	cfg := outreach.ScreeningConfig{}
	c, s0 := e.start("", allKinds(t)[:3], 0, 48*time.Hour)
	s1 := cfg.Next(s0, answered(1, outreach.AnswerYes)).State
	s1r := cfg.Next(s1, outreach.ScreeningEvent{Kind: outreach.EventReminderDue, Step: 2}).State
	s2 := cfg.Next(s1r, answered(2, outreach.AnswerUnclear)).State
	s3 := cfg.Next(s2, answered(3, outreach.AnswerNo)).State
	if s3.Status != outreach.ScreeningNotQualified || s3.Step != 4 || !s1r.Reminded {
		t.Fatalf("the conversation went %+v", s3)
	}
	skipping, expired := s2, s3
	skipping.Step += 2
	expired.Step, expired.Status = 5, outreach.ScreeningIncomplete
	tests := []struct {
		name string
		from int
		next outreach.Screening
		ok   bool
		want outreach.Screening // stored after
	}{
		{"first answer", 1, s1, true, s1},
		{"first answer replayed", 1, s1, false, s1},
		{"first question answered again, late", 1, cfg.Next(s0, answered(1, outreach.AnswerNo)).State, false, s1},
		{"reminder", 2, s1r, true, s1r},
		{"reminder replayed", 2, s1r, false, s1r},
		{"unclear answer", 2, s2, true, s2},
		{"a transition that skips a step", 3, skipping, false, s2},
		{"answer after the re-ask", 3, s3, true, s3},
		{"expiry after the end", 4, expired, false, s3},
	}
	for i, tt := range tests {
		at := e.now.Add(time.Duration(i) * time.Minute)
		ok, err := e.st.Store.AdvanceScreening(ctx, c.ID, tt.from, tt.next, at)
		if err != nil || ok != tt.ok {
			t.Fatalf("%s: advance %v (%v), want %v", tt.name, ok, err, tt.ok)
		}
		if got := e.stored(c.ID); !reflect.DeepEqual(got, tt.want) {
			t.Fatalf("%s: stored\n%+v\nwant\n%+v", tt.name, got, tt.want)
		}
		if ended := e.endedAt(c.ID); (ended != nil) != tt.want.Status.Ended() || (tt.ok && ended != nil && !ended.Equal(at)) {
			t.Fatalf("%s: ended at %v, want ended %v at %v", tt.name, ended, tt.want.Status.Ended(), at)
		}
	}
}

// TestAdvanceScreeningRaces: workers racing to move a conversation from
// the same step (an answer and its replays, or different answers) store
// exactly one transition, and one reminder among many.
func TestAdvanceScreeningRaces(t *testing.T) {
	ctx := context.Background()
	e := newScreeningEnv(t)
	cfg := outreach.ScreeningConfig{}
	qs := allKinds(t)[:3]
	race := func(contactID int64, from int, nexts []outreach.Screening) []int {
		var mu sync.Mutex
		var won []int
		var wg sync.WaitGroup
		for i, next := range nexts {
			wg.Go(func() {
				ok, err := e.st.Store.AdvanceScreening(ctx, contactID, from, next, e.now)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won = append(won, i)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return won
	}
	c, s0 := e.start("", qs, 0, 48*time.Hour)
	var answers []outreach.Screening
	for i := range 10 {
		a := []outreach.Answer{outreach.AnswerYes, outreach.AnswerNo}[i%2]
		answers = append(answers, cfg.Next(s0, answered(1, a)).State)
	}
	won := race(c.ID, 1, answers)
	if len(won) != 1 {
		t.Fatalf("answers %v won, want one", won)
	}
	if got := e.stored(c.ID); !reflect.DeepEqual(got, answers[won[0]]) {
		t.Fatalf("stored %+v, want the winner's %+v", got, answers[won[0]])
	}

	c, s0 = e.start("", qs, 0, 48*time.Hour)
	reminded := cfg.Next(s0, outreach.ScreeningEvent{Kind: outreach.EventReminderDue, Step: 1}).State
	if won := race(c.ID, 1, slices.Repeat([]outreach.Screening{reminded}, 10)); len(won) != 1 {
		t.Fatalf("reminders %v stored, want one", won)
	}
	if got := e.stored(c.ID); !reflect.DeepEqual(got, reminded) {
		t.Fatalf("stored %+v, want reminded %+v", got, reminded)
	}
}

// TestOpenScreeningForPhone: an answer with a reference goes to that
// offer's open conversation, one without to the open conversation that
// asked last.
func TestOpenScreeningForPhone(t *testing.T) {
	ctx := context.Background()
	e := newScreeningEnv(t)
	store := e.st.Store
	cfg := outreach.ScreeningConfig{}
	const phone = "0639980350"
	qs := allKinds(t)[:3]
	first, s0 := e.start(phone, qs, 2*time.Hour, 46*time.Hour)
	second, _ := e.start(phone, qs, time.Hour, 47*time.Hour)
	other, _ := e.start("", qs, 0, 48*time.Hour)
	advance := func(next outreach.Screening, from int, ago time.Duration) func() {
		return func() {
			if ok, err := store.AdvanceScreening(ctx, first.ID, from, next, e.now.Add(-ago)); err != nil || !ok {
				t.Fatalf("advance: %v %v", ok, err)
			}
		}
	}
	s1 := cfg.Next(s0, answered(1, outreach.AnswerYes)).State
	tests := []struct {
		name  string
		twist func()
		ref   string
		want  int64 // 0: none
	}{
		{"no reference: the one started last", nil, "", second.ID},
		{"reference of the first", nil, s0.OfferRef, first.ID},
		{"unknown reference", nil, "ZZZZZZ", 0},
		{"another phone's reference", nil, e.refOf(other.ID), 0},
		{"no reference, the first asked again", advance(s1, 1, 30*time.Minute), "", first.ID},
		{"reference of the second", nil, e.refOf(second.ID), second.ID},
		{"reference of the first, ended", advance(cfg.Next(s1, answered(2, outreach.AnswerStop)).State, 2, 0),
			s0.OfferRef, 0},
		{"no reference, the first ended", nil, "", second.ID},
		{"no reference, an offer SMS went since", e.sendOffer(phone), "", 0},
		{"reference of the second, an offer SMS went since", nil, e.refOf(second.ID), second.ID},
	}
	for _, tt := range tests {
		if tt.twist != nil {
			tt.twist()
		}
		o, err := store.OpenScreeningForPhone(ctx, first.Phone, tt.ref)
		id, sc := o.ContactID, o.Screening
		switch {
		case tt.want == 0 && !errors.Is(err, outreach.ErrNotFound):
			t.Errorf("%s: got contact %d (%v), want none", tt.name, id, err)
		case tt.want != 0 && (err != nil || id != tt.want || !reflect.DeepEqual(sc, e.stored(id))):
			t.Errorf("%s: got contact %d %+v (%v), want %d", tt.name, id, sc, err, tt.want)
		}
	}
}

// sendOffer returns a twist that sends phone an offer SMS now.
func (e *screeningEnv) sendOffer(phone string) func() {
	return func() {
		e.t.Helper()
		ctx := context.Background()
		c, _ := e.contact(phone)
		if _, ok, err := e.st.Store.ClaimSend(ctx, c.ID); err != nil || !ok {
			e.t.Fatalf("claim: %v %v", ok, err)
		}
		if _, err := e.st.Store.RecordSent(ctx, c.ID, fmt.Sprintf("SM%032d", c.ID), e.now); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *screeningEnv) refOf(contactID int64) string {
	e.t.Helper()
	return e.stored(contactID).OfferRef
}

// TestExpiredScreenings: the open conversations past their expiry, the
// oldest first; ended ones are not listed.
func TestExpiredScreenings(t *testing.T) {
	ctx := context.Background()
	e := newScreeningEnv(t)
	qs := allKinds(t)[:2]
	older, _ := e.start("", qs, 50*time.Hour, -2*time.Hour)
	old, _ := e.start("", qs, 49*time.Hour, -time.Hour)
	e.start("", qs, 47*time.Hour, time.Hour)   // not yet
	e.start("", nil, 49*time.Hour, -time.Hour) // ended at the start
	ended, s0 := e.start("", qs, 49*time.Hour, -time.Hour)
	next := outreach.ScreeningConfig{}.Next(s0, answered(1, outreach.AnswerNo)).State
	if ok, err := e.st.Store.AdvanceScreening(ctx, ended.ID, 1, next, e.now); err != nil || !ok {
		t.Fatalf("advance: %v %v", ok, err)
	}
	tests := []struct {
		limit int
		want  []int64
	}{
		{10, []int64{older.ID, old.ID}},
		{1, []int64{older.ID}},
	}
	for _, tt := range tests {
		got, err := e.st.Store.ExpiredScreenings(ctx, e.now, tt.limit)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("limit %d: expired %v (%v), want %v", tt.limit, got, err, tt.want)
		}
	}
}
