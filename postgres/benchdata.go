package postgres

import (
	"context"
	"fmt"
)

// What `outreach bench webhooks` needs in a database of its own: a sent
// campaign spread over many counsellors, and the counts that check the
// run afterwards. None of it is for a real database.

// SpreadCandidates makes sure n counsellors exist with the given e-mail
// prefix and shares every candidate among them, as an agency's caseloads
// are shared; it returns their ids.
func (s *Store) SpreadCandidates(ctx context.Context, emailPrefix string, n int) ([]int64, error) {
	const ensure = `
INSERT INTO counsellors (email, name, agency)
SELECT $1 || i || '@agence.example', 'Conseiller ' || i, 'Bench'
FROM generate_series(1, $2) i
ON CONFLICT (lower(email)) DO NOTHING`
	if _, err := s.db.Exec(ctx, ensure, emailPrefix, n); err != nil {
		return nil, translate(err, "create counsellors")
	}
	var ids []int64
	const list = `SELECT array_agg(id ORDER BY id) FROM counsellors WHERE email LIKE $1 || '%@agence.example'`
	if err := s.db.QueryRow(ctx, list, emailPrefix).Scan(&ids); err != nil {
		return nil, translate(err, "list counsellors")
	}
	if len(ids) != n {
		return nil, fmt.Errorf("spread candidates: %d counsellors with prefix %q, want %d", len(ids), emailPrefix, n)
	}
	const spread = `UPDATE candidates SET counsellor_id = ($1::bigint[])[1 + id % cardinality($1::bigint[])]
WHERE counsellor_id <> ($1::bigint[])[1 + id % cardinality($1::bigint[])]`
	if _, err := s.db.Exec(ctx, spread, ids); err != nil {
		return nil, translate(err, "spread candidates")
	}
	return ids, nil
}

// GiveUniquePhones gives every candidate a number of their own. The seeded
// population shares ARCEP's 10,000 fictional mobile numbers (ten people a
// number at 100,000), which would make every reply look like it came from
// ten job seekers. These numbers extend that range to 15 digits: valid
// E.164, too long to be a French number, so nobody's.
func (s *Store) GiveUniquePhones(ctx context.Context) error {
	const q = `UPDATE candidates SET phone = '+3363998' || lpad(id::text, 8, '0')
WHERE phone <> '+3363998' || lpad(id::text, 8, '0')`
	_, err := s.db.Exec(ctx, q)
	return translate(err, "give unique phones")
}

// ResetConsent forgets every opt-out, so that a benchmark run starts with
// everyone reachable.
func (s *Store) ResetConsent(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `TRUNCATE opt_outs, consent_events`)
	return translate(err, "reset consent")
}

// MarkCampaignSent moves every planned contact of the offer to sent, with
// a made-up provider SID, as if the worker had sent them all.
func (s *Store) MarkCampaignSent(ctx context.Context, offerID int64) (int, error) {
	const q = `
UPDATE contacts SET status = 'sent', message_sid = 'SM' || lpad(to_hex(id), 32, '0'),
	enqueued_at = now(), send_claimed_at = now(), sent_at = now(), updated_at = now()
WHERE offer_id = $1 AND status = 'planned'`
	tag, err := s.db.Exec(ctx, q, offerID)
	return int(tag.RowsAffected()), translate(err, "mark campaign sent")
}

// AnalyzeOutreach refreshes the planner's statistics after a bulk load, as
// autovacuum does within a minute of a table growing by a tenth.
func (s *Store) AnalyzeOutreach(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `ANALYZE candidates, contacts, offers`)
	return translate(err, "analyze outreach tables")
}

// ContactIDRange returns the smallest and largest contact id of an offer.
func (s *Store) ContactIDRange(ctx context.Context, offerID int64) (lo, hi int64, err error) {
	err = s.db.QueryRow(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM contacts WHERE offer_id = $1`, offerID).Scan(&lo, &hi)
	return lo, hi, translate(err, "contact id range")
}

// SentContact is what a webhook about a sent SMS names.
type SentContact struct {
	ID    int64
	SID   string
	Phone string
}

// SentContacts lists the offer's contacts that have a SID, by id.
func (s *Store) SentContacts(ctx context.Context, offerID int64) ([]SentContact, error) {
	rows, err := s.db.Query(ctx, `SELECT id, message_sid, phone FROM contacts
WHERE offer_id = $1 AND message_sid IS NOT NULL ORDER BY id`, offerID)
	if err != nil {
		return nil, translate(err, "sent contacts")
	}
	defer rows.Close()
	var out []SentContact
	for rows.Next() {
		var c SentContact
		if err := rows.Scan(&c.ID, &c.SID, &c.Phone); err != nil {
			return nil, translate(err, "scan sent contact")
		}
		out = append(out, c)
	}
	return out, translate(rows.Err(), "sent contacts")
}

// WebhookCounts is what the webhooks left in the database.
type WebhookCounts struct {
	Inbound, StatusEvents, InboxItems, Delivered, Replied, OptOuts int
}

// CountWebhookEffects counts the rows the webhooks wrote for the offer.
func (s *Store) CountWebhookEffects(ctx context.Context, offerID int64) (WebhookCounts, error) {
	const q = `SELECT
	(SELECT count(*) FROM inbound_messages),
	(SELECT count(*) FROM status_events),
	(SELECT count(*) FROM inbox_items),
	(SELECT count(*) FROM contacts WHERE offer_id = $1 AND status = 'delivered'),
	(SELECT count(*) FROM contacts WHERE offer_id = $1 AND reply IS NOT NULL),
	(SELECT count(*) FROM opt_outs)`
	var c WebhookCounts
	err := s.db.QueryRow(ctx, q, offerID).Scan(&c.Inbound, &c.StatusEvents, &c.InboxItems, &c.Delivered, &c.Replied, &c.OptOuts)
	return c, translate(err, "count webhook effects")
}

// InboxItemSIDs maps each inbox item to the MessageSid of the SMS that
// made it.
func (s *Store) InboxItemSIDs(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.Query(ctx, `SELECT i.id, m.message_sid FROM inbox_items i JOIN inbound_messages m ON m.id = i.inbound_id`)
	if err != nil {
		return nil, translate(err, "inbox item sids")
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var sid string
		if err := rows.Scan(&id, &sid); err != nil {
			return nil, translate(err, "scan inbox item sid")
		}
		out[id] = sid
	}
	return out, translate(rows.Err(), "inbox item sids")
}

// DeletePgbenchEvents removes the rows pgbench's script added.
func (s *Store) DeletePgbenchEvents(ctx context.Context, sidPrefix string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM status_events WHERE message_sid LIKE $1 || '%'`, sidPrefix)
	return translate(err, "delete pgbench events")
}
