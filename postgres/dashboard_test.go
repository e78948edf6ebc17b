package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// dashboardWant is what each dashboard query must give for one filter.
type dashboardWant struct {
	totals     outreach.DashboardTotals
	firstReply outreach.FirstReplyTimes
	delays     []int
	weeks      []outreach.WeekFigures
	offers     []outreach.OfferFigures
	agencies   []outreach.AgencyFigures
	dist       []outreach.SMSCount
}

// counts builds ContactCounts in the order of its fields: sent,
// delivered, failed, replied, interested, declined, unclear, opted out.
func counts(n ...int) outreach.ContactCounts {
	return outreach.ContactCounts{Sent: n[0], Delivered: n[1], Failed: n[2], Replied: n[3], Interested: n[4],
		Declined: n[5], Unclear: n[6], OptedOut: n[7]}
}

// spread builds an SMS distribution from pairs: SMS, job seekers.
func spread(pairs ...int) []outreach.SMSCount {
	var out []outreach.SMSCount
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, outreach.SMSCount{SMS: pairs[i], JobSeekers: pairs[i+1]})
	}
	return out
}

func minutes(m float64) *time.Duration {
	d := time.Duration(m * float64(time.Minute))
	return &d
}

// TestDashboardQueries runs every dashboard query on the known outreach
// of testenv.DashboardData, for each viewer and period: the figures
// computed by hand, and the scope (a counsellor never counts another's
// offers, an administrator counts the agency's and no other's).
func TestDashboardQueries(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	d := st.DashboardData(t)
	o1, o2, o3 := d.Offers["O1"], d.Offers["O2"], d.Offers["O3"]
	offer := func(o outreach.Offer, c outreach.ContactCounts, qualified, referred int) outreach.OfferFigures {
		return outreach.OfferFigures{OfferID: o.ID, Reference: o.Reference, Title: o.Title, ContactCounts: c,
			Qualified: qualified, Referred: referred}
	}
	week := func(start time.Time, c outreach.ContactCounts, median float64) outreach.WeekFigures {
		return outreach.WeekFigures{Start: start, ContactCounts: c, MedianFirstReply: minutes(median)}
	}
	// Monday 9 March, 00:00 in Paris.
	week2Paris := time.Date(2026, time.March, 8, 23, 0, 0, 0, time.UTC)
	aO1, aO2 := counts(5, 4, 1, 3, 2, 1, 0, 0), counts(3, 2, 1, 2, 1, 0, 0, 1)
	aAll := counts(8, 6, 2, 5, 3, 1, 0, 1)
	lyonAll := counts(11, 9, 2, 7, 4, 1, 1, 1)
	w2 := week(d.Week2, counts(2, 1, 1, 1, 0, 0, 0, 1), 1500)
	tests := []struct {
		name string
		f    outreach.DashboardFilter
		want dashboardWant
	}{
		{"counsellor A: O1 and O2", outreach.DashboardFilter{Viewer: d.Viewer(d.A)}, dashboardWant{
			totals:     outreach.DashboardTotals{Offers: 2, ContactCounts: aAll},
			firstReply: outreach.FirstReplyTimes{Replied: 5, Median: minutes(12), P90: minutes(972)},
			delays:     []int{1, 2, 0, 0, 0, 1, 0, 1},
			weeks:      []outreach.WeekFigures{week(d.Week1, counts(6, 5, 1, 4, 3, 1, 0, 0), 11), w2},
			offers:     []outreach.OfferFigures{offer(o2, aO2, 0, 0), offer(o1, aO1, 1, 1)},
			agencies:   []outreach.AgencyFigures{{Agency: "Lyon Est", Counsellors: 1, ContactCounts: aAll}},
			dist:       spread(0, 1, 1, 1, 3, 1, 4, 1),
		}},
		{"counsellor B: O3, a reply without delivery report counts as delivered", outreach.DashboardFilter{Viewer: d.Viewer(d.B)},
			dashboardWant{
				totals:     outreach.DashboardTotals{Offers: 1, ContactCounts: counts(3, 3, 0, 2, 1, 0, 1, 0)},
				firstReply: outreach.FirstReplyTimes{Replied: 2, Median: minutes(35), P90: minutes(47)},
				delays:     []int{0, 0, 1, 1, 0, 0, 0, 0},
				weeks:      []outreach.WeekFigures{week(d.Week1, counts(3, 3, 0, 2, 1, 0, 1, 0), 35)},
				offers:     []outreach.OfferFigures{offer(o3, counts(3, 3, 0, 2, 1, 0, 1, 0), 0, 0)},
				agencies: []outreach.AgencyFigures{{Agency: "Lyon Est", Counsellors: 1,
					ContactCounts: counts(3, 3, 0, 2, 1, 0, 1, 0)}},
				dist: spread(1, 1, 2, 1),
			}},
		{"administrator of Lyon Est: O1 to O3, not O4", outreach.DashboardFilter{Viewer: d.AdminViewer()}, dashboardWant{
			totals:     outreach.DashboardTotals{Offers: 3, ContactCounts: lyonAll},
			firstReply: outreach.FirstReplyTimes{Replied: 7, Median: minutes(20), P90: minutes(708)},
			delays:     []int{1, 2, 1, 1, 0, 1, 0, 1},
			weeks:      []outreach.WeekFigures{week(d.Week1, counts(9, 8, 1, 6, 4, 1, 1, 0), 16), w2},
			offers: []outreach.OfferFigures{offer(o2, aO2, 0, 0), offer(o3, counts(3, 3, 0, 2, 1, 0, 1, 0), 0, 0),
				offer(o1, aO1, 1, 1)},
			agencies: []outreach.AgencyFigures{{Agency: "Lyon Est", Counsellors: 2, ContactCounts: lyonAll}},
			dist:     spread(0, 1, 1, 2, 2, 1, 3, 1, 4, 1),
		}},
		{"counsellor C of Marseille: O4 only", outreach.DashboardFilter{Viewer: d.Viewer(d.C)}, dashboardWant{
			totals:     outreach.DashboardTotals{Offers: 1, ContactCounts: counts(3, 3, 0, 2, 1, 1, 0, 0)},
			firstReply: outreach.FirstReplyTimes{Replied: 2, Median: minutes(1.5), P90: minutes(1.9)},
			delays:     []int{2, 0, 0, 0, 0, 0, 0, 0},
			weeks:      []outreach.WeekFigures{week(d.Week2, counts(3, 3, 0, 2, 1, 1, 0, 0), 1.5)},
			offers:     []outreach.OfferFigures{offer(d.Offers["O4"], counts(3, 3, 0, 2, 1, 1, 0, 0), 0, 0)},
			agencies: []outreach.AgencyFigures{{Agency: "Marseille", Counsellors: 1,
				ContactCounts: counts(3, 3, 0, 2, 1, 1, 0, 0)}},
			dist: spread(0, 1, 1, 1),
		}},
		{"A since Monday 9 March in Paris: Sunday 23:30 UTC is in", outreach.DashboardFilter{Viewer: d.Viewer(d.A),
			Since: week2Paris}, dashboardWant{
			totals:     outreach.DashboardTotals{Offers: 1, ContactCounts: counts(2, 1, 1, 1, 0, 0, 0, 1)},
			firstReply: outreach.FirstReplyTimes{Replied: 1, Median: minutes(1500), P90: minutes(1500)},
			delays:     []int{0, 0, 0, 0, 0, 0, 0, 1},
			weeks:      []outreach.WeekFigures{w2},
			offers:     []outreach.OfferFigures{offer(o2, counts(2, 1, 1, 1, 0, 0, 0, 1), 0, 0)},
			agencies: []outreach.AgencyFigures{{Agency: "Lyon Est", Counsellors: 1,
				ContactCounts: counts(2, 1, 1, 1, 0, 0, 0, 1)}},
			dist: spread(0, 2, 1, 1, 2, 1),
		}},
		{"A until Monday 9 March in Paris", outreach.DashboardFilter{Viewer: d.Viewer(d.A), Until: week2Paris}, dashboardWant{
			totals:     outreach.DashboardTotals{Offers: 2, ContactCounts: counts(6, 5, 1, 4, 3, 1, 0, 0)},
			firstReply: outreach.FirstReplyTimes{Replied: 4, Median: minutes(11), P90: minutes(129.6)},
			delays:     []int{1, 2, 0, 0, 0, 1, 0, 0},
			weeks:      []outreach.WeekFigures{week(d.Week1, counts(6, 5, 1, 4, 3, 1, 0, 0), 11)},
			offers:     []outreach.OfferFigures{offer(o2, counts(1, 1, 0, 1, 1, 0, 0, 0), 0, 0), offer(o1, aO1, 1, 1)},
			agencies: []outreach.AgencyFigures{{Agency: "Lyon Est", Counsellors: 1,
				ContactCounts: counts(6, 5, 1, 4, 3, 1, 0, 0)}},
			dist: spread(0, 1, 1, 2, 3, 1), // a4; a2 and a3; a1
		}},
		{"A's offer O1", outreach.DashboardFilter{Viewer: d.Viewer(d.A), OfferID: o1.ID}, dashboardWant{
			totals:     outreach.DashboardTotals{Offers: 1, ContactCounts: aO1},
			firstReply: outreach.FirstReplyTimes{Replied: 3, Median: minutes(10), P90: minutes(11.6)},
			delays:     []int{1, 2, 0, 0, 0, 0, 0, 0},
			weeks:      []outreach.WeekFigures{week(d.Week1, aO1, 10)},
			offers:     []outreach.OfferFigures{offer(o1, aO1, 1, 1)},
			agencies:   []outreach.AgencyFigures{{Agency: "Lyon Est", Counsellors: 1, ContactCounts: aO1}},
			dist:       spread(0, 1, 1, 1, 3, 1, 4, 1), // the job seekers, whatever the offer
		}},
		{"A asking for B's offer: nothing", outreach.DashboardFilter{Viewer: d.Viewer(d.A), OfferID: o3.ID}, dashboardWant{
			delays:   make([]int, 8),
			offers:   []outreach.OfferFigures{},
			agencies: []outreach.AgencyFigures{},
			dist:     spread(0, 1, 1, 1, 3, 1, 4, 1),
		}},
	}
	bounds := []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
		6 * time.Hour, 24 * time.Hour}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got dashboardWant
			var err error
			check := func(what string, got, want any) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s\n got %+v\nwant %+v", what, got, want)
				}
			}
			got.totals, got.firstReply, err = st.Store.DashboardTotals(ctx, tt.f)
			check("totals", got.totals, tt.want.totals)
			check("first reply", durations(got.firstReply), durations(tt.want.firstReply))
			got.delays, err = st.Store.ReplyDelays(ctx, tt.f, bounds)
			check("reply delays", got.delays, tt.want.delays)
			got.weeks, err = st.Store.DashboardWeeks(ctx, tt.f)
			check("weeks", weekStrings(got.weeks), weekStrings(tt.want.weeks))
			got.offers, err = st.Store.DashboardOffers(ctx, tt.f)
			check("offers", got.offers, tt.want.offers)
			got.agencies, err = st.Store.DashboardAgencies(ctx, tt.f)
			check("agencies", got.agencies, tt.want.agencies)
			got.dist, err = st.Store.SMSDistribution(ctx, tt.f)
			check("SMS distribution", got.dist, tt.want.dist)
		})
	}
}

// durations writes the times for comparison, to the millisecond.
func durations(r outreach.FirstReplyTimes) string {
	return fmt.Sprintf("%d replied, median %s, p90 %s", r.Replied, roundedString(r.Median), roundedString(r.P90))
}

func roundedString(d *time.Duration) string {
	if d == nil {
		return "nil"
	}
	return d.Round(time.Millisecond).String()
}

// weekStrings writes the weeks for comparison.
func weekStrings(weeks []outreach.WeekFigures) []string {
	var out []string
	for _, w := range weeks {
		out = append(out, fmt.Sprintf("%s %v %s %+v median %s", w.Start.Format(time.DateOnly), w.Start.Location(),
			w.Start.Weekday(), w.ContactCounts, roundedString(w.MedianFirstReply)))
	}
	return out
}

// TestTimingsViewer: the timings of the offers a viewer sees, for the
// dashboard; a zero viewer sees everything (the API's figures).
func TestTimingsViewer(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	d := st.DashboardData(t)
	h := time.Hour
	dur := func(d time.Duration) *time.Duration { return &d }
	lyon := outreach.Timings{
		Screening: outreach.ScreeningTimings{Started: 2, Settled: 2, Completed: 2, CompletedWithin: 1,
			Median: dur(4*h + 30*time.Minute), P90: dur(6*h + 30*time.Minute)}, // 2 h and 7 h
		Referral: outreach.ReferralTimings{Referred: 1, Within: 1, Median: dur(20 * h), P90: dur(20 * h)},
	}
	tests := []struct {
		name string
		f    outreach.TimingsFilter
		want outreach.Timings
	}{
		{"no viewer", outreach.TimingsFilter{}, lyon},
		{"A", outreach.TimingsFilter{Viewer: d.Viewer(d.A)}, lyon},
		{"B", outreach.TimingsFilter{Viewer: d.Viewer(d.B)}, outreach.Timings{}},
		{"administrator of Lyon Est", outreach.TimingsFilter{Viewer: d.AdminViewer()}, lyon},
		{"C of Marseille", outreach.TimingsFilter{Viewer: d.Viewer(d.C)}, outreach.Timings{}},
		{"C as if an administrator of Marseille", outreach.TimingsFilter{
			Viewer: outreach.Viewer{CounsellorID: d.C.ID, Agency: "Marseille", Admin: true}}, outreach.Timings{}},
		{"A, in the second week", outreach.TimingsFilter{Viewer: d.Viewer(d.A), Since: d.Week2}, outreach.Timings{}},
	}
	for _, tt := range tests {
		got, err := st.Store.Timings(ctx, tt.f, time.Now())
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v (%v), want %+v", tt.name, got, err, tt.want)
		}
	}
}
