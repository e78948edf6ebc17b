package outreach

import (
	"strings"
	"text/template"
)

// OfferTemplate is the text of the SMS proposing an offer: a Go
// text/template that may print {{.FirstName}}, {{.JobTitle}}, {{.Town}},
// {{.Contract}} (CDI, intérim, saisonnier...), {{.Reference}} and
// {{.AgencyName}}.
type OfferTemplate struct {
	tmpl *template.Template
}

// builtinOfferText is the offer SMS used when no agency wrote its own.
const builtinOfferText = `Bonjour{{with .FirstName}} {{.}}{{end}}, {{with .AgencyName}}{{.}} : {{end}}` +
	`offre{{with .JobTitle}} {{.}}{{end}}{{with .Contract}} ({{.}}){{end}}{{with .Town}} à {{.}}{{end}}.` +
	` Intéressé(e) ? Répondez OUI ou NON{{with .Reference}} avec la réf {{.}}{{end}}.` +
	` STOP pour ne plus recevoir de SMS.`

var builtinOffer = mustOfferTemplate(builtinOfferText)

func parseOfferTemplate(text string) (*OfferTemplate, error) {
	t, err := template.New("offer").Parse(text)
	if err != nil {
		return nil, err
	}
	return &OfferTemplate{tmpl: t}, nil
}

func mustOfferTemplate(text string) *OfferTemplate {
	t, err := parseOfferTemplate(text)
	if err != nil {
		panic(err)
	}
	return t
}

// Compose writes the SMS proposing an offer with t. The text is GSM-7 (see
// ToGSM7) and, for any template SMSTemplates accepts, fits in 2 segments: a
// long job title is shortened first, then the town (see ComposeOfferSMS).
// It fails only when the template does, on these fields.
func (t *OfferTemplate) Compose(m OfferSMS) (string, error) {
	f := newOfferFields(m)
	if s, err := t.render(f); err != nil || fitsSegments(s) {
		return s, err
	}
	f.shortenToFit(func() bool {
		s, err := t.render(f)
		return err == nil && fitsSegments(s)
	})
	return t.render(f)
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
	offer map[string]*OfferTemplate // by agency name, or DefaultAgency
}

// DefaultAgency names the entry of an SMS templates file used for the
// agencies it does not list.
const DefaultAgency = "default"

// Offer returns the offer SMS template of the agency: its own, else the
// file's default, else the built-in one.
func (ts *SMSTemplates) Offer(agency string) *OfferTemplate {
	if ts != nil {
		if t, ok := ts.offer[strings.TrimSpace(agency)]; ok {
			return t
		}
		if t, ok := ts.offer[DefaultAgency]; ok {
			return t
		}
	}
	return builtinOffer
}
