package outreach

import (
	"context"
	"fmt"
)

// What a Viewer may act on, checked on the server for every action on
// behalf of a counsellor: what another counsellor follows or owns is
// ErrNotFound, exactly as if it did not exist, so that ids cannot be
// probed.

// sees reports whether v sees what the counsellor ownerID follows or owns:
// v is that counsellor, or administers the agency that counsellor is in
// (an AgencyViewer too).
func (s *Service) sees(ctx context.Context, v Viewer, ownerID int64) (bool, error) {
	if ownerID == 0 || (v.CounsellorID == 0 && !v.agencyWide) {
		return false, nil
	}
	if ownerID == v.CounsellorID {
		return true, nil
	}
	if !v.Admin {
		return false, nil
	}
	owner, err := s.store.Counsellor(ctx, ownerID)
	if err != nil {
		return false, fmt.Errorf("owner of the record: %w", err)
	}
	return v.Sees(owner.ID, owner.Agency), nil
}

// seenOffer loads the offer when v sees it (see sees), else ErrNotFound.
func (s *Service) seenOffer(ctx context.Context, v Viewer, offerID int64) (Offer, error) {
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return Offer{}, err
	}
	ok, err := s.sees(ctx, v, o.CounsellorID)
	if err != nil {
		return Offer{}, err
	}
	if !ok {
		return Offer{}, &NotFoundError{What: fmt.Sprintf("offer %d", offerID)}
	}
	return o, nil
}

// seenCandidate loads the job seeker when v sees them, else ErrNotFound.
func (s *Service) seenCandidate(ctx context.Context, v Viewer, candidateID int64) (Candidate, error) {
	c, err := s.store.Candidate(ctx, candidateID)
	if err != nil {
		return Candidate{}, err
	}
	ok, err := s.sees(ctx, v, c.CounsellorID)
	if err != nil {
		return Candidate{}, err
	}
	if !ok {
		return Candidate{}, &NotFoundError{What: fmt.Sprintf("candidate %d", candidateID)}
	}
	return c, nil
}
