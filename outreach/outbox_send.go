package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// claimedSMS is an SMS claimed through one of the outboxes that send
// without delivery reports (reminders, pre-screening SMS), with how to
// record what the provider did with it.
type claimedSMS struct {
	what        string  // "reminder", "screening sms"
	kind        SMSKind // in metrics
	logAttrs    []any   // identify it in logs, e.g. "contact_id", 12
	phone, body string
	failed      func(ctx context.Context, tx Store) error   // refused for good
	release     func(ctx context.Context) error             // back to queued, for a retry
	sent        func(ctx context.Context, sid string) error // the provider took it
}

// sendClaimed hands a claimed SMS to the provider and records the outcome:
// a refusal for good fails it (and opts the phone out when the provider
// says it did), a transient error releases it for a retry, a success
// stores its SID; that last record is never retried, since the SMS went.
func (s *Service) sendClaimed(ctx context.Context, c claimedSMS) error {
	sent, err := s.sender.Send(ctx, OutboundSMS{To: c.phone, Body: c.body})
	var sendErr *SendError
	switch {
	case errors.As(err, &sendErr) && sendErr.Permanent:
		s.log.Warn(c.what+" refused", append(c.logAttrs, "phone", MaskPhone(c.phone), "code", sendErr.Code)...)
		s.obs.SMSSend(c.kind, SendFailed, sendErr.Code)
		err := s.store.InTx(ctx, func(tx Store) error {
			if err := c.failed(ctx, tx); err != nil {
				return err
			}
			if sendErr.OptedOut {
				return tx.OptOut(ctx, c.phone, "provider")
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("record refused %s: %w", c.what, err)
		}
		return &PermanentError{Err: sendErr}
	case err != nil:
		s.obs.SMSSend(c.kind, SendRetried, sendErrorCode(sendErr))
		if relErr := c.release(ctx); relErr != nil {
			return fmt.Errorf("release %s after %v: %w", c.what, err, relErr)
		}
		return fmt.Errorf("send %s: %w", c.what, err)
	}
	s.obs.SMSSend(c.kind, SendSent, 0)
	if err := c.sent(ctx, sent.SID); err != nil {
		// Already sent: a stale claim is settled by the sweep.
		return &PermanentError{Err: fmt.Errorf("record sent %s %s: %w", c.what, sent.SID, err)}
	}
	s.log.Info(c.what+" sent", append(c.logAttrs, "sid", sent.SID, "phone", MaskPhone(c.phone))...)
	return nil
}

// staleSMS is an SMS left in sending past the lease.
type staleSMS struct {
	id          int64
	phone, body string
	claimedAt   time.Time
}

// settleStale asks the provider about each SMS left in sending past the
// lease, as settleStaleSending does the offer SMS: adopt stores the SID
// when the provider holds the SMS (ErrNotFound: another sweep did), else
// requeue puts it back in the queue. It returns how many of each.
func (s *Service) settleStale(ctx context.Context, what string, stale []staleSMS,
	adopt func(ctx context.Context, id int64, sid string, at time.Time) error,
	requeue func(ctx context.Context, id int64) error) (adopted, released int, err error) {
	for _, c := range stale {
		sent, found, err := s.sender.FindSent(ctx, c.phone, c.body, c.claimedAt.Add(-time.Minute))
		if err != nil {
			return adopted, released, fmt.Errorf("ask the provider about %s %d: %w", what, c.id, err)
		}
		if !found {
			if err := requeue(ctx, c.id); err != nil {
				return adopted, released, fmt.Errorf("queue %s %d again: %w", what, c.id, err)
			}
			released++
			continue
		}
		// Sent about when it was claimed.
		if err := adopt(ctx, c.id, sent.SID, c.claimedAt); err != nil && !errors.Is(err, ErrNotFound) {
			return adopted, released, fmt.Errorf("adopt %s %s: %w", what, sent.SID, err)
		}
		s.log.Warn(what+" found at the provider after its worker stopped: SID adopted", "id", c.id, "sid", sent.SID)
		adopted++
	}
	return adopted, released, nil
}

// messageOutbox is an outbox of SMS sent without delivery reports (the
// pre-screening SMS, the counsellors' answers), by its store methods.
type messageOutbox struct {
	what    string  // in logs: "screening sms"
	kind    SMSKind // in metrics
	claim   func(s Store, ctx context.Context, id int64, at time.Time) (phone, body string, ok bool, err error)
	failed  func(s Store, ctx context.Context, id int64) error
	release func(s Store, ctx context.Context, id int64) error
	sent    func(s Store, ctx context.Context, id int64, sid string, at time.Time) error
}

// abandonFromOutbox marks failed message id of outbox o, whose sending
// kept failing transiently until the queue gave up.
func (s *Service) abandonFromOutbox(ctx context.Context, o messageOutbox, id int64, cause error) error {
	s.log.WarnContext(ctx, o.what+" abandoned after retries", "message_id", id, "err", cause)
	s.obs.SMSSend(o.kind, SendAbandoned, 0)
	return o.failed(s.store, ctx, id)
}

// sendFromOutbox sends message id of outbox o. It is safe to call more
// than once for the same message: only the call that claims it sends, and
// the claim skips a message no longer due. Quiet hours hold it (a
// RetryAtError); a crash after the provider took it is settled by the
// outbox sweep (settleStale).
func (s *Service) sendFromOutbox(ctx context.Context, o messageOutbox, id int64) error {
	if err := s.readyToSend(ctx); err != nil {
		return err
	}
	phone, body, ok, err := o.claim(s.store, ctx, id, s.cfg.Now())
	if err != nil {
		return fmt.Errorf("claim %s: %w", o.what, err)
	}
	if !ok {
		return nil // sent, being sent, or no longer due
	}
	return s.sendClaimed(ctx, claimedSMS{what: o.what, kind: o.kind, logAttrs: []any{"message_id", id}, phone: phone, body: body,
		failed:  func(ctx context.Context, tx Store) error { return o.failed(tx, ctx, id) },
		release: func(ctx context.Context) error { return o.release(s.store, ctx, id) },
		sent: func(ctx context.Context, sid string) error {
			return o.sent(s.store, ctx, id, sid, s.cfg.Now())
		},
	})
}
