package outreach

import (
	"context"
	"errors"
	"fmt"
)

// What an agency's system (an AgencyViewer) may name in the API, checked
// like the web app's actions: what another agency holds is ErrNotFound,
// exactly as if it did not exist.

// CandidateFor loads the job seeker the viewer sees; ErrNotFound otherwise.
func (s *Service) CandidateFor(ctx context.Context, v Viewer, candidateID int64) (Candidate, error) {
	return s.seenCandidate(ctx, v, candidateID)
}

// ExternalCandidateFor loads the job seeker with that external id when the
// viewer sees them; ErrNotFound otherwise.
func (s *Service) ExternalCandidateFor(ctx context.Context, v Viewer, externalID string) (Candidate, error) {
	id, err := s.candidateID(ctx, externalID)
	if err != nil {
		return Candidate{}, err
	}
	return s.seenCandidate(ctx, v, id)
}

// CounsellorFor loads the counsellor when the viewer sees what they follow
// or own; ErrNotFound otherwise.
func (s *Service) CounsellorFor(ctx context.Context, v Viewer, counsellorID int64) (Counsellor, error) {
	co, err := s.store.Counsellor(ctx, counsellorID)
	if err != nil {
		return Counsellor{}, err
	}
	if !v.Sees(co.ID, co.Agency) {
		return Counsellor{}, &NotFoundError{What: fmt.Sprintf("counsellor %d", counsellorID)}
	}
	return co, nil
}

// CheckExternalID refuses an external id held by a job seeker the viewer
// does not see, so that an upsert never overwrites another agency's job
// seeker: nil when nobody holds it yet or the viewer sees its holder.
func (s *Service) CheckExternalID(ctx context.Context, v Viewer, externalID string) error {
	_, err := s.ExternalCandidateFor(ctx, v, externalID)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	if _, err := s.candidateID(ctx, externalID); errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return invalid("external_id", "conflicts with another candidate")
}
