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

// shownToEmployer selects, of the contacts k of candidates c, those the
// employer sees: referred, and still saying yes. A STOP or a counsellor's
// correction since the referral takes the candidate off, and so does a
// STOP after the campaign closed (it changes no reply, but withdraws the
// number), and an erasure.
const shownToEmployer = `k.referred_at IS NOT NULL AND k.reply = 'interested' AND c.erased_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM opt_outs x WHERE x.phone = c.phone)`

// ReferredCandidates lists the contacts referred for the offer and still
// saying yes, in the order they were referred, then best match first,
// with only what the employer may see: first name, phone and their own
// latest status (and the candidate's id, for the audit log).
func (s *Store) ReferredCandidates(ctx context.Context, offerID int64) ([]outreach.EmployerCandidate, error) {
	const q = `SELECT k.id, k.candidate_id, c.first_name, c.phone, coalesce(e.status, ''), e.set_at
FROM contacts k JOIN candidates c ON c.id = k.candidate_id
LEFT JOIN LATERAL (` + latestEmployerStatus + `) e ON true
WHERE k.offer_id = $1 AND ` + shownToEmployer + `
ORDER BY k.referred_at, k.score DESC, k.id`
	rows, err := s.db.Query(ctx, q, offerID)
	if err != nil {
		return nil, translate(err, "referred candidates")
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.EmployerCandidate, error) {
		var c outreach.EmployerCandidate
		err := row.Scan(&c.ContactID, &c.CandidateID, &c.FirstName, &c.Phone, &c.Status, &c.StatusAt)
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

// RecordEmployerStatus appends a status of the contact when the
// employer sees it (shownToEmployer), checked in the same statement.
func (s *Store) RecordEmployerStatus(ctx context.Context, offerID, contactID int64, status outreach.EmployerStatus,
	at time.Time) error {
	const q = `INSERT INTO employer_statuses (contact_id, status, set_at)
SELECT k.id, $3, $4 FROM contacts k JOIN candidates c ON c.id = k.candidate_id
WHERE k.id = $2 AND k.offer_id = $1 AND ` + shownToEmployer + `
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
WHERE k.offer_id = $1 AND c.erased_at IS NULL
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
