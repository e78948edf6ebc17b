package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The pre-screening conversation, wired: a yes to an offer with questions
// starts it (startScreening), answers move it on (answerScreening), timers
// remind and expire it (ScreeningTimerDue). Every transition runs in one
// transaction that locks the conversation, stores its new state with a
// conditional update on its step and plans its SMS in the outbox; the SMS
// and the timers are handed to the queue after the commit, and the outbox
// sweep hands over whatever a crash left behind. So a crash or a replayed
// webhook never skips or repeats a question.

// ScreeningTimer is an event of a conversation due at a time: its one
// reminder, or its expiry.
type ScreeningTimer struct {
	ContactID int64
	Event     ScreeningEventKind // EventReminderDue or EventExpired
	Step      int                // the step that scheduled it
	At        time.Time
}

// screeningHandOver is what a committed transition leaves to do: SMS to
// hand to the queue and timers to schedule.
type screeningHandOver struct {
	messages []int64
	timers   []ScreeningTimer
}

func (h *screeningHandOver) add(o screeningHandOver) {
	h.messages = append(h.messages, o.messages...)
	h.timers = append(h.timers, o.timers...)
}

// messageKinds maps the actions that send an SMS to the message they send.
var messageKinds = map[ScreeningActionKind]ScreeningMessageKind{
	ActionSendQuestion: MessageQuestion,
	ActionSendReask:    MessageReask,
	ActionSendReminder: MessageReminder,
	ActionSendClosing:  MessageClosing,
}

// planActions turns the actions of a transition stored at at into SMS
// planned in tx and timers to schedule. notify_counsellor needs nothing
// here: the answer's inbox item carries the conversation's status.
func (s *Service) planActions(ctx context.Context, tx Store, contactID int64, phone string, actions []ScreeningAction,
	at time.Time) (screeningHandOver, error) {
	var h screeningHandOver
	var ms []ScreeningMessage
	for _, a := range actions {
		switch a.Kind {
		case ActionScheduleReminder:
			h.timers = append(h.timers, ScreeningTimer{ContactID: contactID, Event: EventReminderDue, Step: a.Step, At: at.Add(a.After)})
		case ActionScheduleExpiry:
			h.timers = append(h.timers, ScreeningTimer{ContactID: contactID, Event: EventExpired, Step: a.Step, At: at.Add(a.After)})
		case ActionOptOut:
			// The phone's opt-out is the inbound SMS's; its other
			// conversations end too.
			if _, err := tx.EndScreeningsOptedOut(ctx, phone, at); err != nil {
				return h, err
			}
		default:
			if kind, ok := messageKinds[a.Kind]; ok && a.Body != "" {
				ms = append(ms, ScreeningMessage{ContactID: contactID, Step: a.Step, Kind: kind, Question: a.Question,
					Phone: phone, Body: a.Body})
			}
		}
	}
	ids, err := tx.PlanScreeningMessages(ctx, ms)
	h.messages = ids
	return h, err
}

// advanceScreening stores transition t of the locked conversation o and
// plans its actions.
func (s *Service) advanceScreening(ctx context.Context, tx Store, o OpenScreening, t ScreeningTransition,
	at time.Time) (screeningHandOver, error) {
	if t.Ignored {
		return screeningHandOver{}, nil
	}
	ok, err := tx.AdvanceScreening(ctx, o.ContactID, o.Screening.Step, t.State, at)
	if err != nil || !ok {
		return screeningHandOver{}, err // !ok: moved on meanwhile, its actions were someone else's
	}
	if t.State.Status.Ended() {
		s.log.Info("pre-screening ended", "contact_id", o.ContactID, "status", t.State.Status,
			"question", t.State.Question+1, "handed_over", t.State.HandedOver)
	}
	return s.planActions(ctx, tx, o.ContactID, o.Phone, t.Actions, at)
}

// startScreening begins, in tx, the conversation of the contact t who
// just said yes to an offer with questions. started is false when the
// contact had one already (a second yes).
func (s *Service) startScreening(ctx context.Context, tx Store, t ReplyTarget, at time.Time) (screeningHandOver, bool, error) {
	qs, err := tx.OfferQuestions(ctx, t.OfferID)
	if err != nil {
		return screeningHandOver{}, false, fmt.Errorf("offer questions: %w", err)
	}
	for i := range qs {
		qs[i] = qs[i].WithDistance(t.DistanceKM)
	}
	cfg := s.cfg.Screening
	start := cfg.Start(t.OfferRef, qs)
	started, err := tx.StartScreening(ctx, t.ID, t.Phone, start.State, at, at.Add(cfg.expireAfter()))
	if err != nil || !started {
		return screeningHandOver{}, false, err
	}
	s.log.Info("pre-screening started", "contact_id", t.ID, "questions", len(qs))
	h, err := s.planActions(ctx, tx, t.ID, t.Phone, start.Actions, at)
	return h, true, err
}

// screeningStartReply answers a yes that started a conversation: nothing
// when its first question goes now, else when it will.
func (s *Service) screeningStartReply(ref string, now time.Time) string {
	if s.cfg.QuietHours.Allowed(now) {
		return ""
	}
	return ComposeScreeningDelayedSMS(ref, s.cfg.QuietHours.NextAllowed(now))
}

// answerScreening handles an inbound SMS that answers an open
// conversation of its sender, if there is one (handled is false
// otherwise, and nothing is written): it records the SMS and its inbox
// item, showing the conversation's new status, and moves the conversation
// on, in one transaction. An answer that came before the provider took the
// question it would answer is recorded but moves nothing: it was meant for
// the question before. STOP opts out and ends the conversations whatever
// their step.
func (s *Service) answerScreening(ctx context.Context, in *Inbound, a Answer) (out InboundOutcome, handled bool, err error) {
	// Most replies answer no conversation: one read tells, outside a
	// transaction; the transaction reads it again, locked.
	if _, err := s.store.OpenScreeningForPhone(ctx, in.From, in.OfferRef); errors.Is(err, ErrNotFound) {
		return out, false, nil
	} else if err != nil {
		return out, false, fmt.Errorf("find screening: %w", err)
	}
	now := s.cfg.Now()
	var h screeningHandOver
	out.Intent = in.Intent
	err = s.store.InTx(ctx, func(tx Store) error {
		o, err := tx.OpenScreeningForPhone(ctx, in.From, in.OfferRef)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find screening: %w", err)
		}
		handled = true
		in.ContactID, in.CandidateID, in.Link = o.ContactID, o.CandidateID, LinkInferred
		if in.OfferRef != "" {
			in.Link = LinkReference
		}
		t := ScreeningTransition{State: o.Screening, Ignored: true}
		if o.AskedAt != nil || a == AnswerStop {
			t = s.cfg.Screening.Next(o.Screening, ScreeningEvent{Kind: EventAnswered, Step: o.Screening.Step, Answer: a})
		}
		item := InboxItem{ContactID: o.ContactID, OfferID: o.OfferID, CandidateID: o.CandidateID,
			CounsellorID: o.CounsellorID, Screening: t.State.Status, ScreeningQuestion: t.State.Question}
		effect := ReplyEffect{At: now}
		if a == AnswerStop {
			effect.Consent = ConsentOptOut
		}
		fresh, err := tx.RecordInbound(ctx, in, &item, effect)
		if err != nil || !fresh {
			out.Duplicate = !fresh
			return err
		}
		out.Item = &item
		h, err = s.advanceScreening(ctx, tx, o, t, now)
		return err
	})
	if err != nil || !handled || out.Duplicate {
		return out, handled, err
	}
	if a == AnswerStop {
		out.Reply = s.replyConfirmation(IntentStop, false)
	}
	s.handOverScreening(ctx, h)
	return out, true, nil
}

// ScreeningTimerDue runs a conversation's timer: its reminder, due
// RemindAfter after the provider took its question (quiet hours may have
// held the question: then the reminder waits), or its expiry. Step 0 means
// the conversation's current step (the sweep's catch-up). A timer for a
// step the conversation left, or after its end, does nothing.
func (s *Service) ScreeningTimerDue(ctx context.Context, contactID int64, event ScreeningEventKind, step int) error {
	now := s.cfg.Now()
	cfg := s.cfg.Screening
	var h screeningHandOver
	err := s.store.InTx(ctx, func(tx Store) error {
		o, err := tx.LockScreening(ctx, contactID)
		if errors.Is(err, ErrNotFound) || (err == nil && o.Screening.Status.Ended()) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lock screening: %w", err)
		}
		if step == 0 {
			step = o.Screening.Step
		}
		switch {
		case event == EventExpired && now.Before(o.ExpiresAt):
			return &RetryAtError{At: o.ExpiresAt, Reason: "not expired yet"}
		case event == EventReminderDue && step == o.Screening.Step && !o.Screening.Reminded:
			if o.AskedAt == nil {
				return &RetryAtError{At: now.Add(cfg.remindAfter()), Reason: "question not sent yet"}
			}
			if due := o.AskedAt.Add(cfg.remindAfter()); now.Before(due) {
				return &RetryAtError{At: due, Reason: "question sent later than planned"}
			}
		}
		t := cfg.Next(o.Screening, ScreeningEvent{Kind: event, Step: step})
		h, err = s.advanceScreening(ctx, tx, o, t, now)
		return err
	})
	if err != nil {
		return err
	}
	s.handOverScreening(ctx, h)
	return nil
}

// handOverScreening hands a committed transition's SMS and timers to the
// queue. A failure (Redis down) is logged, not returned: the transition is
// stored, and the outbox sweep hands over what is left.
func (s *Service) handOverScreening(ctx context.Context, h screeningHandOver) {
	if len(h.messages) > 0 {
		if _, err := s.queueScreeningMessages(ctx, h.messages, s.reminderAt(s.cfg.Now())); err != nil {
			s.log.Warn("queue screening sms: the outbox sweep will", "err", err)
		}
	}
	for _, t := range h.timers {
		if err := s.queue.EnqueueScreeningTimer(ctx, t); err != nil {
			s.log.Warn("schedule screening timer: the sweep will catch up", "contact_id", t.ContactID,
				"event", t.Event, "err", err)
		}
	}
}

// queueScreeningMessages hands messages to the queue for at (zero: now)
// and marks queued those it took.
func (s *Service) queueScreeningMessages(ctx context.Context, ids []int64, at time.Time) (int, error) {
	return s.handOver(ctx, ids, func(ctx context.Context, id int64) error {
		return s.queue.EnqueueScreeningMessage(ctx, id, at)
	}, s.store.MarkScreeningMessagesQueued)
}
