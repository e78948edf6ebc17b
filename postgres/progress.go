package postgres

import (
	"context"

	"github.com/franceoutreach/outreach/outreach"
)

// contactTalliesQuery groups an offer's contacts by what the summary
// counts. WHERE offer_id = $1 is answered by the (offer_id, candidate_id)
// unique index, so the cost follows the offer's own contacts, not the
// table; the result is a few rows (statuses × replies × error codes).
// Statuses are grouped by value, so a status added later is counted too.
const contactTalliesQuery = `
SELECT status, coalesce(reply, ''), coalesce(error_code, 0), count(*), min(sent_at), max(sent_at)
FROM contacts
WHERE offer_id = $1
GROUP BY status, reply, error_code`

// OfferContactTallies counts the offer's contacts by status, reply and
// error code; empty for an offer without contacts (or unknown).
func (s *Store) OfferContactTallies(ctx context.Context, offerID int64) ([]outreach.ContactTally, error) {
	rows, err := s.db.Query(ctx, contactTalliesQuery, offerID)
	if err != nil {
		return nil, translate(err, "contact tallies")
	}
	defer rows.Close()
	var out []outreach.ContactTally
	for rows.Next() {
		var t outreach.ContactTally
		if err := rows.Scan(&t.Status, &t.Reply, &t.ErrorCode, &t.Count, &t.FirstSentAt, &t.LastSentAt); err != nil {
			return nil, translate(err, "scan contact tally")
		}
		out = append(out, t)
	}
	return out, translate(rows.Err(), "contact tallies")
}
