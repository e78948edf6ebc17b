package outreach

import (
	"slices"
	"time"
)

// The pre-screening conversation is a state machine with explicit
// transitions, as a pure function: ScreeningConfig.Start begins it after a
// yes, ScreeningConfig.Next moves it on an event. Both return the new state
// and the actions to perform; the adapters persist the state and run the
// actions, in this order, through the queue.
//
//	asking(k) --yes/no that qualifies--> asking(k+1), or qualified after the last
//	asking(k) --yes/no that does not--> not_qualified(k)
//	asking(k) --unclear--> awaiting_reask(k)   (one polite re-ask)
//	awaiting_reask(k) --yes/no--> as from asking(k)
//	awaiting_reask(k) --unclear--> incomplete(k), handed over to the counsellor
//	any open state --STOP--> opted_out(k)
//	any open state --reminder due--> same state, its one reminder sent
//	any open state --expired--> incomplete(k)
//
// Every transition but the reminder adds one to Step. Answers and reminders
// are events for the step they were recorded or scheduled at: one for
// another step, replayed or late, is ignored, so that no question is skipped
// or asked twice. The expiry is the conversation's, whatever its step.
// Events after the end are ignored.

// ScreeningStatus is where a pre-screening conversation stands.
type ScreeningStatus string

// Statuses of a pre-screening conversation. Screening.Question is the
// question asked (asking, awaiting_reask), the one that failed
// (not_qualified), or where it stopped (incomplete, opted_out).
const (
	ScreeningAsking        ScreeningStatus = "asking"
	ScreeningAwaitingReask ScreeningStatus = "awaiting_reask" // re-asked after an unclear answer
	ScreeningQualified     ScreeningStatus = "qualified"
	ScreeningNotQualified  ScreeningStatus = "not_qualified"
	ScreeningIncomplete    ScreeningStatus = "incomplete" // expired, or handed over after a second unclear answer
	ScreeningOptedOut      ScreeningStatus = "opted_out"
)

// Ended reports whether the conversation is over.
func (s ScreeningStatus) Ended() bool {
	return s != ScreeningAsking && s != ScreeningAwaitingReask
}

// Screening is the state of one candidate's pre-screening for one offer.
// It holds the questions as they were when it started, so that editing the
// offer's questions does not change a conversation under way.
type Screening struct {
	OfferRef  string     // printed in each SMS, so that answers can be routed
	Questions []Question // with the candidate's distance (see WithDistance)
	Status    ScreeningStatus
	Question  int      // index in Questions (see ScreeningStatus)
	Answers   []Answer // the yes or no answers, one per question answered
	Step      int      // counts the transitions; events name the step they are for
	Reminded  bool     // its one reminder was sent
	// HandedOver marks an incomplete conversation the counsellor must read:
	// the candidate's answer stayed unclear after the re-ask.
	HandedOver bool
}

// ScreeningEventKind is what happened to a conversation.
type ScreeningEventKind string

// Events of a pre-screening conversation.
const (
	EventAnswered    ScreeningEventKind = "answered"     // the candidate answered (Answer)
	EventReminderDue ScreeningEventKind = "reminder_due" // a question went unanswered for RemindAfter
	EventExpired     ScreeningEventKind = "expired"      // ExpireAfter passed since the start
)

// ScreeningEvent is one event of a conversation. Step is the conversation's
// Step when the answer was recorded, or the step of the action that
// scheduled the timer.
type ScreeningEvent struct {
	Kind   ScreeningEventKind
	Step   int
	Answer Answer // for EventAnswered: see AnswerOf
}

// ScreeningActionKind is what an adapter must do after a transition.
type ScreeningActionKind string

// Actions of a pre-screening conversation.
const (
	ActionSendQuestion     ScreeningActionKind = "send_question"     // send Body, question Question
	ActionSendReask        ScreeningActionKind = "send_reask"        // send Body, re-asking Question
	ActionSendReminder     ScreeningActionKind = "send_reminder"     // send Body, reminding Question
	ActionSendClosing      ScreeningActionKind = "send_closing"      // send Body, the conversation's last SMS
	ActionNotifyCounsellor ScreeningActionKind = "notify_counsellor" // a candidate to refer, or messages to read
	ActionOptOut           ScreeningActionKind = "opt_out"           // record the phone's opt-out and confirm it, as any STOP
	ActionScheduleReminder ScreeningActionKind = "schedule_reminder" // EventReminderDue for Step, After from now
	ActionScheduleExpiry   ScreeningActionKind = "schedule_expiry"   // EventExpired, After from now
)

// ScreeningAction is one thing to do after a transition. The conversation,
// Step and Kind identify it, so that the queue runs it once (a task ID).
// Sending respects quiet hours: that is the sender's job.
type ScreeningAction struct {
	Kind     ScreeningActionKind
	Step     int
	Question int           // the conversation's question when the action was decided
	Body     string        // the SMS to send, GSM-7, one segment
	After    time.Duration // for schedule_*: when the event is due
}

// ScreeningTransition is the outcome of an event: the new state and what
// to do. Ignored events (replayed, for another step, after the end) leave
// the state as it was, with no action: nothing to store.
type ScreeningTransition struct {
	State   Screening
	Actions []ScreeningAction
	Ignored bool
}

// Default timing of a conversation: the pilot's candidates mostly answer
// within 5 hours, so a question left 4 hours gets its one reminder, and an
// unfinished conversation expires 48 hours after it started.
const (
	DefaultScreeningRemindAfter = 4 * time.Hour
	DefaultScreeningExpireAfter = 48 * time.Hour
)

// ScreeningConfig times the conversations. Zero durations are the
// defaults; a negative RemindAfter sends no reminder.
type ScreeningConfig struct {
	RemindAfter time.Duration // after a question goes unanswered, at most once per conversation
	ExpireAfter time.Duration // after the start
}

func (c ScreeningConfig) remindAfter() time.Duration { return c.withDefaults().RemindAfter }
func (c ScreeningConfig) expireAfter() time.Duration { return c.withDefaults().ExpireAfter }

func (c ScreeningConfig) withDefaults() ScreeningConfig {
	if c.RemindAfter == 0 {
		c.RemindAfter = DefaultScreeningRemindAfter
	}
	if c.ExpireAfter <= 0 {
		c.ExpireAfter = DefaultScreeningExpireAfter
	}
	return c
}

// Start begins the pre-screening of a candidate who said yes to the offer
// with reference ref: it sends the first question and schedules the
// reminder and the expiry. Without questions there is nothing to ask: the
// candidate is qualified at once, with no action.
func (c ScreeningConfig) Start(ref string, qs []Question) ScreeningTransition {
	c = c.withDefaults()
	s := Screening{OfferRef: ref, Questions: slices.Clone(qs), Status: ScreeningAsking, Step: 1}
	if len(qs) == 0 {
		s.Status = ScreeningQualified
		return ScreeningTransition{State: s}
	}
	actions := append(c.ask(s, ActionSendQuestion),
		ScreeningAction{Kind: ActionScheduleExpiry, Step: s.Step, After: c.ExpireAfter})
	return ScreeningTransition{State: s, Actions: actions}
}

// Next moves the conversation s on event e (see the transitions above).
func (c ScreeningConfig) Next(s Screening, e ScreeningEvent) ScreeningTransition {
	c = c.withDefaults()
	if s.Status.Ended() {
		return ScreeningTransition{State: s, Ignored: true}
	}
	switch {
	case e.Kind == EventExpired:
		s.Step++
		s.Status = ScreeningIncomplete
		return ScreeningTransition{State: s} // no SMS: see ClosingSMS
	case e.Kind == EventReminderDue && e.Step == s.Step && !s.Reminded:
		s.Reminded = true
		q := s.Questions[s.Question]
		return ScreeningTransition{State: s, Actions: []ScreeningAction{{Kind: ActionSendReminder, Step: s.Step,
			Question: s.Question, Body: q.ReminderSMS(s.OfferRef, s.Question+1, len(s.Questions))}}}
	case e.Kind == EventAnswered && e.Step == s.Step:
		s.Step++
		return c.answered(s, e.Answer)
	}
	return ScreeningTransition{State: s, Ignored: true}
}

// answered moves s, its step already counted, on answer a.
func (c ScreeningConfig) answered(s Screening, a Answer) ScreeningTransition {
	switch {
	case a == AnswerStop:
		s.Status = ScreeningOptedOut
		return s.ending(ActionOptOut)
	case a != AnswerYes && a != AnswerNo && s.Status == ScreeningAsking:
		s.Status = ScreeningAwaitingReask
		return ScreeningTransition{State: s, Actions: c.ask(s, ActionSendReask)}
	case a != AnswerYes && a != AnswerNo:
		s.Status, s.HandedOver = ScreeningIncomplete, true
		return s.ending(ActionNotifyCounsellor, ActionSendClosing)
	}
	s.Answers = append(slices.Clone(s.Answers), a)
	switch {
	case !s.Questions[s.Question].Qualifies(a):
		s.Status = ScreeningNotQualified
		return s.ending(ActionSendClosing)
	case s.Question == len(s.Questions)-1:
		s.Status = ScreeningQualified
		return s.ending(ActionSendClosing, ActionNotifyCounsellor)
	}
	s.Status = ScreeningAsking
	s.Question++
	return ScreeningTransition{State: s, Actions: c.ask(s, ActionSendQuestion)}
}

// ask sends the current question of s, or its re-ask, and schedules its
// reminder unless the conversation had it.
func (c ScreeningConfig) ask(s Screening, kind ScreeningActionKind) []ScreeningAction {
	n, total := s.Question+1, len(s.Questions)
	body := s.Questions[s.Question].SMS(s.OfferRef, n, total)
	if kind == ActionSendReask {
		body = ComposeReaskSMS(s.OfferRef, n, total)
	}
	actions := []ScreeningAction{{Kind: kind, Step: s.Step, Question: s.Question, Body: body}}
	if !s.Reminded && c.RemindAfter > 0 {
		actions = append(actions, ScreeningAction{Kind: ActionScheduleReminder, Step: s.Step, Question: s.Question,
			After: c.RemindAfter})
	}
	return actions
}

// ending is the transition to the ended state s with these actions.
func (s Screening) ending(kinds ...ScreeningActionKind) ScreeningTransition {
	t := ScreeningTransition{State: s}
	for _, k := range kinds {
		a := ScreeningAction{Kind: k, Step: s.Step, Question: s.Question}
		if k == ActionSendClosing {
			a.Body = s.ClosingSMS()
		}
		t.Actions = append(t.Actions, a)
	}
	return t
}

// ClosingSMS writes the last SMS of an ended conversation, in one GSM-7
// segment, or "" when it sends none:
//   - qualified: thanks, the counsellor passes the application on;
//   - not qualified: thanks, politely, without saying which answer failed;
//   - handed over: the counsellor will read the messages;
//   - expired: none, the candidate stopped answering and the counsellor
//     sees where; another SMS two days later would only be noise;
//   - opted out: none here, the STOP is confirmed as any other (see
//     ActionOptOut).
func (s Screening) ClosingSMS() string {
	ref := cleanField(s.OfferRef)
	var text string
	switch {
	case s.Status == ScreeningQualified:
		text = "Merci pour vos réponses ! Votre conseiller va transmettre votre candidature pour l'offre " +
			ref + " et reviendra vers vous."
	case s.Status == ScreeningNotQualified:
		text = "Merci pour vos réponses. L'offre " + ref + " ne semble pas correspondre à votre situation :" +
			" nous vous proposerons d'autres offres."
	case s.Status == ScreeningIncomplete && s.HandedOver:
		text = "Merci. Votre conseiller va lire vos messages sur l'offre " + ref + " et reviendra vers vous."
	}
	return ToGSM7(text)
}

// AnswerOf says what a reply, understood by ParseReply, answers to a
// screening question: yes, no, stop, or unclear for anything else. HELP and
// START are not answers (ok is false): they are handled as any reply,
// leaving the question open.
func AnswerOf(r ParsedReply) (a Answer, ok bool) {
	switch r.Intent {
	case IntentYes:
		return AnswerYes, true
	case IntentNo:
		return AnswerNo, true
	case IntentStop:
		return AnswerStop, true
	case IntentHelp, IntentStart:
		return "", false
	}
	return AnswerUnclear, true
}
