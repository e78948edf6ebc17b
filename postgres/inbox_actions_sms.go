package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// The counsellors' answers by SMS (migration 016), through their outbox:
// planned, queued, claimed by one worker, sent; like the pre-screening
// SMS (screening_messages.go).

// PlanCounsellorMessage stores an answer, planned, unless the same
// counsellor planned the same body for the same item since the given time
// (a double click, a form sent again): that one is returned instead, and
// fresh is false. The item's row lock makes two racing submissions follow
// each other, the second seeing the first.
func (s *Store) PlanCounsellorMessage(ctx context.Context, m *outreach.CounsellorMessage, since time.Time) (fresh bool, err error) {
	const (
		lock = `SELECT id FROM inbox_items WHERE id = $1 FOR UPDATE`
		same = `SELECT id, status, created_at FROM counsellor_messages
WHERE inbox_item_id = $1 AND counsellor_id = $2 AND body = $3 AND created_at >= $4 AND status NOT IN ('failed', 'skipped')
ORDER BY id DESC LIMIT 1`
		ins = `INSERT INTO counsellor_messages (inbox_item_id, candidate_id, counsellor_id, phone, body)
VALUES ($1, $2, $3, $4, $5) RETURNING id, status, created_at`
	)
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, lock, m.InboxItemID).Scan(&id); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, same, m.InboxItemID, m.CounsellorID, m.Body, since).Scan(&m.ID, &m.Status, &m.CreatedAt)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err // nil: the same answer, planned already
		}
		fresh = true
		return tx.QueryRow(ctx, ins, m.InboxItemID, m.CandidateID, m.CounsellorID, m.Phone, m.Body).
			Scan(&m.ID, &m.Status, &m.CreatedAt)
	})
	return fresh, translate(err, "plan counsellor message")
}

// CounsellorMessage loads one answer.
func (s *Store) CounsellorMessage(ctx context.Context, id int64) (outreach.CounsellorMessage, error) {
	const q = `SELECT id, inbox_item_id, candidate_id, counsellor_id, phone, body, status, coalesce(message_sid, ''),
	created_at, sent_at
FROM counsellor_messages WHERE id = $1`
	var m outreach.CounsellorMessage
	err := s.db.QueryRow(ctx, q, id).Scan(&m.ID, &m.InboxItemID, &m.CandidateID, &m.CounsellorID, &m.Phone, &m.Body,
		&m.Status, &m.MessageSID, &m.CreatedAt, &m.SentAt)
	return m, translate(err, fmt.Sprintf("counsellor message %d", id))
}

// MarkCounsellorMessagesQueued moves planned answers to queued.
func (s *Store) MarkCounsellorMessagesQueued(ctx context.Context, ids []int64) (int, error) {
	return s.markQueued(ctx, answerOutbox, ids)
}

// PlannedCounsellorMessages lists up to limit answers planned before the
// given time and still not queued.
func (s *Store) PlannedCounsellorMessages(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	return s.plannedMessages(ctx, answerOutbox, before, limit)
}

// QueuedCounsellorMessages pages through the queued answers in ID order.
func (s *Store) QueuedCounsellorMessages(ctx context.Context, after int64, limit int) ([]int64, error) {
	return s.queuedMessages(ctx, answerOutbox, after, limit)
}

// claimCounsellorMessageQuery claims a planned or queued answer when its
// phone did not opt out, else skips it, in one statement; the row lock
// makes one call win.
const claimCounsellorMessageQuery = `
WITH m AS (
	SELECT m.id, m.phone, m.body, NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = m.phone) AS due
	FROM counsellor_messages m
	WHERE m.id = $1 AND m.status IN ('planned', 'queued')
	FOR UPDATE
)
UPDATE counsellor_messages u SET
	status = CASE WHEN m.due THEN 'sending' ELSE 'skipped' END,
	claimed_at = CASE WHEN m.due THEN $2::timestamptz END
FROM m WHERE u.id = m.id
RETURNING u.id, m.phone, m.body, coalesce(u.claimed_at, $2), m.due`

// ClaimCounsellorMessage moves an answer to sending when its phone did
// not opt out, else to skipped; ok is true only for the call that moved
// it to sending.
func (s *Store) ClaimCounsellorMessage(ctx context.Context, id int64, at time.Time) (outreach.CounsellorMessageClaim, bool, error) {
	var c outreach.CounsellorMessageClaim
	var due bool
	err := s.db.QueryRow(ctx, claimCounsellorMessageQuery, id, at).Scan(&c.MessageID, &c.Phone, &c.Body, &c.ClaimedAt, &due)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil // sent, being sent or settled by another call
	}
	if err != nil {
		return c, false, translate(err, "claim counsellor message")
	}
	return c, due, nil
}

// ReleaseCounsellorMessage puts an answer being sent back to queued.
func (s *Store) ReleaseCounsellorMessage(ctx context.Context, id int64) error {
	return s.releaseMessage(ctx, answerOutbox, id)
}

// RecordCounsellorMessageSent stores the provider SID of an answer being
// sent; ErrNotFound when it is not being sent (any more).
func (s *Store) RecordCounsellorMessageSent(ctx context.Context, id int64, sid string, at time.Time) error {
	return s.messageSent(ctx, answerOutbox, id, sid, at)
}

// RecordCounsellorMessageFailed marks failed an answer not sent.
func (s *Store) RecordCounsellorMessageFailed(ctx context.Context, id int64) error {
	return s.messageFailed(ctx, answerOutbox, id)
}

// StaleCounsellorMessages lists up to limit answers claimed before the
// given time and still without a provider SID.
func (s *Store) StaleCounsellorMessages(ctx context.Context, claimedBefore time.Time, limit int) ([]outreach.CounsellorMessageClaim, error) {
	ms, err := s.staleMessages(ctx, answerOutbox, claimedBefore, limit)
	cs := make([]outreach.CounsellorMessageClaim, len(ms))
	for i, m := range ms {
		cs[i] = outreach.CounsellorMessageClaim{MessageID: m.id, Phone: m.phone, Body: m.body, ClaimedAt: m.claimedAt}
	}
	return cs, err
}
