package outreach

import (
	"context"
	"errors"
	"fmt"
)

// HandleInbound understands an SMS from a job seeker, ties it to the
// contact it answers, and records it, their interest, their consent and
// their counsellor's inbox item in one transaction. The same MessageSID
// twice changes nothing the second time.
func (s *Service) HandleInbound(ctx context.Context, in Inbound) (InboundOutcome, error) {
	if phone, err := NormalizePhone(in.From); err == nil {
		in.From = phone
	}
	parsed := ParseReply(in.Body)
	in.Intent, in.OfferRef, in.Link = parsed.Intent, parsed.OfferRef, LinkNone
	out := InboundOutcome{Intent: in.Intent}
	item, effect, err := s.linkReply(ctx, &in)
	if err != nil {
		return InboundOutcome{}, err
	}
	fresh, err := s.store.RecordInbound(ctx, &in, &item, effect)
	if err != nil {
		return InboundOutcome{}, fmt.Errorf("store inbound: %w", err)
	}
	if !fresh {
		out.Duplicate = true
		return out, nil
	}
	out.Item = &item
	known := in.CandidateID != 0
	if known || in.Intent == IntentStop || in.Intent == IntentStart || in.Intent == IntentHelp {
		out.Reply = s.replyConfirmation(in.Intent, item.Late)
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
// changes. It only reads: RecordInbound writes, in one statement, and its
// update of the interest is conditional on the interest it replaces, so
// two replies racing from one person leave what one after the other would.
func (s *Service) linkReply(ctx context.Context, in *Inbound) (InboxItem, ReplyEffect, error) {
	var item InboxItem
	effect := ReplyEffect{At: s.cfg.Now()}
	switch in.Intent {
	case IntentStop:
		effect.Consent = ConsentOptOut
	case IntentStart:
		effect.Consent = ConsentOptIn
	}
	t, err := s.store.ContactForReply(ctx, in.From, in.OfferRef)
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
			effect.Interest, effect.Replaces = interest, InterestsReplacedBy(interest)
		}
		return item, effect, nil
	case !errors.Is(err, ErrNotFound):
		return item, effect, fmt.Errorf("find contact: %w", err)
	}
	// No recent SMS to that number: a job seeker writing first, or an
	// unknown number (then the item goes to the administrators).
	cand, err := s.store.CandidateByPhone(ctx, in.From)
	switch {
	case err == nil:
		in.CandidateID = cand.ID
		item.CandidateID, item.CounsellorID = cand.ID, cand.CounsellorID
	case !errors.Is(err, ErrNotFound):
		return item, effect, fmt.Errorf("find candidate: %w", err)
	}
	return item, effect, nil
}
