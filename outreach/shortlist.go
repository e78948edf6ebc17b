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
	Search(ctx context.Context, offer matcher.Offer, floor float64) (*matcher.Proposals, error)
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
//
// Two passes: the offer's own occupation first, whose candidates score
// highest; then all occupations, above the score of the limit-th match so
// far, which spares most related occupations and far-away candidates.
func (s *Service) rankTop(ctx context.Context, o Offer, limit int) ([]Match, error) {
	mo, err := s.matcherOffer(ctx, s.store, o)
	if err != nil {
		return nil, err
	}
	exact := mo
	exact.Related = nil
	t := topN{svc: s, offerID: o.ID, offer: mo, limit: limit, checked: map[int64]bool{}}
	for _, pass := range []matcher.Offer{exact, mo} {
		proposals, err := s.index.Search(ctx, pass, t.floor())
		if err != nil {
			return nil, fmt.Errorf("search candidate index: %w", err)
		}
		if err := t.take(ctx, proposals); err != nil {
			return nil, err
		}
	}
	return withContacts(t.ranked, t.pool, limit), nil
}

// topN is a shortlist being filled from proposals.
type topN struct {
	svc     *Service
	offerID int64
	offer   matcher.Offer
	limit   int
	pool    []MatchCandidate // checked and eligible as far as the database says
	checked map[int64]bool
	ranked  []matcher.Match
}

// floor is the least score that can still enter the shortlist (with a
// margin for rounding), or 0 while it is not full.
func (t *topN) floor() float64 {
	if len(t.ranked) < t.limit {
		return 0
	}
	// Scores are rounded to 0.1: a bound under the limit-th score by more
	// than half of that ranks below it.
	return t.ranked[t.limit-1].Score - 0.06
}

// take checks proposals against the database, best bound first and in
// growing rounds, until none left could enter the shortlist.
func (t *topN) take(ctx context.Context, proposals *matcher.Proposals) error {
	for batch := firstCheck * t.limit; ; batch *= 2 {
		if bound, ok := proposals.Bound(); !ok || bound < t.floor() {
			return nil
		}
		var ids []int64
		for _, b := range proposals.Next(batch) {
			if !t.checked[b.ID] {
				t.checked[b.ID] = true
				ids = append(ids, b.ID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		found, err := t.svc.store.MatchCandidatesByID(ctx, t.offerID, ids)
		if err != nil {
			return fmt.Errorf("check proposed candidates: %w", err)
		}
		t.pool = append(t.pool, found...)
		t.ranked = matcher.Rank(t.offer, candidatesOf(t.pool))
	}
}
