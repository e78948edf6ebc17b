package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// questionView is a question as the API shows it.
type questionView struct {
	Kind       string  `json:"kind"`
	Date       *string `json:"date"`
	Hours      string  `json:"hours"`
	Town       string  `json:"town"`
	Licence    string  `json:"licence"`
	Text       string  `json:"text"`
	Qualifying string  `json:"qualifying"`
	Label      string  `json:"label"`
	SMS        string  `json:"sms"`
}

// offerQuestions is the answer of GET and PUT /offers/:id/questions.
type offerQuestions struct {
	OfferID   int64          `json:"offer_id"`
	Questions []questionView `json:"questions"`
}

func questionKinds(qs []questionView) []string {
	kinds := []string{}
	for _, q := range qs {
		kinds = append(kinds, q.Kind)
	}
	return kinds
}

// TestOfferQuestionsAPI: an offer asks the questions posted with it, the
// ones proposed from its fields when none are posted, none when told so;
// they are read with their label and SMS, and replaced.
func TestOfferQuestionsAPI(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "qa@agence.example", "name": "Qa", "agency": "Lyon"}, &co, http.StatusCreated)
	type offer struct {
		ID        int64          `json:"id"`
		Reference string         `json:"reference"`
		Town      string         `json:"town"`
		Questions []questionView `json:"questions"`
	}
	questionsOf := func(id int64) []questionView {
		t.Helper()
		var got offerQuestions
		e.must(http.MethodGet, "/api/v1/offers/"+itoa64(id)+"/questions", nil, &got, http.StatusOK)
		if got.OfferID != id || got.Questions == nil {
			t.Fatalf("questions of offer %d: %+v", id, got)
		}
		return got.Questions
	}

	// Posted questions are asked, numbered in their SMS.
	body := offerBody(co.ID, "OF-Q-GIVEN")
	body["questions"] = []map[string]any{
		{"kind": "available_from", "date": "2027-01-05"},
		{"kind": "accepts_hours", "hours": "du lundi au vendredi, 6h-14h"},
		{"kind": "free", "text": "Êtes-vous déjà en formation ?", "qualifying": "no"},
	}
	var given offer
	e.must(http.MethodPost, "/api/v1/offers", body, &given, http.StatusCreated)
	if kinds := questionKinds(given.Questions); !slices.Equal(kinds, []string{"available_from", "accepts_hours", "free"}) {
		t.Errorf("offer answered with questions %v", kinds)
	}
	qs := questionsOf(given.ID)
	wantLabels := []string{"Disponible à partir du 05/01/2027 ?", "Horaires acceptés : du lundi au vendredi, 6h-14h ?",
		"Êtes-vous déjà en formation ?"}
	for i, q := range qs {
		head := "Question " + itoa64(int64(i+1)) + "/3 (offre " + given.Reference + ") : "
		if q.Label != wantLabels[i] || !strings.HasPrefix(q.SMS, head) || !strings.HasSuffix(q.SMS, "Répondez OUI ou NON.") {
			t.Errorf("question %d: label %q, SMS %q", i+1, q.Label, q.SMS)
		}
	}
	if len(qs) != 3 || qs[0].Date == nil || *qs[0].Date != "2027-01-05" || qs[0].Qualifying != "yes" || qs[2].Qualifying != "no" {
		t.Fatalf("questions %+v", qs)
	}

	// None posted: those proposed from the offer's fields.
	startsOn := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	body = offerBody(co.ID, "OF-Q-DEFAULT")
	delete(body, "questions")
	body["starts_on"], body["skills"] = startsOn, []string{"préparation de commandes", "CACES R489 cat. 3"}
	var byDefault offer
	e.must(http.MethodPost, "/api/v1/offers", body, &byDefault, http.StatusCreated)
	defaults := []string{"available_from", "can_travel", "holds_licence"}
	qs = questionsOf(byDefault.ID)
	if kinds := questionKinds(qs); !slices.Equal(kinds, defaults) || !slices.Equal(questionKinds(byDefault.Questions), defaults) {
		t.Fatalf("questions by default %v, want %v", kinds, defaults)
	}
	if *qs[0].Date != startsOn || qs[1].Town != byDefault.Town || qs[1].Label != "Peut se rendre à "+byDefault.Town+" ?" ||
		qs[2].Licence != "CACES R489 cat. 3" {
		t.Errorf("questions by default %+v", qs)
	}

	// [] posted: none, though some are proposed.
	body["external_id"], body["questions"] = "OF-Q-NONE", []any{}
	var none offer
	e.must(http.MethodPost, "/api/v1/offers", body, &none, http.StatusCreated)
	if qs := questionsOf(none.ID); len(qs) != 0 || len(none.Questions) != 0 {
		t.Errorf("offer posted with no questions asks %v", questionKinds(qs))
	}
	var proposed offerQuestions
	e.must(http.MethodGet, "/api/v1/offers/"+itoa64(none.ID)+"/questions/defaults", nil, &proposed, http.StatusOK)
	if kinds := questionKinds(proposed.Questions); !slices.Equal(kinds, defaults) || proposed.Questions[2].Label != "Titulaire de : CACES R489 cat. 3 ?" {
		t.Errorf("defaults proposed %+v", proposed.Questions)
	}
	if qs := questionsOf(none.ID); len(qs) != 0 {
		t.Errorf("reading the defaults stored them: %v", questionKinds(qs))
	}

	// PUT replaces them; the defaults read can be sent back as they are.
	var raw struct{ Questions json.RawMessage }
	e.must(http.MethodGet, "/api/v1/offers/"+itoa64(none.ID)+"/questions/defaults", nil, &raw, http.StatusOK)
	var replaced offerQuestions
	e.must(http.MethodPut, "/api/v1/offers/"+itoa64(none.ID)+"/questions", map[string]any{"questions": raw.Questions}, &replaced, http.StatusOK)
	if kinds := questionKinds(questionsOf(none.ID)); !slices.Equal(kinds, defaults) || !slices.Equal(questionKinds(replaced.Questions), defaults) {
		t.Errorf("after sending the defaults back: %v", kinds)
	}
	e.must(http.MethodPut, "/api/v1/offers/"+itoa64(given.ID)+"/questions", map[string]any{"questions": []map[string]any{
		{"kind": "accepts_salary", "salary": "1 900 € brut/mois"}}}, &replaced, http.StatusOK)
	qs = questionsOf(given.ID)
	if len(qs) != 1 || qs[0].Label != "Salaire accepté : 1 900 € brut/mois ?" || !strings.HasPrefix(qs[0].SMS, "Question 1/1 (offre "+given.Reference+")") {
		t.Errorf("after the replace: %+v", qs)
	}
	e.must(http.MethodPut, "/api/v1/offers/"+itoa64(given.ID)+"/questions", map[string]any{"questions": []any{}}, &replaced, http.StatusOK)
	if qs := questionsOf(given.ID); len(qs) != 0 {
		t.Errorf("after removing them all: %v", questionKinds(qs))
	}
}

// TestOfferQuestionsAPIRejects: bad questions are refused naming the
// field, and an offer refused for its questions is not stored.
func TestOfferQuestionsAPIRejects(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "qr@agence.example", "name": "Qr", "agency": "Lyon"}, &co, http.StatusCreated)
	var o struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(co.ID, "OF-Q-REJECT"), &o, http.StatusCreated)
	path := "/api/v1/offers/" + itoa64(o.ID) + "/questions"
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	free := map[string]any{"kind": "free", "text": "Travaillez-vous le samedi ?"}
	six := []map[string]any{free, free, free, free, free, free}
	withQuestions := func(qs any) map[string]any {
		b := offerBody(co.ID, "OF-Q-BAD")
		b["questions"] = qs
		return b
	}
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"six questions", "PUT", path, map[string]any{"questions": six}, 422, "invalid_field", "questions"},
		{"unknown kind", "PUT", path, map[string]any{"questions": []map[string]any{{"kind": "likes_cats"}}}, 422, "invalid_field", "questions[0].kind"},
		{"parameter missing", "PUT", path, map[string]any{"questions": []map[string]any{free, {"kind": "can_travel"}}}, 422, "invalid_field", "questions[1].town"},
		{"parameter of another kind", "PUT", path, map[string]any{"questions": []map[string]any{{"kind": "can_travel", "town": "Lyon", "salary": "2 000 €"}}}, 422, "invalid_field", "questions[0].salary"},
		{"not a date", "PUT", path, map[string]any{"questions": []map[string]any{free, {"kind": "available_from", "date": "05/01/2027"}}}, 422, "invalid_field", "questions[1].date"},
		{"bad qualifying answer", "PUT", path, map[string]any{"questions": []map[string]any{{"kind": "free", "text": "Oui ?", "qualifying": "maybe"}}}, 422, "invalid_field", "questions[0].qualifying"},
		{"questions missing", "PUT", path, map[string]any{}, 422, "invalid_field", "questions"},
		{"unknown field", "PUT", path, map[string]any{"questions": []map[string]any{{"kind": "free", "text": "Oui ?", "answer": "yes"}}}, 400, "unknown_field", "answer"},
		{"unknown offer", "PUT", "/api/v1/offers/99999/questions", map[string]any{"questions": []any{}}, 404, "not_found", ""},
		{"questions of unknown offer", "GET", "/api/v1/offers/99999/questions", nil, 404, "not_found", ""},
		{"defaults of unknown offer", "GET", "/api/v1/offers/99999/questions/defaults", nil, 404, "not_found", ""},
		{"offer with a bad question", "POST", "/api/v1/offers", withQuestions([]map[string]any{free, {"kind": "can_travel"}}), 422, "invalid_field", "questions[1].town"},
		{"offer with six questions", "POST", "/api/v1/offers", withQuestions(six), 422, "invalid_field", "questions"},
		{"offer with a bad date", "POST", "/api/v1/offers", withQuestions([]map[string]any{{"kind": "available_from", "date": "demain"}}), 422, "invalid_field", "questions[0].date"},
		{"offer with questions not a list", "POST", "/api/v1/offers", withQuestions("none"), 400, "malformed_json", "questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ""
			if tt.body != nil {
				body = mustJSON(t, tt.body)
			}
			code, answer := e.raw(tt.method, tt.path, "application/json", body, auth)
			checkAPIError(t, code, answer, tt.status, tt.code, tt.field)
		})
	}

	// Nothing refused was stored: the offer's questions are intact, and
	// the refused offer's external_id is free.
	var got offerQuestions
	e.must(http.MethodGet, path, nil, &got, http.StatusOK)
	if len(got.Questions) != 0 {
		t.Errorf("refused PUTs changed the questions: %v", questionKinds(got.Questions))
	}
	e.must(http.MethodPost, "/api/v1/offers", withQuestions([]map[string]any{free}), nil, http.StatusCreated)
}

// TestQuestionTemplatesAPI: the library of question kinds, each with the
// parameter it needs, a description and an example SMS.
func TestQuestionTemplatesAPI(t *testing.T) {
	e := startE2E(t)
	var got struct {
		MaxQuestions int `json:"max_questions"`
		Templates    []struct {
			Kind        string       `json:"kind"`
			Param       string       `json:"param"`
			Description string       `json:"description"`
			Example     questionView `json:"example"`
		} `json:"templates"`
	}
	e.must(http.MethodGet, "/api/v1/question-templates", nil, &got, http.StatusOK)
	params := map[string]string{"available_from": "date", "accepts_hours": "hours", "can_travel": "town",
		"accepts_salary": "salary", "holds_licence": "licence", "free": "text"}
	if got.MaxQuestions != 5 || len(got.Templates) != len(params) {
		t.Fatalf("templates %+v", got)
	}
	for _, tmpl := range got.Templates {
		if params[tmpl.Kind] != tmpl.Param || tmpl.Description == "" || tmpl.Example.Kind != tmpl.Kind ||
			tmpl.Example.Label == "" || !strings.HasPrefix(tmpl.Example.SMS, "Question 1/1 (offre K4P8M2) : ") {
			t.Errorf("template %+v", tmpl)
		}
	}
	if code, _ := e.raw("GET", "/api/v1/question-templates", "", "", nil); code != http.StatusUnauthorized {
		t.Errorf("templates without a token: %d", code)
	}
}
