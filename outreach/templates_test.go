package outreach

import (
	"os"
	"strings"
	"testing"
)

// TestSMSTemplatesBuiltinText: without a template of their own, agencies
// get exactly the text composed before templates existed.
func TestSMSTemplatesBuiltinText(t *testing.T) {
	onlyLyon, err := ParseSMSTemplates([]byte(`{"Agence Lyon": {"offer": "Lyon : {{.JobTitle}}, réf {{.Reference}}. OUI ou NON ? STOP SMS"}}`))
	if err != nil {
		t.Fatal(err)
	}
	empty, err := ParseSMSTemplates([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Technicien de maintenance industrielle polyvalente ", 6)
	tests := []struct {
		name string
		m    OfferSMS
		want string
	}{
		{"typical", OfferSMS{AgencyName: "France Travail", FirstName: "Marie", JobTitle: "Boulanger", Town: "Lyon", ContractType: "CDI", Reference: "K4P8M2"},
			"Bonjour Marie, France Travail : offre Boulanger (CDI) à Lyon. Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."},
		{"transliterated", OfferSMS{AgencyName: "France Travail", FirstName: "Françoise", JobTitle: "Aide-soignant·e – EHPAD “Les Chênes”", Town: "Besançon", ContractType: "SAI", Reference: "A2B3C4"},
			"Bonjour Francoise, France Travail : offre Aide-soignant.e - EHPAD \"Les Chenes\" (saisonnier) à Besancon. Intéressé(e) ? Répondez OUI ou NON avec la réf A2B3C4. STOP pour ne plus recevoir de SMS."},
		{"long title shortened", OfferSMS{AgencyName: "France Travail", FirstName: "Jean-Baptiste", JobTitle: long, Town: "Saint-Rémy-de-Provence", ContractType: "CDD", Reference: "K4P8M2"},
			"Bonjour Jean-Baptiste, France Travail : offre Technicien de maintenance industrielle polyvalente Technicien de maintenance industrielle polyvalente Technicien de maintenance... (CDD) à Saint-Rémy-de-Provence. Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."},
		{"title and town shortened", OfferSMS{AgencyName: "France Travail Auvergne-Rhône-Alpes", FirstName: "Marie", JobTitle: long, Town: strings.Repeat("Ville ", 100), ContractType: "ALT", Reference: "K4P8M2"},
			"Bonjour Marie, France Travail Auvergne-Rhone-Alpes : offre Technicien de... (alternance) à Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville Ville... Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."},
		{"title shortened without town", OfferSMS{AgencyName: "France Travail", FirstName: "Marie", JobTitle: strings.Repeat("x", 300), ContractType: "CDI", Reference: "K4P8M2"},
			"Bonjour Marie, France Travail : offre " + strings.Repeat("x", 168) + "... (CDI). Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."},
		{"absurd everything", OfferSMS{AgencyName: strings.Repeat("€", 300), FirstName: strings.Repeat("{", 300), JobTitle: strings.Repeat("[", 300),
			Town: strings.Repeat("Ç", 300), ContractType: strings.Repeat("~", 300), Reference: "K4P8M2"},
			"Bonjour {{{{{{{{{{{{{{{..., €€€€€€€€€€€€€€€€€€€€... : offre [[[[[[[[[[... (" + strings.Repeat("~", 45) + "...). Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."},
		{"no title", OfferSMS{AgencyName: "France Travail", FirstName: "Marie", ContractType: "MIS", Reference: "K4P8M2"},
			"Bonjour Marie, France Travail : offre (intérim). Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."},
		{"empty fields", OfferSMS{JobTitle: "Serveur"},
			"Bonjour, offre Serveur. Intéressé(e) ? Répondez OUI ou NON. STOP pour ne plus recevoir de SMS."},
	}
	for _, tt := range tests {
		for _, ts := range []struct {
			name string
			ts   *SMSTemplates
		}{{"no file", nil}, {"empty file", empty}, {"other agency listed", onlyLyon}} {
			got, err := ts.ts.Offer("France Travail").Compose(tt.m)
			if err != nil || got != tt.want {
				t.Errorf("%s, %s:\n got %q (%v)\nwant %q", tt.name, ts.name, got, err, tt.want)
			}
		}
		if got := ComposeOfferSMS(tt.m); got != tt.want {
			t.Errorf("%s: ComposeOfferSMS =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

// TestSMSTemplatesPerAgency: each agency gets its own text, else the
// file's default; either is GSM-7 and shortened to fit like the built-in
// one.
func TestSMSTemplatesPerAgency(t *testing.T) {
	ts, err := ParseSMSTemplates([]byte(`{
		"default": {"offer": "{{.AgencyName}} : {{.JobTitle}} ({{.Contract}}) à {{.Town}}. Réf {{.Reference}}, répondez OUI ou NON. STOP : désinscription"},
		" Agence Lyon ": {"offer": "{{.FirstName}}, l’agence de Lyon a un poste « {{.JobTitle}} » à {{.Town}}. Ça vous intéresse ? OUI/NON + réf {{.Reference}}. STOP = plus de SMS"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	marie := OfferSMS{AgencyName: "Agence Lyon", FirstName: "Marie", JobTitle: "Boulanger", Town: "Lyon", ContractType: "CDI", Reference: "K4P8M2"}
	long := marie
	long.JobTitle = strings.Repeat("Technicien de maintenance industrielle polyvalente ", 6)
	tests := []struct {
		name   string
		agency string
		m      OfferSMS
		want   string   // exact text, when set
		has    []string // parts it must contain
	}{
		{"own text, transliterated", "Agence Lyon", marie,
			`Marie, l'agence de Lyon a un poste " Boulanger " à Lyon. Ça vous intéresse ? OUI/NON + réf K4P8M2. STOP = plus de SMS`, nil},
		{"agency name trimmed", "  Agence Lyon", marie,
			`Marie, l'agence de Lyon a un poste " Boulanger " à Lyon. Ça vous intéresse ? OUI/NON + réf K4P8M2. STOP = plus de SMS`, nil},
		{"another agency gets the default", "Agence Lille", OfferSMS{AgencyName: "Agence Lille", JobTitle: "Serveur", Town: "Lille", ContractType: "SAI", Reference: "B3C4D5"},
			"Agence Lille : Serveur (saisonnier) à Lille. Réf B3C4D5, répondez OUI ou NON. STOP : désinscription", nil},
		{"own text shortened", "Agence Lyon", long, "",
			[]string{`a un poste " Technicien de maintenance industrielle`, `... " à Lyon.`, "K4P8M2", "STOP"}},
	}
	for _, tt := range tests {
		got, err := ts.Offer(tt.agency).Compose(tt.m)
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
		if enc, segs := SMSSegments(got); enc != "GSM-7" || segs > 2 {
			t.Errorf("%s: %q is %s in %d segments", tt.name, got, enc, segs)
		}
	}
}

func TestParseSMSTemplatesRejects(t *testing.T) {
	const ok = `réf {{.Reference}} : OUI ou NON ? STOP pour ne plus recevoir de SMS`
	tests := []struct {
		name string
		file string
		want []string // each must appear in the error
	}{
		{"missing STOP", `{"Agence Lyon": {"offer": "{{.JobTitle}}, réf {{.Reference}} : OUI ou NON ?"}}`,
			[]string{`agency "Agence Lyon", template "offer": does not say how to opt out: STOP`}},
		{"STOP only inside a word", `{"default": {"offer": "{{.JobTitle}}, réf {{.Reference}} : OUI ou NON ? STOPPEZ tout"}}`,
			[]string{`agency "default", template "offer": does not say how to opt out: STOP`}},
		{"missing reference", `{"Agence Lyon": {"offer": "{{.JobTitle}} : OUI ou NON ? STOP pour arrêter"}}`,
			[]string{`agency "Agence Lyon", template "offer": does not print the offer reference {{.Reference}}`}},
		{"reference only with a town", `{"Agence Lyon": {"offer": "{{.JobTitle}}{{with .Town}} à {{.}}, réf {{$.Reference}}{{end}} : OUI ou NON ? STOP"}}`,
			[]string{`agency "Agence Lyon", template "offer": does not print the offer reference`}},
		{"missing OUI", `{"Agence Lyon": {"offer": "{{.JobTitle}} réf {{.Reference}} : oui ou NON ? STOP"}}`,
			[]string{`agency "Agence Lyon", template "offer": does not say how to reply: OUI and NON`}},
		{"does not parse", `{"Agence Lyon": {"offer": "{{.JobTitle} ` + ok + `"}}`,
			[]string{`agency "Agence Lyon", template "offer": does not parse: offer:1:`}},
		{"unknown function", `{"Agence Lyon": {"offer": "{{upper .JobTitle}} ` + ok + `"}}`,
			[]string{`agency "Agence Lyon", template "offer": does not parse:`, `"upper" not defined`}},
		{"unknown field", `{"Agence Lyon": {"offer": "{{.Salary}} ` + ok + `"}}`,
			[]string{`agency "Agence Lyon", template "offer": does not render for a typical offer:`, "Salary", "{{.FirstName}}"}},
		{"too long even after shortening", `{"Agence Lyon": {"offer": "{{.JobTitle}} à {{.Town}}. ` + strings.Repeat("Vraiment. ", 28) + ok + `"}}`,
			[]string{`agency "Agence Lyon", template "offer": too long: 3 SMS segments for a typical offer even with the job title and town shortened`}},
		{"too long for a long offer only", `{"Agence Lyon": {"offer": "{{.JobTitle}} {{.JobTitle}} {{.JobTitle}} à {{.Town}}. ` + strings.Repeat("Vraiment. ", 20) + "Bref. " + ok + `"}}`,
			[]string{`agency "Agence Lyon", template "offer": too long: 3 SMS segments for a long offer`}},
		{"empty", `{"default": {"offer": " "}}`, []string{`agency "default", template "offer": empty`}},
		{"unknown template", `{"Agence Lyon": {"ofer": "` + ok + `"}}`, []string{`agency "Agence Lyon": unknown template "ofer" (known: offer, reminder)`}},
		{"agency without a name", `{" ": {"offer": "` + ok + `"}}`, []string{`agency "": an agency needs a name`}},
		{"invalid JSON", "{\n  \"default\": {\"offer\": \"x\",}\n}", []string{"invalid JSON at line 2"}},
		{"not text", "{\"default\": {\"offer\": 12}}", []string{"invalid JSON at line 1", "string"}},
		{"every bad template, one per line", `{"B": {"offer": "` + ok + `"}, "A": {"offer": "STOP"}, "C": {"offer": "{{"}}`,
			[]string{"agency \"A\", template \"offer\": does not print the offer reference", "\nagency \"C\", template \"offer\": does not parse"}},
	}
	for _, tt := range tests {
		ts, err := ParseSMSTemplates([]byte(tt.file))
		if err == nil || ts != nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		for _, want := range tt.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error\n%v\ndoes not contain\n%s", tt.name, err, want)
			}
		}
	}
}

// TestSMSTemplatesExample: the example file of the docs is accepted and
// gives each agency its text.
func TestSMSTemplatesExample(t *testing.T) {
	data, err := os.ReadFile("../docs/sms-templates.example.json")
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ParseSMSTemplates(data)
	if err != nil {
		t.Fatal(err)
	}
	m := OfferSMS{FirstName: "Marie", JobTitle: "Boulanger", Town: "Lyon", ContractType: "CDI", Reference: "K4P8M2"}
	for agency, want := range map[string]string{
		"Agence Lyon Part-Dieu": "Marie, une offre de l'agence Lyon Part-Dieu : Boulanger (CDI) à Lyon. Ça vous intéresse ? Répondez OUI ou NON + réf K4P8M2. STOP pour ne plus recevoir nos SMS.",
		"France Travail":        "Bonjour Marie, France Travail vous propose un poste : Boulanger (CDI) à Lyon. Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS.",
	} {
		m.AgencyName = agency
		if got, err := ts.Offer(agency).Compose(m); err != nil || got != want {
			t.Errorf("%s:\n got %q (%v)\nwant %q", agency, got, err, want)
		}
	}
	m.AgencyName = "France Travail"
	want := "Rappel France Travail : Marie, le poste Boulanger à Lyon vous intéresse ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS."
	if got, err := ts.Reminder("Agence Lyon Part-Dieu").Compose(m); err != nil || got != want {
		t.Errorf("reminder:\n got %q (%v)\nwant %q", got, err, want)
	}
}
