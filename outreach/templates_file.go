package outreach

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// ParseSMSTemplates reads an SMS templates file: a JSON object mapping an
// agency name, or DefaultAgency, to its templates by name ("offer" and
// "reminder", each an OfferTemplate):
//
//	{
//	  "default": {"offer": "Bonjour {{.FirstName}}, ... réf {{.Reference}}. STOP ..."},
//	  "Agence Lyon Part-Dieu": {"offer": "...", "reminder": "..."}
//	}
//
// An agency without a template gets the default one, or the built-in text.
// Every template must render, print the offer reference, OUI, NON and STOP,
// and fit once the fields of a long offer are shortened, in 2 SMS segments
// (offer) or 1 (reminder): the error names each one that does not, one per
// line.
func ParseSMSTemplates(data []byte) (*SMSTemplates, error) {
	var file map[string]map[string]string
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, jsonError(data, err)
	}
	ts := &SMSTemplates{offer: map[string]*OfferTemplate{}, reminder: map[string]*OfferTemplate{}}
	byName := map[string]map[string]*OfferTemplate{templateOffer: ts.offer, templateReminder: ts.reminder}
	var problems []error
	for _, key := range slices.Sorted(maps.Keys(file)) {
		agency := strings.TrimSpace(key)
		if agency == "" {
			problems = append(problems, errors.New(`agency "": an agency needs a name (or "default")`))
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(file[key])) {
			into, ok := byName[name]
			if !ok {
				problems = append(problems, fmt.Errorf("agency %q: unknown template %q (known: offer, reminder)", agency, name))
				continue
			}
			t, err := checkedOfferTemplate(name, file[key][name], agency)
			if err != nil {
				problems = append(problems, fmt.Errorf("agency %q, template %q: %w", agency, name, err))
				continue
			}
			into[agency] = t
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return ts, nil
}

// jsonError says where in data the JSON is wrong.
func jsonError(data []byte, err error) error {
	var offset int64 = -1
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	return fmt.Errorf("invalid JSON at line %d (want {\"agency\": {\"offer\": \"text\"}}): %w", line, err)
}

// templateFields lists what an OfferTemplate may print, for error messages.
const templateFields = "{{.FirstName}} {{.JobTitle}} {{.Town}} {{.Contract}} {{.Reference}} {{.AgencyName}}"

// checkedOfferTemplate parses the template called name and checks it on
// sample offers of the agency: see ParseSMSTemplates.
func checkedOfferTemplate(name, text, agency string) (*OfferTemplate, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("empty")
	}
	t, err := parseOfferTemplate(name, text)
	if err != nil {
		return nil, fmt.Errorf("does not parse: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	for _, s := range offerSamples(agency) {
		body, err := t.Compose(s.m)
		if err != nil {
			return nil, fmt.Errorf("does not render %s: %s (fields: %s)", s.name, strings.TrimPrefix(err.Error(), "template: "), templateFields)
		}
		switch _, segments := SMSSegments(body); {
		case !hasWord(body, s.m.Reference):
			return nil, errors.New("does not print the offer reference {{.Reference}}, which replies must quote")
		case !hasWord(body, "OUI") || !hasWord(body, "NON"):
			return nil, errors.New("does not say how to reply: OUI and NON")
		case !hasWord(body, "STOP"):
			return nil, errors.New("does not say how to opt out: STOP")
		case segments > t.maxSegments:
			return nil, fmt.Errorf("too long: %d SMS segments %s even with the job title and town shortened (at most %d, %d characters)",
				segments, s.name, t.maxSegments, segmentsChars(t.maxSegments))
		}
	}
	return t, nil
}

// offerSample is an offer a template must handle.
type offerSample struct {
	name string // "for ...", in error messages
	m    OfferSMS
}

// offerSamples are a typical offer, one with every optional field empty,
// and the longest one an offer may be (title of 120 characters, town of 80).
func offerSamples(agency string) []offerSample {
	if agency == DefaultAgency {
		agency = "France Travail"
	}
	return []offerSample{
		{"for a typical offer", OfferSMS{AgencyName: agency, FirstName: "Marie", JobTitle: "Boulanger", Town: "Lyon",
			ContractType: "CDI", Reference: "K4P8M2"}},
		{"for an offer without town nor first name", OfferSMS{AgencyName: agency, JobTitle: "Serveur", ContractType: "MIS",
			Reference: "K4P8M2"}},
		{"for a long offer", OfferSMS{AgencyName: agency, FirstName: "Jean-Christophe",
			JobTitle:     "Technicien de maintenance industrielle polyvalente (H/F) - équipe de nuit, habilitation électrique, CACES 3, 5, débutant",
			Town:         "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson, zone d'activité des Grands Champs",
			ContractType: "ALT", Reference: "K4P8M2"}},
	}
}

// hasWord reports whether word is one of the words of s.
func hasWord(s, word string) bool {
	return slices.Contains(strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), word)
}

// segmentsChars is how many GSM-7 characters n SMS segments hold.
func segmentsChars(n int) int {
	if n == 1 {
		return 160
	}
	return 153 * n
}
