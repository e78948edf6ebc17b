package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// The counsellor's dashboard (outreach.Dashboard): a few aggregate
// queries, each over the same contacts, computed where the data is.

// dashboardContacts selects the contacts a dashboard counts: those sent
// or failed, of the offers the viewer $1 sees (own offers, or with $2 the
// offers of every counsellor of the agency $3), of the offer $4 (0: all),
// sent (or created, when they failed before reaching the provider) in
// [$5, $6), NULL bounds open. For each: the Monday of its week in
// Europe/Paris, and its time to first reply in seconds: the earliest
// inbound SMS linked to it, or its recorded interest when earlier (an
// interest changed by a later SMS moves replied_at, not the first reply).
const dashboardContacts = `WITH k AS (
	SELECT k.id, k.offer_id, o.counsellor_id AS owner, co.agency, k.status, k.reply, k.referred_at,
		date_trunc('week', coalesce(k.sent_at, k.created_at) AT TIME ZONE 'Europe/Paris')::date AS week,
		CASE WHEN k.reply IS NOT NULL THEN extract(epoch FROM least(k.replied_at, r.first_at) - k.sent_at) END AS reply_secs
	FROM contacts k
	JOIN offers o ON o.id = k.offer_id
	JOIN counsellors co ON co.id = o.counsellor_id
	LEFT JOIN (SELECT contact_id, min(received_at) AS first_at FROM inbound_messages
		WHERE contact_id IS NOT NULL GROUP BY contact_id) r ON r.contact_id = k.id
	WHERE k.status IN ('sent', 'delivered', 'undelivered', 'failed')
		AND (o.counsellor_id = $1 OR ($2::boolean AND co.agency = $3::text))
		AND ($4::bigint = 0 OR k.offer_id = $4)
		AND ($5::timestamptz IS NULL OR coalesce(k.sent_at, k.created_at) >= $5)
		AND ($6::timestamptz IS NULL OR coalesce(k.sent_at, k.created_at) < $6)
)
`

// countColumns count the contacts k as outreach.ContactCounts, in the
// order of countTargets. A reply to an SMS still only sent proves it
// delivered.
const countColumns = `count(*),
	count(*) FILTER (WHERE k.status = 'delivered' OR (k.status = 'sent' AND k.reply IS NOT NULL)),
	count(*) FILTER (WHERE k.status IN ('undelivered', 'failed')),
	count(k.reply),
	count(*) FILTER (WHERE k.reply = 'interested'),
	count(*) FILTER (WHERE k.reply = 'declined'),
	count(*) FILTER (WHERE k.reply = 'unclear'),
	count(*) FILTER (WHERE k.reply = 'opted_out')`

func countTargets(c *outreach.ContactCounts) []any {
	return []any{&c.Sent, &c.Delivered, &c.Failed, &c.Replied, &c.Interested, &c.Declined, &c.Unclear, &c.OptedOut}
}

// dashboardArgs are the parameters $1 to $6 of dashboardContacts.
func dashboardArgs(f outreach.DashboardFilter, more ...any) []any {
	return append([]any{f.Viewer.CounsellorID, f.Viewer.Admin, f.Viewer.Agency, f.OfferID,
		timeOrNull(f.Since), timeOrNull(f.Until)}, more...)
}

// DashboardTotals counts the contacts f selects and measures their times
// to first reply.
func (s *Store) DashboardTotals(ctx context.Context, f outreach.DashboardFilter) (outreach.DashboardTotals,
	outreach.FirstReplyTimes, error) {
	const q = dashboardContacts + `SELECT count(DISTINCT k.offer_id), ` + countColumns + `,
	count(k.reply_secs),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY k.reply_secs),
	percentile_cont(0.9) WITHIN GROUP (ORDER BY k.reply_secs)
FROM k`
	var (
		t           outreach.DashboardTotals
		r           outreach.FirstReplyTimes
		median, p90 *float64
	)
	dest := append([]any{&t.Offers}, countTargets(&t.ContactCounts)...)
	dest = append(dest, &r.Replied, &median, &p90)
	if err := s.db.QueryRow(ctx, q, dashboardArgs(f)...).Scan(dest...); err != nil {
		return t, r, translate(err, "dashboard totals")
	}
	r.Median, r.P90 = seconds(median), seconds(p90)
	return t, r, nil
}

// ReplyDelays counts the replied contacts f selects by time to first
// reply, in len(bounds)+1 buckets.
func (s *Store) ReplyDelays(ctx context.Context, f outreach.DashboardFilter, bounds []time.Duration) ([]int, error) {
	const q = dashboardContacts + `SELECT width_bucket(k.reply_secs, $7::float8[]), count(*)
FROM k WHERE k.reply_secs IS NOT NULL
GROUP BY 1`
	secs := make([]float64, len(bounds))
	for i, b := range bounds {
		secs[i] = b.Seconds()
	}
	rows, err := s.db.Query(ctx, q, dashboardArgs(f, secs)...)
	if err != nil {
		return nil, translate(err, "reply delays")
	}
	counts := make([]int, len(bounds)+1)
	var bucket, n int
	_, err = pgx.ForEachRow(rows, []any{&bucket, &n}, func() error {
		counts[bucket] = n
		return nil
	})
	return counts, translate(err, "reply delays")
}

// DashboardWeeks counts the contacts f selects per week of Europe/Paris,
// oldest first.
func (s *Store) DashboardWeeks(ctx context.Context, f outreach.DashboardFilter) ([]outreach.WeekFigures, error) {
	const q = dashboardContacts + `SELECT k.week, ` + countColumns + `,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY k.reply_secs)
FROM k GROUP BY k.week ORDER BY k.week`
	rows, err := s.db.Query(ctx, q, dashboardArgs(f)...)
	if err != nil {
		return nil, translate(err, "dashboard weeks")
	}
	weeks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.WeekFigures, error) {
		var (
			w      outreach.WeekFigures
			median *float64
		)
		dest := append([]any{&w.Start}, countTargets(&w.ContactCounts)...)
		err := row.Scan(append(dest, &median)...)
		w.MedianFirstReply = seconds(median)
		return w, err
	})
	return weeks, translate(err, "dashboard weeks")
}

// DashboardOffers counts the contacts f selects per offer, newest first,
// with their pre-screenings qualified and their referrals.
func (s *Store) DashboardOffers(ctx context.Context, f outreach.DashboardFilter) ([]outreach.OfferFigures, error) {
	const q = dashboardContacts + `SELECT o.id, o.reference, o.title, ` + countColumns + `,
	count(*) FILTER (WHERE sc.status = 'qualified'),
	count(k.referred_at)
FROM k JOIN offers o ON o.id = k.offer_id
LEFT JOIN screenings sc ON sc.contact_id = k.id
GROUP BY o.id
ORDER BY o.created_at DESC, o.id DESC`
	rows, err := s.db.Query(ctx, q, dashboardArgs(f)...)
	if err != nil {
		return nil, translate(err, "dashboard offers")
	}
	offers, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.OfferFigures, error) {
		var o outreach.OfferFigures
		dest := append([]any{&o.OfferID, &o.Reference, &o.Title}, countTargets(&o.ContactCounts)...)
		return o, row.Scan(append(dest, &o.Qualified, &o.Referred)...)
	})
	return offers, translate(err, "dashboard offers")
}

// DashboardAgencies counts the contacts f selects per agency of the
// offers' counsellors, by agency name.
func (s *Store) DashboardAgencies(ctx context.Context, f outreach.DashboardFilter) ([]outreach.AgencyFigures, error) {
	const q = dashboardContacts + `SELECT k.agency, count(DISTINCT k.owner), ` + countColumns + `
FROM k GROUP BY k.agency ORDER BY k.agency`
	rows, err := s.db.Query(ctx, q, dashboardArgs(f)...)
	if err != nil {
		return nil, translate(err, "dashboard agencies")
	}
	agencies, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.AgencyFigures, error) {
		var a outreach.AgencyFigures
		return a, row.Scan(append([]any{&a.Agency, &a.Counsellors}, countTargets(&a.ContactCounts)...)...)
	})
	return agencies, translate(err, "dashboard agencies")
}

// smsDistributionQuery counts the job seekers the viewer $1 follows (with
// $2, those of every counsellor of the agency $3) by the number of offer
// SMS sent or delivered to them in [$4, $5), whichever offer: those who
// may be texted (consent, no opt-out) and those who got one anyway.
const smsDistributionQuery = `WITH people AS (
	SELECT c.id, c.sms_consent AND NOT EXISTS (SELECT 1 FROM opt_outs x WHERE x.phone = c.phone) AS textable
	FROM candidates c JOIN counsellors co ON co.id = c.counsellor_id
	WHERE c.counsellor_id = $1 OR ($2::boolean AND co.agency = $3::text)
), sms AS (
	SELECT p.id, p.textable, count(k.id) AS n
	FROM people p LEFT JOIN contacts k ON k.candidate_id = p.id AND k.status IN ('sent', 'delivered')
		AND ($4::timestamptz IS NULL OR k.sent_at >= $4) AND ($5::timestamptz IS NULL OR k.sent_at < $5)
	GROUP BY p.id, p.textable
)
SELECT n, count(*) FROM sms WHERE textable OR n > 0 GROUP BY n ORDER BY n`

// SMSDistribution counts the job seekers f.Viewer follows by the number
// of offer SMS they received in f's period, fewest first.
func (s *Store) SMSDistribution(ctx context.Context, f outreach.DashboardFilter) ([]outreach.SMSCount, error) {
	rows, err := s.db.Query(ctx, smsDistributionQuery, f.Viewer.CounsellorID, f.Viewer.Admin, f.Viewer.Agency,
		timeOrNull(f.Since), timeOrNull(f.Until))
	if err != nil {
		return nil, translate(err, "sms distribution")
	}
	dist, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.SMSCount, error) {
		var d outreach.SMSCount
		return d, row.Scan(&d.SMS, &d.JobSeekers)
	})
	return dist, translate(err, "sms distribution")
}
