package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Referral storage (migration 014): the counsellors' shortlist decisions,
// append-only, and each contact's referral to the employer.

// shortlistQuery reads the offer's interested contacts, but the erased
// job seekers', with their conversation, if any, their referral and the
// employer's latest status.
const shortlistQuery = `SELECT ` + contactColumns + `,
	s.contact_id IS NOT NULL, coalesce(s.questions, '[]'), coalesce(s.status, ''), coalesce(s.question_index, 0),
	coalesce(s.answers, '{}'), coalesce(s.reminded, false), coalesce(s.handed_over, false), s.started_at, s.ended_at,
	k.referred_at, coalesce(k.referred_by, 0), coalesce(e.status, ''), e.set_at
FROM contacts k JOIN candidates c ON c.id = k.candidate_id
LEFT JOIN screenings s ON s.contact_id = k.id
LEFT JOIN LATERAL (` + latestEmployerStatus + `) e ON true
WHERE k.offer_id = $1 AND k.reply = 'interested' AND c.erased_at IS NULL
ORDER BY k.score DESC, k.id`

// decisionsQuery reads the decisions on the offer's contacts, oldest first.
const decisionsQuery = `SELECT d.id, d.contact_id, d.proposed, d.reason, d.counsellor_id, co.name, d.decided_at
FROM shortlist_decisions d JOIN contacts k ON k.id = d.contact_id JOIN counsellors co ON co.id = d.counsellor_id
WHERE k.offer_id = $1
ORDER BY d.decided_at, d.id`

// ShortlistContacts lists the offer's interested contacts, best match
// first, each with its conversation, its decisions and its referral.
func (s *Store) ShortlistContacts(ctx context.Context, offerID int64) ([]outreach.ShortlistContact, error) {
	rows, err := s.db.Query(ctx, shortlistQuery, offerID)
	if err != nil {
		return nil, translate(err, "shortlist contacts")
	}
	out, err := pgx.CollectRows(rows, scanShortlistContact)
	if err != nil {
		return nil, translate(err, "shortlist contacts")
	}
	rows, err = s.db.Query(ctx, decisionsQuery, offerID)
	if err != nil {
		return nil, translate(err, "shortlist decisions")
	}
	decisions, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.ShortlistDecision, error) {
		var d outreach.ShortlistDecision
		err := row.Scan(&d.ID, &d.ContactID, &d.Proposed, &d.Reason, &d.CounsellorID, &d.CounsellorName, &d.DecidedAt)
		return d, err
	})
	if err != nil {
		return nil, translate(err, "shortlist decisions")
	}
	byContact := make(map[int64]int, len(out))
	for i, c := range out {
		byContact[c.ID] = i
	}
	for _, d := range decisions {
		if i, ok := byContact[d.ContactID]; ok { // no longer interested: not on the list
			out[i].Decisions = append(out[i].Decisions, d)
		}
	}
	return out, nil
}

func scanShortlistContact(row pgx.CollectableRow) (outreach.ShortlistContact, error) {
	var (
		c         outreach.ShortlistContact
		screened  bool
		sc        outreach.ShortlistScreening
		questions []questionJSON
		answers   []string
		started   *time.Time
	)
	k, err := scanContact(withColumns(row, &screened, &questions, &sc.Status, &sc.Question, &answers, &sc.Reminded,
		&sc.HandedOver, &started, &sc.EndedAt, &c.ReferredAt, &c.ReferredBy, &c.EmployerStatus, &c.EmployerStatusAt))
	if err != nil {
		return c, err
	}
	c.Contact = k
	if !screened {
		return c, nil
	}
	if sc.Questions, err = fromSnapshot(questions); err != nil {
		return c, fmt.Errorf("questions of contact %d: %w", k.ID, err)
	}
	for _, a := range answers {
		sc.Answers = append(sc.Answers, outreach.Answer(a))
	}
	if started != nil {
		sc.StartedAt = *started
	}
	c.Screening = &sc
	return c, nil
}

// RecordShortlistDecision appends a decision and fills its ID.
func (s *Store) RecordShortlistDecision(ctx context.Context, d *outreach.ShortlistDecision) error {
	const q = `INSERT INTO shortlist_decisions (contact_id, proposed, reason, counsellor_id, decided_at)
VALUES ($1, $2, $3, $4, $5) RETURNING id`
	err := s.db.QueryRow(ctx, q, d.ContactID, d.Proposed, d.Reason, d.CounsellorID, d.DecidedAt).Scan(&d.ID)
	return translate(err, "insert shortlist decision")
}

// MarkReferred records the referral of those contacts still interested
// and not referred yet, in one conditional update, and returns their IDs.
func (s *Store) MarkReferred(ctx context.Context, contactIDs []int64, counsellorID int64, at time.Time) ([]int64, error) {
	const q = `UPDATE contacts SET referred_at = $3, referred_by = $2, updated_at = now()
WHERE id = ANY($1) AND referred_at IS NULL AND reply = 'interested'
RETURNING id`
	return s.contactIDs(ctx, "mark referred", q, contactIDs, counsellorID, at)
}

// timingsQuery measures, in one statement, the conversations with
// questions started in [$3, $4) and the referrals made in [$3, $4), of
// the offer $1 (0: all), of the counsellor $2's offers (0: all) and of the
// offers the viewer $8 sees (0 and not $9: all; see outreach.Viewer: $9
// admin of the agency $10; $8 = 0 with $9: an outreach.AgencyViewer), as
// of $5. $6 and $7 are the reference times, in seconds.
const timingsQuery = `WITH s AS (
	SELECT s.status IN ('qualified', 'not_qualified') AS completed, s.ended_at IS NOT NULL AS ended,
		s.started_at, extract(epoch FROM s.ended_at - s.started_at) AS secs
	FROM screenings s JOIN contacts k ON k.id = s.contact_id JOIN offers o ON o.id = k.offer_id
	JOIN counsellors co ON co.id = o.counsellor_id
	WHERE jsonb_array_length(s.questions) > 0
		AND ($1::bigint = 0 OR k.offer_id = $1) AND ($2::bigint = 0 OR o.counsellor_id = $2)
		AND (($8::bigint = 0 AND NOT $9::boolean) OR o.counsellor_id = $8 OR ($9::boolean AND co.agency = $10::text))
		AND ($3::timestamptz IS NULL OR s.started_at >= $3) AND ($4::timestamptz IS NULL OR s.started_at < $4)
), r AS (
	SELECT extract(epoch FROM k.referred_at - o.created_at) AS secs
	FROM contacts k JOIN offers o ON o.id = k.offer_id JOIN counsellors co ON co.id = o.counsellor_id
	WHERE k.referred_at IS NOT NULL
		AND ($1::bigint = 0 OR k.offer_id = $1) AND ($2::bigint = 0 OR o.counsellor_id = $2)
		AND (($8::bigint = 0 AND NOT $9::boolean) OR o.counsellor_id = $8 OR ($9::boolean AND co.agency = $10::text))
		AND ($3::timestamptz IS NULL OR k.referred_at >= $3) AND ($4::timestamptz IS NULL OR k.referred_at < $4)
)
SELECT
	(SELECT count(*) FROM s),
	(SELECT count(*) FROM s WHERE ended OR started_at <= $5::timestamptz - make_interval(secs => $6)),
	(SELECT count(*) FROM s WHERE completed),
	(SELECT count(*) FROM s WHERE completed AND secs <= $6),
	(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) FROM s WHERE completed),
	(SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY secs) FROM s WHERE completed),
	(SELECT count(*) FROM r),
	(SELECT count(*) FROM r WHERE secs <= $7),
	(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) FROM r),
	(SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY secs) FROM r)`

// Timings measures the pre-screenings and referrals that f selects, as of
// now (see outreach.Timings).
func (s *Store) Timings(ctx context.Context, f outreach.TimingsFilter, now time.Time) (outreach.Timings, error) {
	var (
		t                                    outreach.Timings
		scrMedian, scrP90, refMedian, refP90 *float64
	)
	err := s.db.QueryRow(ctx, timingsQuery, f.OfferID, f.CounsellorID, timeOrNull(f.Since), timeOrNull(f.Until), now,
		outreach.ReferenceScreeningWithin.Seconds(), outreach.ReferenceReferralWithin.Seconds(),
		f.Viewer.CounsellorID, f.Viewer.Admin, f.Viewer.Agency).Scan(
		&t.Screening.Started, &t.Screening.Settled, &t.Screening.Completed, &t.Screening.CompletedWithin,
		&scrMedian, &scrP90, &t.Referral.Referred, &t.Referral.Within, &refMedian, &refP90)
	if err != nil {
		return t, translate(err, "timings")
	}
	t.Screening.Median, t.Screening.P90 = seconds(scrMedian), seconds(scrP90)
	t.Referral.Median, t.Referral.P90 = seconds(refMedian), seconds(refP90)
	return t, nil
}

func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// seconds turns a number of seconds into a duration, to the microsecond.
func seconds(s *float64) *time.Duration {
	if s == nil {
		return nil
	}
	d := time.Duration(*s * float64(time.Second)).Round(time.Microsecond)
	return &d
}
