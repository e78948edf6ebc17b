package outreach

import (
	"context"
	"errors"
	"fmt"
)

// HandleInbound understands an SMS from a job seeker, ties it to the
// contact it answers, records their interest or opt-out, and puts it in
// their counsellor's inbox, all in one transaction. The same MessageSID
// twice changes nothing the second time.
func (s *Service) HandleInbound(ctx context.Context, in Inbound) (InboundOutcome, error) {
	if phone, err := NormalizePhone(in.From); err == nil {
		in.From = phone
	}
	parsed := ParseReply(in.Body)
	in.Intent, in.OfferRef, in.Link = parsed.Intent, parsed.OfferRef, LinkNone
	out := InboundOutcome{Intent: in.Intent}
	err := s.store.InTx(ctx, func(tx Store) error {
		fresh, err := tx.InsertInbound(ctx, &in)
		if err != nil {
			return fmt.Errorf("store inbound: %w", err)
		}
		if !fresh {
			out.Duplicate = true
			return nil
		}
		item, known, err := s.applyReply(ctx, tx, &in)
		if err != nil {
			return err
		}
		if err := tx.LinkInbound(ctx, in); err != nil {
			return fmt.Errorf("link inbound: %w", err)
		}
		if err := tx.CreateInboxItem(ctx, &item); err != nil {
			return fmt.Errorf("create inbox item: %w", err)
		}
		out.Item = &item
		if known || in.Intent == IntentStop || in.Intent == IntentStart || in.Intent == IntentHelp {
			out.Reply = s.replyConfirmation(in.Intent, item.Late)
		}
		return nil
	})
	if err != nil {
		return InboundOutcome{}, err
	}
	if out.Item != nil {
		s.log.Info("reply received", "intent", in.Intent, "link", in.Link, "phone", MaskPhone(in.From),
			"contact_id", in.ContactID, "counsellor_id", out.Item.CounsellorID)
		if err := s.notify.InboxItemCreated(ctx, *out.Item); err != nil {
			// The item is stored: the inbox shows it on the next load.
			s.log.Warn("notify counsellor", "err", err, "inbox_item_id", out.Item.ID)
		}
	}
	return out, nil
}

// applyReply finds who wrote and about which offer, and records what they
// said. known is false for a number that matches no job seeker.
func (s *Service) applyReply(ctx context.Context, tx Store, in *Inbound) (InboxItem, bool, error) {
	item := InboxItem{InboundID: in.ID}
	link := LinkReference
	c, err := tx.ContactForReply(ctx, in.From, in.OfferRef)
	if in.OfferRef == "" || errors.Is(err, ErrNotFound) {
		// No reference, or one that is not theirs: assume the latest offer.
		link = LinkInferred
		c, err = tx.ContactForReply(ctx, in.From, "")
	}
	switch {
	case err == nil:
		in.ContactID, in.CandidateID, in.Link = c.ID, c.CandidateID, link
		item.ContactID, item.OfferID, item.CandidateID = c.ID, c.OfferID, c.CandidateID
	case !errors.Is(err, ErrNotFound):
		return item, false, fmt.Errorf("find contact: %w", err)
	}
	cand, err := tx.CandidateByPhone(ctx, in.From)
	if errors.Is(err, ErrNotFound) && in.CandidateID == 0 {
		return item, false, s.applyConsent(ctx, tx, in)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return item, false, fmt.Errorf("find candidate: %w", err)
	}
	if in.CandidateID == 0 {
		in.CandidateID = cand.ID
	} else if cand.ID != in.CandidateID {
		if cand, err = tx.Candidate(ctx, in.CandidateID); err != nil {
			return item, false, fmt.Errorf("load candidate: %w", err)
		}
	}
	item.CandidateID, item.CounsellorID = cand.ID, cand.CounsellorID
	// Once the campaign closed, the shortlist is final: a reply is shown
	// to the counsellor but changes no interest (STOP and START still
	// change the consent, below).
	item.Late = in.ContactID != 0 && c.OfferClosedAt != nil
	if interest, ok := InterestFromIntent(in.Intent); ok && in.ContactID != 0 && !item.Late {
		if err := tx.SetReply(ctx, in.ContactID, NextInterest(c.Reply, interest), s.cfg.Now()); err != nil {
			return item, false, fmt.Errorf("record reply: %w", err)
		}
	}
	return item, true, s.applyConsent(ctx, tx, in)
}

// applyConsent records STOP and START for the sending number.
func (s *Service) applyConsent(ctx context.Context, tx Store, in *Inbound) error {
	switch in.Intent {
	case IntentStop:
		return tx.OptOut(ctx, in.From, "sms")
	case IntentStart:
		return tx.OptIn(ctx, in.From, "sms")
	}
	return nil
}
