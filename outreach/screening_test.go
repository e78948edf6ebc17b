package outreach

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// checkOneSegment fails unless body is one GSM-7 segment.
func checkOneSegment(t *testing.T, name, body string) {
	t.Helper()
	if enc, n := SMSSegments(body); enc != "GSM-7" || n != 1 {
		t.Errorf("%s: %s, %d segments, want GSM-7 in 1 (%d runes): %q", name, enc, n, len([]rune(body)), body)
	}
}

func TestQuestionSMS(t *testing.T) {
	longTown := strings.Repeat("Saint-Martin-de-la-Grande-Vallée ", 3)[:maxQuestionTown]
	tests := []struct {
		name string
		q    Question
		n    int
		want string // "" to check only the size, the reference and the instruction
	}{
		{"available from", Question{Kind: QuestionAvailableFrom, Date: date(t, "2025-09-01")}, 1,
			"Question 1/3 (offre K4P8M2) : etes-vous disponible à partir du 01/09/2025 ? Répondez OUI ou NON."},
		{"hours", Question{Kind: QuestionAcceptsHours, Hours: "du lundi au vendredi, 6h–14h"}, 2,
			"Question 2/3 (offre K4P8M2) : les horaires sont : du lundi au vendredi, 6h-14h. Vous conviennent-ils ? Répondez OUI ou NON."},
		{"travel, distance known", Question{Kind: QuestionCanTravel, Town: "Lyon", DistanceKM: 12.4}, 2,
			"Question 2/3 (offre K4P8M2) : pouvez-vous vous rendre à Lyon (12 km de chez vous) ? Répondez OUI ou NON."},
		{"travel, distance unknown", Question{Kind: QuestionCanTravel, Town: "Vénissieux"}, 2,
			"Question 2/3 (offre K4P8M2) : pouvez-vous vous rendre à Vénissieux ? Répondez OUI ou NON."},
		{"travel, under 1 km", Question{Kind: QuestionCanTravel, Town: "Lyon", DistanceKM: 0.3}, 2,
			"Question 2/3 (offre K4P8M2) : pouvez-vous vous rendre à Lyon (1 km de chez vous) ? Répondez OUI ou NON."},
		{"salary", Question{Kind: QuestionAcceptsSalary, Salary: "1\u00a0900 € brut/mois"}, 3,
			"Question 3/3 (offre K4P8M2) : le salaire est de 1 900 € brut/mois. Vous convient-il ? Répondez OUI ou NON."},
		{"licence", Question{Kind: QuestionHoldsLicence, Licence: "CACES R489 cat. 3"}, 3,
			"Question 3/3 (offre K4P8M2) : avez-vous ce permis ou certificat : CACES R489 cat. 3 ? Répondez OUI ou NON."},
		{"free, question mark added", Question{Kind: QuestionFree, Text: "Acceptez-vous de travailler le samedi"}, 1,
			"Question 1/3 (offre K4P8M2) : Acceptez-vous de travailler le samedi ? Répondez OUI ou NON."},
		{"free, kept", Question{Kind: QuestionFree, Text: "Êtes-vous à l’aise en hauteur ?"}, 1,
			"Question 1/3 (offre K4P8M2) : Etes-vous à l'aise en hauteur ? Répondez OUI ou NON."},
		{"longest town", Question{Kind: QuestionCanTravel, Town: longTown, DistanceKM: 999}, 3, ""},
		{"longest hours", Question{Kind: QuestionAcceptsHours, Hours: strings.Repeat("€", maxQuestionHours)}, 3, ""},
		{"longest licence", Question{Kind: QuestionHoldsLicence, Licence: strings.Repeat("ê", maxQuestionLicence)}, 3, ""},
		{"longest salary", Question{Kind: QuestionAcceptsSalary, Salary: strings.Repeat("x", maxQuestionSalary)}, 3, ""},
		{"longest free text", Question{Kind: QuestionFree, Text: strings.Repeat("w", maxQuestionText)}, 3, ""},
	}
	for _, tt := range tests {
		got := tt.q.SMS("K4P8M2", tt.n, 3)
		if tt.want != "" && got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		reminder := tt.q.ReminderSMS("K4P8M2", tt.n, 3)
		if want := "Rappel, q" + strings.TrimPrefix(got, "Q"); tt.want != "" && reminder != want {
			t.Errorf("%s: reminder\n got %q\nwant %q", tt.name, reminder, want)
		}
		for _, body := range []string{got, reminder} {
			checkOneSegment(t, tt.name, body)
			if !strings.Contains(body, "(offre K4P8M2)") || !strings.HasSuffix(body, "? Répondez OUI ou NON.") {
				t.Errorf("%s: no reference or no instruction: %q", tt.name, body)
			}
		}
	}
}

func TestQuestionSMSShortensLongTown(t *testing.T) {
	q := Question{Kind: QuestionCanTravel, Town: strings.Repeat("Saint-Martin-de-la-Vallée ", 3), DistanceKM: 25}
	got := q.ReminderSMS("K4P8M2", 5, 5)
	if !strings.Contains(got, "Saint-Martin-de-la-Vallée") || !strings.Contains(got, "... (25 km de chez vous) ?") {
		t.Errorf("town not shortened as expected: %q", got)
	}
	checkOneSegment(t, "long town", got)
}

func TestScreeningTextsFit(t *testing.T) {
	texts := map[string]string{
		"re-ask":       ComposeReaskSMS("K4P8M2", 5, 5),
		"qualified":    Screening{OfferRef: "K4P8M2", Status: ScreeningQualified}.ClosingSMS(),
		"not qualifed": Screening{OfferRef: "K4P8M2", Status: ScreeningNotQualified}.ClosingSMS(),
		"handed over":  Screening{OfferRef: "K4P8M2", Status: ScreeningIncomplete, HandedOver: true}.ClosingSMS(),
		"delayed":      ComposeScreeningDelayedSMS("K4P8M2", time.Date(2026, time.December, 2, 8, 30, 0, 0, time.UTC)),
	}
	for name, body := range texts {
		checkOneSegment(t, name, body)
		if !strings.Contains(body, "K4P8M2") {
			t.Errorf("%s: no reference: %q", name, body)
		}
	}
	if got := texts["delayed"]; !strings.Contains(got, "à partir de 8h30.") {
		t.Errorf("delayed start: %q, want it to say 8h30", got)
	}
	for _, s := range []Screening{
		{OfferRef: "K4P8M2", Status: ScreeningIncomplete},
		{OfferRef: "K4P8M2", Status: ScreeningOptedOut},
		{OfferRef: "K4P8M2", Status: ScreeningAsking},
	} {
		if got := s.ClosingSMS(); got != "" {
			t.Errorf("%s (handed over %v): closing %q, want none", s.Status, s.HandedOver, got)
		}
	}
}

func TestValidateQuestions(t *testing.T) {
	ok := Question{Kind: QuestionCanTravel, Town: "Lyon"}
	tests := []struct {
		name  string
		qs    []Question
		field string // "" when valid
	}{
		{"none", nil, ""},
		{"five", slices.Repeat([]Question{ok}, 5), ""},
		{"six", slices.Repeat([]Question{ok}, 6), "questions"},
		{"unknown kind", []Question{{Kind: "mood"}}, "questions[0].kind"},
		{"no date", []Question{{Kind: QuestionAvailableFrom}}, "questions[0].date"},
		{"date out of range", []Question{{Kind: QuestionAvailableFrom, Date: date(t, "1925-09-01")}}, "questions[0].date"},
		{"no hours", []Question{{Kind: QuestionAcceptsHours, Hours: "  "}}, "questions[0].hours"},
		{"hours too long", []Question{{Kind: QuestionAcceptsHours, Hours: strings.Repeat("h", maxQuestionHours+1)}}, "questions[0].hours"},
		{"no town", []Question{{Kind: QuestionCanTravel, DistanceKM: 3}}, "questions[0].town"},
		{"negative distance", []Question{{Kind: QuestionCanTravel, Town: "Lyon", DistanceKM: -1}}, "questions[0].distance_km"},
		{"no salary", []Question{ok, {Kind: QuestionAcceptsSalary}}, "questions[1].salary"},
		{"no licence", []Question{{Kind: QuestionHoldsLicence}}, "questions[0].licence"},
		{"licence on two lines", []Question{{Kind: QuestionHoldsLicence, Licence: "CACES\nR489"}}, "questions[0].licence"},
		{"no text", []Question{{Kind: QuestionFree}}, "questions[0].text"},
		{"text too long", []Question{{Kind: QuestionFree, Text: strings.Repeat("t", maxQuestionText+1)}}, "questions[0].text"},
		{"text too long in septets", []Question{{Kind: QuestionFree, Text: strings.Repeat("€", 60)}}, "questions[0].text"},
		{"parameter of another kind", []Question{{Kind: QuestionAcceptsSalary, Salary: "SMIC", Town: "Lyon"}}, "questions[0].town"},
		{"distance on a free question", []Question{{Kind: QuestionFree, Text: "Ok ?", DistanceKM: 3}}, "questions[0].distance_km"},
		{"qualifying answer", []Question{{Kind: QuestionFree, Text: "Ok ?", Qualifying: AnswerStop}}, "questions[0].qualifying"},
	}
	for _, tt := range tests {
		_, err := ValidateQuestions(tt.qs)
		var v *ValidationError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field != "" && !errors.As(err, &v):
			t.Errorf("%s: error %v, want a ValidationError on %s", tt.name, err, tt.field)
		case tt.field != "" && v.Field != tt.field:
			t.Errorf("%s: error on %s (%v), want on %s", tt.name, v.Field, err, tt.field)
		}
	}
}

func TestValidateQuestionsCleans(t *testing.T) {
	got, err := ValidateQuestions([]Question{
		{Kind: QuestionFree, Text: "  Avez-vous une voiture ? "},
		{Kind: QuestionFree, Text: "Cherchez-vous un temps partiel ?", Qualifying: AnswerNo},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Question{
		{Kind: QuestionFree, Text: "Avez-vous une voiture ?", Qualifying: AnswerYes},
		{Kind: QuestionFree, Text: "Cherchez-vous un temps partiel ?", Qualifying: AnswerNo},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestDefaultQuestions(t *testing.T) {
	now := time.Date(2025, 8, 20, 15, 0, 0, 0, time.UTC)
	travel := Question{Kind: QuestionCanTravel, Town: "Lyon", Qualifying: AnswerYes}
	licence := func(l string) Question {
		return Question{Kind: QuestionHoldsLicence, Licence: l, Qualifying: AnswerYes}
	}
	tests := []struct {
		name string
		o    Offer
		want []Question
	}{
		{"nothing to ask", Offer{Skills: []string{"Pétrir la pâte"}}, nil},
		{"start date, town, licences", Offer{
			StartsOn: date(t, "2025-09-01"), Town: " Lyon ",
			Skills: []string{"Permis B", "Conduire un chariot élévateur", " CACES R489 cat. 3", "Le permis C est un plus"},
		}, []Question{
			{Kind: QuestionAvailableFrom, Date: date(t, "2025-09-01"), Qualifying: AnswerYes},
			travel, licence("Permis B"), licence("CACES R489 cat. 3"),
		}},
		{"start date today or past", Offer{StartsOn: date(t, "2025-08-20"), Town: "Lyon"}, []Question{travel}},
		{"accents and case", Offer{Skills: []string{"HABILITATION électrique B1V", "Certificat de Sauveteur Secouriste du Travail"}},
			[]Question{licence("HABILITATION électrique B1V"), licence("Certificat de Sauveteur Secouriste du Travail")}},
		{"skill too long to be a licence", Offer{Skills: []string{"Habilitation " + strings.Repeat("x", maxQuestionLicence)}}, nil},
		{"at most five", Offer{StartsOn: date(t, "2025-09-01"), Town: "Lyon",
			Skills: []string{"Permis B", "Permis C", "FIMO", "FCO", "CACES R489"}}, []Question{
			{Kind: QuestionAvailableFrom, Date: date(t, "2025-09-01"), Qualifying: AnswerYes},
			travel, licence("Permis B"), licence("Permis C"), licence("FIMO"),
		}},
	}
	for _, tt := range tests {
		got := DefaultQuestions(tt.o, now)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		if _, err := ValidateQuestions(got); err != nil {
			t.Errorf("%s: defaults do not validate: %v", tt.name, err)
		}
	}
}

func TestWithDistance(t *testing.T) {
	travel := Question{Kind: QuestionCanTravel, Town: "Lyon"}
	if got := travel.WithDistance(12).DistanceKM; got != 12 {
		t.Errorf("travel: distance %v, want 12", got)
	}
	if got := travel.WithDistance(0).DistanceKM; got != 0 {
		t.Errorf("unknown distance: %v, want 0", got)
	}
	if got := (Question{Kind: QuestionFree, Text: "Ok ?"}).WithDistance(12).DistanceKM; got != 0 {
		t.Errorf("free question: distance %v, want 0", got)
	}
}

func TestAnswerOf(t *testing.T) {
	tests := []struct {
		body string
		want Answer
		ok   bool
	}{
		{"oui", AnswerYes, true},
		{"1", AnswerYes, true},
		{"Ouiii K4P8M2", AnswerYes, true},
		{"non", AnswerNo, true},
		{"2", AnswerNo, true},
		{"non merci", AnswerNo, true},
		{"STOP", AnswerStop, true},
		{"oui mais pas le samedi", AnswerUnclear, true},
		{"12", AnswerUnclear, true},
		{"", AnswerUnclear, true},
		{"aide", "", false},
		{"START", "", false},
	}
	for _, tt := range tests {
		got, ok := AnswerOf(ParseReply(tt.body))
		if got != tt.want || ok != tt.ok {
			t.Errorf("AnswerOf(%q) = %q, %v, want %q, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}
