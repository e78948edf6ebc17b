package outreach

import (
	"context"
	"errors"
	"fmt"
)

// HandleInbound understands an SMS from a job seeker, ties it to the
// contact it answers, and records it, their interest, their consent and
// their counsellor's inbox item together. The same MessageSID twice
// changes nothing the second time. An answer to a pre-screening question
// goes to its conversation (see answerScreening); a yes to an offer that
// asks questions starts one.
func (s *Service) HandleInbound(ctx context.Context, in Inbound) (InboundOutcome, error) {
	if phone, err := NormalizePhone(in.From); err == nil {
		in.From = phone
	}
	parsed := ParseReply(in.Body)
	in.Intent, in.OfferRef, in.Link = parsed.Intent, parsed.OfferRef, LinkNone
	if a, ok := AnswerOf(parsed); ok {
		out, handled, err := s.answerScreening(ctx, &in, a)
		if err != nil {
			return InboundOutcome{}, fmt.Errorf("screening answer: %w", err)
		}
		if handled {
			s.delivered(ctx, in, out)
			return out, nil
		}
	}
	out := InboundOutcome{Intent: in.Intent}
	item, effect, target, err := s.linkReply(ctx, &in)
	if err != nil {
		return InboundOutcome{}, err
	}
	var fresh, started bool
	var h screeningHandOver
	if effect.Interest == InterestInterested && target.HasQuestions {
		// The yes and the start of its conversation commit together.
		err = s.store.InTx(ctx, func(tx Store) error {
			if fresh, err = tx.RecordInbound(ctx, &in, &item, effect); err != nil || !fresh {
				return err
			}
			h, started, err = s.startScreening(ctx, tx, target, effect.At)
			return err
		})
	} else {
		fresh, err = s.store.RecordInbound(ctx, &in, &item, effect)
	}
	if err != nil {
		return InboundOutcome{}, fmt.Errorf("store inbound: %w", err)
	}
	if !fresh {
		out.Duplicate = true
		return out, nil
	}
	if in.ContactID != 0 && target.SentAt != nil {
		s.obs.ReplyLatency(max(effect.At.Sub(*target.SentAt), 0))
	}
	out.Item = &item
	known := in.CandidateID != 0
	switch {
	case started:
		out.Reply = s.screeningStartReply(target.OfferRef, effect.At)
		s.handOverScreening(ctx, h)
	case known || in.Intent == IntentStop || in.Intent == IntentStart || in.Intent == IntentHelp:
		out.Reply = s.replyConfirmation(in.Intent, item.Late)
	}
	s.delivered(ctx, in, out)
	return out, nil
}

// delivered logs a recorded inbound SMS and pushes its inbox item to the
// counsellor's open inboxes.
func (s *Service) delivered(ctx context.Context, in Inbound, out InboundOutcome) {
	if out.Item == nil {
		return
	}
	s.log.InfoContext(ctx, "reply received", "intent", in.Intent, "link", in.Link, "phone", MaskPhone(in.From),
		"contact_id", in.ContactID, "counsellor_id", out.Item.CounsellorID, "screening", out.Item.Screening)
	if err := s.notify.InboxItemCreated(ctx, *out.Item); err != nil {
		// The item is stored: the inbox shows it on the next load.
		s.log.WarnContext(ctx, "notify counsellor", "err", err, "inbox_item_id", out.Item.ID)
	}
}

// linkReply finds who wrote and about which offer, and what their reply
// changes. It only reads: RecordInbound writes, in one statement, and its
// update of the interest is conditional on the interest it replaces, so
// two replies racing from one person leave what one after the other would.
func (s *Service) linkReply(ctx context.Context, in *Inbound) (InboxItem, ReplyEffect, ReplyTarget, error) {
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
		return item, effect, t, nil
	case !errors.Is(err, ErrNotFound):
		return item, effect, t, fmt.Errorf("find contact: %w", err)
	}
	// No recent SMS to that number: a job seeker writing first, or an
	// unknown number (then the item goes to the administrators).
	cand, err := s.store.CandidateByPhone(ctx, in.From)
	switch {
	case err == nil:
		in.CandidateID = cand.ID
		item.CandidateID, item.CounsellorID = cand.ID, cand.CounsellorID
	case !errors.Is(err, ErrNotFound):
		return item, effect, ReplyTarget{}, fmt.Errorf("find candidate: %w", err)
	}
	return item, effect, ReplyTarget{}, nil
}
