package outreach_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestOutreachUsesAgencyTemplate: the contacts an outreach creates carry
// the offer SMS written by the service's agency, or the file's default.
func TestOutreachUsesAgencyTemplate(t *testing.T) {
	templates, err := outreach.ParseSMSTemplates([]byte(`{
		"default": {"offer": "{{.AgencyName}} : {{.JobTitle}} à {{.Town}}. OUI ou NON + réf {{.Reference}}. STOP pour arrêter"},
		"Agence de Lyon": {"offer": "{{.FirstName}}, l'agence de Lyon a un poste : {{.JobTitle}} ({{.Contract}}). OUI ou NON + réf {{.Reference}} ? STOP pour arrêter"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		agency string
		want   string // with %s for the offer reference; GSM-7, so "arrêter" loses its accent
	}{
		{"Agence de Lyon", "Léa, l'agence de Lyon a un poste : Boulanger (CDI). OUI ou NON + réf %s ? STOP pour arreter"},
		{"Agence de Lille", "Agence de Lille : Boulanger à Lyon. OUI ou NON + réf %s. STOP pour arreter"},
	}
	for _, tt := range tests {
		t.Run(tt.agency, func(t *testing.T) {
			ctx := context.Background()
			env := testenv.Service(t, nil, outreach.ServiceConfig{AgencyName: tt.agency, SMSTemplates: templates})
			_, offer := env.Bakery(t, "0639980101")
			if res, err := env.Service.StartOutreach(ctx, offer.ID, 5); err != nil || res.Queued != 1 {
				t.Fatalf("start outreach: %+v %v", res, err)
			}
			progress, err := env.Service.Outreach(ctx, offer.ID)
			if err != nil || len(progress.Contacts) != 1 {
				t.Fatalf("outreach: %+v %v", progress, err)
			}
			if got, want := progress.Contacts[0].Body, fmt.Sprintf(tt.want, offer.Reference); got != want {
				t.Errorf("body\n got %q\nwant %q", got, want)
			}
		})
	}
}
