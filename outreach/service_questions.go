package outreach

import (
	"context"
	"fmt"
	"time"
)

// The questions an offer asks after a yes, as counsellors set and read
// them. A conversation already started keeps the questions it started with,
// so they may change while the campaign is open; not once it closed.

// inputQuestions gives the questions a new offer asks: those given,
// validated, or when none are given (nil) those DefaultQuestions proposes.
func (s *Service) inputQuestions(o Offer, qs *[]Question) ([]Question, error) {
	if qs == nil {
		return DefaultQuestions(o, s.cfg.Now()), nil
	}
	return ValidateQuestions(*qs)
}

// OfferQuestions returns the questions the offer asks after a yes, in
// order; ErrNotFound for an unknown offer.
func (s *Service) OfferQuestions(ctx context.Context, offerID int64) ([]Question, error) {
	o, err := s.Offer(ctx, offerID)
	return o.Questions, err
}

// SetOfferQuestions replaces the questions the offer asks after a yes and
// returns the offer with them, cleaned (see ValidateQuestions). Once its
// campaign closed they no longer change.
func (s *Service) SetOfferQuestions(ctx context.Context, offerID int64, qs []Question) (Offer, error) {
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return Offer{}, err
	}
	if c := s.Campaign(o); c.Final() {
		return Offer{}, invalid("offer", "its campaign closed on %s: its questions no longer change",
			c.ClosedAt.UTC().Format(time.RFC3339))
	}
	if o.Questions, err = ValidateQuestions(qs); err != nil {
		return Offer{}, err
	}
	if err := s.store.SaveOfferQuestions(ctx, offerID, o.Questions); err != nil {
		return Offer{}, fmt.Errorf("save offer questions: %w", err)
	}
	return o, nil
}

// DefaultOfferQuestions returns the questions DefaultQuestions proposes
// from the stored offer's fields, for a counsellor to review; they are not
// stored.
func (s *Service) DefaultOfferQuestions(ctx context.Context, offerID int64) ([]Question, error) {
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	return DefaultQuestions(o, s.cfg.Now()), nil
}

// QuestionTemplate describes one kind of question a counsellor picks from.
type QuestionTemplate struct {
	Kind QuestionKind
	// Param names the one parameter the kind needs, as the API spells it.
	Param string
	// Description says in French what the question asks, for counsellors.
	Description string
	// Example is a question of the kind, its parameter filled.
	Example Question
}

// QuestionTemplates lists the kinds of questions an offer may ask, in the
// order counsellors see them.
func QuestionTemplates() []QuestionTemplate {
	ts := []QuestionTemplate{
		{Description: "Le candidat est-il disponible à partir de la date de début du poste ?",
			Example: Question{Kind: QuestionAvailableFrom, Date: time.Date(2027, time.January, 5, 0, 0, 0, 0, time.UTC)}},
		{Description: "Le candidat accepte-t-il les horaires du poste ?",
			Example: Question{Kind: QuestionAcceptsHours, Hours: "du lundi au vendredi, 6h-14h"}},
		{Description: "Le candidat peut-il se rendre sur le lieu de travail ? Le SMS ajoute sa distance depuis chez lui quand elle est connue.",
			Example: Question{Kind: QuestionCanTravel, Town: "Lyon"}},
		{Description: "Le candidat accepte-t-il le salaire proposé ?",
			Example: Question{Kind: QuestionAcceptsSalary, Salary: "1 900 € brut/mois"}},
		{Description: "Le candidat a-t-il le permis ou le certificat demandé ?",
			Example: Question{Kind: QuestionHoldsLicence, Licence: "CACES R489 cat. 3"}},
		{Description: "Une question fermée de votre choix, à laquelle on répond par oui ou par non.",
			Example: Question{Kind: QuestionFree, Text: "Avez-vous déjà travaillé en chambre froide ?"}},
	}
	for i, t := range ts {
		ts[i].Kind, ts[i].Param = t.Example.Kind, questionParams[t.Example.Kind]
		ts[i].Example.Qualifying = AnswerYes
	}
	return ts
}
