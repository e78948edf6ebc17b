package outreach

import (
	"context"
	"fmt"
	"time"
)

// The counsellor's dashboard: how the outreach of the offers a viewer sees
// is doing, next to the pilot's figures. It counts the contacts (offer
// SMS) of those offers whose SMS went out: handed to the provider or
// failed (statuses sent, delivered, undelivered and failed; planned,
// queued and sending ones are not counted yet). A contact belongs to the
// period, and to the week, of its sent_at, or of its creation when it
// failed before reaching the provider; its delivery, reply, pre-screening
// and referral count with it whenever they came.

// ReferenceFirstReply is the pilot's median time from an offer SMS to the
// job seeker's first reply.
const ReferenceFirstReply = 19 * time.Minute

// replyDelayBounds split the times to first reply into the buckets of
// the dashboard's chart: 0-5 min, 5-15, 15-30, 30-60, 1-2 h, 2-6 h,
// 6-24 h, more than 24 h.
var replyDelayBounds = []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
	2 * time.Hour, 6 * time.Hour, 24 * time.Hour}

// DashboardStore computes the dashboard's figures where the data is, each
// in one aggregate query over the contacts f selects (see Dashboard): the
// sent contacts of the offers f.Viewer sees, of f.OfferID when set, sent
// in [f.Since, f.Until) (a zero bound is open).
type DashboardStore interface {
	// DashboardTotals counts the contacts f selects and the offers they
	// belong to, and measures their times to first reply.
	DashboardTotals(ctx context.Context, f DashboardFilter) (DashboardTotals, FirstReplyTimes, error)
	// ReplyDelays counts the replied contacts f selects by time to first
	// reply, in len(bounds)+1 buckets: below bounds[0], then from each
	// bound to the next, then from the last bound on.
	ReplyDelays(ctx context.Context, f DashboardFilter, bounds []time.Duration) ([]int, error)
	// DashboardWeeks counts the contacts f selects per week of their SMS
	// (ISO weeks, from Monday 00:00 Europe/Paris), oldest first, leaving
	// out the weeks without any.
	DashboardWeeks(ctx context.Context, f DashboardFilter) ([]WeekFigures, error)
	// DashboardOffers counts the contacts f selects per offer, the newest
	// offer first.
	DashboardOffers(ctx context.Context, f DashboardFilter) ([]OfferFigures, error)
	// DashboardAgencies counts the contacts f selects per agency of the
	// offers' counsellors, by agency name.
	DashboardAgencies(ctx context.Context, f DashboardFilter) ([]AgencyFigures, error)
	// SMSDistribution counts the job seekers f.Viewer follows by the
	// number of offer SMS they received in f's period (see SMSSpread),
	// fewest SMS first, one SMSCount per number found.
	SMSDistribution(ctx context.Context, f DashboardFilter) ([]SMSCount, error)
}

// DashboardFilter selects what a dashboard counts.
type DashboardFilter struct {
	// Viewer is who asks: required. A counsellor counts the offers they
	// own, an administrator those of every counsellor of the agency.
	Viewer Viewer
	// Since and Until bound when the SMS went out, the first included and
	// the second not; zero: open.
	Since, Until time.Time
	// OfferID narrows to one offer the viewer sees; 0: all of them.
	OfferID int64
}

// Dashboard is what the counsellor's dashboard shows: the outreach of the
// offers the viewer sees, in totals, over time, per offer and per agency,
// with the pilot's figures to compare (ReferenceFirstReply,
// ReferenceScreeningShare within ReferenceScreeningWithin,
// ReferenceReferralShare within ReferenceReferralWithin).
type Dashboard struct {
	Filter DashboardFilter
	Totals DashboardTotals
	// FirstReply measures the time from the SMS to the first reply,
	// against ReferenceFirstReply; ReplyDelays spreads those times over
	// the chart's buckets, shortest first, every bucket listed.
	FirstReply  FirstReplyTimes
	ReplyDelays []ReplyDelayBucket
	// Timings measures the pre-screenings started and the referrals made
	// in the period, of the same offers.
	Timings Timings
	// Spread says how evenly offer SMS fall on the job seekers the
	// viewer follows, whichever offer they were for; it ignores OfferID.
	Spread SMSSpread
	// Weeks run from the first week with an SMS to the last, weeks
	// without any included with zero counts.
	Weeks []WeekFigures
	// Offers lists the offers with an SMS in the period, newest first.
	Offers []OfferFigures
	// Agencies has one row per agency whose offers the viewer sees: one
	// for a counsellor or an agency administrator.
	Agencies []AgencyFigures
}

// ContactCounts counts contacts by where they stand. Delivered counts
// the SMS reported delivered, and those still only sent that got a reply
// (the reply proves the delivery the provider never reported).
type ContactCounts struct {
	Sent       int // handed to the provider or failed
	Delivered  int
	Failed     int // undelivered or failed
	Replied    int // any reply understood: interested, declined, unclear, opted out
	Interested int
	Declined   int
	Unclear    int
	OptedOut   int
}

// ReplyRate is the share of the delivered SMS that got a reply, nil when
// none was delivered.
func (c ContactCounts) ReplyRate() *float64 { return rate(c.Replied, c.Delivered) }

// InterestRate is the share of the replies that said yes, nil when none
// came.
func (c ContactCounts) InterestRate() *float64 { return rate(c.Interested, c.Replied) }

// FailureRate is the share of the SMS sent that were not delivered
// (undelivered or failed), nil when none was sent.
func (c ContactCounts) FailureRate() *float64 { return rate(c.Failed, c.Sent) }

func rate(n, of int) *float64 {
	r, ok := ratio(n, of)
	if !ok {
		return nil
	}
	return &r
}

// DashboardTotals counts everything a dashboard selects.
type DashboardTotals struct {
	Offers int // offers with at least one SMS counted
	ContactCounts
}

// FirstReplyTimes measures the time from an offer SMS to the job seeker's
// first reply: the earliest inbound SMS linked to the contact, or when
// its interest was recorded if earlier.
type FirstReplyTimes struct {
	Replied     int // replies measured (the SMS has a send time)
	Median, P90 *time.Duration
}

// ReplyDelayBucket counts the replies that came between From (included)
// and To (excluded) after their SMS; To is 0 for the last bucket, open.
type ReplyDelayBucket struct {
	From, To time.Duration
	Replies  int
}

// Label names the bucket for a chart, in French: "0-5 min", "1-2 h",
// "plus de 24 h".
func (b ReplyDelayBucket) Label() string {
	if b.To == 0 {
		return "plus de " + shortDuration(b.From)
	}
	if b.To <= time.Hour || b.From%time.Hour != 0 {
		return fmt.Sprintf("%.0f-%.0f min", b.From.Minutes(), b.To.Minutes())
	}
	return fmt.Sprintf("%.0f-%.0f h", b.From.Hours(), b.To.Hours())
}

func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%.0f h", d.Hours())
	}
	return fmt.Sprintf("%.0f min", d.Minutes())
}

// WeekFigures counts the contacts whose SMS went out in one week.
type WeekFigures struct {
	// Start is the week's Monday in Europe/Paris, as 00:00 UTC of that
	// day (like every date here); Start.ISOWeek() gives its number.
	Start time.Time
	ContactCounts
	// MedianFirstReply is the median time to first reply of the week's
	// SMS, nil without replies.
	MedianFirstReply *time.Duration
}

// OfferFigures counts one offer's contacts.
type OfferFigures struct {
	OfferID   int64
	Reference string
	Title     string
	ContactCounts
	Qualified int // pre-screenings that ended qualified
	Referred  int // candidates referred to the employer
}

// AgencyFigures counts the contacts of one agency's offers.
type AgencyFigures struct {
	Agency      string
	Counsellors int // counsellors whose offers sent SMS in the period
	ContactCounts
}

// Dashboard computes the figures of the offers f.Viewer sees (see
// Dashboard). A missing viewer or a period that ends before it starts is
// a ValidationError; an offer the viewer does not see is ErrNotFound.
func (s *Service) Dashboard(ctx context.Context, f DashboardFilter) (Dashboard, error) {
	if err := s.checkDashboardFilter(ctx, f); err != nil {
		return Dashboard{}, err
	}
	d, err := s.dashboard(ctx, f)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	return d, nil
}

func (s *Service) dashboard(ctx context.Context, f DashboardFilter) (Dashboard, error) {
	d := Dashboard{Filter: f}
	var err error
	if d.Totals, d.FirstReply, err = s.store.DashboardTotals(ctx, f); err != nil {
		return d, err
	}
	counts, err := s.store.ReplyDelays(ctx, f, replyDelayBounds)
	if err != nil {
		return d, err
	}
	d.ReplyDelays = delayBuckets(counts)
	tf := TimingsFilter{OfferID: f.OfferID, Viewer: f.Viewer, Since: f.Since, Until: f.Until}
	if d.Timings, err = s.store.Timings(ctx, tf, s.cfg.Now()); err != nil {
		return d, err
	}
	dist, err := s.store.SMSDistribution(ctx, f)
	if err != nil {
		return d, err
	}
	d.Spread = spreadOf(dist)
	weeks, err := s.store.DashboardWeeks(ctx, f)
	if err != nil {
		return d, err
	}
	d.Weeks = fillWeeks(weeks)
	if d.Offers, err = s.store.DashboardOffers(ctx, f); err != nil {
		return d, err
	}
	d.Agencies, err = s.store.DashboardAgencies(ctx, f)
	return d, err
}

// checkDashboardFilter refuses a dashboard without viewer, a period that
// ends before it starts, and an offer the viewer does not see, reported
// as not found like an unknown one.
func (s *Service) checkDashboardFilter(ctx context.Context, f DashboardFilter) error {
	if f.Viewer.CounsellorID == 0 {
		return invalid("viewer", "required")
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return invalid("until", "must be after since")
	}
	if f.OfferID == 0 {
		return nil
	}
	o, err := s.store.Offer(ctx, f.OfferID)
	if err != nil {
		return err
	}
	owner, err := s.store.Counsellor(ctx, o.CounsellorID)
	if err != nil {
		return fmt.Errorf("owner of offer %d: %w", o.ID, err)
	}
	if !f.Viewer.Sees(owner.ID, owner.Agency) {
		return &NotFoundError{What: fmt.Sprintf("offer %d", f.OfferID)}
	}
	return nil
}

// delayBuckets names the counts of ReplyDelays after replyDelayBounds.
func delayBuckets(counts []int) []ReplyDelayBucket {
	out := make([]ReplyDelayBucket, len(replyDelayBounds)+1)
	for i := range out {
		if i > 0 {
			out[i].From = replyDelayBounds[i-1]
		}
		if i < len(replyDelayBounds) {
			out[i].To = replyDelayBounds[i]
		}
		if i < len(counts) {
			out[i].Replies = counts[i]
		}
	}
	return out
}

// fillWeeks adds the weeks without SMS between the first and the last,
// with zero counts, so that a chart over time shows the gaps.
func fillWeeks(weeks []WeekFigures) []WeekFigures {
	if len(weeks) == 0 {
		return nil
	}
	out := []WeekFigures{weeks[0]}
	for _, w := range weeks[1:] {
		for next := out[len(out)-1].Start.AddDate(0, 0, 7); next.Before(w.Start); next = next.AddDate(0, 0, 7) {
			out = append(out, WeekFigures{Start: next})
		}
		out = append(out, w)
	}
	return out
}
