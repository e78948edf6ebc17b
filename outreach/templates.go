package outreach

import (
	"strings"
	"text/template"
)

// OfferTemplate is the text of an SMS about an offer (the offer SMS, or
// its reminder): a Go text/template that may print {{.FirstName}},
// {{.JobTitle}}, {{.Town}}, {{.Contract}} (CDI, intérim, saisonnier...),
// {{.Reference}} and {{.AgencyName}}.
type OfferTemplate struct {
	tmpl        *template.Template
	maxSegments int // the most SMS segments it may take once fields are shortened
}

// builtinOfferText is the offer SMS used when no agency wrote its own.
const builtinOfferText = `Bonjour{{with .FirstName}} {{.}}{{end}}, {{with .AgencyName}}{{.}} : {{end}}` +
	`offre{{with .JobTitle}} {{.}}{{end}}{{with .Contract}} ({{.}}){{end}}{{with .Town}} à {{.}}{{end}}.` +
	` Intéressé(e) ? Répondez OUI ou NON{{with .Reference}} avec la réf {{.}}{{end}}.` +
	` STOP pour ne plus recevoir de SMS.`

// builtinReminderText is the reminder used when no agency wrote its own:
// one SMS segment.
const builtinReminderText = `Rappel{{with .AgencyName}} {{.}}{{end}} : {{with .FirstName}}{{.}}, {{end}}` +
	`l'offre{{with .JobTitle}} {{.}}{{end}}{{with .Town}} à {{.}}{{end}} vous intéresse ?` +
	` Répondez OUI ou NON{{with .Reference}} avec la réf {{.}}{{end}}. STOP pour ne plus recevoir de SMS.`

var (
	builtinOffer    = mustOfferTemplate(templateOffer, builtinOfferText)
	builtinReminder = mustOfferTemplate(templateReminder, builtinReminderText)
)

// The templates an agency may write, by name in the SMS templates file.
const (
	templateOffer    = "offer"
	templateReminder = "reminder"
)

// maxSegments gives the most SMS segments each template may take.
var maxSegments = map[string]int{templateOffer: maxOfferSegments, templateReminder: maxReminderSegments}

func parseOfferTemplate(name, text string) (*OfferTemplate, error) {
	t, err := template.New(name).Parse(text)
	if err != nil {
		return nil, err
	}
	return &OfferTemplate{tmpl: t, maxSegments: maxSegments[name]}, nil
}

func mustOfferTemplate(name, text string) *OfferTemplate {
	t, err := parseOfferTemplate(name, text)
	if err != nil {
		panic(err)
	}
	return t
}

// Compose writes the SMS about an offer with t. The text is GSM-7 (see
// ToGSM7) and, for any template SMSTemplates accepts, fits in its segments
// (2 for the offer SMS, 1 for a reminder): a long job title is shortened
// first, then the town (see ComposeOfferSMS). It fails only when the
// template does, on these fields.
func (t *OfferTemplate) Compose(m OfferSMS) (string, error) {
	f := newOfferFields(m)
	if s, err := t.render(f); err != nil || t.fits(s) {
		return s, err
	}
	f.shortenToFit(func() bool {
		s, err := t.render(f)
		return err == nil && t.fits(s)
	})
	return t.render(f)
}

// fits reports whether s takes no more segments than t may.
func (t *OfferTemplate) fits(s string) bool {
	_, n := SMSSegments(s)
	return n <= t.maxSegments
}

// render fills the template with f, in GSM-7. A full stop right after a
// field cut short is left out: "à Saint-Rémy... Intéressé(e) ?".
func (t *OfferTemplate) render(f offerFields) (string, error) {
	var b strings.Builder
	if err := t.tmpl.Execute(&b, f); err != nil {
		return "", err
	}
	s := strings.TrimSpace(ToGSM7(b.String()))
	return strings.ReplaceAll(s, "....", "..."), nil
}

// SMSTemplates are the texts of the SMS per agency, written by the agencies
// without a code change (see ParseSMSTemplates). nil means the built-in
// texts.
type SMSTemplates struct {
	offer    map[string]*OfferTemplate // by agency name, or DefaultAgency
	reminder map[string]*OfferTemplate // likewise
}

// DefaultAgency names the entry of an SMS templates file used for the
// agencies it does not list.
const DefaultAgency = "default"

// Offer returns the offer SMS template of the agency: its own, else the
// file's default, else the built-in one.
func (ts *SMSTemplates) Offer(agency string) *OfferTemplate {
	if ts == nil {
		return builtinOffer
	}
	return pick(ts.offer, agency, builtinOffer)
}

// Reminder returns the reminder SMS template of the agency: its own, else
// the file's default, else the built-in one.
func (ts *SMSTemplates) Reminder(agency string) *OfferTemplate {
	if ts == nil {
		return builtinReminder
	}
	return pick(ts.reminder, agency, builtinReminder)
}

func pick(byAgency map[string]*OfferTemplate, agency string, builtin *OfferTemplate) *OfferTemplate {
	if t, ok := byAgency[strings.TrimSpace(agency)]; ok {
		return t
	}
	if t, ok := byAgency[DefaultAgency]; ok {
		return t
	}
	return builtin
}
