package outreach_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// share writes a rate for comparison, "-" when there is none.
func share(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.4f", *r)
}

// spreadLine writes a spread for comparison: population, reached, SMS,
// max, histogram, Gini.
func spreadLine(s outreach.SMSSpread) string {
	var hist []string
	for _, b := range s.Histogram {
		hist = append(hist, fmt.Sprintf("%s:%d", b.Label(), b.JobSeekers))
	}
	return fmt.Sprintf("%d people, %d reached, %d SMS, max %d, %v, Gini %s", s.JobSeekers, s.Reached, s.SMS, s.Max,
		hist, share(s.Gini))
}

// TestDashboard computes the dashboards of testenv.DashboardData's
// viewers: the rates, times, spread and rows the page shows, and the
// scope of each viewer.
func TestDashboard(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	d := st.DashboardData(t)
	tests := []struct {
		name                        string
		f                           outreach.DashboardFilter
		reply, interest, failure    string
		median                      time.Duration
		spread                      string
		weeks, offers, agencies     []string
		screeningStarted, referrals int
	}{
		{name: "counsellor A", f: outreach.DashboardFilter{Viewer: d.Viewer(d.A)},
			reply: "0.8333", interest: "0.6000", failure: "0.2500", median: 12 * time.Minute,
			// a1..a4 received 4, 1, 3 and 0 SMS: (2·27)/(4·8) − 5/4
			spread:           "4 people, 3 reached, 8 SMS, max 4, [1:1 2:0 3:1 4 et +:1], Gini 0.4375",
			weeks:            []string{"2026-W10 6 sent 0.8000 0.7500 11m0s", "2026-W11 2 sent 1.0000 0.0000 25h0m0s"},
			offers:           []string{"Offre O2 3 sent 1.0000 0 qualified 0 referred", "Offre O1 5 sent 0.7500 1 qualified 1 referred"},
			agencies:         []string{"Lyon Est 1 counsellors 8 sent 0.8333 0.6000"},
			screeningStarted: 2, referrals: 1},
		{name: "counsellor B", f: outreach.DashboardFilter{Viewer: d.Viewer(d.B)},
			reply: "0.6667", interest: "0.5000", failure: "0.0000", median: 35 * time.Minute,
			spread:   "2 people, 2 reached, 3 SMS, max 2, [1:1 2:1 3:0 4 et +:0], Gini 0.1667", // 1 and 2 SMS
			weeks:    []string{"2026-W10 3 sent 0.6667 0.5000 35m0s"},
			offers:   []string{"Offre O3 3 sent 0.6667 0 qualified 0 referred"},
			agencies: []string{"Lyon Est 1 counsellors 3 sent 0.6667 0.5000"}},
		{name: "administrator of Lyon Est", f: outreach.DashboardFilter{Viewer: d.AdminViewer()},
			reply: "0.7778", interest: "0.5714", failure: "0.1818", median: 20 * time.Minute,
			// 0, 1, 1, 2, 3, 4 SMS: 27/66
			spread: "6 people, 5 reached, 11 SMS, max 4, [1:2 2:1 3:1 4 et +:1], Gini 0.4091",
			weeks:  []string{"2026-W10 9 sent 0.7500 0.6667 16m0s", "2026-W11 2 sent 1.0000 0.0000 25h0m0s"},
			offers: []string{"Offre O2 3 sent 1.0000 0 qualified 0 referred", "Offre O3 3 sent 0.6667 0 qualified 0 referred",
				"Offre O1 5 sent 0.7500 1 qualified 1 referred"},
			agencies:         []string{"Lyon Est 2 counsellors 11 sent 0.7778 0.5714"},
			screeningStarted: 2, referrals: 1},
		{name: "counsellor C of Marseille", f: outreach.DashboardFilter{Viewer: d.Viewer(d.C)},
			reply: "0.6667", interest: "0.5000", failure: "0.0000", median: 90 * time.Second,
			spread:   "2 people, 1 reached, 1 SMS, max 1, [1:1 2:0 3:0 4 et +:0], Gini 0.5000", // 0 and 1 SMS
			weeks:    []string{"2026-W11 3 sent 0.6667 0.5000 1m30s"},
			offers:   []string{"Offre O4 3 sent 0.6667 0 qualified 0 referred"},
			agencies: []string{"Marseille 1 counsellors 3 sent 0.6667 0.5000"}},
		{name: "administrator of Lyon Est, B's offer", f: outreach.DashboardFilter{Viewer: d.AdminViewer(), OfferID: d.Offers["O3"].ID},
			reply: "0.6667", interest: "0.5000", failure: "0.0000", median: 35 * time.Minute,
			spread:   "6 people, 5 reached, 11 SMS, max 4, [1:2 2:1 3:1 4 et +:1], Gini 0.4091", // not by offer
			weeks:    []string{"2026-W10 3 sent 0.6667 0.5000 35m0s"},
			offers:   []string{"Offre O3 3 sent 0.6667 0 qualified 0 referred"},
			agencies: []string{"Lyon Est 1 counsellors 3 sent 0.6667 0.5000"}},
		{name: "a counsellor with nothing yet", f: outreach.DashboardFilter{Viewer: outreach.Viewer{CounsellorID: st.Counsellor.ID,
			Agency: st.Counsellor.Agency}}, reply: "-", interest: "-", failure: "-",
			spread: "0 people, 0 reached, 0 SMS, max 0, [1:0 2:0 3:0 4 et +:0], Gini -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Service.Dashboard(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			tot := got.Totals
			if r, i, f := share(tot.ReplyRate()), share(tot.InterestRate()), share(tot.FailureRate()); r != tt.reply ||
				i != tt.interest || f != tt.failure {
				t.Errorf("reply, interest, failure rates %s %s %s, want %s %s %s", r, i, f, tt.reply, tt.interest, tt.failure)
			}
			if m := got.FirstReply.Median; (m == nil) != (tt.median == 0) || (m != nil && m.Round(time.Second) != tt.median) {
				t.Errorf("median time to first reply %v, want %v", m, tt.median)
			}
			if s := spreadLine(got.Spread); s != tt.spread {
				t.Errorf("spread\n got %s\nwant %s", s, tt.spread)
			}
			checkLines(t, "weeks", weekLines(got.Weeks), tt.weeks)
			checkLines(t, "offers", offerLines(got.Offers), tt.offers)
			checkLines(t, "agencies", agencyLines(got.Agencies), tt.agencies)
			if got.Timings.Screening.Started != tt.screeningStarted || got.Timings.Referral.Referred != tt.referrals {
				t.Errorf("timings %+v, want %d pre-screenings, %d referrals", got.Timings, tt.screeningStarted, tt.referrals)
			}
			if len(got.ReplyDelays) != 8 || got.Filter != tt.f {
				t.Errorf("%d reply delay buckets, filter %+v", len(got.ReplyDelays), got.Filter)
			}
		})
	}
}

// TestDashboardReplyDelays: the chart's buckets of counsellor A's
// replies (4, 10, 12 min, 3 h and 25 h), and the pilot's 19 minutes.
func TestDashboardReplyDelays(t *testing.T) {
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	d := st.DashboardData(t)
	got, err := st.Service.Dashboard(context.Background(), outreach.DashboardFilter{Viewer: d.Viewer(d.A)})
	if err != nil {
		t.Fatal(err)
	}
	var buckets []string
	for _, b := range got.ReplyDelays {
		buckets = append(buckets, fmt.Sprintf("%s:%d", b.Label(), b.Replies))
	}
	want := []string{"0-5 min:1", "5-15 min:2", "15-30 min:0", "30-60 min:0", "1-2 h:0", "2-6 h:1", "6-24 h:0", "plus de 24 h:1"}
	if !slices.Equal(buckets, want) {
		t.Errorf("buckets %v, want %v", buckets, want)
	}
	fr := got.FirstReply
	if fr.Replied != 5 || *fr.Median != 12*time.Minute || fr.P90.Round(time.Second) != 972*time.Minute ||
		*fr.Median >= outreach.ReferenceFirstReply {
		t.Errorf("first reply %d, median %v, p90 %v; want 5, 12 min (under the pilot's %v), 972 min",
			fr.Replied, fr.Median, fr.P90, outreach.ReferenceFirstReply)
	}
	scr := got.Timings.Screening
	if within, ok := scr.ShareWithin(); !ok || within != 0.5 || *scr.Median != 4*time.Hour+30*time.Minute {
		t.Errorf("pre-screening %+v, want half within %v, median 4 h 30", scr, outreach.ReferenceScreeningWithin)
	}
}

// TestDashboardScope: a dashboard needs a viewer and a sound period, and
// an offer the viewer does not see is not found, like an unknown one.
func TestDashboardScope(t *testing.T) {
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	d := st.DashboardData(t)
	now := time.Now()
	tests := []struct {
		name    string
		f       outreach.DashboardFilter
		invalid string // the field, "" when not a validation error
		missing bool
	}{
		{name: "no viewer", f: outreach.DashboardFilter{OfferID: d.Offers["O1"].ID}, invalid: "viewer"},
		{name: "until before since", f: outreach.DashboardFilter{Viewer: d.Viewer(d.A), Since: now, Until: now.Add(-time.Hour)},
			invalid: "until"},
		{name: "A, B's offer", f: outreach.DashboardFilter{Viewer: d.Viewer(d.A), OfferID: d.Offers["O3"].ID}, missing: true},
		{name: "C, A's offer", f: outreach.DashboardFilter{Viewer: d.Viewer(d.C), OfferID: d.Offers["O1"].ID}, missing: true},
		{name: "administrator of Lyon Est, Marseille's offer", f: outreach.DashboardFilter{Viewer: d.AdminViewer(),
			OfferID: d.Offers["O4"].ID}, missing: true},
		{name: "an unknown offer", f: outreach.DashboardFilter{Viewer: d.AdminViewer(), OfferID: math.MaxInt32}, missing: true},
		{name: "A's own offer", f: outreach.DashboardFilter{Viewer: d.Viewer(d.A), OfferID: d.Offers["O2"].ID}},
		{name: "administrator of Lyon Est, A's offer", f: outreach.DashboardFilter{Viewer: d.AdminViewer(),
			OfferID: d.Offers["O1"].ID}},
	}
	for _, tt := range tests {
		_, err := st.Service.Dashboard(context.Background(), tt.f)
		var verr *outreach.ValidationError
		switch {
		case tt.invalid != "":
			if !errors.As(err, &verr) || verr.Field != tt.invalid {
				t.Errorf("%s: %v, want invalid %s", tt.name, err, tt.invalid)
			}
		case tt.missing:
			if !errors.Is(err, outreach.ErrNotFound) {
				t.Errorf("%s: %v, want not found", tt.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s\n got %q\nwant %q", what, got, want)
	}
}

func weekLines(weeks []outreach.WeekFigures) []string {
	var out []string
	for _, w := range weeks {
		year, week := w.Start.ISOWeek()
		median := "-"
		if w.MedianFirstReply != nil {
			median = w.MedianFirstReply.Round(time.Second).String()
		}
		out = append(out, fmt.Sprintf("%d-W%02d %d sent %s %s %s", year, week, w.Sent, share(w.ReplyRate()),
			share(w.InterestRate()), median))
	}
	return out
}

func offerLines(offers []outreach.OfferFigures) []string {
	var out []string
	for _, o := range offers {
		out = append(out, fmt.Sprintf("%s %d sent %s %d qualified %d referred", o.Title, o.Sent, share(o.ReplyRate()),
			o.Qualified, o.Referred))
	}
	return out
}

func agencyLines(agencies []outreach.AgencyFigures) []string {
	var out []string
	for _, a := range agencies {
		out = append(out, fmt.Sprintf("%s %d counsellors %d sent %s %s", a.Agency, a.Counsellors, a.Sent,
			share(a.ReplyRate()), share(a.InterestRate())))
	}
	return out
}
