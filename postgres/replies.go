package postgres

import (
	"context"

	"github.com/franceoutreach/outreach/outreach"
)

// ContactForReply finds the contact a reply answers among the SMS sent to
// that phone in the last 30 days: the offer with reference ref when it is
// one of them, else the one texted last (offer SMS or reminder); with when
// its offer's campaign closed, who follows the job seeker and whether the
// offer asks pre-screening questions. It reads
// only what a reply needs of the contact (see outreach.ReplyTarget).
func (s *Store) ContactForReply(ctx context.Context, phone, ref string) (outreach.ReplyTarget, error) {
	const q = `SELECT k.id, k.offer_id, k.candidate_id, k.phone, coalesce(k.reply, ''), o.closed_at,
	o.reference = $2, c.counsellor_id, o.reference, k.distance_km, k.sent_at,
	EXISTS (SELECT 1 FROM offer_questions q WHERE q.offer_id = k.offer_id)
FROM contacts k
JOIN candidates c ON c.id = k.candidate_id
JOIN offers o ON o.id = k.offer_id
WHERE k.phone = $1 AND k.message_sid IS NOT NULL AND k.sent_at > now() - interval '30 days'
ORDER BY o.reference = $2 DESC, greatest(k.sent_at, k.reminded_at) DESC, k.id DESC
LIMIT 1`
	var t outreach.ReplyTarget
	err := s.db.QueryRow(ctx, q, phone, ref).Scan(&t.ID, &t.OfferID, &t.CandidateID, &t.Phone, &t.Reply,
		&t.OfferClosedAt, &t.ByReference, &t.CounsellorID, &t.OfferRef, &t.DistanceKM, &t.SentAt, &t.HasQuestions)
	return t, translate(err, "contact for reply")
}

// RecordInbound stores an inbound SMS, its inbox item, the contact's new
// interest and the consent change in one statement, one round trip: the
// busy path of every reply. Nothing is written when the MessageSid is
// already stored. (Data-modifying WITH queries all run, read or not.)
func (s *Store) RecordInbound(ctx context.Context, in *outreach.Inbound, item *outreach.InboxItem, effect outreach.ReplyEffect) (bool, error) {
	const q = `
WITH m AS (
	INSERT INTO inbound_messages (message_sid, from_phone, to_phone, body, intent, offer_ref, link, contact_id, candidate_id)
	VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8::bigint, 0), nullif($9::bigint, 0))
	ON CONFLICT (message_sid) DO NOTHING
	RETURNING id, received_at
), i AS (
	INSERT INTO inbox_items (counsellor_id, inbound_id, candidate_id, offer_id, contact_id, late,
		screening_status, screening_question)
	SELECT nullif($10::bigint, 0), m.id, nullif($9::bigint, 0), nullif($11::bigint, 0), nullif($8::bigint, 0), $12,
		nullif($17::text, ''), CASE WHEN $17::text <> '' THEN $18::integer END FROM m
	RETURNING id, created_at
), reply AS (
	UPDATE contacts SET reply = $13, replied_at = $14, updated_at = now()
	WHERE id = $8::bigint AND $13::text <> '' AND coalesce(reply, '') = ANY ($15::text[]) AND EXISTS (SELECT 1 FROM m)
), opted_out AS (
	INSERT INTO opt_outs (phone, source) SELECT $2, 'sms' FROM m WHERE $16::text = 'opt_out'
	ON CONFLICT (phone) DO NOTHING
	RETURNING phone
), opted_in AS (
	DELETE FROM opt_outs WHERE phone = $2 AND $16::text = 'opt_in' AND EXISTS (SELECT 1 FROM m)
), consent AS (
	INSERT INTO consent_events (phone, action, source)
	SELECT phone, 'opt_out', 'sms' FROM opted_out
	UNION ALL
	SELECT $2, 'opt_in', 'sms' FROM m WHERE $16::text = 'opt_in'
)
SELECT m.id, m.received_at, i.id, i.created_at FROM m, i`
	replaces := make([]string, len(effect.Replaces))
	for k, r := range effect.Replaces {
		replaces[k] = string(r)
	}
	err := s.db.QueryRow(ctx, q, in.MessageSID, in.From, in.To, in.Body, string(in.Intent), in.OfferRef, string(in.Link),
		in.ContactID, in.CandidateID, item.CounsellorID, item.OfferID, item.Late, string(effect.Interest), effect.At,
		replaces, string(effect.Consent), string(item.Screening), item.ScreeningQuestion).
		Scan(&in.ID, &in.ReceivedAt, &item.ID, &item.CreatedAt)
	if err != nil {
		err = translate(err, "record inbound")
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	item.InboundID = in.ID
	return true, nil
}

// inboxQuery reads inbox items with what the inbox shows of each, newest
// first: those of the counsellor $1, or of every counsellor of the agency
// $3 when it is set; not those of erased job seekers (c.erased_at, NULL
// too for an unknown sender).
const inboxQuery = `
SELECT i.id, coalesce(i.counsellor_id, 0), i.inbound_id, coalesce(i.candidate_id, 0), coalesce(i.offer_id, 0),
	coalesce(i.contact_id, 0), i.created_at, i.handled_at,
	coalesce(c.first_name, ''), coalesce(c.external_id, ''), m.from_phone, coalesce(o.title, ''),
	coalesce(o.reference, ''), m.body, m.intent, coalesce(k.reply, ''), m.link, i.late,
	coalesce(i.screening_status, ''), coalesce(i.screening_question, 0),
	coalesce(i.corrected_interest, ''), coalesce(i.corrected_by, 0), i.corrected_at
FROM inbox_items i
JOIN inbound_messages m ON m.id = i.inbound_id
LEFT JOIN candidates c ON c.id = i.candidate_id
LEFT JOIN offers o ON o.id = i.offer_id
LEFT JOIN contacts k ON k.id = i.contact_id
WHERE (i.counsellor_id = $1 OR ($3 <> '' AND i.counsellor_id IN (SELECT id FROM counsellors WHERE agency = $3)))
	AND c.erased_at IS NULL
ORDER BY i.created_at DESC, i.id DESC
LIMIT $2`

// Inbox lists a counsellor's inbox items, newest first, with what the
// inbox shows of each.
func (s *Store) Inbox(ctx context.Context, counsellorID int64, limit int) ([]outreach.InboxItem, error) {
	return s.inbox(ctx, counsellorID, "", limit)
}

// AgencyInbox lists the inbox items of every counsellor of the agency,
// for its administrators.
func (s *Store) AgencyInbox(ctx context.Context, agency string, limit int) ([]outreach.InboxItem, error) {
	return s.inbox(ctx, 0, agency, limit)
}

// AgencyCounsellors lists the IDs of the agency's counsellors.
func (s *Store) AgencyCounsellors(ctx context.Context, agency string) ([]int64, error) {
	return s.contactIDs(ctx, "agency counsellors", `SELECT id FROM counsellors WHERE agency = $1 ORDER BY id`, agency)
}

func (s *Store) inbox(ctx context.Context, counsellorID int64, agency string, limit int) ([]outreach.InboxItem, error) {
	const q = inboxQuery
	rows, err := s.db.Query(ctx, q, counsellorID, limit, agency)
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
			&it.Body, &it.Intent, &it.Interest, &it.Link, &it.Late, &it.Screening, &it.ScreeningQuestion,
			&it.CorrectedInterest, &it.CorrectedBy, &it.CorrectedAt); err != nil {
			return nil, translate(err, "scan inbox item")
		}
		it.PhoneMasked = outreach.MaskPhone(phone)
		items = append(items, it)
	}
	return items, translate(rows.Err(), "inbox")
}
