package outreach

import (
	"context"
	"errors"
	"fmt"
)

// SendContact sends the SMS of one queued contact. It is safe to call more
// than once for the same contact (queue retries, redelivery): a contact
// that has a provider SID, or whose sending was claimed by another call,
// is never sent again.
//
// The one window where a crash can still duplicate or lose an SMS is
// between the provider accepting it and RecordSent committing its SID; the
// claim closes it in favour of "never twice": such a contact stays claimed
// without a SID, and is reported rather than resent.
func (s *Service) SendContact(ctx context.Context, contactID int64) error {
	if s.sender == nil {
		return &PermanentError{Err: errors.New("this process has no SMS sender")}
	}
	c, err := s.store.Contact(ctx, contactID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return &PermanentError{Err: err}
		}
		return fmt.Errorf("load contact: %w", err)
	}
	if c.Status != StatusQueued || c.MessageSID != "" {
		return nil
	}
	optedOut, err := s.store.IsOptedOut(ctx, c.Phone)
	if err != nil {
		return fmt.Errorf("check opt-out: %w", err)
	}
	if optedOut {
		s.log.Info("not sending: recipient opted out", "contact_id", c.ID, "phone", MaskPhone(c.Phone))
		return s.store.RecordFailed(ctx, c.ID, 0, "opted out before sending")
	}
	if now := s.cfg.Now(); !s.cfg.QuietHours.Allowed(now) {
		return &RetryAtError{At: s.cfg.QuietHours.NextAllowed(now), Reason: "quiet hours"}
	}
	claimed, err := s.store.ClaimSend(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("claim contact: %w", err)
	}
	if !claimed {
		s.log.Warn("not sending: contact already claimed", "contact_id", c.ID)
		return nil
	}
	return s.send(ctx, c)
}

func (s *Service) send(ctx context.Context, c Contact) error {
	sent, err := s.sender.Send(ctx, OutboundSMS{To: c.Phone, Body: c.Body, StatusCallback: s.cfg.StatusCallbackURL})
	var sendErr *SendError
	switch {
	case errors.As(err, &sendErr) && sendErr.Permanent:
		s.log.Warn("sms refused", "contact_id", c.ID, "phone", MaskPhone(c.Phone), "code", sendErr.Code)
		if err := s.recordRefusal(ctx, c, sendErr); err != nil {
			return err
		}
		return &PermanentError{Err: sendErr}
	case err != nil:
		// The provider did not take the SMS: free the claim so a retry may send it.
		if relErr := s.store.ReleaseSend(ctx, c.ID); relErr != nil {
			return fmt.Errorf("release contact after %v: %w", err, relErr)
		}
		return fmt.Errorf("send sms: %w", err)
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.RecordSent(ctx, c.ID, sent.SID, s.cfg.Now()); err != nil {
			return err
		}
		// Delivery reports may have arrived before the SID was stored.
		early, err := tx.StatusEvents(ctx, sent.SID)
		if err != nil {
			return err
		}
		c.Status, c.MessageSID = StatusSent, sent.SID
		for _, r := range early {
			if c, err = s.applyStatus(ctx, tx, c, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Already sent: a retry must not send again, so this is not retried.
		return &PermanentError{Err: fmt.Errorf("record sent sms %s: %w", sent.SID, err)}
	}
	s.log.Info("sms sent", "contact_id", c.ID, "sid", sent.SID, "phone", MaskPhone(c.Phone))
	return nil
}

func (s *Service) recordRefusal(ctx context.Context, c Contact, e *SendError) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.RecordFailed(ctx, c.ID, e.Code, e.Message); err != nil {
			return err
		}
		if e.OptedOut {
			return tx.OptOut(ctx, c.Phone, "provider")
		}
		return nil
	})
}

// HandleStatus applies a provider delivery report. Repeated reports change
// nothing, and a late one never moves a contact backwards.
func (s *Service) HandleStatus(ctx context.Context, r StatusReport) (applied bool, err error) {
	err = s.store.InTx(ctx, func(tx Store) error {
		fresh, err := tx.RecordStatusEvent(ctx, r.MessageSID, r.Status, r.ErrorCode)
		if err != nil || !fresh {
			return err
		}
		c, err := tx.ContactBySID(ctx, r.MessageSID)
		if errors.Is(err, ErrNotFound) {
			return nil // kept in status events; applied when the SID is recorded
		}
		if err != nil {
			return err
		}
		before := c.Status
		c, err = s.applyStatus(ctx, tx, c, r)
		applied = c.Status != before
		return err
	})
	return applied, err
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
