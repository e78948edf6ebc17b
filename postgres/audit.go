package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Audit log storage (migration 017): one row per page or export that
// showed job seekers' personal data, per erasure and per retention run,
// append-only; "who saw X" is one lookup of the GIN index on
// candidate_ids.

// RecordAccess appends a to the audit log and fills its ID.
func (s *Store) RecordAccess(ctx context.Context, a *outreach.Access) error {
	const q = `INSERT INTO audit_log (at, actor_kind, actor_id, action, what, candidate_ids, counts, request_id)
VALUES ($1, $2, nullif($3::bigint, 0), $4, $5, $6, coalesce($7::jsonb, '{}'), $8)
RETURNING id`
	ids := a.CandidateIDs
	if ids == nil {
		ids = []int64{}
	}
	err := s.db.QueryRow(ctx, q, a.At, string(a.Actor.Kind), a.Actor.ID, string(a.Action), a.What, ids, a.Counts,
		a.RequestID).Scan(&a.ID)
	return translate(err, "insert audit log row")
}

// CandidateAccesses lists the latest limit accesses to the job seeker's
// data, oldest first.
func (s *Store) CandidateAccesses(ctx context.Context, candidateID int64, limit int) ([]outreach.Access, error) {
	const q = `SELECT id, at, actor_kind, coalesce(actor_id, 0), action, what, candidate_ids, counts, request_id
FROM audit_log WHERE candidate_ids @> ARRAY[$1::bigint]
ORDER BY at DESC, id DESC LIMIT $2`
	rows, err := s.db.Query(ctx, q, candidateID, limit)
	if err != nil {
		return nil, translate(err, "audit log")
	}
	as, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.Access, error) {
		var a outreach.Access
		err := row.Scan(&a.ID, &a.At, &a.Actor.Kind, &a.Actor.ID, &a.Action, &a.What, &a.CandidateIDs, &a.Counts,
			&a.RequestID)
		return a, err
	})
	if err != nil {
		return nil, translate(err, "audit log")
	}
	slices.Reverse(as)
	if as == nil {
		as = []outreach.Access{}
	}
	return as, nil
}

// CandidateIDByExternalID finds a job seeker not erased by their external id.
func (s *Store) CandidateIDByExternalID(ctx context.Context, externalID string) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM candidates WHERE external_id = $1 AND erased_at IS NULL`, externalID).Scan(&id)
	return id, translate(err, "candidate")
}

// ContactInterest is what the job seeker answered the offer's SMS, ""
// for nothing yet; ErrNotFound when they were not texted about it, or
// were erased.
func (s *Store) ContactInterest(ctx context.Context, offerID, candidateID int64) (outreach.Interest, error) {
	const q = `SELECT coalesce(k.reply, '') FROM contacts k JOIN candidates c ON c.id = k.candidate_id
WHERE k.offer_id = $1 AND k.candidate_id = $2 AND c.erased_at IS NULL`
	var in outreach.Interest
	err := s.db.QueryRow(ctx, q, offerID, candidateID).Scan(&in)
	return in, translate(err, fmt.Sprintf("contact of candidate %d for offer %d", candidateID, offerID))
}
