package outreach

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSMSSegments(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		encoding string
		segments int
	}{
		{"empty", "", "GSM-7", 1},
		{"160 GSM-7", strings.Repeat("a", 160), "GSM-7", 1},
		{"161 GSM-7", strings.Repeat("a", 161), "GSM-7", 2},
		{"306 GSM-7", strings.Repeat("a", 306), "GSM-7", 2},
		{"307 GSM-7", strings.Repeat("a", 307), "GSM-7", 3},
		{"459 GSM-7", strings.Repeat("a", 459), "GSM-7", 3},
		{"GSM-7 accents", strings.Repeat("é", 160), "GSM-7", 1},
		{"80 euro signs are 160 septets", strings.Repeat("€", 80), "GSM-7", 1},
		{"81 euro signs", strings.Repeat("€", 81), "GSM-7", 2},
		{"159 + extension char", strings.Repeat("a", 159) + "[", "GSM-7", 2},
		{"extension char not split", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), "GSM-7", 3},
		{"extension char fits", strings.Repeat("a", 151) + "€" + strings.Repeat("a", 153), "GSM-7", 2},
		{"70 UCS-2", strings.Repeat("ê", 70), "UCS-2", 1},
		{"71 UCS-2", strings.Repeat("ê", 71), "UCS-2", 2},
		{"134 UCS-2", strings.Repeat("ç", 134), "UCS-2", 2},
		{"135 UCS-2", strings.Repeat("ç", 135), "UCS-2", 3},
		{"one ç switches it all", strings.Repeat("a", 69) + "ç", "UCS-2", 1},
		{"one ç over 70", strings.Repeat("a", 70) + "ç", "UCS-2", 2},
		{"emoji count 2", strings.Repeat("👍", 35), "UCS-2", 1},
		{"36 emoji", strings.Repeat("👍", 36), "UCS-2", 2},
		{"surrogate pair not split", strings.Repeat("a", 66) + "👍" + strings.Repeat("a", 66), "UCS-2", 3},
		{"curly quote", "C’est noté", "UCS-2", 1},
	}
	for _, tt := range tests {
		enc, n := SMSSegments(tt.s)
		if enc != tt.encoding || n != tt.segments {
			t.Errorf("%s: SMSSegments = %s, %d, want %s, %d", tt.name, enc, n, tt.encoding, tt.segments)
		}
	}
}

func TestIsGSM7(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", true},
		{"Bonjour Élodie, réf K4P8M2 à Saint-Étienne ?", true},
		{"Bonjour Elodie, réf K4P8M2 à Paris ! 100% @ 5€ [ok] {x} ~ | ^ \\", true},
		{"éèùìòÇÄÖÜäöüñßÆæÉàØøÅåΔ_¡¿§£¥¤\n\r", true},
		{"ç", false},
		{"ê", false},
		{"È", false},
		{"œ", false},
		{"’", false},
		{"…", false},
		{"\u00a0", false},
		{"`", false},
		{"👍", false},
		{"\x1b", false},
	}
	for _, tt := range tests {
		if got := IsGSM7(tt.s); got != tt.want {
			t.Errorf("IsGSM7(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestToGSM7(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"déjà vu à Noël", "déjà vu à Noel"},
		{"garçon", "garcon"},
		{"Ça", "Ça"},
		{"fenêtre", "fenetre"},
		{"pâte, île, hôtel, sûr", "pate, ile, hotel, sur"},
		{"maïs", "mais"},
		{"cœur, Œuvre", "coeur, OEuvre"},
		{"ex æquo", "ex æquo"},
		{"été, élève, où, Été", "été, élève, où, Été"},
		{"À Évry, Île-de-France", "A Évry, Ile-de-France"},
		{"L’offre « CDI »", "L'offre \" CDI \""},
		{"“guillemets”", "\"guillemets\""},
		{"8h–12h — urgent", "8h-12h - urgent"},
		{"10\u00a0km\u202f!", "10 km !"},
		{"Attendez…", "Attendez..."},
		{"n° 12", "no 12"},
		{"Straße München Ñandú", "Straße München Ñandu"},
		{"Merci 👍🏽!", "Merci !"},
		{"Łódź", "Lod?"},
		{"日本", "??"},
		{"e\u0301te\u0301", "été"},
		{"c\u0327a", "ca"},
		{"\u0301x", "x"},
		{"tab\there", "tab here"},
		{"5 € [x]", "5 € [x]"},
	}
	for _, tt := range tests {
		got := ToGSM7(tt.in)
		if got != tt.want {
			t.Errorf("ToGSM7(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !IsGSM7(got) {
			t.Errorf("ToGSM7(%q) = %q, not GSM-7", tt.in, got)
		}
	}
}

func TestMessageContractLabel(t *testing.T) {
	tests := map[string]string{
		"CDI": "CDI", "CDD": "CDD", "MIS": "intérim", "SAI": "saisonnier", "LIB": "libéral",
		"FRA": "franchise", "ALT": "alternance", " mis ": "intérim", "DIN": "DIN", "": "",
	}
	for code, want := range tests {
		if got := ContractLabel(code); got != want {
			t.Errorf("ContractLabel(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestMessageComposeOffer(t *testing.T) {
	long := strings.Repeat("Technicien de maintenance industrielle polyvalente ", 6)
	tests := []struct {
		name   string
		m      OfferSMS
		want   string   // exact text, when set
		has    []string // parts it must contain
		hasNot []string
		segs   int // exact number of segments, when set
	}{
		{
			name: "typical",
			m:    OfferSMS{AgencyName: "France Travail", FirstName: "Marie", JobTitle: "Boulanger", Town: "Lyon", ContractType: "CDI", Reference: "K4P8M2"},
			want: "Bonjour Marie, France Travail : offre Boulanger (CDI) à Lyon. Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS.",
			segs: 1,
		},
		{
			name: "no town",
			m:    OfferSMS{AgencyName: "France Travail", FirstName: "Marie", JobTitle: "Boulanger", ContractType: "MIS", Reference: "K4P8M2"},
			want: "Bonjour Marie, France Travail : offre Boulanger (intérim). Intéressé(e) ? Répondez OUI ou NON avec la réf K4P8M2. STOP pour ne plus recevoir de SMS.",
		},
		{
			name: "transliterated",
			m:    OfferSMS{AgencyName: "France Travail", FirstName: "Françoise", JobTitle: "Aide-soignant·e – EHPAD “Les Chênes”", Town: "Besançon", ContractType: "SAI", Reference: "A2B3C4"},
			has:  []string{"Bonjour Francoise,", "offre Aide-soignant.e - EHPAD \"Les Chenes\" (saisonnier) à Besancon."},
		},
		{
			name:   "long title shortened",
			m:      OfferSMS{AgencyName: "France Travail", FirstName: "Jean-Baptiste", JobTitle: long, Town: "Saint-Rémy-de-Provence", ContractType: "CDD", Reference: "K4P8M2"},
			has:    []string{"Jean-Baptiste", "Technicien de maintenance industrielle", "...", "(CDD) à Saint-Rémy-de-Provence."},
			hasNot: []string{long},
			segs:   2,
		},
		{
			name: "long title and town shortened",
			m:    OfferSMS{AgencyName: "France Travail Auvergne-Rhône-Alpes", FirstName: "Marie", JobTitle: long, Town: strings.Repeat("Ville ", 100), ContractType: "ALT", Reference: "K4P8M2"},
			has:  []string{"Marie", "Technicien", "(alternance) à Ville", "Ville... Intéressé(e) ?", "K4P8M2", "France Travail Auvergne-Rhone-Alpes"},
		},
		{
			name: "absurd everything",
			m: OfferSMS{AgencyName: strings.Repeat("€", 300), FirstName: strings.Repeat("{", 300), JobTitle: strings.Repeat("[", 300),
				Town: strings.Repeat("Ç", 300), ContractType: strings.Repeat("~", 300), Reference: "K4P8M2"},
			has: []string{"Bonjour", "OUI", "NON", "STOP", "K4P8M2"},
		},
		{
			name: "empty fields",
			m:    OfferSMS{JobTitle: "Serveur"},
			want: "Bonjour, offre Serveur. Intéressé(e) ? Répondez OUI ou NON. STOP pour ne plus recevoir de SMS.",
		},
		{
			name: "whitespace and emoji cleaned",
			m:    OfferSMS{AgencyName: " France  Travail ", FirstName: "Léa 🌸", JobTitle: "Vendeur\n(H/F)", Town: "Paris", ContractType: " cdi ", Reference: "K4P8M2"},
			has:  []string{"Bonjour Léa, France Travail : offre Vendeur (H/F) (CDI) à Paris."},
		},
	}
	for _, tt := range tests {
		got := ComposeOfferSMS(tt.m)
		if tt.want != "" && got != tt.want {
			t.Errorf("%s: ComposeOfferSMS =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
		for _, part := range append(tt.has, "OUI", "NON", "STOP") {
			if !strings.Contains(got, part) {
				t.Errorf("%s: %q does not contain %q", tt.name, got, part)
			}
		}
		for _, part := range tt.hasNot {
			if strings.Contains(got, part) {
				t.Errorf("%s: %q contains %q", tt.name, got, part)
			}
		}
		enc, segs := SMSSegments(got)
		if enc != "GSM-7" || segs > 2 || (tt.segs != 0 && segs != tt.segs) {
			t.Errorf("%s: %q is %s in %d segments", tt.name, got, enc, segs)
		}
		if strings.Contains(got, "  ") || !utf8.ValidString(got) {
			t.Errorf("%s: %q has double spaces or invalid UTF-8", tt.name, got)
		}
	}
}

func TestMessageComposeOfferShortensJustEnough(t *testing.T) {
	m := OfferSMS{AgencyName: "France Travail", FirstName: "Marie", Town: "Lyon", ContractType: "CDI", Reference: "K4P8M2"}
	for n := 1; n <= 400; n++ {
		m.JobTitle = strings.Repeat("x", n)
		got := ComposeOfferSMS(m)
		if _, segs := SMSSegments(got); segs > 2 {
			t.Fatalf("title of %d: %d segments", n, segs)
		}
		shortened := strings.Contains(got, "...")
		if full := strings.Contains(got, " "+m.JobTitle+" "); full == shortened {
			t.Fatalf("title of %d: full %v, shortened %v: %q", n, full, shortened, got)
		}
		if shortened {
			// One more character of the title would not fit.
			kept := strings.Count(got, "x")
			longer := strings.Replace(got, strings.Repeat("x", kept)+"...", strings.Repeat("x", kept+1)+"...", 1)
			if _, segs := SMSSegments(longer); segs <= 2 {
				t.Fatalf("title of %d shortened to %d, one more fits", n, kept)
			}
		}
	}
	// Words are kept whole when the cut is close to a word's end.
	m.JobTitle = strings.Repeat("Technicien de maintenance ", 20)
	got := ComposeOfferSMS(m)
	if !strings.Contains(got, "maintenance... (CDI)") && !strings.Contains(got, "Technicien... (CDI)") {
		t.Errorf("title not cut after a word: %q", got)
	}
	if _, segs := SMSSegments(got); segs != 2 || len(got) < 290 {
		t.Errorf("title cut too short: %q", got)
	}
}

func TestComposeReplyConfirmation(t *testing.T) {
	tests := []struct {
		intent Intent
		agency string
		want   string
	}{
		{IntentYes, "France Travail", "Merci ! Votre conseiller France Travail a bien noté que l'offre vous intéresse et revient vers vous rapidement."},
		{IntentNo, "France Travail", "C'est noté, merci de votre réponse."},
		{IntentStop, "France Travail", "Vous ne recevrez plus de SMS de France Travail. Pour vous réinscrire, répondez START."},
		{IntentStart, "France Travail", "France Travail : vous recevrez à nouveau nos offres par SMS. STOP pour vous désinscrire."},
		{IntentHelp, "France Travail", "France Travail : offres d'emploi par SMS. Répondez OUI ou NON avec la référence de l'offre. STOP pour ne plus recevoir de SMS."},
		{IntentUnclear, "France Travail", "Nous n'avons pas compris. Répondez OUI ou NON avec la référence de l'offre. Votre message a été transmis à votre conseiller."},
		{Intent("other"), "France Travail", "Nous n'avons pas compris. Répondez OUI ou NON avec la référence de l'offre. Votre message a été transmis à votre conseiller."},
		{IntentYes, "", "Merci ! Votre conseiller a bien noté que l'offre vous intéresse et revient vers vous rapidement."},
		{IntentStop, "", "Vous ne recevrez plus de SMS de notre part. Pour vous réinscrire, répondez START."},
		{IntentStart, "", "Vous recevrez à nouveau nos offres par SMS. STOP pour vous désinscrire."},
		{IntentHelp, "", "Offres d'emploi par SMS. Répondez OUI ou NON avec la référence de l'offre. STOP pour ne plus recevoir de SMS."},
		{IntentStop, "Agence de Besançon", "Vous ne recevrez plus de SMS de Agence de Besancon. Pour vous réinscrire, répondez START."},
	}
	for _, tt := range tests {
		got := ComposeReplyConfirmation(tt.intent, tt.agency)
		if got != tt.want {
			t.Errorf("ComposeReplyConfirmation(%s, %q) =\n%q\nwant\n%q", tt.intent, tt.agency, got, tt.want)
		}
		if enc, segs := SMSSegments(got); enc != "GSM-7" || segs != 1 {
			t.Errorf("ComposeReplyConfirmation(%s, %q) is %s in %d segments", tt.intent, tt.agency, enc, segs)
		}
	}
}
