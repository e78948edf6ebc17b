package outreach_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

func TestQuestionLabel(t *testing.T) {
	tests := []struct {
		name string
		q    outreach.Question
		want string
	}{
		{"available from", outreach.Question{Kind: outreach.QuestionAvailableFrom, Date: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)},
			"Disponible à partir du 05/01/2027 ?"},
		{"hours, not squeezed into GSM-7", outreach.Question{Kind: outreach.QuestionAcceptsHours, Hours: "du lundi au vendredi, 6h–14h"},
			"Horaires acceptés : du lundi au vendredi, 6h–14h ?"},
		{"travel, distance known", outreach.Question{Kind: outreach.QuestionCanTravel, Town: "Lyon", DistanceKM: 12.4},
			"Peut se rendre à Lyon (12 km) ?"},
		{"travel, under 1 km", outreach.Question{Kind: outreach.QuestionCanTravel, Town: "Lyon", DistanceKM: 0.2},
			"Peut se rendre à Lyon (1 km) ?"},
		{"travel, distance unknown", outreach.Question{Kind: outreach.QuestionCanTravel, Town: " Vénissieux "},
			"Peut se rendre à Vénissieux ?"},
		{"salary", outreach.Question{Kind: outreach.QuestionAcceptsSalary, Salary: "1 900 € brut/mois"},
			"Salaire accepté : 1 900 € brut/mois ?"},
		{"licence", outreach.Question{Kind: outreach.QuestionHoldsLicence, Licence: "CACES R489 cat. 3"},
			"Titulaire de : CACES R489 cat. 3 ?"},
		{"free text as is", outreach.Question{Kind: outreach.QuestionFree, Text: "Êtes-vous à l’aise en hauteur"},
			"Êtes-vous à l’aise en hauteur"},
		{"qualifying answer left out", outreach.Question{Kind: outreach.QuestionFree, Text: "Êtes-vous en formation ?",
			Qualifying: outreach.AnswerNo}, "Êtes-vous en formation ?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.Label(); got != tt.want {
				t.Errorf("Label() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestQuestionTemplates: one template per kind, each with the parameter
// its kind needs and a valid example that fits in one SMS.
func TestQuestionTemplates(t *testing.T) {
	ts := outreach.QuestionTemplates()
	kinds := []outreach.QuestionKind{outreach.QuestionAvailableFrom, outreach.QuestionAcceptsHours, outreach.QuestionCanTravel,
		outreach.QuestionAcceptsSalary, outreach.QuestionHoldsLicence, outreach.QuestionFree}
	if len(ts) != len(kinds) {
		t.Fatalf("%d templates, want %d", len(ts), len(kinds))
	}
	for i, tmpl := range ts {
		if tmpl.Kind != kinds[i] || tmpl.Example.Kind != tmpl.Kind || tmpl.Param == "" || tmpl.Description == "" {
			t.Errorf("template %d: %+v", i, tmpl)
		}
		if _, err := outreach.ValidateQuestions([]outreach.Question{tmpl.Example}); err != nil {
			t.Errorf("%s: example refused: %v", tmpl.Kind, err)
		}
		sms := tmpl.Example.SMS("K4P8M2", 1, 1)
		if enc, n := outreach.SMSSegments(sms); enc != "GSM-7" || n != 1 {
			t.Errorf("%s: example SMS in %d %s segments: %q", tmpl.Kind, n, enc, sms)
		}
	}
}

// TestOfferQuestions: an offer asks the questions given with it, the
// defaults when none are given, none when told so; a bad question stores
// no offer; the questions are replaced until the campaign closes.
func TestOfferQuestions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	env := testenv.Service(t, nil, outreach.ServiceConfig{Now: func() time.Time { return now }})
	svc := env.Service
	input := func(ext string, qs *[]outreach.Question) outreach.OfferInput {
		return outreach.OfferInput{ExternalID: ext, Title: "Cariste", ROMECode: "N1101", CommuneCode: "69123",
			ContractType: "CDI", Skills: []string{"CACES R489 cat. 3", "conduite de chariot"}, StartsOn: "2027-01-05",
			Employer: outreach.Employer{Name: "Entrepôt", Email: "rh@entrepot.example"}, CounsellorID: env.Counsellor.ID,
			Questions: qs}
	}
	salary := []outreach.Question{{Kind: outreach.QuestionAcceptsSalary, Salary: " 1 900 € brut/mois "}}
	defaults := []outreach.QuestionKind{outreach.QuestionAvailableFrom, outreach.QuestionCanTravel, outreach.QuestionHoldsLicence}
	tests := []struct {
		name string
		qs   *[]outreach.Question
		want []outreach.QuestionKind
	}{
		{"none given: defaults", nil, defaults},
		{"empty: none", &[]outreach.Question{}, nil},
		{"given", &salary, []outreach.QuestionKind{outreach.QuestionAcceptsSalary}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := svc.CreateOffer(ctx, input("Q-"+string(rune('A'+i)), tt.qs))
			if err != nil {
				t.Fatal(err)
			}
			stored, err := svc.OfferQuestions(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := kindsOf(stored); !slices.Equal(got, tt.want) || !slices.Equal(kindsOf(o.Questions), tt.want) {
				t.Errorf("stored %v, returned %v, want %v", got, kindsOf(o.Questions), tt.want)
			}
		})
	}

	bad := []outreach.Question{{Kind: outreach.QuestionCanTravel, Town: "Lyon"}, {Kind: outreach.QuestionCanTravel}}
	var v *outreach.ValidationError
	if _, err := svc.CreateOffer(ctx, input("Q-BAD", &bad)); !errors.As(err, &v) || v.Field != "questions[1].town" {
		t.Fatalf("bad question: %v, want an error naming questions[1].town", err)
	}
	o, err := svc.CreateOffer(ctx, input("Q-BAD", nil))
	if err != nil {
		t.Fatalf("the offer refused for its question was stored: %v", err)
	}

	if got, err := svc.DefaultOfferQuestions(ctx, o.ID); err != nil || !slices.Equal(kindsOf(got), defaults) {
		t.Errorf("defaults %v (%v), want %v", kindsOf(got), err, defaults)
	}
	set, err := svc.SetOfferQuestions(ctx, o.ID, salary)
	if err != nil || len(set.Questions) != 1 || set.Questions[0].Salary != "1 900 € brut/mois" {
		t.Fatalf("set questions: %+v %v", set.Questions, err)
	}
	if got, _ := svc.Offer(ctx, o.ID); !slices.Equal(kindsOf(got.Questions), []outreach.QuestionKind{outreach.QuestionAcceptsSalary}) {
		t.Errorf("after the replace, the offer asks %v", kindsOf(got.Questions))
	}
	if _, err := svc.SetOfferQuestions(ctx, o.ID, make([]outreach.Question, 6)); !errors.As(err, &v) || v.Field != "questions" {
		t.Errorf("6 questions: %v, want an error naming questions", err)
	}
	if _, err := svc.SetOfferQuestions(ctx, 99999, nil); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("unknown offer: %v, want ErrNotFound", err)
	}
	if _, err := svc.OfferQuestions(ctx, 99999); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("questions of an unknown offer: %v, want ErrNotFound", err)
	}

	if err := env.Store.MarkOutreachStarted(ctx, o.ID, now.Add(-100*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := env.Store.CloseCampaigns(ctx, now.Add(-outreach.DefaultCampaignWindow), now); err != nil || n != 1 {
		t.Fatalf("close campaigns: %d %v", n, err)
	}
	_, err = svc.SetOfferQuestions(ctx, o.ID, nil)
	if !errors.As(err, &v) || v.Field != "offer" || !strings.Contains(v.Message, "closed") {
		t.Errorf("campaign closed: %v, want an error naming the offer", err)
	}
}

func kindsOf(qs []outreach.Question) []outreach.QuestionKind {
	var kinds []outreach.QuestionKind
	for _, q := range qs {
		kinds = append(kinds, q.Kind)
	}
	return kinds
}
