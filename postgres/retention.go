package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Retention (migration 017): the phone numbers and texts of an offer's
// SMS are blanked once its campaign closed long enough ago, and the offer
// marked purged, so that each is purged once and a run reads only the
// offers due (offers_retention_due). Statuses, replies, times and counts
// stay. Each statement reaches the rows through indexed columns: the
// contacts by offer, the rest by contact or by job seeker.
const (
	retentionOffers = `SELECT id FROM offers
WHERE closed_at < $1 AND purged_at IS NULL
ORDER BY closed_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`
	purgeContacts = `UPDATE contacts SET phone = '', body = '',
	reminder_body = CASE WHEN reminder_body IS NOT NULL THEN '' END,
	error_message = CASE WHEN error_message IS NOT NULL THEN $2 END, updated_at = now()
WHERE offer_id = ANY($1) AND (phone <> '' OR body <> '')`
	purgeReplies = `UPDATE inbound_messages m SET body = '', from_phone = ''
FROM contacts k
WHERE k.offer_id = ANY($1) AND m.candidate_id = k.candidate_id AND m.contact_id = k.id AND (m.from_phone <> '' OR m.body <> '')`
	purgeScreenings = `UPDATE screenings s SET phone = ''
FROM contacts k WHERE k.offer_id = ANY($1) AND s.contact_id = k.id AND s.phone <> ''`
	purgeScreeningMessages = `UPDATE screening_messages m SET phone = '', body = ''
FROM contacts k WHERE k.offer_id = ANY($1) AND m.contact_id = k.id AND (m.phone <> '' OR m.body <> '')`
	// Answers still to send keep their text: they go, or settle, first.
	purgeAnswers = `UPDATE counsellor_messages a SET phone = '', body = ''
FROM contacts k, inbox_items i
WHERE k.offer_id = ANY($1) AND a.candidate_id = k.candidate_id AND i.id = a.inbox_item_id AND i.contact_id = k.id
	AND a.status IN ('sent', 'failed', 'skipped') AND (a.phone <> '' OR a.body <> '')`
	markPurged = `UPDATE offers SET purged_at = $2 WHERE id = ANY($1)`

	// SMS that answered no contact (a job seeker writing first, an unknown
	// number) are purged by age, with the answers to them.
	purgeUnlinked = `UPDATE inbound_messages u SET body = '', from_phone = ''
FROM (SELECT id FROM inbound_messages WHERE contact_id IS NULL AND from_phone <> '' AND received_at < $1
	ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED) m
WHERE u.id = m.id
RETURNING u.id`
	purgeUnlinkedAnswers = `UPDATE counsellor_messages a SET phone = '', body = ''
FROM inbox_items i
WHERE i.inbound_id = ANY($1) AND a.inbox_item_id = i.id AND a.candidate_id = i.candidate_id
	AND a.status IN ('sent', 'failed', 'skipped') AND (a.phone <> '' OR a.body <> '')`
)

// PurgeExpired purges, in one transaction that also appends a (with
// a.Counts completed), at most limit offers closed before closedBefore
// and at most limit SMS answering no contact received before it.
func (s *Store) PurgeExpired(ctx context.Context, closedBefore time.Time, limit int, a *outreach.Access) (outreach.Purge, error) {
	var p outreach.Purge
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		st := &Store{db: tx}
		offers, err := st.contactIDs(ctx, "offers due for retention", retentionOffers, closedBefore, limit)
		if err != nil {
			return err
		}
		p.Offers = len(offers)
		if len(offers) > 0 {
			steps := []struct {
				sql   string
				args  []any
				count *int
			}{
				{purgeContacts, []any{offers, ErasedText}, &p.Contacts},
				{purgeReplies, []any{offers}, &p.InboundMessages},
				{purgeScreenings, []any{offers}, &p.Screenings},
				{purgeScreeningMessages, []any{offers}, &p.ScreeningMessages},
				{purgeAnswers, []any{offers}, &p.CounsellorMessages},
				{markPurged, []any{offers, a.At}, nil},
			}
			for _, step := range steps {
				tag, err := tx.Exec(ctx, step.sql, step.args...)
				if err != nil {
					return translate(err, "retention")
				}
				if step.count != nil {
					*step.count = int(tag.RowsAffected())
				}
			}
		}
		unlinked, err := st.contactIDs(ctx, "retention of unlinked messages", purgeUnlinked, closedBefore, limit)
		if err != nil {
			return err
		}
		p.UnlinkedMessages = len(unlinked)
		if len(unlinked) > 0 {
			tag, err := tx.Exec(ctx, purgeUnlinkedAnswers, unlinked)
			if err != nil {
				return translate(err, "retention of answers to unlinked messages")
			}
			p.CounsellorMessages += int(tag.RowsAffected())
		}
		a.Counts = p.Counts()
		return st.RecordAccess(ctx, a)
	})
	return p, err
}
