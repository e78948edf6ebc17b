package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SendScreeningMessage sends one pre-screening SMS (a question, its
// re-ask, its reminder or the closing thanks). It is safe to call more
// than once for the same message: only the call that claims it sends, and
// the claim re-checks, in the same statement, that the phone did not opt
// out and that the conversation is still where the SMS was decided (an
// answer racing the reminder skips it). Quiet hours hold it; a crash
// after the provider took it is settled by the outbox sweep, as for the
// offer SMS.
func (s *Service) SendScreeningMessage(ctx context.Context, id int64) error {
	return s.sendFromOutbox(ctx, screeningMessages, id)
}

// screeningMessages is the pre-screening SMS outbox.
var screeningMessages = messageOutbox{
	what: "screening sms",
	kind: SMSScreening,
	claim: func(st Store, ctx context.Context, id int64, at time.Time) (string, string, bool, error) {
		c, ok, err := st.ClaimScreeningMessage(ctx, id, at)
		return c.Phone, c.Body, ok, err
	},
	failed:  Store.RecordScreeningMessageFailed,
	release: Store.ReleaseScreeningMessage,
	sent:    Store.RecordScreeningMessageSent,
}

// AbandonScreeningMessage marks failed a pre-screening SMS whose sending
// kept failing transiently until the queue gave up. Its conversation
// stays where it is, and expires unless the candidate writes.
func (s *Service) AbandonScreeningMessage(ctx context.Context, id int64, cause error) error {
	return s.abandonFromOutbox(ctx, screeningMessages, id, cause)
}

// ScreeningSwept reports what one sweep of the conversations did.
type ScreeningSwept struct {
	Queued   int // planned SMS queued
	Requeued int // queued SMS queued again after Redis lost its data
	Adopted  int // SMS the provider had sent: SID stored
	Released int // SMS the provider never got: queued again
	Reminded int // conversations whose reminder timer was lost, reminded
	Expired  int // conversations expired
}

// sweepScreenings is the conversations' part of ReconcileOutbox: it hands
// over the SMS a crash left planned, or all queued ones when the queue
// lost its data, settles those left in sending, and runs the timers that
// are due, in case the queue lost them (the timers' own tasks usually
// come first; the conversation's step makes a second run do nothing).
func (s *Service) sweepScreenings(ctx context.Context, now time.Time, lost bool) (ScreeningSwept, error) {
	var r ScreeningSwept
	at := s.reminderAt(now)
	for {
		ids, err := s.store.PlannedScreeningMessages(ctx, now.Add(-plannedGrace), sweepPage)
		if err != nil {
			return r, fmt.Errorf("planned screening sms: %w", err)
		}
		n, err := s.queueScreeningMessages(ctx, ids, at)
		r.Queued += n
		if err != nil {
			return r, err
		}
		if len(ids) < sweepPage || n == 0 {
			break
		}
	}
	if lost {
		if err := s.requeueScreeningMessages(ctx, at, &r); err != nil {
			return r, err
		}
	}
	if err := s.settleStaleScreeningMessages(ctx, now, at, &r); err != nil {
		return r, err
	}
	if err := s.runDueTimers(ctx, now, &r); err != nil {
		return r, err
	}
	return r, nil
}

// requeueScreeningMessages queues every queued SMS again (see requeueAll).
func (s *Service) requeueScreeningMessages(ctx context.Context, at time.Time, r *ScreeningSwept) error {
	n, err := requeuePages(ctx, "screening sms", s.store.QueuedScreeningMessages, func(ctx context.Context, id int64) error {
		return s.queue.EnqueueScreeningMessage(ctx, id, at)
	})
	r.Requeued += n
	return err
}

func (s *Service) settleStaleScreeningMessages(ctx context.Context, now, at time.Time, r *ScreeningSwept) error {
	if s.sender == nil {
		return nil
	}
	claims, err := s.store.StaleScreeningMessages(ctx, now.Add(-s.cfg.SendLease), sweepPage)
	if err != nil {
		return fmt.Errorf("stale screening sms: %w", err)
	}
	stale := make([]staleSMS, len(claims))
	for i, c := range claims {
		stale[i] = staleSMS{id: c.MessageID, phone: c.Phone, body: c.Body, claimedAt: c.ClaimedAt}
	}
	r.Adopted, r.Released, err = s.settleStale(ctx, "screening sms", stale, s.store.RecordScreeningMessageSent,
		func(ctx context.Context, id int64) error {
			if err := s.store.ReleaseScreeningMessage(ctx, id); err != nil {
				return err
			}
			return s.queue.EnqueueScreeningMessage(ctx, id, at)
		})
	return err
}

// runDueTimers expires the conversations past their expiry and reminds
// those whose question went unanswered for RemindAfter.
func (s *Service) runDueTimers(ctx context.Context, now time.Time, r *ScreeningSwept) error {
	expired, err := s.store.ExpiredScreenings(ctx, now, sweepPage)
	if err != nil {
		return fmt.Errorf("expired screenings: %w", err)
	}
	for _, id := range expired {
		if err := s.ScreeningTimerDue(ctx, id, EventExpired, 0); err != nil {
			return fmt.Errorf("expire screening of contact %d: %w", id, err)
		}
		r.Expired++
	}
	remindAfter := s.cfg.Screening.remindAfter()
	if remindAfter < 0 {
		return nil
	}
	due, err := s.store.DueScreeningReminders(ctx, now.Add(-remindAfter), sweepPage)
	if err != nil {
		return fmt.Errorf("due screening reminders: %w", err)
	}
	for _, id := range due {
		var later *RetryAtError
		if err := s.ScreeningTimerDue(ctx, id, EventReminderDue, 0); err != nil && !errors.As(err, &later) {
			return fmt.Errorf("remind screening of contact %d: %w", id, err)
		}
		r.Reminded++
	}
	return nil
}
