package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// CreateContacts inserts the contacts in one statement, skipping existing
// (offer, candidate) pairs, and returns those inserted.
func (s *Store) CreateContacts(ctx context.Context, cs []outreach.Contact) ([]outreach.Contact, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	const q = `
INSERT INTO contacts (offer_id, candidate_id, phone, status, score, distance_km, reasons, body)
SELECT o, c, p, st, sc, d, r::jsonb, b
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[], $8::text[])
	AS t(o, c, p, st, sc, d, r, b)
ON CONFLICT (offer_id, candidate_id) DO NOTHING
RETURNING id, candidate_id, created_at`
	n := len(cs)
	offers, cands := make([]int64, n), make([]int64, n)
	phones, statuses, reasons, bodies := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	scores, dists := make([]float64, n), make([]float64, n)
	byCandidate := make(map[int64]outreach.Contact, n)
	for i, c := range cs {
		r, err := json.Marshal(c.Reasons)
		if err != nil {
			return nil, fmt.Errorf("encode reasons: %w", err)
		}
		offers[i], cands[i], phones[i], statuses[i] = c.OfferID, c.CandidateID, c.Phone, string(c.Status)
		scores[i], dists[i], reasons[i], bodies[i] = c.Score, c.DistanceKM, string(r), c.Body
		byCandidate[c.CandidateID] = c
	}
	rows, err := s.db.Query(ctx, q, offers, cands, phones, statuses, scores, dists, reasons, bodies)
	if err != nil {
		return nil, translate(err, "insert contacts")
	}
	defer rows.Close()
	var out []outreach.Contact
	for rows.Next() {
		var id, candID int64
		var at time.Time
		if err := rows.Scan(&id, &candID, &at); err != nil {
			return nil, translate(err, "scan contact")
		}
		c := byCandidate[candID]
		c.ID, c.CreatedAt = id, at
		out = append(out, c)
	}
	return out, translate(rows.Err(), "insert contacts")
}

// UnqueuedContacts lists the offer's contacts not yet handed to the queue.
func (s *Store) UnqueuedContacts(ctx context.Context, offerID int64) ([]int64, error) {
	const q = `SELECT id FROM contacts WHERE offer_id = $1 AND enqueued_at IS NULL AND status = 'queued' ORDER BY score DESC, id`
	rows, err := s.db.Query(ctx, q, offerID)
	if err != nil {
		return nil, translate(err, "unqueued contacts")
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, "scan contact id")
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err(), "unqueued contacts")
}

// MarkEnqueued records that the queue holds these contacts.
func (s *Store) MarkEnqueued(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.Exec(ctx, `UPDATE contacts SET enqueued_at = now() WHERE id = ANY ($1) AND enqueued_at IS NULL`, ids)
	return translate(err, "mark enqueued")
}

const contactColumns = `k.id, k.offer_id, k.candidate_id, k.phone, k.status, k.score, k.distance_km, k.reasons, k.body,
	coalesce(k.message_sid, ''), coalesce(k.error_code, 0), coalesce(k.error_message, ''), coalesce(k.reply, ''),
	k.replied_at, k.sent_at, k.delivered_at, k.created_at, c.external_id, c.first_name`

func scanContact(row interface{ Scan(...any) error }) (outreach.Contact, error) {
	var k outreach.Contact
	var reasons []byte
	err := row.Scan(&k.ID, &k.OfferID, &k.CandidateID, &k.Phone, &k.Status, &k.Score, &k.DistanceKM, &reasons, &k.Body,
		&k.MessageSID, &k.ErrorCode, &k.ErrorMessage, &k.Reply, &k.RepliedAt, &k.SentAt, &k.DeliveredAt, &k.CreatedAt,
		&k.ExternalID, &k.FirstName)
	if err != nil {
		return k, err
	}
	if err := json.Unmarshal(reasons, &k.Reasons); err != nil {
		return k, fmt.Errorf("decode reasons of contact %d: %w", k.ID, err)
	}
	return k, nil
}

// Contact loads one contact.
func (s *Store) Contact(ctx context.Context, id int64) (outreach.Contact, error) {
	q := `SELECT ` + contactColumns + ` FROM contacts k JOIN candidates c ON c.id = k.candidate_id WHERE k.id = $1`
	k, err := scanContact(s.db.QueryRow(ctx, q, id))
	return k, translate(err, fmt.Sprintf("contact %d", id))
}

// ContactBySID loads and locks the contact with that provider SID.
func (s *Store) ContactBySID(ctx context.Context, sid string) (outreach.Contact, error) {
	q := `SELECT ` + contactColumns + ` FROM contacts k JOIN candidates c ON c.id = k.candidate_id
WHERE k.message_sid = $1 FOR UPDATE OF k`
	k, err := scanContact(s.db.QueryRow(ctx, q, sid))
	return k, translate(err, "contact by sid")
}

// OfferContacts lists the offer's contacts, best match first.
func (s *Store) OfferContacts(ctx context.Context, offerID int64) ([]outreach.Contact, error) {
	q := `SELECT ` + contactColumns + ` FROM contacts k JOIN candidates c ON c.id = k.candidate_id
WHERE k.offer_id = $1 ORDER BY k.score DESC, k.id`
	rows, err := s.db.Query(ctx, q, offerID)
	if err != nil {
		return nil, translate(err, "offer contacts")
	}
	defer rows.Close()
	out := []outreach.Contact{}
	for rows.Next() {
		k, err := scanContact(rows)
		if err != nil {
			return nil, translate(err, "scan contact")
		}
		out = append(out, k)
	}
	return out, translate(rows.Err(), "offer contacts")
}

// ClaimSend marks a queued, unsent, unclaimed contact as being sent.
func (s *Store) ClaimSend(ctx context.Context, id int64) (bool, error) {
	const q = `UPDATE contacts SET send_claimed_at = now(), updated_at = now()
WHERE id = $1 AND status = 'queued' AND message_sid IS NULL AND send_claimed_at IS NULL`
	tag, err := s.db.Exec(ctx, q, id)
	return tag.RowsAffected() == 1, translate(err, "claim contact")
}

// ReleaseSend frees a claim after the provider refused the SMS transiently.
func (s *Store) ReleaseSend(ctx context.Context, id int64) error {
	_, err := s.db.Exec(ctx, `UPDATE contacts SET send_claimed_at = NULL, updated_at = now() WHERE id = $1 AND message_sid IS NULL`, id)
	return translate(err, "release contact")
}

// RecordSent stores the provider SID of a sent SMS.
func (s *Store) RecordSent(ctx context.Context, id int64, sid string, at time.Time) error {
	const q = `UPDATE contacts SET message_sid = $2, status = 'sent', sent_at = $3, updated_at = now()
WHERE id = $1 AND message_sid IS NULL`
	tag, err := s.db.Exec(ctx, q, id, sid, at)
	if err == nil && tag.RowsAffected() != 1 {
		return fmt.Errorf("record sent: contact %d already has a message sid", id)
	}
	return translate(err, "record sent")
}

// RecordFailed marks a contact failed with the provider's reason.
func (s *Store) RecordFailed(ctx context.Context, id int64, code int, message string) error {
	const q = `UPDATE contacts SET status = 'failed', error_code = nullif($2, 0), error_message = $3, updated_at = now()
WHERE id = $1 AND message_sid IS NULL`
	_, err := s.db.Exec(ctx, q, id, code, message)
	return translate(err, "record failed")
}

// SetContactStatus moves a contact to a new status (the caller checked
// that it is a move forward).
func (s *Store) SetContactStatus(ctx context.Context, id int64, st outreach.ContactStatus, errorCode int, at time.Time) error {
	const q = `UPDATE contacts SET status = $2, error_code = coalesce(nullif($3, 0), error_code),
	delivered_at = CASE WHEN $2 = 'delivered' THEN $4 ELSE delivered_at END, updated_at = now()
WHERE id = $1`
	_, err := s.db.Exec(ctx, q, id, string(st), errorCode, at)
	return translate(err, "set contact status")
}

// SetReply records the candidate's interest in the offer.
func (s *Store) SetReply(ctx context.Context, id int64, reply outreach.Interest, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE contacts SET reply = nullif($2, ''), replied_at = $3, updated_at = now() WHERE id = $1`,
		id, string(reply), at)
	return translate(err, "set reply")
}

// RecordStatusEvent stores a delivery report once per (sid, status).
func (s *Store) RecordStatusEvent(ctx context.Context, sid, status string, errorCode int) (bool, error) {
	const q = `INSERT INTO status_events (message_sid, status, error_code) VALUES ($1, $2, nullif($3, 0))
ON CONFLICT DO NOTHING`
	tag, err := s.db.Exec(ctx, q, sid, status, errorCode)
	return tag.RowsAffected() == 1, translate(err, "record status event")
}

// StatusEvents lists the delivery reports received for a SID, oldest first.
func (s *Store) StatusEvents(ctx context.Context, sid string) ([]outreach.StatusReport, error) {
	rows, err := s.db.Query(ctx, `SELECT message_sid, status, coalesce(error_code, 0) FROM status_events
WHERE message_sid = $1 ORDER BY received_at`, sid)
	if err != nil {
		return nil, translate(err, "status events")
	}
	defer rows.Close()
	var out []outreach.StatusReport
	for rows.Next() {
		var r outreach.StatusReport
		if err := rows.Scan(&r.MessageSID, &r.Status, &r.ErrorCode); err != nil {
			return nil, translate(err, "scan status event")
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "status events")
}
