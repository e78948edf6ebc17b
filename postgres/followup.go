package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// MarkOutreachStarted records when the offer's outreach first started.
func (s *Store) MarkOutreachStarted(ctx context.Context, offerID int64, at time.Time) error {
	const q = `UPDATE offers SET outreach_started_at = $2 WHERE id = $1 AND outreach_started_at IS NULL`
	_, err := s.db.Exec(ctx, q, offerID, at)
	return translate(err, "mark outreach started")
}

// CloseCampaigns closes the open campaigns started before startedBefore,
// in one statement (offers_open_campaigns finds them); a campaign already
// closed keeps its time.
func (s *Store) CloseCampaigns(ctx context.Context, startedBefore, at time.Time) (int, error) {
	const q = `UPDATE offers SET closed_at = $2 WHERE closed_at IS NULL AND outreach_started_at < $1`
	tag, err := s.db.Exec(ctx, q, startedBefore, at)
	return int(tag.RowsAffected()), translate(err, "close campaigns")
}

// DueReminders lists contacts due a reminder, oldest SMS first: the range
// of sent_at reads contacts_reminder_due, the rest filters that range.
func (s *Store) DueReminders(ctx context.Context, sentAfter, sentBefore time.Time, limit int) ([]int64, error) {
	const q = `SELECT k.id FROM contacts k JOIN offers o ON o.id = k.offer_id
WHERE k.reminder_status IS NULL AND k.sent_at > $1 AND k.sent_at <= $2
	AND k.reply IS NULL AND k.status IN ('sent', 'delivered') AND o.closed_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM opt_outs oo WHERE oo.phone = k.phone)
ORDER BY k.sent_at LIMIT $3`
	return s.contactIDs(ctx, "due reminders", q, sentAfter, sentBefore, limit)
}

// MarkRemindersQueued moves reminders from none to queued: the queue holds
// them. As MarkEnqueued, it skips rows other statements hold rather than
// wait for them; a reminder skipped is being claimed, or stays due and the
// next sweep queues it again (a no-op for the queue).
func (s *Store) MarkRemindersQueued(ctx context.Context, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	const q = `UPDATE contacts SET reminder_status = 'queued', updated_at = now()
WHERE id IN (SELECT id FROM contacts WHERE id = ANY ($1) AND reminder_status IS NULL FOR UPDATE SKIP LOCKED)`
	tag, err := s.db.Exec(ctx, q, ids)
	return int(tag.RowsAffected()), translate(err, "mark reminders queued")
}

// QueuedReminders lists up to limit contacts with a queued reminder and
// an ID above after, in ID order.
func (s *Store) QueuedReminders(ctx context.Context, after int64, limit int) ([]int64, error) {
	const q = `SELECT id FROM contacts WHERE reminder_status = 'queued' AND id > $1 ORDER BY id LIMIT $2`
	return s.contactIDs(ctx, "queued reminders", q, after, limit)
}

// StaleReminders lists up to limit reminders claimed before claimedBefore
// and still without a provider SID.
func (s *Store) StaleReminders(ctx context.Context, claimedBefore time.Time, limit int) ([]outreach.SendClaim, error) {
	const q = `SELECT id, phone, reminder_body, reminder_claimed_at FROM contacts
WHERE reminder_status = 'sending' AND reminder_claimed_at < $1 ORDER BY id LIMIT $2`
	rows, err := s.db.Query(ctx, q, claimedBefore, limit)
	if err != nil {
		return nil, translate(err, "stale reminders")
	}
	claims, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.SendClaim, error) {
		var c outreach.SendClaim
		err := row.Scan(&c.ContactID, &c.Phone, &c.Body, &c.ClaimedAt)
		return c, err
	})
	return claims, translate(err, "stale reminders")
}

// claimReminderQuery locks the contact while its reminder is not yet
// claimed, decides whether it is still due, and moves it to sending (with
// its body) or to skipped, in one statement. A reply or a claim committed
// while it waited for the lock is seen: the row is read again.
const claimReminderQuery = `WITH c AS (
	SELECT k.id, k.status IN ('sent', 'delivered') AND k.reply IS NULL
		AND o.closed_at IS NULL AND coalesce(o.outreach_started_at > $3, false)
		AND NOT EXISTS (SELECT 1 FROM opt_outs oo WHERE oo.phone = k.phone) AS due
	FROM contacts k JOIN offers o ON o.id = k.offer_id
	WHERE k.id = $1 AND (k.reminder_status IS NULL OR k.reminder_status = 'queued')
	FOR UPDATE OF k
)
UPDATE contacts k SET reminder_status = CASE WHEN c.due THEN 'sending' ELSE 'skipped' END,
	reminder_body = CASE WHEN c.due THEN $2 END,
	reminder_claimed_at = CASE WHEN c.due THEN now() END,
	updated_at = now()
FROM c WHERE k.id = c.id
RETURNING k.id, k.phone, coalesce(k.reminder_body, ''), coalesce(k.reminder_claimed_at, now()), c.due`

// ClaimReminder moves a contact's reminder to sending when it is still
// due, else to skipped; ok is true only for the call that claimed it.
func (s *Store) ClaimReminder(ctx context.Context, id int64, body string, openSince time.Time) (outreach.SendClaim, bool, error) {
	var c outreach.SendClaim
	var due bool
	err := s.db.QueryRow(ctx, claimReminderQuery, id, body, openSince).Scan(&c.ContactID, &c.Phone, &c.Body, &c.ClaimedAt, &due)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, translate(err, "claim reminder")
	}
	return c, due, nil
}

// ReleaseReminder puts a reminder being sent back in the queued state,
// after the provider refused it transiently or never received it.
func (s *Store) ReleaseReminder(ctx context.Context, id int64) error {
	const q = `UPDATE contacts SET reminder_status = 'queued', reminder_body = NULL, reminder_claimed_at = NULL, updated_at = now()
WHERE id = $1 AND reminder_status = 'sending' AND reminder_sid IS NULL`
	_, err := s.db.Exec(ctx, q, id)
	return translate(err, "release reminder")
}

// RecordReminderSent stores the provider SID of a reminder being sent;
// ErrNotFound when it is not being sent (any more).
func (s *Store) RecordReminderSent(ctx context.Context, id int64, sid string, at time.Time) error {
	const q = `UPDATE contacts SET reminder_status = 'sent', reminder_sid = $2, reminded_at = $3, updated_at = now()
WHERE id = $1 AND reminder_status = 'sending' AND reminder_sid IS NULL`
	tag, err := s.db.Exec(ctx, q, id, sid, at)
	if err != nil {
		return translate(err, "record sent reminder")
	}
	if tag.RowsAffected() != 1 {
		return &outreach.NotFoundError{What: fmt.Sprintf("reminder being sent to contact %d", id)}
	}
	return nil
}

// RecordReminderFailed marks failed a reminder not sent.
func (s *Store) RecordReminderFailed(ctx context.Context, id int64) error {
	const q = `UPDATE contacts SET reminder_status = 'failed', updated_at = now()
WHERE id = $1 AND reminder_sid IS NULL AND (reminder_status IS NULL OR reminder_status IN ('queued', 'sending'))`
	_, err := s.db.Exec(ctx, q, id)
	return translate(err, "record failed reminder")
}

// withColumns reads a row's leading columns into what Scan is given, then
// the extra columns that follow into extra: a query adds columns to a
// shared list (contactColumns) and still scans it with the shared code.
func withColumns(row pgx.Row, extra ...any) pgx.Row {
	return extraColumns{row: row, extra: extra}
}

type extraColumns struct {
	row   pgx.Row
	extra []any
}

func (r extraColumns) Scan(dest ...any) error {
	return r.row.Scan(append(dest, r.extra...)...)
}
