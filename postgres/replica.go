package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Option configures a Store (see NewStore).
type Option func(*Store)

// WithReplica sends the matcher's read-heavy queries to a read replica
// (a PostgreSQL hot standby): the candidates a shortlist ranks
// (MatchCandidates, MatchCandidatesByID) and the market peers of the
// offer insight (MarketOffers). A nil pool leaves them on the primary.
// The candidate index is loaded and kept current from the replica by
// giving its pool to NewLiveIndex.
//
// A replica lags: it may not hold yet a job seeker's opt-out, their
// withdrawn consent or the contact that says they were already texted
// about the offer. Its answers are therefore only shown, never acted on.
// Everything that decides who is texted runs on the primary: the outreach
// start ranks again inside its transaction (InTx, which never reads the
// replica) under the allocation lock, the contacts' unique key (offer,
// candidate) and the send claim are written there, and each send checks
// the opt-out there. A stale preview can show a job seeker who then gets
// no SMS, or miss one who then does, as if the preview were a moment
// older; it cannot cause a second SMS or text someone who said STOP.
func WithReplica(pool *pgxpool.Pool) Option {
	return func(s *Store) {
		if pool != nil {
			s.replica = pool
		}
	}
}

// reader is where the matcher's reads go: the replica, if any, outside a
// transaction; the primary (or the transaction) otherwise.
func (s *Store) reader() db {
	if s.replica != nil {
		return s.replica
	}
	return s.db
}
