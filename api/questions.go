package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// The pre-screening questions an offer asks after a yes: set with the
// offer or replaced later, read with their texts, proposed from the offer's
// fields, and the templates they are picked from.

// questionRequest is a question as a counsellor sends it: a kind and the
// one parameter it uses.
type questionRequest struct {
	Kind       string `json:"kind"`
	Date       string `json:"date"` // "YYYY-MM-DD", for available_from
	Hours      string `json:"hours"`
	Town       string `json:"town"`
	Salary     string `json:"salary"`
	Licence    string `json:"licence"`
	Text       string `json:"text"`
	Qualifying string `json:"qualifying"` // "yes" (empty) or "no": the answer that keeps the candidate in
	// Label and SMS are read-only and ignored, so that questions read
	// (the defaults, say) can be sent back as they are.
	Label *string `json:"label"`
	SMS   *string `json:"sms"`
}

// questionJSON is a question as the API shows it, with its texts.
type questionJSON struct {
	Kind       string  `json:"kind"`
	Date       *string `json:"date,omitempty"`
	Hours      string  `json:"hours,omitempty"`
	Town       string  `json:"town,omitempty"`
	Salary     string  `json:"salary,omitempty"`
	Licence    string  `json:"licence,omitempty"`
	Text       string  `json:"text,omitempty"`
	Qualifying string  `json:"qualifying"`
	Label      string  `json:"label"` // for the counsellor
	SMS        string  `json:"sms"`   // as the candidate will read it
}

// questionsFromJSON reads the questions of a request; a date that is not
// one is refused naming it, the rest is checked by the service.
func questionsFromJSON(in []questionRequest) ([]outreach.Question, error) {
	qs := make([]outreach.Question, len(in))
	for i, r := range in {
		qs[i] = outreach.Question{Kind: outreach.QuestionKind(strings.TrimSpace(r.Kind)), Hours: r.Hours, Town: r.Town,
			Salary: r.Salary, Licence: r.Licence, Text: r.Text, Qualifying: outreach.Answer(strings.TrimSpace(r.Qualifying))}
		if d := strings.TrimSpace(r.Date); d != "" {
			var err error
			if qs[i].Date, err = time.Parse(time.DateOnly, d); err != nil {
				return nil, &outreach.ValidationError{Field: fmt.Sprintf("questions[%d].date", i),
					Message: fmt.Sprintf("%q is not a date as YYYY-MM-DD, e.g. 2025-09-01", r.Date)}
			}
		}
	}
	return qs, nil
}

// questionsView shows the questions of the offer with reference ref, each
// with its SMS numbered as the candidate will get it.
func questionsView(ref string, qs []outreach.Question) []questionJSON {
	out := make([]questionJSON, len(qs))
	for i, q := range qs {
		out[i] = questionView(q, q.SMS(ref, i+1, len(qs)))
	}
	return out
}

func questionView(q outreach.Question, sms string) questionJSON {
	qualifying := q.Qualifying
	if qualifying == "" {
		qualifying = outreach.AnswerYes
	}
	return questionJSON{Kind: string(q.Kind), Date: dateJSON(q.Date), Hours: q.Hours, Town: q.Town, Salary: q.Salary,
		Licence: q.Licence, Text: q.Text, Qualifying: string(qualifying), Label: q.Label(), SMS: sms}
}

type offerQuestionsJSON struct {
	OfferID   int64          `json:"offer_id"`
	Questions []questionJSON `json:"questions"`
}

func (s *Server) offerQuestions(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	o, err := s.svc.Offer(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, offerQuestionsJSON{id, questionsView(o.Reference, o.Questions)})
}

func (s *Server) setOfferQuestions(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Questions *[]questionRequest `json:"questions"`
	}
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	if req.Questions == nil {
		return &outreach.ValidationError{Field: "questions", Message: "is required: [] for no questions"}
	}
	qs, err := questionsFromJSON(*req.Questions)
	if err != nil {
		return err
	}
	o, err := s.svc.SetOfferQuestions(c.Request().Context(), id, qs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, offerQuestionsJSON{id, questionsView(o.Reference, o.Questions)})
}

func (s *Server) defaultOfferQuestions(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o, err := s.svc.Offer(ctx, id)
	if err != nil {
		return err
	}
	qs, err := s.svc.DefaultOfferQuestions(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, offerQuestionsJSON{id, questionsView(o.Reference, qs)})
}

type questionTemplateJSON struct {
	Kind        string       `json:"kind"`
	Param       string       `json:"param"`       // the one parameter the kind needs
	Description string       `json:"description"` // in French, for counsellors
	Example     questionJSON `json:"example"`
}

// exampleReference stands for an offer's reference in the templates'
// example SMS.
const exampleReference = "K4P8M2"

func (s *Server) questionTemplates(c echo.Context) error {
	ts := outreach.QuestionTemplates()
	out := make([]questionTemplateJSON, len(ts))
	for i, t := range ts {
		out[i] = questionTemplateJSON{Kind: string(t.Kind), Param: t.Param, Description: t.Description,
			Example: questionView(t.Example, t.Example.SMS(exampleReference, 1, 1))}
	}
	return c.JSON(http.StatusOK, map[string]any{"max_questions": outreach.MaxScreeningQuestions, "templates": out})
}
