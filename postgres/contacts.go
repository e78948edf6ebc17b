package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/jackc/pgx/v5"
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
	const q = `SELECT id FROM contacts WHERE offer_id = $1 AND status = 'planned' ORDER BY score DESC, id`
	return s.contactIDs(ctx, "unqueued contacts", q, offerID)
}

// PlannedContacts lists up to limit contacts of any offer still planned
// (committed, not queued) since before: those whose outreach start did not
// queue them, because Redis was down or the process died.
func (s *Store) PlannedContacts(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	const q = `SELECT id FROM contacts WHERE message_sid IS NULL AND error_message IS NULL
	AND status = 'planned' AND created_at < $1 ORDER BY id LIMIT $2`
	return s.contactIDs(ctx, "planned contacts", q, before, limit)
}

// QueuedContacts lists up to limit queued contacts with an ID above
// after, in ID order: a page of the sweep that queues them again.
func (s *Store) QueuedContacts(ctx context.Context, after int64, limit int) ([]int64, error) {
	const q = `SELECT id FROM contacts WHERE message_sid IS NULL AND error_message IS NULL
	AND status = 'queued' AND id > $1 ORDER BY id LIMIT $2`
	return s.contactIDs(ctx, "queued contacts", q, after, limit)
}

func (s *Store) contactIDs(ctx context.Context, what, q string, args ...any) ([]int64, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, what)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, translate(err, what)
}

// MarkEnqueued moves planned contacts to queued: the queue holds them.
// Workers may be sending them already: rows they hold are skipped, never
// waited for (a campaign's 100,000 rows waiting on workers that wait on
// them was a deadlock). A skipped contact is being claimed, or stays
// planned and the outbox sweep queues it again (a no-op for the queue).
func (s *Store) MarkEnqueued(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	const q = `UPDATE contacts SET status = 'queued', enqueued_at = now(), updated_at = now()
WHERE id IN (SELECT id FROM contacts WHERE id = ANY ($1) AND status = 'planned' FOR UPDATE SKIP LOCKED)`
	_, err := s.db.Exec(ctx, q, ids)
	return translate(err, "mark enqueued")
}

// StaleSending lists up to limit contacts claimed for sending before
// claimedBefore and still without a provider SID: their worker died, or
// hangs, between the claim and the record of the SID.
func (s *Store) StaleSending(ctx context.Context, claimedBefore time.Time, limit int) ([]outreach.SendClaim, error) {
	const q = `SELECT id, phone, body, send_claimed_at FROM contacts
WHERE message_sid IS NULL AND error_message IS NULL AND status = 'sending' AND send_claimed_at < $1 ORDER BY id LIMIT $2`
	rows, err := s.db.Query(ctx, q, claimedBefore, limit)
	if err != nil {
		return nil, translate(err, "stale sending contacts")
	}
	claims, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.SendClaim, error) {
		var c outreach.SendClaim
		err := row.Scan(&c.ContactID, &c.Phone, &c.Body, &c.ClaimedAt)
		return c, err
	})
	return claims, translate(err, "stale sending contacts")
}

const contactColumns = `k.id, k.offer_id, k.candidate_id, k.phone, k.status, k.score, k.distance_km, k.reasons, k.body,
	coalesce(k.message_sid, ''), coalesce(k.error_code, 0), coalesce(k.error_message, ''), coalesce(k.reply, ''),
	k.replied_at, k.sent_at, k.delivered_at, k.created_at, c.external_id, c.first_name,
	coalesce(k.reminder_status, ''), k.reminded_at`

func scanContact(row interface{ Scan(...any) error }) (outreach.Contact, error) {
	var k outreach.Contact
	var reasons []byte
	err := row.Scan(&k.ID, &k.OfferID, &k.CandidateID, &k.Phone, &k.Status, &k.Score, &k.DistanceKM, &reasons, &k.Body,
		&k.MessageSID, &k.ErrorCode, &k.ErrorMessage, &k.Reply, &k.RepliedAt, &k.SentAt, &k.DeliveredAt, &k.CreatedAt,
		&k.ExternalID, &k.FirstName, &k.ReminderStatus, &k.RemindedAt)
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

// ClaimSend moves a planned or queued contact to sending, in one
// statement that also says whether its phone opted out. ok is false when
// the contact is anywhere else (being sent, sent, failed): nothing must be
// sent. A planned contact may be claimed: its task can run before the
// process that queued it marked it queued.
func (s *Store) ClaimSend(ctx context.Context, id int64) (outreach.SendClaim, bool, error) {
	if s.batch != nil {
		return s.batch.claim(ctx, id)
	}
	const q = `UPDATE contacts k SET status = 'sending', send_claimed_at = now(), updated_at = now()
WHERE k.id = $1 AND k.status IN ('planned', 'queued') AND k.message_sid IS NULL
RETURNING k.id, k.phone, k.body, k.send_claimed_at, EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = k.phone)`
	var c outreach.SendClaim
	err := s.db.QueryRow(ctx, q, id).Scan(&c.ContactID, &c.Phone, &c.Body, &c.ClaimedAt, &c.OptedOut)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, translate(err, "claim contact")
}

// ReleaseSend puts a contact being sent back in the queued state, after
// the provider refused the SMS transiently or never received it.
func (s *Store) ReleaseSend(ctx context.Context, id int64) error {
	const q = `UPDATE contacts SET status = 'queued', send_claimed_at = NULL, updated_at = now()
WHERE id = $1 AND status = 'sending' AND message_sid IS NULL`
	_, err := s.db.Exec(ctx, q, id)
	return translate(err, "release contact")
}

// messageLock serialises, per provider SID, the record of the SID and the
// record of a delivery report, so that a report arriving while the SID is
// being stored is either seen by the status webhook (the SID committed
// first) or by the sender's look for early reports (the report committed
// first): never by neither. Class 7 keeps these locks apart from others.
const messageLock = `SELECT pg_advisory_xact_lock(7, hashtext($2))`

// RecordSent stores the provider SID of an SMS being sent, in one
// statement that holds the SID's lock until it commits, then reports
// whether delivery reports for the SID arrived before (earlyReports).
func (s *Store) RecordSent(ctx context.Context, id int64, sid string, at time.Time) (bool, error) {
	if s.batch != nil {
		return s.batch.recordSent(ctx, id, sid, at)
	}
	const q = `WITH lock AS (` + messageLock + `)
UPDATE contacts k SET message_sid = $2, status = 'sent', sent_at = $3, updated_at = now() FROM lock
WHERE k.id = $1 AND k.status = 'sending' AND k.message_sid IS NULL`
	tag, err := s.db.Exec(ctx, q, id, sid, at)
	if err == nil && tag.RowsAffected() != 1 {
		return false, fmt.Errorf("record sent: contact %d is not being sent, or has a message sid", id)
	}
	if err != nil {
		return false, translate(err, "record sent")
	}
	return s.earlyReports(ctx, sid)
}

// earlyReports reports whether delivery reports for the SID are stored.
// Asked after the SID committed: with the lock of RecordStatusEvent, a
// report is then either here or will find the SID on the contact.
func (s *Store) earlyReports(ctx context.Context, sid string) (bool, error) {
	var early bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM status_events WHERE message_sid = $1)`, sid).Scan(&early)
	return early, translate(err, "early delivery reports")
}

// RecordFailed marks a contact failed with the provider's reason.
func (s *Store) RecordFailed(ctx context.Context, id int64, code int, message string) error {
	// Never a NULL message: a failed contact leaves the index of unsent ones.
	const q = `UPDATE contacts SET status = 'failed', error_code = nullif($2, 0), error_message = coalesce(nullif($3, ''), 'échec'), updated_at = now()
WHERE id = $1 AND message_sid IS NULL AND status IN ('planned', 'queued', 'sending')`
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
	const q = `WITH lock AS (SELECT pg_advisory_xact_lock(7, hashtext($1)))
INSERT INTO status_events (message_sid, status, error_code) SELECT $1, $2, nullif($3, 0) FROM lock
ON CONFLICT DO NOTHING`
	tag, err := s.db.Exec(ctx, q, sid, status, errorCode)
	return tag.RowsAffected() == 1, translate(err, "record status event")
}

// ApplyStatusReport stores a delivery report and moves its contact, in
// one round trip: the two statements go as one batch, which PostgreSQL
// runs as one implicit transaction. The first takes the SID's lock (see
// messageLock) before storing the event; the second, with a snapshot taken
// after that lock, sees a SID that RecordSent committed meanwhile. The
// move is conditional on the contact's current status, so a retried or
// late report changes nothing.
func (s *Store) ApplyStatusReport(ctx context.Context, r outreach.StatusReport, to outreach.ContactStatus,
	from []outreach.ContactStatus, at time.Time) (fresh, moved bool, err error) {
	if s.batch != nil {
		return s.batch.applyStatus(ctx, statusRequest{report: r, to: to, from: from, at: at})
	}
	const record = `WITH lock AS (SELECT pg_advisory_xact_lock(7, hashtext($1)))
INSERT INTO status_events (message_sid, status, error_code) SELECT $1, $2, nullif($3, 0) FROM lock
ON CONFLICT DO NOTHING`
	const move = `UPDATE contacts SET status = $2, error_code = coalesce(nullif($3, 0), error_code),
	delivered_at = CASE WHEN $2 = 'delivered' THEN $4 ELSE delivered_at END, updated_at = now()
WHERE message_sid = $1 AND status = ANY ($5)`
	fromText := make([]string, len(from))
	for i, f := range from {
		fromText[i] = string(f)
	}
	b := &pgx.Batch{}
	b.Queue(record, r.MessageSID, r.Status, r.ErrorCode)
	b.Queue(move, r.MessageSID, string(to), r.ErrorCode, at, fromText)
	res := s.db.SendBatch(ctx, b)
	recorded, err := res.Exec()
	if err != nil {
		res.Close()
		return false, false, translate(err, "record status event")
	}
	updated, err := res.Exec()
	if err != nil {
		res.Close()
		return false, false, translate(err, "apply status event")
	}
	if err := res.Close(); err != nil {
		return false, false, translate(err, "apply status event")
	}
	return recorded.RowsAffected() == 1, updated.RowsAffected() == 1, nil
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

// DeliveryFailures lists the undelivered and failed contacts of the
// counsellors' job seekers, newest first.
func (s *Store) DeliveryFailures(ctx context.Context, counsellorIDs []int64, limit int) ([]outreach.DeliveryFailure, error) {
	const q = `SELECT k.id, c.first_name, k.phone, o.title, o.reference, k.status, coalesce(k.error_code, 0), k.updated_at
FROM contacts k JOIN candidates c ON c.id = k.candidate_id JOIN offers o ON o.id = k.offer_id
WHERE c.counsellor_id = ANY($1) AND k.status IN ('undelivered', 'failed') AND c.erased_at IS NULL
ORDER BY k.updated_at DESC, k.id DESC LIMIT $2`
	rows, err := s.db.Query(ctx, q, counsellorIDs, limit)
	if err != nil {
		return nil, translate(err, "delivery failures")
	}
	failures, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.DeliveryFailure, error) {
		var f outreach.DeliveryFailure
		var phone string
		err := row.Scan(&f.ContactID, &f.FirstName, &phone, &f.OfferTitle, &f.OfferRef, &f.Status, &f.ErrorCode, &f.At)
		f.PhoneMasked = outreach.MaskPhone(phone)
		return f, err
	})
	return failures, translate(err, "delivery failures")
}
