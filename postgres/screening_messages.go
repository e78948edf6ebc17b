package postgres

import (
	"context"
	"errors"
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

// MarkScreeningMessagesQueued moves planned messages to queued.
func (s *Store) MarkScreeningMessagesQueued(ctx context.Context, ids []int64) (int, error) {
	return s.markQueued(ctx, screeningOutbox, ids)
}

// PlannedScreeningMessages lists up to limit messages planned before the
// given time and still not queued.
func (s *Store) PlannedScreeningMessages(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	return s.plannedMessages(ctx, screeningOutbox, before, limit)
}

// QueuedScreeningMessages pages through the queued messages in ID order.
func (s *Store) QueuedScreeningMessages(ctx context.Context, after int64, limit int) ([]int64, error) {
	return s.queuedMessages(ctx, screeningOutbox, after, limit)
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

// ReleaseScreeningMessage puts a message being sent back to queued.
func (s *Store) ReleaseScreeningMessage(ctx context.Context, id int64) error {
	return s.releaseMessage(ctx, screeningOutbox, id)
}

// RecordScreeningMessageSent stores the provider SID of a message being
// sent; ErrNotFound when it is not being sent (any more).
func (s *Store) RecordScreeningMessageSent(ctx context.Context, id int64, sid string, at time.Time) error {
	return s.messageSent(ctx, screeningOutbox, id, sid, at)
}

// RecordScreeningMessageFailed marks failed a message not sent.
func (s *Store) RecordScreeningMessageFailed(ctx context.Context, id int64) error {
	return s.messageFailed(ctx, screeningOutbox, id)
}

// StaleScreeningMessages lists up to limit messages claimed before the
// given time and still without a provider SID.
func (s *Store) StaleScreeningMessages(ctx context.Context, claimedBefore time.Time, limit int) ([]outreach.ScreeningClaim, error) {
	ms, err := s.staleMessages(ctx, screeningOutbox, claimedBefore, limit)
	cs := make([]outreach.ScreeningClaim, len(ms))
	for i, m := range ms {
		cs[i] = outreach.ScreeningClaim{MessageID: m.id, Phone: m.phone, Body: m.body, ClaimedAt: m.claimedAt}
	}
	return cs, err
}
