package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// The form creating an offer. It keeps what was typed as text, so that a
// refused form comes back as it was sent, with the message of the wrong
// field next to it.

// questionRows is how many question rows the form offers: as many as an
// offer may ask.
const questionRows = outreach.MaxScreeningQuestions

// offerForm is the offer form's values and errors, by field name.
type offerForm struct {
	Title, Appellation, ROMECode        string
	EmployerName, EmployerEmail         string
	CommuneCode, ContractType, StartsOn string
	RadiusKM, Positions, Skills         string
	NoQuestions                         bool
	Questions                           [questionRows]questionRow
	Errors                              map[string]string
	Contracts, Kinds                    []option
	Help                                []questionHelp
}

// questionRow is one pre-screening question of the form.
type questionRow struct {
	Kind, Param, Qualifying string
}

// questionHelp explains a kind of question and its one parameter, from
// outreach.QuestionTemplates.
type questionHelp struct {
	Kind, Description, Param, Example string
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// Err is the message of the field, "" when it is right.
func (f offerForm) Err(field string) string { return f.Errors[field] }

// Describe lists the ids describing a field for aria-describedby: its
// hint, when it has one, and its error, when it has one.
func (f offerForm) Describe(field string, hint bool) string {
	var ids []string
	if hint {
		ids = append(ids, field+"-aide")
	}
	if f.Errors[field] != "" {
		ids = append(ids, field+"-erreur")
	}
	return strings.Join(ids, " ")
}

// Number is the number of question row i, from 1.
func (f offerForm) Number(i int) int { return i + 1 }

// QuestionField names the field of question row i: "q0_kind".
func (f offerForm) QuestionField(i int, part string) string { return fmt.Sprintf("q%d_%s", i, part) }

// contractOrder is the order of the contract types in the select, the
// most common first; types not listed follow, by code.
var contractOrder = []string{"CDI", "CDD", "MIS", "SAI", "ALT", "DIN", "DDI", "LIB", "FRA", "CCE"}

func contractOptions() []option {
	codes := make([]string, 0, len(outreach.ContractTypes))
	for code := range outreach.ContractTypes {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int {
		ia, ib := slices.Index(contractOrder, a), slices.Index(contractOrder, b)
		if ia < 0 {
			ia = len(contractOrder)
		}
		if ib < 0 {
			ib = len(contractOrder)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	out := make([]option, len(codes))
	for i, code := range codes {
		label := code
		if name := outreach.ContractTypes[code]; name != code {
			label = code + " (" + name + ")"
		}
		out[i] = option{Value: code, Label: label}
	}
	return out
}

// questionKindLabels name the kinds of questions in the select.
var questionKindLabels = map[outreach.QuestionKind]string{
	outreach.QuestionAvailableFrom: "Disponible à une date",
	outreach.QuestionAcceptsHours:  "Accepte les horaires",
	outreach.QuestionCanTravel:     "Peut se rendre au lieu de travail",
	outreach.QuestionAcceptsSalary: "Accepte le salaire",
	outreach.QuestionHoldsLicence:  "A un permis ou un certificat",
	outreach.QuestionFree:          "Question libre (oui ou non)",
}

// questionParamLabels name the one parameter of each kind of question.
var questionParamLabels = map[string]string{
	"date": "la date, au format JJ/MM/AAAA", "hours": "les horaires", "town": "le lieu de travail",
	"salary": "le salaire", "licence": "le permis ou le certificat", "text": "la question elle-même",
}

// questionChoices are the kinds of questions of the select, and their
// explanations.
func questionChoices() ([]option, []questionHelp) {
	templates := outreach.QuestionTemplates()
	kinds := make([]option, len(templates))
	help := make([]questionHelp, len(templates))
	for i, t := range templates {
		label := questionKindLabels[t.Kind]
		if label == "" {
			label = string(t.Kind)
		}
		param := questionParamLabels[t.Param]
		if param == "" {
			param = t.Param
		}
		kinds[i] = option{Value: string(t.Kind), Label: label}
		help[i] = questionHelp{Kind: label, Description: t.Description, Param: param, Example: t.Example.Label()}
	}
	return kinds, help
}

// newOfferForm is an empty form with its choices.
func newOfferForm() offerForm {
	f := offerForm{ContractType: "CDI", RadiusKM: strconv.Itoa(outreach.DefaultRadiusKM), Positions: "1",
		Errors: map[string]string{}, Contracts: contractOptions()}
	f.Kinds, f.Help = questionChoices()
	for i := range f.Questions {
		f.Questions[i].Qualifying = string(outreach.AnswerYes)
	}
	return f
}

// newOfferPage shows the empty offer form.
func (s *Server) newOfferPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "offer_new", page{Title: "Nouvelle offre", Nav: "offres", Data: newOfferForm()})
}

// createOffer creates the offer of the form, owned by the viewer, and
// shows it; a refused form comes back with its values and the message
// next to the wrong field (422).
func (s *Server) createOffer(c echo.Context) error {
	f := readOfferForm(c)
	in, rows := f.input(viewer(c).CounsellorID)
	if len(f.Errors) == 0 && in.Appellation == 0 && in.ROMECode == "" {
		if err := s.guessJobTitle(c, &in); err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.showOfferForm(c, f)
	}
	o, err := s.svc.CreateOffer(c.Request().Context(), in)
	var invalid *outreach.ValidationError
	if errors.As(err, &invalid) {
		field := formField(invalid.Field, rows)
		f.Errors[field] = frenchFieldMessage(invalid)
		return s.showOfferForm(c, f)
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(c.Request().Context(), "offer created", "offer_id", o.ID, "counsellor_id", o.CounsellorID)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/offres/%d?cree=1", o.ID))
}

func (s *Server) showOfferForm(c echo.Context, f offerForm) error {
	// The summary at the top of the form says what to correct, with links
	// to the fields.
	return s.render(c, http.StatusUnprocessableEntity, "offer_new", page{Title: "Nouvelle offre (à corriger)", Nav: "offres", Data: f})
}

// guessJobTitle finds the job title typed without choosing it from the
// list (no script, say): a ROME job title of exactly that label.
func (s *Server) guessJobTitle(c echo.Context, in *outreach.OfferInput) error {
	if strings.TrimSpace(in.Title) == "" {
		return nil
	}
	titles, err := s.svc.SearchJobTitles(c.Request().Context(), in.Title, 5)
	var invalid *outreach.ValidationError
	if errors.As(err, &invalid) {
		return nil // CreateOffer says what is wrong with the title
	}
	if err != nil {
		return err
	}
	for _, t := range titles {
		if strings.EqualFold(strings.TrimSpace(t.Label), strings.TrimSpace(in.Title)) {
			in.Appellation = t.Appellation
			return nil
		}
	}
	return nil
}

// readOfferForm reads the posted form as typed.
func readOfferForm(c echo.Context) offerForm {
	f := newOfferForm()
	v := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	f.Title, f.Appellation, f.ROMECode = v("title"), v("appellation"), strings.ToUpper(v("rome_code"))
	f.EmployerName, f.EmployerEmail = v("employer_name"), v("employer_email")
	f.CommuneCode, f.ContractType, f.StartsOn = strings.ToUpper(v("commune_code")), v("contract_type"), v("starts_on")
	f.RadiusKM, f.Positions, f.Skills = v("radius_km"), v("positions"),
		strings.TrimSpace(strings.ReplaceAll(c.FormValue("skills"), "\r\n", "\n"))
	f.NoQuestions = c.FormValue("no_questions") != ""
	for i := range f.Questions {
		f.Questions[i] = questionRow{Kind: v(f.QuestionField(i, "kind")), Param: v(f.QuestionField(i, "param")),
			Qualifying: v(f.QuestionField(i, "qualifying"))}
		if f.Questions[i].Qualifying == "" {
			f.Questions[i].Qualifying = string(outreach.AnswerYes)
		}
	}
	return f
}

// input is the offer the form describes, with the row of each question
// given (rows[j] is the form row of question j); what cannot even be read
// (a radius that is no number) goes to f.Errors.
func (f offerForm) input(counsellorID int64) (outreach.OfferInput, []int) {
	in := outreach.OfferInput{Title: f.Title, ROMECode: f.ROMECode, Employer: outreach.Employer{Name: f.EmployerName,
		Email: f.EmployerEmail}, CommuneCode: f.CommuneCode, ContractType: f.ContractType, StartsOn: f.StartsOn,
		CounsellorID: counsellorID}
	if f.Appellation != "" {
		if n, err := strconv.Atoi(f.Appellation); err == nil && n > 0 {
			in.Appellation = n
		}
	}
	if f.RadiusKM != "" {
		km, err := strconv.ParseFloat(strings.Replace(f.RadiusKM, ",", ".", 1), 64)
		if err != nil {
			f.Errors["radius_km"] = "Indiquez un nombre de kilomètres, par exemple 30."
		}
		in.RadiusKM = km
	}
	if f.Positions != "" {
		n, err := strconv.Atoi(f.Positions)
		if err != nil {
			f.Errors["positions"] = "Indiquez un nombre entier de postes, par exemple 2."
		}
		in.Positions = n
	}
	for _, line := range strings.Split(f.Skills, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Skills = append(in.Skills, line)
		}
	}
	qs, rows := f.questions()
	switch {
	case f.NoQuestions && len(qs) > 0:
		f.Errors["no_questions"] = "Décochez « aucune question », ou videz les lignes de questions."
	case f.NoQuestions:
		in.Questions = &[]outreach.Question{}
	case len(qs) > 0:
		in.Questions = &qs
	}
	return in, rows
}

// questions reads the filled question rows, skipping the empty ones.
func (f offerForm) questions() ([]outreach.Question, []int) {
	var qs []outreach.Question
	var rows []int
	for i, r := range f.Questions {
		if r.Kind == "" && r.Param == "" {
			continue
		}
		if r.Kind == "" {
			f.Errors[f.QuestionField(i, "kind")] = "Choisissez le type de question."
			continue
		}
		q := outreach.Question{Kind: outreach.QuestionKind(r.Kind), Qualifying: outreach.Answer(r.Qualifying)}
		switch q.Kind {
		case outreach.QuestionAvailableFrom:
			if r.Param != "" {
				d, err := parseFrenchDate(r.Param)
				if err != nil {
					f.Errors[f.QuestionField(i, "param")] = "Indiquez une date au format JJ/MM/AAAA, par exemple 01/09/2026."
				}
				q.Date = d
			}
		case outreach.QuestionAcceptsHours:
			q.Hours = r.Param
		case outreach.QuestionCanTravel:
			q.Town = r.Param
		case outreach.QuestionAcceptsSalary:
			q.Salary = r.Param
		case outreach.QuestionHoldsLicence:
			q.Licence = r.Param
		default:
			q.Text = r.Param
		}
		qs = append(qs, q)
		rows = append(rows, i)
	}
	return qs, rows
}

// parseFrenchDate reads a date as JJ/MM/AAAA, or AAAA-MM-JJ.
func parseFrenchDate(s string) (time.Time, error) {
	if d, err := time.Parse("02/01/2006", s); err == nil {
		return d, nil
	}
	return time.Parse(time.DateOnly, s)
}
