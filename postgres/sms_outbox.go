package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// smsOutbox holds the statements shared by the SMS outboxes that send
// without delivery reports: the pre-screening SMS (screening_messages,
// migration 013) and the counsellors' answers (counsellor_messages,
// migration 016). Both tables have the same states (planned, queued,
// sending, sent, failed, skipped) and columns; only their claim differs.
// The statements are built once from the table's name, a constant.
type smsOutbox struct {
	what                                                      string // in errors: "screening message"
	markQueued, planned, queued, release, sent, failed, stale string
}

func newSMSOutbox(table, what string) smsOutbox {
	return smsOutbox{
		what: what,
		// Rows a worker holds are skipped, never waited for (see MarkEnqueued).
		markQueued: fmt.Sprintf(`UPDATE %[1]s SET status = 'queued'
WHERE id IN (SELECT id FROM %[1]s WHERE id = ANY ($1) AND status = 'planned' FOR UPDATE SKIP LOCKED)`, table),
		planned: fmt.Sprintf(`SELECT id FROM %s WHERE status = 'planned' AND created_at < $1 ORDER BY id LIMIT $2`, table),
		queued:  fmt.Sprintf(`SELECT id FROM %s WHERE status = 'queued' AND id > $1 ORDER BY id LIMIT $2`, table),
		release: fmt.Sprintf(`UPDATE %s SET status = 'queued', claimed_at = NULL
WHERE id = $1 AND status = 'sending' AND message_sid IS NULL`, table),
		sent: fmt.Sprintf(`UPDATE %s SET status = 'sent', message_sid = $2, sent_at = $3
WHERE id = $1 AND status = 'sending' AND message_sid IS NULL`, table),
		failed: fmt.Sprintf(`UPDATE %s SET status = 'failed'
WHERE id = $1 AND message_sid IS NULL AND status IN ('planned', 'queued', 'sending')`, table),
		stale: fmt.Sprintf(`SELECT id, phone, body, claimed_at FROM %s
WHERE status = 'sending' AND message_sid IS NULL AND claimed_at < $1 ORDER BY id LIMIT $2`, table),
	}
}

var (
	screeningOutbox = newSMSOutbox("screening_messages", "screening message")
	answerOutbox    = newSMSOutbox("counsellor_messages", "counsellor message")
)

// markQueued moves planned messages to queued and returns how many.
func (s *Store) markQueued(ctx context.Context, o smsOutbox, ids []int64) (int, error) {
	tag, err := s.db.Exec(ctx, o.markQueued, ids)
	return int(tag.RowsAffected()), translate(err, "mark "+o.what+"s queued")
}

// plannedMessages lists up to limit messages planned before the given
// time and still not queued.
func (s *Store) plannedMessages(ctx context.Context, o smsOutbox, before time.Time, limit int) ([]int64, error) {
	return s.contactIDs(ctx, "planned "+o.what+"s", o.planned, before, limit)
}

// queuedMessages pages through the queued messages in ID order.
func (s *Store) queuedMessages(ctx context.Context, o smsOutbox, after int64, limit int) ([]int64, error) {
	return s.contactIDs(ctx, "queued "+o.what+"s", o.queued, after, limit)
}

// releaseMessage puts a message being sent back to queued, after the
// provider refused it transiently or never received it.
func (s *Store) releaseMessage(ctx context.Context, o smsOutbox, id int64) error {
	_, err := s.db.Exec(ctx, o.release, id)
	return translate(err, "release "+o.what)
}

// messageSent stores the provider SID of a message being sent;
// ErrNotFound when it is not being sent (any more).
func (s *Store) messageSent(ctx context.Context, o smsOutbox, id int64, sid string, at time.Time) error {
	tag, err := s.db.Exec(ctx, o.sent, id, sid, at)
	if err != nil {
		return translate(err, "record sent "+o.what)
	}
	if tag.RowsAffected() != 1 {
		return &outreach.NotFoundError{What: fmt.Sprintf("%s %d being sent", o.what, id)}
	}
	return nil
}

// messageFailed marks failed a message not sent.
func (s *Store) messageFailed(ctx context.Context, o smsOutbox, id int64) error {
	_, err := s.db.Exec(ctx, o.failed, id)
	return translate(err, "record failed "+o.what)
}

// staleMessage is a message left in sending past the lease.
type staleMessage struct {
	id          int64
	phone, body string
	claimedAt   time.Time
}

// staleMessages lists up to limit messages claimed before the given time
// and still without a provider SID.
func (s *Store) staleMessages(ctx context.Context, o smsOutbox, claimedBefore time.Time, limit int) ([]staleMessage, error) {
	rows, err := s.db.Query(ctx, o.stale, claimedBefore, limit)
	if err != nil {
		return nil, translate(err, "stale "+o.what+"s")
	}
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (staleMessage, error) {
		var m staleMessage
		return m, row.Scan(&m.id, &m.phone, &m.body, &m.claimedAt)
	})
	return ms, translate(err, "stale "+o.what+"s")
}
