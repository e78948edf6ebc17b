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
		item, interest, err := s.linkReply(ctx, tx, &in)
		if err != nil {
			return err
		}
		fresh, err := tx.RecordInbound(ctx, &in, &item, interest, s.cfg.Now())
		if err != nil {
			return fmt.Errorf("store inbound: %w", err)
		}
		if !fresh {
			out.Duplicate = true
			return nil
		}
		if err := s.applyConsent(ctx, tx, &in); err != nil {
			return err
		}
		out.Item = &item
		known := in.CandidateID != 0
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

// linkReply finds who wrote and about which offer, and what their reply
// makes of their interest in it ("" for no change). It reads (and locks
// the contact): the caller writes, in one statement.
func (s *Service) linkReply(ctx context.Context, tx Store, in *Inbound) (InboxItem, Interest, error) {
	var item InboxItem
	t, err := tx.ContactForReply(ctx, in.From, in.OfferRef)
	switch {
	case err == nil:
		// A reference that is not theirs, or none: the latest offer,
		// shown as inferred.
		in.ContactID, in.CandidateID, in.Link = t.ID, t.CandidateID, LinkInferred
		if t.ByReference {
			in.Link = LinkReference
		}
		item = InboxItem{ContactID: t.ID, OfferID: t.OfferID, CandidateID: t.CandidateID, CounsellorID: t.CounsellorID}
		// Once the campaign closed, the shortlist is final: a reply is
		// shown to the counsellor but changes no interest (STOP and START
		// still change the consent).
		item.Late = t.OfferClosedAt != nil
		if interest, ok := InterestFromIntent(in.Intent); ok && !item.Late {
			return item, NextInterest(t.Reply, interest), nil
		}
		return item, "", nil
	case !errors.Is(err, ErrNotFound):
		return item, "", fmt.Errorf("find contact: %w", err)
	}
	// No recent SMS to that number: a job seeker writing first, or an
	// unknown number (then the item goes to the administrators).
	cand, err := tx.CandidateByPhone(ctx, in.From)
	switch {
	case err == nil:
		in.CandidateID = cand.ID
		item.CandidateID, item.CounsellorID = cand.ID, cand.CounsellorID
	case !errors.Is(err, ErrNotFound):
		return item, "", fmt.Errorf("find candidate: %w", err)
	}
	return item, "", nil
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
