package outreach

import (
	"context"
	"errors"
	"fmt"

	"github.com/franceoutreach/outreach/matcher"
)

// CandidateIndex proposes candidates for an offer from memory, with a
// bound of their score, after catching up with every committed change
// (postgres.LiveIndex). It returns ErrIndexNotReady while it loads.
type CandidateIndex interface {
	Search(ctx context.Context, offer matcher.Offer) (*matcher.Proposals, error)
}

// ErrIndexNotReady says the candidate index cannot answer yet; ranking
// then reads the database alone.
var ErrIndexNotReady = errors.New("candidate index not ready")

// UseIndex makes top-N shortlists (Matches with a limit) start from the
// index rather than from a database scan. Without it, or while it loads,
// they read the database alone; the result is the same.
func (s *Service) UseIndex(ix CandidateIndex) { s.index = ix }

// firstCheck is how many proposals the first database check reads, per
// shortlisted candidate wanted; later rounds double.
const firstCheck = 2

// rankTop ranks the best limit candidates for the offer. The index
// proposes candidates best bound first; each round checks the next ones
// against the database (consent, opt-out, past contacts, recent SMS) and
// ranks them exactly with matcher.Rank, until the limit-th match scores
// more than any proposal left could. The result is what rank would give,
// without reading every candidate in range.
func (s *Service) rankTop(ctx context.Context, o Offer, limit int) ([]Match, error) {
	mo, err := s.matcherOffer(ctx, s.store, o)
	if err != nil {
		return nil, err
	}
	proposals, err := s.index.Search(ctx, mo)
	if err != nil {
		return nil, fmt.Errorf("search candidate index: %w", err)
	}
	var pool []MatchCandidate
	var ranked []matcher.Match
	for batch := firstCheck * limit; ; batch *= 2 {
		if len(ranked) >= limit {
			bound, ok := proposals.Bound()
			// Scores are rounded to 0.1: a bound under the limit-th
			// score by more than half of that ranks below it.
			if !ok || bound < ranked[limit-1].Score-0.06 {
				break
			}
		}
		next := proposals.Next(batch)
		if len(next) == 0 {
			break
		}
		ids := make([]int64, len(next))
		for i, b := range next {
			ids[i] = b.ID
		}
		checked, err := s.store.MatchCandidatesByID(ctx, o.ID, ids)
		if err != nil {
			return nil, fmt.Errorf("check proposed candidates: %w", err)
		}
		pool = append(pool, checked...)
		ranked = matcher.Rank(mo, candidatesOf(pool))
	}
	return withContacts(ranked, pool, limit), nil
}
