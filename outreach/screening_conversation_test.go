package outreach

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// screeningQuestions are the three questions of the conversation tests.
var screeningQuestions = []Question{
	{Kind: QuestionAvailableFrom, Date: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Qualifying: AnswerYes},
	{Kind: QuestionCanTravel, Town: "Lyon", DistanceKM: 12, Qualifying: AnswerYes},
	{Kind: QuestionFree, Text: "Cherchez-vous un temps partiel ?", Qualifying: AnswerNo},
}

// screeningEvent is one event of a scripted conversation and what it must
// lead to.
type screeningEvent struct {
	body string             // an answer, as the candidate texts it...
	kind ScreeningEventKind // ...or a timer when body is ""
	step int                // the event's step; 0: the conversation's current step

	status   ScreeningStatus
	question int
	actions  []ScreeningActionKind
	ignored  bool
}

func TestScreeningConversations(t *testing.T) {
	const (
		ask      = ActionSendQuestion
		reask    = ActionSendReask
		remind   = ActionSendReminder
		closing  = ActionSendClosing
		notify   = ActionNotifyCounsellor
		optOut   = ActionOptOut
		schedule = ActionScheduleReminder
	)
	tests := []struct {
		name     string
		events   []screeningEvent
		answers  []Answer
		handedTo bool
	}{
		{"qualifies", []screeningEvent{
			{body: "oui", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{body: "1", status: ScreeningAsking, question: 2, actions: []ScreeningActionKind{ask, schedule}},
			{body: "non merci", status: ScreeningQualified, question: 2, actions: []ScreeningActionKind{closing, notify}},
		}, []Answer{AnswerYes, AnswerYes, AnswerNo}, false},
		{"fails on the second question", []screeningEvent{
			{body: "Oui K4P8M2", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{body: "2", status: ScreeningNotQualified, question: 1, actions: []ScreeningActionKind{closing}},
			{body: "oui", ignored: true, status: ScreeningNotQualified, question: 1},
		}, []Answer{AnswerYes, AnswerNo}, false},
		{"goes silent: one reminder, then expiry", []screeningEvent{
			{body: "oui", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{kind: EventReminderDue, status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{remind}},
			{kind: EventReminderDue, ignored: true, status: ScreeningAsking, question: 1},
			{kind: EventExpired, step: 1, status: ScreeningIncomplete, question: 1},
			{kind: EventReminderDue, ignored: true, status: ScreeningIncomplete, question: 1},
		}, []Answer{AnswerYes}, false},
		{"reminded once per conversation", []screeningEvent{
			{kind: EventReminderDue, status: ScreeningAsking, question: 0, actions: []ScreeningActionKind{remind}},
			{body: "oui", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask}},
			{kind: EventReminderDue, ignored: true, status: ScreeningAsking, question: 1},
		}, []Answer{AnswerYes}, false},
		{"STOP in the middle", []screeningEvent{
			{body: "oui", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{body: "stop", status: ScreeningOptedOut, question: 1, actions: []ScreeningActionKind{optOut}},
			{body: "oui", ignored: true, status: ScreeningOptedOut, question: 1},
			{kind: EventExpired, ignored: true, status: ScreeningOptedOut, question: 1},
		}, []Answer{AnswerYes}, false},
		{"STOP after a re-ask", []screeningEvent{
			{body: "euh", status: ScreeningAwaitingReask, question: 0, actions: []ScreeningActionKind{reask, schedule}},
			{body: "je ne veux plus recevoir de sms", status: ScreeningOptedOut, question: 0, actions: []ScreeningActionKind{optOut}},
		}, nil, false},
		{"unclear, re-asked, then answered", []screeningEvent{
			{body: "oui mais pas le samedi", status: ScreeningAwaitingReask, question: 0, actions: []ScreeningActionKind{reask, schedule}},
			{body: "oui", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{body: "c'est où ?", status: ScreeningAwaitingReask, question: 1, actions: []ScreeningActionKind{reask, schedule}},
			{body: "ouais", status: ScreeningAsking, question: 2, actions: []ScreeningActionKind{ask, schedule}},
		}, []Answer{AnswerYes, AnswerYes}, false},
		{"two unclear answers: to the counsellor", []screeningEvent{
			{body: "peut-être", status: ScreeningAwaitingReask, question: 0, actions: []ScreeningActionKind{reask, schedule}},
			{body: "ça dépend du salaire", status: ScreeningIncomplete, question: 0, actions: []ScreeningActionKind{notify, closing}},
		}, nil, true},
		{"replayed answers are ignored", []screeningEvent{
			{body: "oui", step: 1, status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{body: "oui", step: 1, ignored: true, status: ScreeningAsking, question: 1},
			{body: "non", step: 1, ignored: true, status: ScreeningAsking, question: 1},
			{body: "oui", step: 2, status: ScreeningAsking, question: 2, actions: []ScreeningActionKind{ask, schedule}},
		}, []Answer{AnswerYes, AnswerYes}, false},
		{"a replayed unclear answer does not hand over", []screeningEvent{
			{body: "hein", step: 1, status: ScreeningAwaitingReask, question: 0, actions: []ScreeningActionKind{reask, schedule}},
			{body: "hein", step: 1, ignored: true, status: ScreeningAwaitingReask, question: 0},
			{body: "oui", step: 2, status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
		}, []Answer{AnswerYes}, false},
		{"old and future steps are ignored", []screeningEvent{
			{body: "oui", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{kind: EventReminderDue, step: 1, ignored: true, status: ScreeningAsking, question: 1},
			{body: "oui", step: 7, ignored: true, status: ScreeningAsking, question: 1},
			{kind: EventReminderDue, step: 2, status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{remind}},
		}, []Answer{AnswerYes}, false},
		{"expiry after the end is ignored", []screeningEvent{
			{body: "oui", status: ScreeningAsking, question: 1, actions: []ScreeningActionKind{ask, schedule}},
			{body: "non", status: ScreeningNotQualified, question: 1, actions: []ScreeningActionKind{closing}},
			{kind: EventExpired, ignored: true, status: ScreeningNotQualified, question: 1},
		}, []Answer{AnswerYes, AnswerNo}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startScreening(t)
			for i, e := range tt.events {
				s = nextScreening(t, i, s, e)
			}
			if !slices.Equal(s.Answers, tt.answers) || s.HandedOver != tt.handedTo {
				t.Errorf("answers %v, handed over %v; want %v, %v", s.Answers, s.HandedOver, tt.answers, tt.handedTo)
			}
		})
	}
}

// startScreening starts a conversation on screeningQuestions and checks
// its first actions.
func startScreening(t *testing.T) Screening {
	t.Helper()
	tr := ScreeningConfig{}.Start("K4P8M2", screeningQuestions)
	want := []ScreeningAction{
		{Kind: ActionSendQuestion, Step: 1, Body: screeningQuestions[0].SMS("K4P8M2", 1, 3)},
		{Kind: ActionScheduleReminder, Step: 1, After: DefaultScreeningRemindAfter},
		{Kind: ActionScheduleExpiry, Step: 1, After: DefaultScreeningExpireAfter},
	}
	if tr.State.Status != ScreeningAsking || tr.State.Question != 0 || tr.State.Step != 1 || tr.Ignored {
		t.Fatalf("start: %+v", tr.State)
	}
	if !reflect.DeepEqual(tr.Actions, want) {
		t.Fatalf("start: actions\n got %+v\nwant %+v", tr.Actions, want)
	}
	return tr.State
}

// nextScreening applies event number i to s, checks the transition and
// returns the new state.
func nextScreening(t *testing.T, i int, s Screening, e screeningEvent) Screening {
	t.Helper()
	ev := ScreeningEvent{Kind: e.kind, Step: e.step}
	if ev.Step == 0 {
		ev.Step = s.Step
	}
	if e.body != "" {
		var ok bool
		if ev.Answer, ok = AnswerOf(ParseReply(e.body)); !ok {
			t.Fatalf("event %d: %q is no answer", i, e.body)
		}
		ev.Kind = EventAnswered
	}
	before := s
	before.Answers = slices.Clone(s.Answers)
	tr := ScreeningConfig{}.Next(s, ev)
	got := tr.State
	if got.Status != e.status || got.Question != e.question || tr.Ignored != e.ignored {
		t.Fatalf("event %d (%+v): %s at question %d, ignored %v; want %s at %d, ignored %v",
			i, ev, got.Status, got.Question, tr.Ignored, e.status, e.question, e.ignored)
	}
	if kinds := actionKinds(tr.Actions); !slices.Equal(kinds, e.actions) {
		t.Errorf("event %d (%+v): actions %v, want %v", i, ev, kinds, e.actions)
	}
	if !reflect.DeepEqual(s, before) {
		t.Errorf("event %d: the old state changed: %+v", i, s)
	}
	checkStep(t, i, ev, before, tr)
	checkBodies(t, i, got, tr.Actions)
	return got
}

// checkStep checks that ignored events change nothing and that every other
// transition but the reminder counts one step, its actions carrying it.
func checkStep(t *testing.T, i int, ev ScreeningEvent, before Screening, tr ScreeningTransition) {
	t.Helper()
	switch {
	case tr.Ignored && !reflect.DeepEqual(tr.State, before):
		t.Errorf("event %d: ignored, but the state changed: %+v", i, tr.State)
	case !tr.Ignored && ev.Kind == EventReminderDue && (tr.State.Step != before.Step || !tr.State.Reminded):
		t.Errorf("event %d: reminder: step %d, reminded %v; want %d, true", i, tr.State.Step, tr.State.Reminded, before.Step)
	case !tr.Ignored && ev.Kind != EventReminderDue && tr.State.Step != before.Step+1:
		t.Errorf("event %d: step %d, want %d", i, tr.State.Step, before.Step+1)
	}
	for _, a := range tr.Actions {
		if a.Step != tr.State.Step {
			t.Errorf("event %d: %s for step %d, want %d", i, a.Kind, a.Step, tr.State.Step)
		}
	}
}

// checkBodies checks the SMS the actions send: the right text for the
// right question, in one segment.
func checkBodies(t *testing.T, i int, s Screening, actions []ScreeningAction) {
	t.Helper()
	for _, a := range actions {
		n, total := a.Question+1, len(s.Questions)
		var want string
		switch a.Kind {
		case ActionSendQuestion:
			want = s.Questions[a.Question].SMS(s.OfferRef, n, total)
		case ActionSendReask:
			want = ComposeReaskSMS(s.OfferRef, n, total)
		case ActionSendReminder:
			want = s.Questions[a.Question].ReminderSMS(s.OfferRef, n, total)
		case ActionSendClosing:
			want = s.ClosingSMS()
		}
		if a.Question != s.Question || a.Body != want {
			t.Errorf("event %d: %s of question %d: %q; want question %d, %q", i, a.Kind, a.Question, a.Body, s.Question, want)
		}
		if want != "" {
			checkOneSegment(t, string(a.Kind), a.Body)
		}
	}
}

func actionKinds(actions []ScreeningAction) []ScreeningActionKind {
	var kinds []ScreeningActionKind
	for _, a := range actions {
		kinds = append(kinds, a.Kind)
	}
	return kinds
}

func TestScreeningClosingTexts(t *testing.T) {
	tests := []struct {
		name   string
		bodies []string
		want   string
	}{
		{"qualified", []string{"oui", "oui", "non"}, "votre candidature"},
		{"not qualified", []string{"non"}, "ne semble pas correspondre"},
		{"handed over", []string{"?", "??"}, "va lire vos messages"},
	}
	for _, tt := range tests {
		s := ScreeningConfig{}.Start("K4P8M2", screeningQuestions).State
		var tr ScreeningTransition
		for _, b := range tt.bodies {
			a, _ := AnswerOf(ParseReply(b))
			tr = ScreeningConfig{}.Next(s, ScreeningEvent{Kind: EventAnswered, Step: s.Step, Answer: a})
			s = tr.State
		}
		i := slices.IndexFunc(tr.Actions, func(a ScreeningAction) bool { return a.Kind == ActionSendClosing })
		if i < 0 || !strings.Contains(tr.Actions[i].Body, tt.want) || !strings.Contains(tr.Actions[i].Body, "K4P8M2") {
			t.Errorf("%s: actions %+v, want a closing SMS saying %q", tt.name, tr.Actions, tt.want)
		}
	}
}

func TestScreeningConfig(t *testing.T) {
	cfg := ScreeningConfig{RemindAfter: time.Hour, ExpireAfter: 24 * time.Hour}
	tr := cfg.Start("K4P8M2", screeningQuestions[:1])
	want := []ScreeningActionKind{ActionSendQuestion, ActionScheduleReminder, ActionScheduleExpiry}
	if kinds := actionKinds(tr.Actions); !slices.Equal(kinds, want) {
		t.Fatalf("actions %v, want %v", kinds, want)
	}
	if tr.Actions[1].After != time.Hour || tr.Actions[2].After != 24*time.Hour {
		t.Errorf("reminder after %v, expiry after %v; want 1h, 24h", tr.Actions[1].After, tr.Actions[2].After)
	}

	tr = ScreeningConfig{RemindAfter: -1}.Start("K4P8M2", screeningQuestions)
	want = []ScreeningActionKind{ActionSendQuestion, ActionScheduleExpiry}
	if kinds := actionKinds(tr.Actions); !slices.Equal(kinds, want) {
		t.Errorf("no reminder: actions %v, want %v", kinds, want)
	}

	tr = ScreeningConfig{}.Start("K4P8M2", nil)
	if tr.State.Status != ScreeningQualified || len(tr.Actions) != 0 {
		t.Errorf("no questions: %s with %v, want qualified with no action", tr.State.Status, actionKinds(tr.Actions))
	}
}

func TestScreeningKeepsItsQuestions(t *testing.T) {
	qs := slices.Clone(screeningQuestions)
	s := ScreeningConfig{}.Start("K4P8M2", qs).State
	qs[0].Kind = QuestionFree
	if s.Questions[0].Kind != QuestionAvailableFrom {
		t.Errorf("editing the offer's questions changed the conversation's: %+v", s.Questions[0])
	}
}

func TestScreeningTransitionsShareNothing(t *testing.T) {
	s := ScreeningConfig{}.Start("K4P8M2", screeningQuestions).State
	s.Answers = make([]Answer, 0, 4) // room to append in place
	yes := ScreeningConfig{}.Next(s, ScreeningEvent{Kind: EventAnswered, Step: s.Step, Answer: AnswerYes}).State
	ScreeningConfig{}.Next(s, ScreeningEvent{Kind: EventAnswered, Step: s.Step, Answer: AnswerNo})
	if !slices.Equal(yes.Answers, []Answer{AnswerYes}) {
		t.Errorf("a later transition from the same state changed this one's answers: %v", yes.Answers)
	}
}
