package outreach

import (
	"context"
	"fmt"
	"time"
)

// DefaultCampaignWindow is how long an offer's campaign stays open after
// its outreach started, unless ServiceConfig.CampaignWindow says otherwise.
const DefaultCampaignWindow = 72 * time.Hour

// FollowUpStore keeps the campaigns' windows and the contacts' reminders.
// A reminder moves through explicit states, like the offer SMS (migration
// 011): none → queued → sending → sent, or failed, or skipped when a reply,
// an opt-out or the close came first. Each change is a conditional update.
type FollowUpStore interface {
	// MarkOutreachStarted records when the offer's outreach first started;
	// later calls change nothing.
	MarkOutreachStarted(ctx context.Context, offerID int64, at time.Time) error
	// CloseCampaigns closes, at at, the open campaigns started before
	// startedBefore, and returns how many it closed.
	CloseCampaigns(ctx context.Context, startedBefore, at time.Time) (int, error)
	// DueReminders lists up to limit contacts due a reminder: SMS sent
	// between sentAfter and sentBefore, no reply, no reminder yet, offer
	// open, phone not opted out; oldest SMS first.
	DueReminders(ctx context.Context, sentAfter, sentBefore time.Time, limit int) ([]int64, error)
	// MarkRemindersQueued moves the reminders of these contacts from none
	// to queued, and returns how many it moved.
	MarkRemindersQueued(ctx context.Context, ids []int64) (int, error)
	// QueuedReminders pages through the queued reminders in contact ID order.
	QueuedReminders(ctx context.Context, after int64, limit int) ([]int64, error)
	// StaleReminders lists reminders claimed before the given time and
	// still without a provider SID.
	StaleReminders(ctx context.Context, claimedBefore time.Time, limit int) ([]SendClaim, error)
	// ClaimReminder moves a contact's reminder from none or queued to
	// sending with that body, when it is still due: SMS sent or
	// delivered, no reply, campaign open and started after openSince,
	// phone not opted out; otherwise to skipped. ok is true only for the
	// call that moved it to sending, which alone may send it.
	ClaimReminder(ctx context.Context, id int64, body string, openSince time.Time) (c SendClaim, ok bool, err error)
	// ReleaseReminder puts a reminder being sent back in the queued state.
	ReleaseReminder(ctx context.Context, id int64) error
	// RecordReminderSent stores the provider SID of a reminder being sent.
	RecordReminderSent(ctx context.Context, id int64, sid string, at time.Time) error
	// RecordReminderFailed marks failed a reminder not sent.
	RecordReminderFailed(ctx context.Context, id int64) error
}

// Campaign is where an offer's outreach stands in time: it starts when its
// first contacts are committed and closes ServiceConfig.CampaignWindow
// later, when the outbox sweep sets ClosedAt. From then on no reminder goes
// out, replies no longer change anyone's interest, and the shortlist is
// final for the counsellor to validate.
type Campaign struct {
	StartedAt *time.Time // nil until the outreach starts
	ClosesAt  *time.Time // StartedAt plus the window; nil until then
	ClosedAt  *time.Time // nil while open
}

// Final reports whether the campaign closed: its shortlist no longer changes.
func (c Campaign) Final() bool { return c.ClosedAt != nil }

// Campaign tells where the offer's campaign stands.
func (s *Service) Campaign(o Offer) Campaign {
	c := Campaign{StartedAt: o.OutreachStartedAt, ClosedAt: o.ClosedAt}
	if o.OutreachStartedAt != nil {
		closes := o.OutreachStartedAt.Add(s.cfg.CampaignWindow)
		c.ClosesAt = &closes
	}
	return c
}

// Shortlist is the candidates who said yes to an offer, and whether the
// list is final.
type Shortlist struct {
	Campaign Campaign
	Contacts []ShortlistContact // best match first
}

// closeCampaigns closes the campaigns whose window has passed.
func (s *Service) closeCampaigns(ctx context.Context, now time.Time) (int, error) {
	n, err := s.store.CloseCampaigns(ctx, now.Add(-s.cfg.CampaignWindow), now)
	if err != nil {
		return 0, fmt.Errorf("close campaigns: %w", err)
	}
	return n, nil
}

// replyConfirmation is the SMS answering a reply; late says that the
// campaign had closed, so that a yes or a no no longer counted.
func (s *Service) replyConfirmation(intent Intent, late bool) string {
	if late && (intent == IntentYes || intent == IntentNo || intent == IntentUnclear) {
		return ComposeLateReplyConfirmation(s.cfg.AgencyName)
	}
	return ComposeReplyConfirmation(intent, s.cfg.AgencyName)
}
