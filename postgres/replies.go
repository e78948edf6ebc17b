package postgres

import (
	"context"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// InsertInbound stores an inbound SMS once per MessageSID.
func (s *Store) InsertInbound(ctx context.Context, in *outreach.Inbound) (bool, error) {
	const q = `
INSERT INTO inbound_messages (message_sid, from_phone, to_phone, body, intent, offer_ref, link)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (message_sid) DO NOTHING
RETURNING id, received_at`
	err := s.db.QueryRow(ctx, q, in.MessageSID, in.From, in.To, in.Body, string(in.Intent), in.OfferRef, string(in.Link)).
		Scan(&in.ID, &in.ReceivedAt)
	if err != nil {
		err = translate(err, "insert inbound")
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// LinkInbound records which contact and candidate an inbound SMS was tied to.
func (s *Store) LinkInbound(ctx context.Context, in outreach.Inbound) error {
	const q = `UPDATE inbound_messages SET contact_id = nullif($2, 0), candidate_id = nullif($3, 0), link = $4 WHERE id = $1`
	_, err := s.db.Exec(ctx, q, in.ID, in.ContactID, in.CandidateID, string(in.Link))
	return translate(err, "link inbound")
}

// ContactForReply finds the contact a reply answers among the SMS sent to
// that phone in the last 30 days: the offer with that reference when ref
// is given, else the one texted last (offer SMS or reminder), with when its
// offer's campaign closed.
func (s *Store) ContactForReply(ctx context.Context, phone, ref string) (outreach.Contact, error) {
	q := `SELECT ` + contactColumns + `, o.closed_at FROM contacts k
JOIN candidates c ON c.id = k.candidate_id
JOIN offers o ON o.id = k.offer_id
WHERE k.phone = $1 AND k.message_sid IS NOT NULL AND k.sent_at > now() - interval '30 days'
	AND ($2 = '' OR o.reference = $2)
ORDER BY greatest(k.sent_at, k.reminded_at) DESC, k.id DESC
LIMIT 1
FOR UPDATE OF k`
	var closedAt *time.Time
	k, err := scanContact(withColumns(s.db.QueryRow(ctx, q, phone, ref), &closedAt))
	k.OfferClosedAt = closedAt
	return k, translate(err, "contact for reply")
}

// CreateInboxItem adds an item to a counsellor's inbox (or the
// administrators' when CounsellorID is 0).
func (s *Store) CreateInboxItem(ctx context.Context, item *outreach.InboxItem) error {
	const q = `
INSERT INTO inbox_items (counsellor_id, inbound_id, candidate_id, offer_id, contact_id, late)
VALUES (nullif($1, 0), $2, nullif($3, 0), nullif($4, 0), nullif($5, 0), $6)
RETURNING id, created_at`
	err := s.db.QueryRow(ctx, q, item.CounsellorID, item.InboundID, item.CandidateID, item.OfferID, item.ContactID, item.Late).
		Scan(&item.ID, &item.CreatedAt)
	return translate(err, "insert inbox item")
}

// Inbox lists a counsellor's inbox items, newest first, with what the
// inbox shows of each.
func (s *Store) Inbox(ctx context.Context, counsellorID int64, limit int) ([]outreach.InboxItem, error) {
	const q = `
SELECT i.id, coalesce(i.counsellor_id, 0), i.inbound_id, coalesce(i.candidate_id, 0), coalesce(i.offer_id, 0),
	coalesce(i.contact_id, 0), i.created_at, i.handled_at,
	coalesce(c.first_name, ''), coalesce(c.external_id, ''), m.from_phone, coalesce(o.title, ''),
	coalesce(o.reference, ''), m.body, m.intent, coalesce(k.reply, ''), m.link, i.late
FROM inbox_items i
JOIN inbound_messages m ON m.id = i.inbound_id
LEFT JOIN candidates c ON c.id = i.candidate_id
LEFT JOIN offers o ON o.id = i.offer_id
LEFT JOIN contacts k ON k.id = i.contact_id
WHERE i.counsellor_id = $1
ORDER BY i.created_at DESC, i.id DESC
LIMIT $2`
	rows, err := s.db.Query(ctx, q, counsellorID, limit)
	if err != nil {
		return nil, translate(err, "inbox")
	}
	defer rows.Close()
	items := []outreach.InboxItem{}
	for rows.Next() {
		var it outreach.InboxItem
		var phone string
		if err := rows.Scan(&it.ID, &it.CounsellorID, &it.InboundID, &it.CandidateID, &it.OfferID, &it.ContactID,
			&it.CreatedAt, &it.HandledAt, &it.FirstName, &it.ExternalID, &phone, &it.OfferTitle, &it.OfferRef,
			&it.Body, &it.Intent, &it.Interest, &it.Link, &it.Late); err != nil {
			return nil, translate(err, "scan inbox item")
		}
		it.PhoneMasked = outreach.MaskPhone(phone)
		items = append(items, it)
	}
	return items, translate(rows.Err(), "inbox")
}
