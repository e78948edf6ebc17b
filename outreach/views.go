package outreach

import "context"

// OutreachProgress is where an offer's outreach stands.
type OutreachProgress struct {
	Counts   map[string]int // by status and by reply
	Contacts []Contact
}

// Outreach reports the offer's contacts and their counts by status and reply.
func (s *Service) Outreach(ctx context.Context, offerID int64) (OutreachProgress, error) {
	if _, err := s.store.Offer(ctx, offerID); err != nil {
		return OutreachProgress{}, err
	}
	cs, err := s.store.OfferContacts(ctx, offerID)
	if err != nil {
		return OutreachProgress{}, err
	}
	counts := map[string]int{"total": len(cs), "replied": 0}
	for _, st := range ContactStatuses {
		counts[string(st)] = 0
	}
	for _, in := range []Interest{InterestInterested, InterestDeclined, InterestUnclear, InterestOptedOut} {
		counts[string(in)] = 0
	}
	for _, c := range cs {
		counts[string(c.Status)]++
		if c.Reply != "" {
			counts[string(c.Reply)]++
			counts["replied"]++
		}
	}
	return OutreachProgress{Counts: counts, Contacts: cs}, nil
}

// Inbox lists the replies of a counsellor's job seekers, newest first.
func (s *Service) Inbox(ctx context.Context, counsellorID int64, limit int) ([]InboxItem, error) {
	if _, err := s.store.Counsellor(ctx, counsellorID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		return nil, invalid("limit", "must be between 1 and 500")
	}
	return s.store.Inbox(ctx, counsellorID, limit)
}
