package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ReminderStatus is where a contact's reminder stands (migration 011).
type ReminderStatus string

// Reminder statuses; a contact without a reminder has "".
const (
	ReminderQueued  ReminderStatus = "queued"  // in the queue
	ReminderSending ReminderStatus = "sending" // claimed by a worker, provider call in flight
	ReminderSent    ReminderStatus = "sent"    // the provider took it
	ReminderFailed  ReminderStatus = "failed"  // refused by the provider, or kept failing
	ReminderSkipped ReminderStatus = "skipped" // a reply, an opt-out or the close came first
)

// followUpOn reports whether unanswered SMS get a reminder.
func (s *Service) followUpOn() bool { return s.cfg.FollowUpAfter > 0 }

// RemindContact sends the reminder of a contact whose offer SMS went
// unanswered for ServiceConfig.FollowUpAfter: at most one per contact,
// however often it is called (queue retries, redelivery, sweeps racing).
// Only the call that claims the reminder sends it, and the claim re-checks,
// in the same statement, that nobody replied, that the campaign is open and
// that the phone did not opt out. The crash window between the provider
// taking the reminder and its SID being stored is closed by the outbox
// sweep, as for the offer SMS (see SendContact).
func (s *Service) RemindContact(ctx context.Context, contactID int64) error {
	if s.sender == nil {
		return &PermanentError{Err: errors.New("this process has no SMS sender")}
	}
	if !s.followUpOn() {
		s.log.Info("reminder not sent: follow-up is off", "contact_id", contactID)
		return nil
	}
	now := s.cfg.Now()
	if err := s.checkQuietHours(now); err != nil {
		return err
	}
	c, err := s.store.Contact(ctx, contactID)
	if errors.Is(err, ErrNotFound) {
		return &PermanentError{Err: err} // erased
	}
	if err != nil {
		return fmt.Errorf("load contact: %w", err)
	}
	if c.ReminderStatus != "" && c.ReminderStatus != ReminderQueued {
		return nil // sent, being sent or settled by another call
	}
	o, err := s.store.Offer(ctx, c.OfferID)
	if err != nil {
		return fmt.Errorf("load offer: %w", err)
	}
	// A contact that answered is skipped by the claim: no turn to wait for.
	if c.Reply == "" {
		if err := s.pace(ctx); err != nil {
			return err
		}
	}
	claim, ok, err := s.store.ClaimReminder(ctx, contactID, s.reminderBody(o, c), now.Add(-s.cfg.CampaignWindow))
	if err != nil {
		return fmt.Errorf("claim reminder: %w", err)
	}
	if !ok {
		return nil // answered, opted out, closed, or reminded by another call
	}
	return s.sendReminder(ctx, claim)
}

// reminderBody writes the contact's reminder with the agency's template.
func (s *Service) reminderBody(o Offer, c Contact) string {
	fields := OfferSMS{AgencyName: s.cfg.AgencyName, FirstName: c.FirstName, JobTitle: o.Title, Town: o.Town,
		ContractType: o.ContractType, Reference: o.Reference}
	body, err := s.cfg.SMSTemplates.Reminder(s.cfg.AgencyName).Compose(fields)
	if err != nil {
		s.log.Warn("agency's reminder template failed: built-in text used", "offer_id", o.ID, "err", err)
		body = ComposeReminderSMS(fields)
	}
	return body
}

// AbandonReminder marks failed a reminder whose sending kept failing
// transiently until the queue gave up.
func (s *Service) AbandonReminder(ctx context.Context, contactID int64, cause error) error {
	s.log.Warn("reminder abandoned after retries", "contact_id", contactID, "err", cause)
	s.obs.SMSSend(SMSReminder, SendAbandoned, 0)
	return s.store.RecordReminderFailed(ctx, contactID)
}

// sendReminder hands a claimed reminder to the provider. Its delivery
// reports are not asked for: the contact's status is its offer SMS's.
func (s *Service) sendReminder(ctx context.Context, c SendClaim) error {
	return s.sendClaimed(ctx, claimedSMS{what: "reminder", kind: SMSReminder, logAttrs: []any{"contact_id", c.ContactID},
		phone: c.Phone, body: c.Body,
		failed:  func(ctx context.Context, tx Store) error { return tx.RecordReminderFailed(ctx, c.ContactID) },
		release: func(ctx context.Context) error { return s.store.ReleaseReminder(ctx, c.ContactID) },
		sent: func(ctx context.Context, sid string) error {
			return s.store.RecordReminderSent(ctx, c.ContactID, sid, s.cfg.Now())
		},
	})
}

// reminderAt is when a reminder queued now may go: at once (the zero
// time, whatever the skew between this clock and the queue's), or at the
// end of quiet hours.
func (s *Service) reminderAt(now time.Time) time.Time {
	if s.cfg.QuietHours.Allowed(now) {
		return time.Time{}
	}
	return s.cfg.QuietHours.NextAllowed(now)
}

// sweepReminders is the reminders' part of ReconcileOutbox: it settles the
// reminders left in sending past the lease and queues those now due.
func (s *Service) sweepReminders(ctx context.Context, now time.Time, r *OutboxSwept) error {
	at := s.reminderAt(now)
	if err := s.settleStaleReminders(ctx, now, at, r); err != nil {
		return err
	}
	if !s.followUpOn() {
		return nil
	}
	for {
		ids, err := s.store.DueReminders(ctx, now.Add(-s.cfg.CampaignWindow), now.Add(-s.cfg.FollowUpAfter), sweepPage)
		if err != nil {
			return fmt.Errorf("due reminders: %w", err)
		}
		n, err := s.handOver(ctx, ids, func(ctx context.Context, id int64) error {
			return s.queue.EnqueueReminder(ctx, id, at)
		}, s.store.MarkRemindersQueued)
		r.RemindersQueued += n
		// A page whose rows were all held by other statements is read
		// again by the next sweep, not now.
		if err != nil || len(ids) < sweepPage || n == 0 {
			return err
		}
	}
}

// requeueReminders queues every queued reminder again (see requeueAll).
func (s *Service) requeueReminders(ctx context.Context, at time.Time, r *OutboxSwept) error {
	n, err := requeuePages(ctx, "reminder", s.store.QueuedReminders, func(ctx context.Context, id int64) error {
		return s.queue.EnqueueReminder(ctx, id, at)
	})
	r.RemindersRequeued += n
	return err
}

// settleStaleReminders settles the reminders left in sending past the
// lease, as settleStaleSending does the offer SMS (see settleStale).
func (s *Service) settleStaleReminders(ctx context.Context, now, at time.Time, r *OutboxSwept) error {
	if s.sender == nil {
		return nil
	}
	claims, err := s.store.StaleReminders(ctx, now.Add(-s.cfg.SendLease), sweepPage)
	if err != nil {
		return fmt.Errorf("stale reminders: %w", err)
	}
	stale := make([]staleSMS, len(claims))
	for i, c := range claims {
		stale[i] = staleSMS{id: c.ContactID, phone: c.Phone, body: c.Body, claimedAt: c.ClaimedAt}
	}
	adopted, released, err := s.settleStale(ctx, "reminder", stale, s.store.RecordReminderSent,
		func(ctx context.Context, id int64) error {
			if err := s.store.ReleaseReminder(ctx, id); err != nil {
				return err
			}
			return s.queue.EnqueueReminder(ctx, id, at)
		})
	r.RemindersAdopted += adopted
	r.RemindersReleased += released
	return err
}
