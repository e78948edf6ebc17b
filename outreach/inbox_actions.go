package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// What a counsellor does with an inbox item: mark it handled, correct how
// the reply was understood, answer by SMS (see AnswerBySMS), read the
// thread (see Thread). Every action is scoped by a Viewer: an item of a
// job seeker the viewer does not see is ErrNotFound.

// InboxActionStore keeps what counsellors do with their inbox items.
type InboxActionStore interface {
	// InboxItemScope reads what acting on an inbox item needs: who wrote,
	// who follows them, and the contact the reply answers, if any.
	InboxItemScope(ctx context.Context, itemID int64) (InboxItemScope, error)
	// SetInboxItemHandled records when the item was handled, or that it
	// is not (nil).
	SetInboxItemHandled(ctx context.Context, itemID int64, at *time.Time) error
	// LockContactInterest reads the contact's interest ("" for none) and
	// locks the contact until the transaction ends.
	LockContactInterest(ctx context.Context, contactID int64) (Interest, error)
	// RecordInterestCorrection sets the contact's interest to c.To,
	// appends the correction and marks its inbox item corrected, and
	// fills c.ID.
	RecordInterestCorrection(ctx context.Context, c *InterestCorrection) error
	// Thread lists the latest limit SMS exchanged with the job seeker,
	// oldest first.
	Thread(ctx context.Context, candidateID int64, limit int) ([]ThreadMessage, error)
}

// InboxItemScope is an inbox item with what acting on it needs.
type InboxItemScope struct {
	ItemID int64
	From   string // the phone that wrote
	// CounsellorID follows the job seeker who wrote (candidates.
	// counsellor_id), 0 for an unknown sender.
	CounsellorID int64
	CandidateID  int64 // 0 for an unknown sender
	// Target is the contact the reply answers, ID 0 when none (a job
	// seeker writing first, an unknown sender).
	Target ReplyTarget
}

// InterestCorrection is a counsellor's correction of how a reply was
// understood: the contact's interest went from From to To.
type InterestCorrection struct {
	ID           int64
	InboxItemID  int64
	ContactID    int64
	From         Interest // "" when the reply said nothing of the offer
	To           Interest
	CounsellorID int64
	At           time.Time
	// StartedScreening is true when the correction to interested started
	// the pre-screening of an offer that asks questions.
	StartedScreening bool
	// StoppedScreening is true when the correction away from interested
	// ended a pre-screening under way.
	StoppedScreening bool
}

// CorrectableInterests are the interests a counsellor may set on a reply.
// Opting out is the job seeker's own (STOP, then START): never set, nor
// undone, by a correction.
var CorrectableInterests = []Interest{InterestInterested, InterestDeclined, InterestUnclear}

// seenItem reads the inbox item when v sees the job seeker who wrote.
// The replies of unknown senders go to the administrators.
func (s *Service) seenItem(ctx context.Context, v Viewer, itemID int64) (InboxItemScope, error) {
	sc, err := s.store.InboxItemScope(ctx, itemID)
	if err != nil {
		return InboxItemScope{}, err
	}
	ok := v.Admin && v.CounsellorID != 0 && sc.CandidateID == 0 && sc.CounsellorID == 0
	if !ok {
		if ok, err = s.sees(ctx, v, sc.CounsellorID); err != nil {
			return InboxItemScope{}, err
		}
	}
	if !ok {
		return InboxItemScope{}, &NotFoundError{What: fmt.Sprintf("inbox item %d", itemID)}
	}
	return sc, nil
}

// MarkHandled marks the inbox item handled, or not handled any more.
func (s *Service) MarkHandled(ctx context.Context, v Viewer, itemID int64, handled bool) error {
	if _, err := s.seenItem(ctx, v, itemID); err != nil {
		return err
	}
	var at *time.Time
	if handled {
		now := s.cfg.Now().Truncate(time.Microsecond)
		at = &now
	}
	if err := s.store.SetInboxItemHandled(ctx, itemID, at); err != nil {
		return fmt.Errorf("mark inbox item %d handled: %w", itemID, err)
	}
	return nil
}

// CorrectInterest records the counsellor's reading of a reply the service
// misunderstood: the contact's interest becomes interest (interested,
// declined or unclear), the correction is kept with who made it, from
// what, and when, and the inbox item shows it corrected. A correction to
// interested on an offer that asks questions starts the pre-screening, as
// a yes does, when the job seeker has none for it yet; a correction away
// from interested ends a pre-screening under way (incomplete), so that
// its next questions are not sent. The interest of a
// job seeker who opted out, and the shortlist of a closed campaign, stay
// as they are.
func (s *Service) CorrectInterest(ctx context.Context, v Viewer, itemID int64, interest Interest) (InterestCorrection, error) {
	if !correctable(interest) {
		return InterestCorrection{}, invalid("interest",
			"must be interested, declined or unclear (opting out is the job seeker's own: STOP)")
	}
	sc, err := s.seenItem(ctx, v, itemID)
	if err != nil {
		return InterestCorrection{}, err
	}
	t := sc.Target
	if t.ID == 0 {
		return InterestCorrection{}, invalid("item", "this reply answers no offer: there is no interest to correct")
	}
	if t.OfferClosedAt != nil {
		return InterestCorrection{}, invalid("interest", "the offer's campaign closed on %s: its shortlist is final",
			t.OfferClosedAt.UTC().Format(time.RFC3339))
	}
	c := InterestCorrection{InboxItemID: itemID, ContactID: t.ID, To: interest, CounsellorID: v.CounsellorID,
		At: s.cfg.Now().Truncate(time.Microsecond)}
	var h screeningHandOver
	err = s.store.InTx(ctx, func(tx Store) error {
		if c.From, err = tx.LockContactInterest(ctx, t.ID); err != nil {
			return err
		}
		if c.From == InterestOptedOut {
			return invalid("interest", "the job seeker opted out (STOP): only they can change it, by sending START")
		}
		if err := tx.RecordInterestCorrection(ctx, &c); err != nil {
			return err
		}
		if interest != InterestInterested {
			// Not a yes after all: no more questions.
			c.StoppedScreening, err = s.stopScreening(ctx, tx, t.ID, c.At)
			return err
		}
		if !t.HasQuestions {
			return nil
		}
		if out, err := tx.IsOptedOut(ctx, t.Phone); err != nil || out {
			return err // no question goes to a phone that opted out
		}
		h, c.StartedScreening, err = s.startScreening(ctx, tx, t, c.At)
		return err
	})
	if err != nil {
		return InterestCorrection{}, fmt.Errorf("correct interest: %w", err)
	}
	s.log.Info("interest corrected", "inbox_item_id", itemID, "contact_id", t.ID, "counsellor_id", v.CounsellorID,
		"from", c.From, "to", c.To, "screening_started", c.StartedScreening, "screening_stopped", c.StoppedScreening)
	s.handOverScreening(ctx, h)
	return c, nil
}

func correctable(i Interest) bool {
	for _, c := range CorrectableInterests {
		if i == c {
			return true
		}
	}
	return false
}

// stopScreening ends the contact's open pre-screening, if any, as
// incomplete, in tx; its planned SMS are then skipped by their claim.
func (s *Service) stopScreening(ctx context.Context, tx Store, contactID int64, at time.Time) (bool, error) {
	o, err := tx.LockScreening(ctx, contactID)
	if errors.Is(err, ErrNotFound) || (err == nil && o.Screening.Status.Ended()) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock screening: %w", err)
	}
	end := s.cfg.Screening.Next(o.Screening, ScreeningEvent{Kind: EventExpired})
	_, err = s.advanceScreening(ctx, tx, o, end, at) // ending plans nothing
	return err == nil, err
}
