package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// UnassignedReplies lists the inbox items of no counsellor (SMS from
// unknown numbers), newest first, with the sender's number masked.
func (s *Store) UnassignedReplies(ctx context.Context, limit int) ([]outreach.UnassignedReply, error) {
	const q = `
SELECT i.id, m.from_phone, m.body, m.intent, m.received_at, i.handled_at
FROM inbox_items i
JOIN inbound_messages m ON m.id = i.inbound_id
WHERE i.counsellor_id IS NULL
ORDER BY i.created_at DESC, i.id DESC
LIMIT $1`
	rows, err := s.db.Query(ctx, q, limit)
	if err != nil {
		return nil, translate(err, "unassigned replies")
	}
	replies, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.UnassignedReply, error) {
		var r outreach.UnassignedReply
		var phone string
		err := row.Scan(&r.InboxItemID, &phone, &r.Body, &r.Intent, &r.ReceivedAt, &r.HandledAt)
		r.PhoneMasked = outreach.MaskPhone(phone)
		return r, err
	})
	if replies == nil {
		replies = []outreach.UnassignedReply{}
	}
	return replies, translate(err, "unassigned replies")
}
