package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Employer storage (migration 016): the statuses employers set on the
// candidates referred to them, append-only, the latest one counting.

// latestEmployerStatus is the employer's latest status of contact k, for
// a lateral join.
const latestEmployerStatus = `SELECT es.status, es.set_at FROM employer_statuses es
	WHERE es.contact_id = k.id ORDER BY es.set_at DESC, es.id DESC LIMIT 1`

// ReferredCandidates lists the contacts referred for the offer, in the
// order they were referred, then best match first, with only what the
// employer may see: first name, phone and their own latest status.
func (s *Store) ReferredCandidates(ctx context.Context, offerID int64) ([]outreach.EmployerCandidate, error) {
	const q = `SELECT k.id, c.first_name, c.phone, coalesce(e.status, ''), e.set_at
FROM contacts k JOIN candidates c ON c.id = k.candidate_id
LEFT JOIN LATERAL (` + latestEmployerStatus + `) e ON true
WHERE k.offer_id = $1 AND k.referred_at IS NOT NULL
ORDER BY k.referred_at, k.score DESC, k.id`
	rows, err := s.db.Query(ctx, q, offerID)
	if err != nil {
		return nil, translate(err, "referred candidates")
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.EmployerCandidate, error) {
		var c outreach.EmployerCandidate
		err := row.Scan(&c.ContactID, &c.FirstName, &c.Phone, &c.Status, &c.StatusAt)
		return c, err
	})
	if err != nil {
		return nil, translate(err, "referred candidates")
	}
	if cs == nil {
		cs = []outreach.EmployerCandidate{}
	}
	return cs, nil
}

// RecordEmployerStatus appends a status of the contact when it was
// referred for the offer, checked in the same statement.
func (s *Store) RecordEmployerStatus(ctx context.Context, offerID, contactID int64, status outreach.EmployerStatus,
	at time.Time) error {
	const q = `INSERT INTO employer_statuses (contact_id, status, set_at)
SELECT id, $3, $4 FROM contacts WHERE id = $2 AND offer_id = $1 AND referred_at IS NOT NULL
RETURNING id`
	var id int64
	err := s.db.QueryRow(ctx, q, offerID, contactID, string(status), at).Scan(&id)
	return translate(err, fmt.Sprintf("contact %d referred for offer %d", contactID, offerID))
}

// EmployerStatusHistory lists every status set on the offer's contacts,
// oldest first.
func (s *Store) EmployerStatusHistory(ctx context.Context, offerID int64) ([]outreach.EmployerStatusChange, error) {
	const q = `SELECT es.id, es.contact_id, c.first_name, es.status, es.set_at
FROM employer_statuses es JOIN contacts k ON k.id = es.contact_id JOIN candidates c ON c.id = k.candidate_id
WHERE k.offer_id = $1
ORDER BY es.set_at, es.id`
	rows, err := s.db.Query(ctx, q, offerID)
	if err != nil {
		return nil, translate(err, "employer statuses")
	}
	hs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.EmployerStatusChange, error) {
		var h outreach.EmployerStatusChange
		err := row.Scan(&h.ID, &h.ContactID, &h.FirstName, &h.Status, &h.At)
		return h, err
	})
	if err != nil {
		return nil, translate(err, "employer statuses")
	}
	if hs == nil {
		hs = []outreach.EmployerStatusChange{}
	}
	return hs, nil
}
