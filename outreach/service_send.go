package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SendContact sends the SMS of one contact. It is safe to call more than
// once for the same contact (queue retries, redelivery, the outbox sweep
// queuing it again): only the call that moves the contact from planned or
// queued to sending sends, and a contact with a provider SID never goes
// back.
//
// The one window where a crash can leave an SMS unaccounted for is between
// the provider accepting it and the SID being committed: the contact then
// stays in sending without a SID. The outbox sweep settles it after
// ServiceConfig.SendLease by asking the provider whether it holds that SMS
// (adopting its SID) or not (queuing it again), so that even a worker
// killed mid-call neither loses nor doubles an SMS. What remains is a
// worker frozen (not dead) for longer than the lease while its call
// succeeds: then the SMS can go twice; the lease is 8 times the provider
// timeout for that reason.
func (s *Service) SendContact(ctx context.Context, contactID int64) error {
	if err := s.readyToSend(ctx); err != nil {
		return err
	}
	claim, ok, err := s.store.ClaimSend(ctx, contactID)
	if err != nil {
		return fmt.Errorf("claim contact: %w", err)
	}
	if !ok {
		return nil // sent, being sent or settled by another call
	}
	if claim.OptedOut {
		s.log.Info("not sending: recipient opted out", "contact_id", contactID, "phone", MaskPhone(claim.Phone))
		return s.store.RecordFailed(ctx, contactID, 0, "opted out before sending")
	}
	return s.send(ctx, claim)
}

// readyToSend says whether this process may send now: it has a sender
// (else a PermanentError), it is not quiet hours (else a RetryAtError), and
// the provider's pace gave it a turn.
func (s *Service) readyToSend(ctx context.Context) error {
	if s.sender == nil {
		return &PermanentError{Err: errors.New("this process has no SMS sender")}
	}
	if err := s.checkQuietHours(s.cfg.Now()); err != nil {
		return err
	}
	return s.pace(ctx)
}

// checkQuietHours returns a RetryAtError for the end of quiet hours when
// now is in them: nothing is sent then.
func (s *Service) checkQuietHours(now time.Time) error {
	if s.cfg.QuietHours.Allowed(now) {
		return nil
	}
	return &RetryAtError{At: s.cfg.QuietHours.NextAllowed(now), Reason: "quiet hours"}
}

// pace waits for the provider's pace, when one is set (see UsePacer).
func (s *Service) pace(ctx context.Context) error {
	if s.pacer == nil {
		return nil
	}
	if err := s.pacer.Wait(ctx); err != nil {
		return fmt.Errorf("wait for the provider's pace: %w", err)
	}
	return nil
}

// AbandonContact marks failed a contact whose sending kept failing
// transiently until the queue gave up, so that it does not stay queued.
func (s *Service) AbandonContact(ctx context.Context, contactID int64, cause error) error {
	s.log.Warn("sms abandoned after retries", "contact_id", contactID, "err", cause)
	s.obs.SMSSend(SMSOffer, SendAbandoned, 0)
	return s.store.RecordFailed(ctx, contactID, 0, "provider unreachable after retries: "+cause.Error())
}

func (s *Service) send(ctx context.Context, c SendClaim) error {
	sent, err := s.sender.Send(ctx, OutboundSMS{To: c.Phone, Body: c.Body, StatusCallback: s.cfg.StatusCallbackURL})
	var sendErr *SendError
	switch {
	case errors.As(err, &sendErr) && sendErr.Permanent:
		s.log.Warn("sms refused", "contact_id", c.ContactID, "phone", MaskPhone(c.Phone), "code", sendErr.Code)
		s.obs.SMSSend(SMSOffer, SendFailed, sendErr.Code)
		if err := s.recordRefusal(ctx, c, sendErr); err != nil {
			return err
		}
		return &PermanentError{Err: sendErr}
	case err != nil:
		// The provider did not take the SMS: back to queued, for a retry.
		s.obs.SMSSend(SMSOffer, SendRetried, sendErrorCode(sendErr))
		if relErr := s.store.ReleaseSend(ctx, c.ContactID); relErr != nil {
			return fmt.Errorf("release contact after %v: %w", err, relErr)
		}
		return fmt.Errorf("send sms: %w", err)
	}
	s.obs.SMSSend(SMSOffer, SendSent, 0)
	if err := s.recordSent(ctx, c.ContactID, sent.SID); err != nil {
		// Already sent: a retry must not send again, so this is not
		// retried; the outbox sweep adopts the SID from the provider.
		return &PermanentError{Err: err}
	}
	s.log.Info("sms sent", "contact_id", c.ContactID, "sid", sent.SID, "phone", MaskPhone(c.Phone))
	return nil
}

// recordSent stores the SID of a contact being sent, then applies the
// delivery reports that arrived before it. Two statements, no transaction:
// the hot path of every SMS. RecordSent and RecordStatusEvent share a lock
// per SID, so a report is applied by one side or the other.
func (s *Service) recordSent(ctx context.Context, contactID int64, sid string) error {
	early, err := s.store.RecordSent(ctx, contactID, sid, s.cfg.Now())
	if err != nil {
		return fmt.Errorf("record sent sms %s: %w", sid, err)
	}
	if !early {
		return nil
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.ContactBySID(ctx, sid)
		if err != nil {
			return err
		}
		early, err := tx.StatusEvents(ctx, sid)
		if err != nil {
			return err
		}
		for _, r := range early {
			if c, err = s.applyStatus(ctx, tx, c, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply early reports of sms %s: %w", sid, err)
	}
	return nil
}

func (s *Service) recordRefusal(ctx context.Context, c SendClaim, e *SendError) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.RecordFailed(ctx, c.ContactID, e.Code, e.Message); err != nil {
			return err
		}
		if e.OptedOut {
			return tx.OptOut(ctx, c.Phone, "provider")
		}
		return nil
	})
}

// StatusOutcome is what applying a delivery report did.
type StatusOutcome struct {
	Duplicate bool // already stored: a provider retry
	Moved     bool // a contact's status changed
}

// HandleStatus applies a provider delivery report. Repeated reports change
// nothing, and a late one never moves a contact backwards. It is the
// busiest webhook (two or more per SMS), so it is one transaction of one
// round trip to PostgreSQL. A report that arrives before its SMS's SID is
// recorded is kept, and applied by recordSent.
func (s *Service) HandleStatus(ctx context.Context, r StatusReport) (StatusOutcome, error) {
	var fresh, moved bool
	var err error
	if next, ok := ContactStatusFromProvider(r.Status); ok {
		fresh, moved, err = s.store.ApplyStatusReport(ctx, r, next, StatusesBefore(next), s.cfg.Now())
	} else {
		fresh, err = s.store.RecordStatusEvent(ctx, r.MessageSID, r.Status, r.ErrorCode)
	}
	if err != nil {
		return StatusOutcome{}, err
	}
	if fresh {
		s.obs.DeliveryReport(r.Status, r.ErrorCode)
	}
	return StatusOutcome{Duplicate: !fresh, Moved: moved}, nil
}

func (s *Service) applyStatus(ctx context.Context, tx Store, c Contact, r StatusReport) (Contact, error) {
	next, ok := ContactStatusFromProvider(r.Status)
	if !ok || !CanAdvance(c.Status, next) {
		return c, nil
	}
	if err := tx.SetContactStatus(ctx, c.ID, next, r.ErrorCode, s.cfg.Now()); err != nil {
		return c, fmt.Errorf("set contact status: %w", err)
	}
	c.Status = next
	return c, nil
}
