package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// ViewerOffers lists the offers the viewer sees, newest first: their own,
// or with v.Admin those of every counsellor of v.Agency. The newest limit
// offers are picked first, then their contacts counted.
func (s *Store) ViewerOffers(ctx context.Context, v outreach.Viewer, limit int) ([]outreach.OfferListing, error) {
	const q = `
WITH o AS (
	SELECT o.* FROM offers o JOIN counsellors co ON co.id = o.counsellor_id
	WHERE o.counsellor_id = $1 OR ($2::boolean AND co.agency = $3::text)
	ORDER BY o.created_at DESC, o.id DESC
	LIMIT $4
)
SELECT ` + offerColumns + `, co.name, k.sent, k.replied, k.interested
FROM o
JOIN counsellors co ON co.id = o.counsellor_id
CROSS JOIN LATERAL (
	SELECT count(*) FILTER (WHERE k.status IN ('sent', 'delivered', 'undelivered')) AS sent,
		count(k.reply) AS replied,
		count(*) FILTER (WHERE k.reply = 'interested') AS interested
	FROM contacts k WHERE k.offer_id = o.id
) k
ORDER BY o.created_at DESC, o.id DESC`
	if v.CounsellorID == 0 {
		return []outreach.OfferListing{}, nil
	}
	rows, err := s.db.Query(ctx, q, v.CounsellorID, v.Admin, v.Agency, limit)
	if err != nil {
		return nil, translate(err, "viewer offers")
	}
	offers, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.OfferListing, error) {
		var l outreach.OfferListing
		o, err := scanOffer(multiScan{row, []any{&l.CounsellorName, &l.Sent, &l.Replied, &l.Interested}})
		l.Offer = o
		return l, err
	})
	return offers, translate(err, "viewer offers")
}

// multiScan scans a row into scanOffer's targets followed by more.
type multiScan struct {
	row  pgx.Row
	more []any
}

func (m multiScan) Scan(dest ...any) error {
	return m.row.Scan(append(dest, m.more...)...)
}
