package outreach

import (
	"context"
	"time"
)

// ContactTally counts an offer's contacts that share a status, a reply
// and a provider error code, with the first and last time one of them
// was sent.
type ContactTally struct {
	Status      ContactStatus
	Reply       Interest // "" until the candidate answers
	ErrorCode   int      // 0 when the provider gave none
	Count       int
	FirstSentAt *time.Time // nil when none of them was sent
	LastSentAt  *time.Time
}

// OutreachSummary is where an offer's outreach stands, in counts only:
// cheap enough to poll while a campaign of thousands of SMS goes out,
// unlike OutreachProgress, which lists every contact.
type OutreachSummary struct {
	Total    int
	Statuses map[ContactStatus]int // every known status (0 when none), and any other found
	Replies  map[Interest]int      // every known interest (0 when none), and any other found
	Replied  int
	// Failures counts the undelivered and failed contacts by provider
	// error code; 0 stands for a failure without a code.
	Failures    map[int]int
	FirstSentAt *time.Time // nil until an SMS is sent
	LastSentAt  *time.Time
	// Done is true when no contact is left planned, queued or sending,
	// including when the outreach has not started.
	Done bool
}

// interests lists the interests a reply may record, for the counts.
var interests = []Interest{InterestInterested, InterestDeclined, InterestUnclear, InterestOptedOut}

// OutreachSummary counts the offer's contacts by status, reply and
// delivery error code, from one grouped query whatever the campaign size.
func (s *Service) OutreachSummary(ctx context.Context, offerID int64) (OutreachSummary, error) {
	if _, err := s.store.Offer(ctx, offerID); err != nil {
		return OutreachSummary{}, err
	}
	tallies, err := s.store.OfferContactTallies(ctx, offerID)
	if err != nil {
		return OutreachSummary{}, err
	}
	return summarize(tallies), nil
}

func summarize(tallies []ContactTally) OutreachSummary {
	sum := OutreachSummary{Statuses: map[ContactStatus]int{}, Replies: map[Interest]int{}, Failures: map[int]int{}}
	for _, st := range ContactStatuses {
		sum.Statuses[st] = 0
	}
	for _, in := range interests {
		sum.Replies[in] = 0
	}
	for _, t := range tallies {
		sum.Total += t.Count
		sum.Statuses[t.Status] += t.Count
		if t.Reply != "" {
			sum.Replies[t.Reply] += t.Count
			sum.Replied += t.Count
		}
		if t.Status == StatusUndelivered || t.Status == StatusFailed {
			sum.Failures[t.ErrorCode] += t.Count
		}
		if t.FirstSentAt != nil && (sum.FirstSentAt == nil || t.FirstSentAt.Before(*sum.FirstSentAt)) {
			sum.FirstSentAt = t.FirstSentAt
		}
		if t.LastSentAt != nil && (sum.LastSentAt == nil || t.LastSentAt.After(*sum.LastSentAt)) {
			sum.LastSentAt = t.LastSentAt
		}
	}
	sum.Done = sum.Statuses[StatusPlanned]+sum.Statuses[StatusQueued]+sum.Statuses[StatusSending] == 0
	return sum
}
