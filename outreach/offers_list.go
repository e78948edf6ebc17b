package outreach

import (
	"context"
	"fmt"
)

// The offers a counsellor lists in the web app: their own, or every offer
// of their agency for an administrator, with where each campaign stands.

// OfferListStore lists the offers a viewer sees.
type OfferListStore interface {
	// ViewerOffers lists the offers v sees (see Viewer.Sees), newest
	// first, at most limit, each with the counts of its contacts.
	ViewerOffers(ctx context.Context, v Viewer, limit int) ([]OfferListing, error)
}

// OfferListing is an offer as the list of offers shows it: without its
// questions, with its owner's name and the counts of its contacts.
type OfferListing struct {
	Offer
	CounsellorName string
	// Sent counts the SMS handed to the provider (sent, delivered or
	// undelivered); Replied the contacts who answered, of whom Interested
	// said yes.
	Sent, Replied, Interested int
}

// CampaignStatus is where an offer's outreach stands, for a list.
type CampaignStatus string

// Campaign statuses: before the first contacts, while the campaign is
// open, after it closed (see Campaign).
const (
	CampaignNotStarted CampaignStatus = "not_started"
	CampaignRunning    CampaignStatus = "running"
	CampaignClosed     CampaignStatus = "closed"
)

// CampaignStatus tells where the offer's outreach stands.
func (o Offer) CampaignStatus() CampaignStatus {
	switch {
	case o.ClosedAt != nil:
		return CampaignClosed
	case o.OutreachStartedAt != nil:
		return CampaignRunning
	}
	return CampaignNotStarted
}

// MaxOfferListing is the most offers one call to Offers lists.
const MaxOfferListing = 1000

// Offers lists the offers v sees, newest first, at most limit (1 to
// MaxOfferListing).
func (s *Service) Offers(ctx context.Context, v Viewer, limit int) ([]OfferListing, error) {
	if v.CounsellorID == 0 {
		return nil, invalid("viewer", "required")
	}
	if limit < 1 || limit > MaxOfferListing {
		return nil, invalid("limit", "must be between 1 and %d", MaxOfferListing)
	}
	offers, err := s.store.ViewerOffers(ctx, v, limit)
	if err != nil {
		return nil, fmt.Errorf("list offers: %w", err)
	}
	return offers, nil
}
