package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Inbox actions storage (migration 016): handling an item, correcting how
// its reply was understood (append-only history in interest_corrections),
// and the job seeker's thread.

// InboxItemScope reads an inbox item with who wrote, who follows them now
// (the job seeker's counsellor, not the one of the item's day), and the
// contact the reply answers, in what a pre-screening start needs of it.
// An erased job seeker's item is not found.
func (s *Store) InboxItemScope(ctx context.Context, itemID int64) (outreach.InboxItemScope, error) {
	const q = `SELECT i.id, m.from_phone, coalesce(c.counsellor_id, i.counsellor_id, 0), coalesce(i.candidate_id, 0),
	coalesce(k.id, 0), coalesce(k.offer_id, 0), coalesce(k.candidate_id, 0), coalesce(k.phone, ''),
	coalesce(k.reply, ''), coalesce(k.distance_km, 0), o.closed_at, coalesce(o.reference, ''),
	EXISTS (SELECT 1 FROM offer_questions q WHERE q.offer_id = k.offer_id)
FROM inbox_items i
JOIN inbound_messages m ON m.id = i.inbound_id
LEFT JOIN candidates c ON c.id = i.candidate_id
LEFT JOIN contacts k ON k.id = i.contact_id
LEFT JOIN offers o ON o.id = k.offer_id
WHERE i.id = $1 AND c.erased_at IS NULL`
	var sc outreach.InboxItemScope
	t := &sc.Target
	err := s.db.QueryRow(ctx, q, itemID).Scan(&sc.ItemID, &sc.From, &sc.CounsellorID, &sc.CandidateID,
		&t.ID, &t.OfferID, &t.CandidateID, &t.Phone, &t.Reply, &t.DistanceKM, &t.OfferClosedAt, &t.OfferRef,
		&t.HasQuestions)
	t.CounsellorID = sc.CounsellorID
	return sc, translate(err, fmt.Sprintf("inbox item %d", itemID))
}

// SetInboxItemHandled sets or clears (nil) when the item was handled.
func (s *Store) SetInboxItemHandled(ctx context.Context, itemID int64, at *time.Time) error {
	tag, err := s.db.Exec(ctx, `UPDATE inbox_items SET handled_at = $2 WHERE id = $1`, itemID, at)
	if err != nil {
		return translate(err, "set inbox item handled")
	}
	if tag.RowsAffected() != 1 {
		return &outreach.NotFoundError{What: fmt.Sprintf("inbox item %d", itemID)}
	}
	return nil
}

// LockContactInterest reads the contact's interest and locks its row
// until the transaction ends: a reply racing the correction waits.
func (s *Store) LockContactInterest(ctx context.Context, contactID int64) (outreach.Interest, error) {
	var i outreach.Interest
	err := s.db.QueryRow(ctx, `SELECT coalesce(reply, '') FROM contacts WHERE id = $1 FOR UPDATE`, contactID).Scan(&i)
	return i, translate(err, fmt.Sprintf("contact %d", contactID))
}

// recordCorrectionQuery sets the contact's interest (a contact without
// one yet replied when the item's SMS came), marks the item corrected and
// appends the correction, in one statement.
const recordCorrectionQuery = `
WITH item AS (
	UPDATE inbox_items i SET corrected_interest = $3, corrected_by = $5, corrected_at = $6
	FROM inbound_messages m
	WHERE i.id = $1 AND m.id = i.inbound_id
	RETURNING i.id, m.received_at
), contact AS (
	UPDATE contacts k SET reply = $3, replied_at = coalesce(k.replied_at, item.received_at), updated_at = now()
	FROM item WHERE k.id = $2
	RETURNING k.id
)
INSERT INTO interest_corrections (inbox_item_id, contact_id, from_interest, to_interest, counsellor_id, corrected_at)
SELECT item.id, contact.id, $4, $3, $5, $6 FROM item, contact
RETURNING id`

// RecordInterestCorrection sets the contact's interest, marks the inbox
// item corrected and appends the correction; it fills c.ID.
func (s *Store) RecordInterestCorrection(ctx context.Context, c *outreach.InterestCorrection) error {
	err := s.db.QueryRow(ctx, recordCorrectionQuery, c.InboxItemID, c.ContactID, string(c.To), string(c.From),
		c.CounsellorID, c.At).Scan(&c.ID)
	return translate(err, fmt.Sprintf("correction of inbox item %d", c.InboxItemID))
}

// threadQuery reads the latest $2 SMS exchanged with the job seeker $1,
// newest first: offer SMS, reminders, inbound SMS, pre-screening SMS and
// counsellors' answers. An outbound SMS is at when it was sent, or, until
// then, when it was planned. At the same time (a reply and the question
// it starts commit together), the job seeker's SMS comes first.
const threadQuery = `
SELECT kind, dir, at, body, status, offer_id, offer_ref, who FROM (
	SELECT 'offer' AS kind, 'out' AS dir, coalesce(k.sent_at, k.created_at) AS at, k.body, k.status,
		k.offer_id, o.reference AS offer_ref, '' AS who, k.id
	FROM contacts k JOIN offers o ON o.id = k.offer_id
	WHERE k.candidate_id = $1
	UNION ALL
	SELECT 'reminder', 'out', coalesce(k.reminded_at, k.reminder_claimed_at, k.sent_at, k.created_at), k.reminder_body,
		k.reminder_status, k.offer_id, o.reference, '', k.id
	FROM contacts k JOIN offers o ON o.id = k.offer_id
	WHERE k.candidate_id = $1 AND k.reminder_body IS NOT NULL
	UNION ALL
	SELECT 'reply', 'in', m.received_at, m.body, 'received', coalesce(k.offer_id, 0), coalesce(o.reference, ''), '', m.id
	FROM inbound_messages m LEFT JOIN contacts k ON k.id = m.contact_id LEFT JOIN offers o ON o.id = k.offer_id
	WHERE m.candidate_id = $1
	UNION ALL
	SELECT 'screening', 'out', coalesce(sm.sent_at, sm.created_at), sm.body, sm.status, k.offer_id, o.reference, '', sm.id
	FROM screening_messages sm JOIN contacts k ON k.id = sm.contact_id JOIN offers o ON o.id = k.offer_id
	WHERE k.candidate_id = $1
	UNION ALL
	SELECT 'answer', 'out', coalesce(a.sent_at, a.created_at), a.body, a.status, coalesce(i.offer_id, 0),
		coalesce(o.reference, ''), co.name, a.id
	FROM counsellor_messages a JOIN counsellors co ON co.id = a.counsellor_id
	JOIN inbox_items i ON i.id = a.inbox_item_id LEFT JOIN offers o ON o.id = i.offer_id
	WHERE a.candidate_id = $1
) t
ORDER BY at DESC, dir = 'in', id DESC
LIMIT $2`

// Thread lists the latest limit SMS exchanged with the job seeker, oldest
// first.
func (s *Store) Thread(ctx context.Context, candidateID int64, limit int) ([]outreach.ThreadMessage, error) {
	rows, err := s.db.Query(ctx, threadQuery, candidateID, limit)
	if err != nil {
		return nil, translate(err, "thread")
	}
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.ThreadMessage, error) {
		var m outreach.ThreadMessage
		err := row.Scan(&m.Kind, &m.Direction, &m.At, &m.Body, &m.Status, &m.OfferID, &m.OfferRef, &m.CounsellorName)
		return m, err
	})
	if err != nil {
		return nil, translate(err, "thread")
	}
	slices.Reverse(ms)
	if ms == nil {
		ms = []outreach.ThreadMessage{}
	}
	return ms, nil
}
