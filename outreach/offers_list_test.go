package outreach_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestOffers: a counsellor lists their own offers, an administrator those
// of the agency, newest first, each with its contacts counted (see
// testenv.DashboardData for the counts).
func TestOffers(t *testing.T) {
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	d := st.DashboardData(t)
	admin := func(c outreach.Counsellor) outreach.Viewer {
		return outreach.Viewer{CounsellorID: c.ID, Agency: c.Agency, Admin: true}
	}
	tests := []struct {
		name   string
		viewer outreach.Viewer
		limit  int
		want   []string
	}{
		{"a counsellor sees their own", d.Viewer(d.A), 100, []string{"O2", "O1"}},
		{"another counsellor of the agency", d.Viewer(d.B), 100, []string{"O3"}},
		{"another agency", d.Viewer(d.C), 100, []string{"O4"}},
		{"an administrator sees the agency's", d.AdminViewer(), 100, []string{"O2", "O3", "O1"}},
		{"the same person without the role", d.Viewer(d.Admin), 100, nil},
		{"an administrator of another agency", admin(d.C), 100, []string{"O4"}},
		{"at most limit, the newest", d.AdminViewer(), 2, []string{"O2", "O3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Service.Offers(context.Background(), tt.viewer, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range got {
				names = append(names, o.Title[len("Offre "):])
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("offers %v, want %v", names, tt.want)
			}
		})
	}

	counts := map[string][3]int{"O1": {5, 3, 2}, "O2": {2, 2, 1}, "O3": {3, 2, 1}}
	got, err := st.Service.Offers(context.Background(), d.AdminViewer(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range got {
		name := o.Title[len("Offre "):]
		if c := [3]int{o.Sent, o.Replied, o.Interested}; c != counts[name] {
			t.Errorf("%s: sent, replied, interested %v, want %v", name, c, counts[name])
		}
		if want := map[string]string{"O1": "ana", "O2": "ana", "O3": "basile"}[name]; o.CounsellorName != want {
			t.Errorf("%s: counsellor %q, want %q", name, o.CounsellorName, want)
		}
		if o.ID != d.Offers[name].ID || o.Reference != d.Offers[name].Reference || o.Town == "" {
			t.Errorf("%s: listed as %+v", name, o.Offer)
		}
	}

	for _, bad := range []struct {
		v     outreach.Viewer
		limit int
		field string
	}{{outreach.Viewer{}, 10, "viewer"}, {d.Viewer(d.A), 0, "limit"}, {d.Viewer(d.A), outreach.MaxOfferListing + 1, "limit"}} {
		var v *outreach.ValidationError
		if _, err := st.Service.Offers(context.Background(), bad.v, bad.limit); !errors.As(err, &v) || v.Field != bad.field {
			t.Errorf("Offers(%+v, %d): %v, want a ValidationError on %s", bad.v, bad.limit, err, bad.field)
		}
	}
}

func TestOfferCampaignStatus(t *testing.T) {
	at := time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name            string
		started, closed *time.Time
		want            outreach.CampaignStatus
	}{
		{"before the first contacts", nil, nil, outreach.CampaignNotStarted},
		{"started", &at, nil, outreach.CampaignRunning},
		{"closed", &at, &at, outreach.CampaignClosed},
	}
	for _, tt := range tests {
		o := outreach.Offer{OutreachStartedAt: tt.started, ClosedAt: tt.closed}
		if got := o.CampaignStatus(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
