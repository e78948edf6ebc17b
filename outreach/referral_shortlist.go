package outreach

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// maxDecisionReason is the longest reason a counsellor gives for a
// decision, in characters.
const maxDecisionReason = 500

// Shortlist lists the candidates who said yes to the offer, best match
// first: the list the counsellor validates before the employer sees it,
// final once the campaign closed. Each comes with their pre-screening,
// whether they are proposed to the employer (see DefaultProposal, then the
// counsellor's latest decision), their referral and its timings.
func (s *Service) Shortlist(ctx context.Context, offerID int64) (Shortlist, error) {
	_, list, err := s.shortlist(ctx, offerID)
	return list, err
}

// shortlist reads the offer and its shortlist.
func (s *Service) shortlist(ctx context.Context, offerID int64) (Offer, Shortlist, error) {
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return o, Shortlist{}, err
	}
	cs, err := s.store.ShortlistContacts(ctx, offerID)
	if err != nil {
		return o, Shortlist{}, fmt.Errorf("shortlist of offer %d: %w", offerID, err)
	}
	out := Shortlist{Campaign: s.Campaign(o), Contacts: make([]ShortlistContact, 0, len(cs))}
	for _, c := range cs {
		out.Contacts = append(out.Contacts, c.settled(o))
	}
	return o, out, nil
}

// settled fills in what follows from the stored facts: the default, the
// proposal and the timings.
func (c ShortlistContact) settled(o Offer) ShortlistContact {
	var sc *Screening
	if c.Screening != nil {
		sc = &c.Screening.Screening
	}
	c.ProposedByDefault = DefaultProposal(sc)
	c.Proposed = c.ProposedByDefault
	if n := len(c.Decisions); n > 0 {
		c.Proposed = c.Decisions[n-1].Proposed
	}
	c.ScreeningTime, c.ReferralTime = nil, nil
	if c.Screening.completed() {
		d := c.Screening.EndedAt.Sub(c.Screening.StartedAt)
		c.ScreeningTime = &d
	}
	if c.ReferredAt != nil {
		d := c.ReferredAt.Sub(o.CreatedAt)
		c.ReferralTime = &d
	}
	return c
}

// contact finds a candidate on the shortlist.
func (l Shortlist) contact(candidateID int64) (ShortlistContact, bool) {
	for _, c := range l.Contacts {
		if c.CandidateID == candidateID {
			return c, true
		}
	}
	return ShortlistContact{}, false
}

// DecideShortlist records the counsellor's decision to propose a candidate
// who said yes to the offer to the employer, or not, and returns the
// candidate's entry with it. A candidate texted about the offer who did
// not say yes (no, unclear, STOP, no answer yet, or a yes corrected) is
// invalid: the employer never receives their data. Going against the default (see
// DefaultProposal) needs a reason; every decision is kept, the latest one
// counting. A referral already made stands.
func (s *Service) DecideShortlist(ctx context.Context, offerID, candidateID, counsellorID int64, proposed bool,
	reason string) (ShortlistContact, error) {
	list, err := s.Shortlist(ctx, offerID)
	if err != nil {
		return ShortlistContact{}, err
	}
	c, ok := list.contact(candidateID)
	if !ok {
		return ShortlistContact{}, s.notOnShortlist(ctx, offerID, candidateID)
	}
	co, err := s.decidingCounsellor(ctx, counsellorID)
	if err != nil {
		return ShortlistContact{}, err
	}
	if reason = strings.TrimSpace(reason); reason == "" && proposed != c.ProposedByDefault {
		return ShortlistContact{}, invalid("reason", "is required to go against the default (%s)", defaultWording(c.ProposedByDefault))
	}
	if reason != "" {
		if err := checkText("reason", reason, maxDecisionReason); err != nil {
			return ShortlistContact{}, err
		}
	}
	d := ShortlistDecision{ContactID: c.ID, Proposed: proposed, Reason: reason, CounsellorID: co.ID,
		CounsellorName: co.Name, DecidedAt: s.cfg.Now().Truncate(time.Microsecond)}
	if err := s.store.RecordShortlistDecision(ctx, &d); err != nil {
		return ShortlistContact{}, fmt.Errorf("record shortlist decision: %w", err)
	}
	s.log.Info("shortlist decision", "offer_id", offerID, "contact_id", c.ID, "counsellor_id", co.ID,
		"proposed", proposed, "by_default", c.ProposedByDefault)
	c.Decisions = append(c.Decisions, d)
	c.Proposed = proposed
	return c, nil
}

func defaultWording(proposed bool) string {
	if proposed {
		return "proposed"
	}
	return "not proposed"
}

// decidingCounsellor loads the counsellor who decides or refers; an
// unknown one is an invalid counsellor_id.
func (s *Service) decidingCounsellor(ctx context.Context, id int64) (Counsellor, error) {
	if err := s.checkCounsellor(ctx, id); err != nil {
		return Counsellor{}, err
	}
	co, err := s.store.Counsellor(ctx, id)
	if err != nil {
		return Counsellor{}, fmt.Errorf("load counsellor: %w", err)
	}
	return co, nil
}

// Refer refers to the employer every candidate of the offer proposed and
// not referred yet, on behalf of the counsellor, and returns them, best
// match first. Calling it again refers only those proposed since: each
// candidate is referred once, even by two calls at the same time. (The
// employer's own page comes later; this records the referral.)
func (s *Service) Refer(ctx context.Context, offerID, counsellorID int64) ([]ShortlistContact, error) {
	o, list, err := s.shortlist(ctx, offerID)
	if err != nil {
		return nil, err
	}
	if _, err := s.decidingCounsellor(ctx, counsellorID); err != nil {
		return nil, err
	}
	var ids []int64
	for _, c := range list.Contacts {
		if c.Proposed && c.ReferredAt == nil {
			ids = append(ids, c.ID)
		}
	}
	out := []ShortlistContact{}
	if len(ids) == 0 {
		return out, nil
	}
	now := s.cfg.Now().Truncate(time.Microsecond)
	done, err := s.store.MarkReferred(ctx, ids, counsellorID, now)
	if err != nil {
		return nil, fmt.Errorf("refer candidates: %w", err)
	}
	referred := make(map[int64]bool, len(done))
	for _, id := range done {
		referred[id] = true
	}
	for _, c := range list.Contacts {
		if referred[c.ID] {
			c.ReferredAt, c.ReferredBy = &now, counsellorID
			out = append(out, c.settled(o))
		}
	}
	s.log.Info("candidates referred", "offer_id", offerID, "counsellor_id", counsellorID, "referred", len(out))
	return out, nil
}
