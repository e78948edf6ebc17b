package outreach

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Pre-screening: after a yes, a few closed questions by SMS tell the
// counsellor whether the candidate fits before the application goes to the
// employer. This file holds the questions an offer asks and their texts;
// screening_conversation.go, the conversation that asks them.

// MaxScreeningQuestions is the most questions an offer may ask: each one
// costs an SMS and some patience.
const MaxScreeningQuestions = 5

// QuestionKind is one of the templates a counsellor picks questions from.
type QuestionKind string

// Question templates, each with the parameters it needs (see Question).
const (
	QuestionAvailableFrom QuestionKind = "available_from" // Date
	QuestionAcceptsHours  QuestionKind = "accepts_hours"  // Hours
	QuestionCanTravel     QuestionKind = "can_travel"     // Town, and DistanceKM when known
	QuestionAcceptsSalary QuestionKind = "accepts_salary" // Salary
	QuestionHoldsLicence  QuestionKind = "holds_licence"  // Licence
	QuestionFree          QuestionKind = "free"           // Text
)

// Answer is what a candidate answered to a screening question.
type Answer string

// Answers to a screening question.
const (
	AnswerYes     Answer = "yes"
	AnswerNo      Answer = "no"
	AnswerStop    Answer = "stop"
	AnswerUnclear Answer = "unclear"
)

// Question is a closed question an offer asks after a yes. Only the
// parameters of its kind are set.
type Question struct {
	Kind QuestionKind
	// Date is the first day of work (available_from), at 00:00 UTC.
	Date time.Time
	// Hours describes the working hours (accepts_hours), e.g. "du lundi au
	// vendredi, 6h-14h".
	Hours string
	// Town is the place of work (can_travel); DistanceKM how far it is
	// from the candidate, 0 when unknown and not shown. DistanceKM is a
	// candidate's: see WithDistance.
	Town       string
	DistanceKM float64
	// Salary is the pay as the offer words it (accepts_salary), e.g.
	// "1 900 € brut/mois".
	Salary string
	// Licence is the licence or certificate required (holds_licence), e.g.
	// "CACES R489 cat. 3" or "permis B".
	Licence string
	// Text is the counsellor's own yes/no question (free).
	Text string
	// Qualifying is the answer that keeps the candidate in: AnswerYes or
	// AnswerNo; "" is AnswerYes.
	Qualifying Answer
}

// Qualifies reports whether a yes or a no answer keeps the candidate in.
func (q Question) Qualifies(a Answer) bool {
	want := q.Qualifying
	if want == "" {
		want = AnswerYes
	}
	return a == want
}

// WithDistance returns q with the candidate's distance to the place of
// work, when q asks whether they can travel there and km is known (> 0).
func (q Question) WithDistance(km float64) Question {
	if q.Kind == QuestionCanTravel && km > 0 {
		q.DistanceKM = km
	}
	return q
}

// Limits of the question parameters, in characters, so that a question
// fits in one SMS with its reminder's framing (see questionBudget). The SMS
// shortens a parameter that still does not fit: an offer's town has up to
// 80 characters, and € [ ] { } ~ | ^ \ count twice.
const (
	maxQuestionHours   = 55
	maxQuestionSalary  = 40
	maxQuestionLicence = 60
	maxQuestionText    = 90
	maxQuestionTown    = 80
	maxQuestionKM      = 1000
)

// SMS writes question number (from 1) of total for the offer with
// reference ref, in one GSM-7 segment:
//
//	Question 2/3 (offre K4P8M2) : pouvez-vous vous rendre à Lyon (12 km de chez vous) ? Répondez OUI ou NON.
//
// A parameter too long for one segment (a very long town) is shortened.
func (q Question) SMS(ref string, number, total int) string {
	return q.framed(fmt.Sprintf("Question %d/%d (offre %s) : ", number, total, cleanField(ref)))
}

// ReminderSMS writes the one reminder of a question left unanswered, in one
// GSM-7 segment:
//
//	Rappel, question 2/3 (offre K4P8M2) : pouvez-vous vous rendre à Lyon ? Répondez OUI ou NON.
func (q Question) ReminderSMS(ref string, number, total int) string {
	return q.framed(fmt.Sprintf("Rappel, question %d/%d (offre %s) : ", number, total, cleanField(ref)))
}

// ComposeReaskSMS writes the polite re-ask after an unclear answer to
// question number (from 1) of total. It does not repeat the question, sent
// just before, so that it fits in one GSM-7 segment.
func ComposeReaskSMS(ref string, number, total int) string {
	return ToGSM7(fmt.Sprintf("Désolé, nous n'avons pas compris votre réponse à la question %d/%d (offre %s)."+
		" Merci de répondre simplement OUI ou NON.", number, total, cleanField(ref)))
}

// ComposeScreeningDelayedSMS answers a yes that starts a pre-screening
// during quiet hours: the first question waits until at.
//
//	Merci ! Nous vous poserons quelques questions sur l'offre K4P8M2 à partir de 8h.
func ComposeScreeningDelayedSMS(ref string, at time.Time) string {
	when := strconv.Itoa(at.Hour()) + "h"
	if at.Minute() != 0 {
		when = fmt.Sprintf("%dh%02d", at.Hour(), at.Minute())
	}
	return ToGSM7("Merci ! Nous vous poserons quelques questions sur l'offre " + cleanField(ref) +
		" à partir de " + when + ".")
}

// answerInstruction ends every question.
const answerInstruction = " Répondez OUI ou NON."

// framed writes head, the question and the answer instruction in GSM-7,
// shortening the question's parameter until it fits in one segment.
func (q Question) framed(head string) string {
	p := q.params()
	compose := func() string { return ToGSM7(head) + p.body() + ToGSM7(answerInstruction) }
	fits := func() bool { _, n := SMSSegments(compose()); return n == 1 }
	if p.field != nil {
		shorten(p.field, 3, fits)
	}
	return compose()
}

// questionText is a question's text, in GSM-7, split around its one
// parameter so that the parameter alone can be shortened.
type questionText struct {
	before, after string
	field         *string // the parameter, nil for free text
}

func (t questionText) body() string {
	if t.field == nil {
		return t.before
	}
	return t.before + *t.field + t.after
}

// params gives the text of q. Free text gets a final question mark when it
// has none.
func (q Question) params() questionText {
	field := func(before, value, after string) questionText {
		v := cleanField(value)
		return questionText{before: ToGSM7(before), after: ToGSM7(after), field: &v}
	}
	switch q.Kind {
	case QuestionAvailableFrom:
		return field("êtes-vous disponible à partir du ", q.Date.Format("02/01/2006"), " ?")
	case QuestionAcceptsHours:
		return field("les horaires sont : ", q.Hours, ". Vous conviennent-ils ?")
	case QuestionCanTravel:
		after := " ?"
		if km := math.Round(q.DistanceKM); q.DistanceKM > 0 {
			after = " (" + strconv.Itoa(int(max(km, 1))) + " km de chez vous) ?"
		}
		return field("pouvez-vous vous rendre à ", q.Town, after)
	case QuestionAcceptsSalary:
		return field("le salaire est de ", q.Salary, ". Vous convient-il ?")
	case QuestionHoldsLicence:
		return field("avez-vous ce permis ou certificat : ", q.Licence, " ?")
	}
	text := cleanField(q.Text)
	if !strings.HasSuffix(text, "?") {
		text += " ?"
	}
	return questionText{before: text}
}

// questionBudget is the most septets a question's text may take so that
// its reminder, the longest framing, fits in one segment.
var questionBudget = 160 - septets(ToGSM7("Rappel, question 5/5 (offre K4P8M2) : "+answerInstruction))

func septets(s string) int {
	n := 0
	for _, r := range s {
		n += gsm7Septets(r)
	}
	return n
}

// ValidateQuestions checks the questions a counsellor picked for an offer
// and returns them cleaned: trimmed, with Qualifying set. Errors are
// *ValidationError naming the field, e.g. "questions[1].town".
func ValidateQuestions(qs []Question) ([]Question, error) {
	if len(qs) > MaxScreeningQuestions {
		return nil, invalid("questions", "at most %d questions", MaxScreeningQuestions)
	}
	out := make([]Question, len(qs))
	for i, q := range qs {
		var err error
		if out[i], err = validateQuestion(fmt.Sprintf("questions[%d]", i), q); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// questionParams names the parameters each kind uses, as the API spells
// them.
var questionParams = map[QuestionKind]string{
	QuestionAvailableFrom: "date", QuestionAcceptsHours: "hours", QuestionCanTravel: "town",
	QuestionAcceptsSalary: "salary", QuestionHoldsLicence: "licence", QuestionFree: "text",
}

func validateQuestion(field string, q Question) (Question, error) {
	q.Hours, q.Town = strings.TrimSpace(q.Hours), strings.TrimSpace(q.Town)
	q.Salary, q.Licence, q.Text = strings.TrimSpace(q.Salary), strings.TrimSpace(q.Licence), strings.TrimSpace(q.Text)
	used, ok := questionParams[q.Kind]
	if !ok {
		return q, invalid(field+".kind", "unknown question kind %q", q.Kind)
	}
	params := []struct {
		name string
		set  bool
		err  func() error
	}{
		{"date", !q.Date.IsZero(), func() error { return checkQuestionDate(field+".date", q.Date) }},
		{"hours", q.Hours != "", func() error { return checkText(field+".hours", q.Hours, maxQuestionHours) }},
		{"town", q.Town != "", func() error { return checkText(field+".town", q.Town, maxQuestionTown) }},
		{"distance_km", q.DistanceKM != 0, func() error { return checkQuestionKM(field+".distance_km", q.DistanceKM) }},
		{"salary", q.Salary != "", func() error { return checkText(field+".salary", q.Salary, maxQuestionSalary) }},
		{"licence", q.Licence != "", func() error { return checkText(field+".licence", q.Licence, maxQuestionLicence) }},
		{"text", q.Text != "", func() error { return checkFreeText(field+".text", q.Text) }},
	}
	for _, p := range params {
		var err error
		switch {
		case p.name == used, p.name == "distance_km" && q.Kind == QuestionCanTravel:
			err = p.err() // required, but for the distance
		case p.set:
			err = invalid(field+"."+p.name, "is not used by a %s question", q.Kind)
		}
		if err != nil {
			return q, err
		}
	}
	switch q.Qualifying {
	case "":
		q.Qualifying = AnswerYes
	case AnswerYes, AnswerNo:
	default:
		return q, invalid(field+".qualifying", "must be %q or %q", AnswerYes, AnswerNo)
	}
	return q, nil
}

func checkQuestionDate(field string, d time.Time) error {
	if d.IsZero() {
		return invalid(field, "is required")
	}
	if d.Year() < minDateYear || d.Year() > maxDateYear {
		return invalid(field, "must be between %d-01-01 and %d-12-31", minDateYear, maxDateYear)
	}
	return nil
}

func checkQuestionKM(field string, km float64) error {
	if km < 0 || km > maxQuestionKM || math.IsNaN(km) {
		return invalid(field, "must be between 0 and %d km", maxQuestionKM)
	}
	return nil
}

// checkFreeText checks a counsellor's own question: a single line that
// fits in one SMS with its framing.
func checkFreeText(field, text string) error {
	if err := checkText(field, text, maxQuestionText); err != nil {
		return err
	}
	if septets(Question{Text: text}.params().body()) > questionBudget {
		return invalid(field, "must fit in one SMS: at most %d characters, € and [ ] { } ~ | ^ \\ counting 2", questionBudget)
	}
	return nil
}

// DefaultQuestions proposes the questions of an offer from its fields, for
// the counsellor to review, in this order and at most
// MaxScreeningQuestions, each qualifying on yes:
//
//  1. available_from its start date, when it has one after today (now);
//  2. can_travel to its town, when it has one (the distance is each
//     candidate's: see WithDistance);
//  3. holds_licence for each of its skills that names a licence or a
//     certificate: a skill of at most 60 characters starting with one of
//     licenceWords ("CACES R489 cat. 3", "Permis C", "FIMO"...).
//
// The hours and the salary are not fields of an offer: the counsellor adds
// those questions. The contract type needs none: candidates are matched on
// the contracts they want.
func DefaultQuestions(o Offer, now time.Time) []Question {
	var qs []Question
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if o.StartsOn.After(today) {
		qs = append(qs, Question{Kind: QuestionAvailableFrom, Date: o.StartsOn, Qualifying: AnswerYes})
	}
	if town := strings.TrimSpace(o.Town); town != "" {
		qs = append(qs, Question{Kind: QuestionCanTravel, Town: town, Qualifying: AnswerYes})
	}
	for _, sk := range o.Skills {
		if sk = strings.TrimSpace(sk); namesLicence(sk) && len(qs) < MaxScreeningQuestions {
			qs = append(qs, Question{Kind: QuestionHoldsLicence, Licence: sk, Qualifying: AnswerYes})
		}
	}
	return qs
}

// licenceWords start the names of the licences and certificates French job
// offers require, accents and case aside.
var licenceWords = phrases("caces", "permis", "fimo", "fco", "habilitation", "certificat", "certification",
	"licence", "carte professionnelle", "attestation", "brevet", "bafa", "bafd", "sst", "cqp",
	"titre professionnel", "autorisation de conduite")

// namesLicence reports whether a skill names a licence or a certificate
// (see DefaultQuestions).
func namesLicence(skill string) bool {
	if len([]rune(skill)) > maxQuestionLicence {
		return false
	}
	words, _ := replyWords(skill)
	return hasPrefix(words, licenceWords)
}
