package outreach

import (
	"strings"
	"testing"
)

// TestReminderSMS: the reminder is one GSM-7 SMS with the reference, OUI,
// NON and STOP, whatever the offer; agencies may write their own.
func TestReminderSMS(t *testing.T) {
	ts, err := ParseSMSTemplates([]byte(`{
		"default": {"offer": "{{.AgencyName}} : {{.JobTitle}}. OUI ou NON + réf {{.Reference}} ? STOP pour arrêter"},
		"Agence Lyon": {"reminder": "{{.FirstName}}, toujours partant(e) pour {{.JobTitle}} ? OUI ou NON + réf {{.Reference}}. STOP pour arrêter"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	marie := OfferSMS{AgencyName: "France Travail", FirstName: "Marie", JobTitle: "Boulanger", Town: "Lyon", ContractType: "CDI", Reference: "K4P8M2"}
	long := OfferSMS{AgencyName: "France Travail Auvergne-Rhône-Alpes", FirstName: "Jean-Christophe",
		JobTitle: strings.Repeat("Technicien de maintenance industrielle ", 4), Town: strings.Repeat("Saint-Rémy ", 8), Reference: "K4P8M2"}
	tests := []struct {
		name   string
		agency string
		m      OfferSMS
		want   string   // exact text, when set
		has    []string // parts it must contain
	}{
		{"built-in", "France Travail", marie,
			"Rappel France Travail : Marie, l'offre Boulanger à Lyon vous intéresse ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS.", nil},
		{"built-in without first name nor town", "France Travail", OfferSMS{AgencyName: "France Travail", JobTitle: "Serveur", Reference: "B3C4D5"},
			"Rappel France Travail : l'offre Serveur vous intéresse ? Répondez OUI ou NON avec la réf B3C4D5. STOP pour ne plus recevoir de SMS.", nil},
		{"built-in shortened", "France Travail", long, "",
			[]string{"Rappel France Travail... : Jean-Christophe, l'offre Technicien... vous intéresse ?", "réf K4P8M2", "STOP"}},
		{"the agency's own", "Agence Lyon", marie,
			"Marie, toujours partant(e) pour Boulanger ? OUI ou NON + réf K4P8M2. STOP pour arreter", nil},
		{"a file without reminders: built-in", "Agence Lille", marie,
			"Rappel France Travail : Marie, l'offre Boulanger à Lyon vous intéresse ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS.", nil},
	}
	for _, tt := range tests {
		got, err := ts.Reminder(tt.agency).Compose(tt.m)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		for _, part := range tt.has {
			if !strings.Contains(got, part) {
				t.Errorf("%s: %q does not contain %q", tt.name, got, part)
			}
		}
		if enc, segs := SMSSegments(got); enc != "GSM-7" || segs != 1 {
			t.Errorf("%s: %q is %s in %d segments, want 1 GSM-7", tt.name, got, enc, segs)
		}
	}
	if got := ComposeReminderSMS(marie); got != tests[0].want {
		t.Errorf("ComposeReminderSMS = %q", got)
	}
}

func TestParseSMSTemplatesRejectsReminders(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"longer than one SMS", `{"Agence Lyon": {"reminder": "{{.JobTitle}} à {{.Town}}. ` + strings.Repeat("Vraiment. ", 15) + `OUI ou NON + réf {{.Reference}}. STOP"}}`,
			`agency "Agence Lyon", template "reminder": too long: 2 SMS segments for a typical offer even with the job title and town shortened (at most 1, 160 characters)`},
		{"no way to answer", `{"default": {"reminder": "Rappel : réf {{.Reference}}. STOP"}}`,
			`agency "default", template "reminder": does not say how to reply: OUI and NON`},
	}
	for _, tt := range tests {
		if ts, err := ParseSMSTemplates([]byte(tt.file)); err == nil || ts != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %s", tt.name, err, tt.want)
		}
	}
}

// TestLateReplyConfirmation: the answer to a reply after the close says
// that it no longer counts, in one GSM-7 SMS.
func TestLateReplyConfirmation(t *testing.T) {
	got := ComposeLateReplyConfirmation("France Travail")
	want := "Merci. Les réponses à cette offre sont closes : votre message a été transmis à votre conseiller France Travail."
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if enc, segs := SMSSegments(got); enc != "GSM-7" || segs != 1 {
		t.Errorf("%s in %d segments", enc, segs)
	}
}
