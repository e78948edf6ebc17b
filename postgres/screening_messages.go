package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// The pre-screening SMS outbox (migration 013): planned with the
// transition that decides them, queued, claimed by one worker, sent.

// PlanScreeningMessages stores the SMS a transition decided, once per
// (contact, step, kind), and returns the IDs of those it stored: none for
// a transition stored before.
func (s *Store) PlanScreeningMessages(ctx context.Context, ms []outreach.ScreeningMessage) ([]int64, error) {
	const q = `INSERT INTO screening_messages (contact_id, step, kind, question_index, phone, body)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (contact_id, step, kind) DO NOTHING
RETURNING id`
	var ids []int64
	for _, m := range ms {
		var id int64
		err := s.db.QueryRow(ctx, q, m.ContactID, m.Step, m.Kind, m.Question, m.Phone, m.Body).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, translate(err, "plan screening message")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// MarkScreeningMessagesQueued moves planned messages to queued, skipping
// those a worker holds (claimed already: see MarkEnqueued).
func (s *Store) MarkScreeningMessagesQueued(ctx context.Context, ids []int64) (int, error) {
	const q = `UPDATE screening_messages SET status = 'queued'
WHERE id IN (SELECT id FROM screening_messages WHERE id = ANY ($1) AND status = 'planned' FOR UPDATE SKIP LOCKED)`
	tag, err := s.db.Exec(ctx, q, ids)
	return int(tag.RowsAffected()), translate(err, "mark screening messages queued")
}

// PlannedScreeningMessages lists up to limit messages planned before the
// given time and still not queued.
func (s *Store) PlannedScreeningMessages(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	const q = `SELECT id FROM screening_messages WHERE status = 'planned' AND created_at < $1 ORDER BY id LIMIT $2`
	return s.contactIDs(ctx, "planned screening messages", q, before, limit)
}

// QueuedScreeningMessages pages through the queued messages in ID order.
func (s *Store) QueuedScreeningMessages(ctx context.Context, after int64, limit int) ([]int64, error) {
	const q = `SELECT id FROM screening_messages WHERE status = 'queued' AND id > $1 ORDER BY id LIMIT $2`
	return s.contactIDs(ctx, "queued screening messages", q, after, limit)
}

// claimScreeningMessageQuery claims a planned or queued message when it is
// still due, else skips it, in one statement: due means the phone did not
// opt out and the conversation is still open at the message's step, or,
// for the closing SMS, ended. The row lock on the message makes one call
// win; the conversation's row is read as committed, and a transition
// racing the claim plans its own SMS anyway.
const claimScreeningMessageQuery = `
WITH m AS (
	SELECT m.id, m.contact_id, m.phone, m.body,
		NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = m.phone) AND CASE m.kind
			WHEN 'closing' THEN s.status NOT IN ('asking', 'awaiting_reask')
			ELSE s.step = m.step AND s.status IN ('asking', 'awaiting_reask') END AS due
	FROM screening_messages m JOIN screenings s ON s.contact_id = m.contact_id
	WHERE m.id = $1 AND m.status IN ('planned', 'queued')
	FOR UPDATE OF m
)
UPDATE screening_messages u SET
	status = CASE WHEN m.due THEN 'sending' ELSE 'skipped' END,
	claimed_at = CASE WHEN m.due THEN $2::timestamptz END
FROM m WHERE u.id = m.id
RETURNING u.id, m.contact_id, m.phone, m.body, coalesce(u.claimed_at, $2), m.due`

// ClaimScreeningMessage moves a message to sending when it is still due,
// else to skipped; ok is true only for the call that moved it to sending.
func (s *Store) ClaimScreeningMessage(ctx context.Context, id int64, at time.Time) (outreach.ScreeningClaim, bool, error) {
	var c outreach.ScreeningClaim
	var due bool
	err := s.db.QueryRow(ctx, claimScreeningMessageQuery, id, at).
		Scan(&c.MessageID, &c.ContactID, &c.Phone, &c.Body, &c.ClaimedAt, &due)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil // sent, being sent or settled by another call
	}
	if err != nil {
		return c, false, translate(err, "claim screening message")
	}
	return c, due, nil
}

// ReleaseScreeningMessage puts a message being sent back to queued, after
// the provider refused it transiently or never received it.
func (s *Store) ReleaseScreeningMessage(ctx context.Context, id int64) error {
	const q = `UPDATE screening_messages SET status = 'queued', claimed_at = NULL
WHERE id = $1 AND status = 'sending' AND message_sid IS NULL`
	_, err := s.db.Exec(ctx, q, id)
	return translate(err, "release screening message")
}

// RecordScreeningMessageSent stores the provider SID of a message being
// sent; ErrNotFound when it is not being sent (any more).
func (s *Store) RecordScreeningMessageSent(ctx context.Context, id int64, sid string, at time.Time) error {
	const q = `UPDATE screening_messages SET status = 'sent', message_sid = $2, sent_at = $3
WHERE id = $1 AND status = 'sending' AND message_sid IS NULL`
	tag, err := s.db.Exec(ctx, q, id, sid, at)
	if err != nil {
		return translate(err, "record sent screening message")
	}
	if tag.RowsAffected() != 1 {
		return &outreach.NotFoundError{What: fmt.Sprintf("screening message %d being sent", id)}
	}
	return nil
}

// RecordScreeningMessageFailed marks failed a message not sent.
func (s *Store) RecordScreeningMessageFailed(ctx context.Context, id int64) error {
	const q = `UPDATE screening_messages SET status = 'failed'
WHERE id = $1 AND message_sid IS NULL AND status IN ('planned', 'queued', 'sending')`
	_, err := s.db.Exec(ctx, q, id)
	return translate(err, "record failed screening message")
}

// StaleScreeningMessages lists up to limit messages claimed before the
// given time and still without a provider SID.
func (s *Store) StaleScreeningMessages(ctx context.Context, claimedBefore time.Time, limit int) ([]outreach.ScreeningClaim, error) {
	const q = `SELECT id, contact_id, phone, body, claimed_at FROM screening_messages
WHERE status = 'sending' AND message_sid IS NULL AND claimed_at < $1 ORDER BY id LIMIT $2`
	rows, err := s.db.Query(ctx, q, claimedBefore, limit)
	if err != nil {
		return nil, translate(err, "stale screening messages")
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.ScreeningClaim, error) {
		var c outreach.ScreeningClaim
		return c, row.Scan(&c.MessageID, &c.ContactID, &c.Phone, &c.Body, &c.ClaimedAt)
	})
	return cs, translate(err, "stale screening messages")
}
