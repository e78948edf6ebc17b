package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/franceoutreach/outreach/outreach"
)

// What is wrong with the offer form, in French, next to the right field:
// the domain names fields as the API does ("employer.email",
// "questions[1].town"), the form as its inputs ("employer_email",
// "q2_param").

// indexedField splits "questions[2].town" into "questions", 2 and "town".
var indexedField = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\](?:\.([a-z_]+))?$`)

// formField names the form field a domain field error belongs to; rows
// maps question numbers to form rows.
func formField(field string, rows []int) string {
	if m := indexedField.FindStringSubmatch(field); m != nil {
		if m[1] != "questions" {
			return formField(m[1], rows)
		}
		j, _ := strconv.Atoi(m[2])
		if j >= len(rows) {
			return "questions"
		}
		part := "param"
		if m[3] == "kind" || m[3] == "qualifying" {
			part = m[3]
		}
		return fmt.Sprintf("q%d_%s", rows[j], part)
	}
	switch field {
	case "appellation":
		return "title"
	case "employer.name":
		return "employer_name"
	case "employer.email":
		return "employer_email"
	case "location", "location.lat", "location.lon", "town":
		return "commune_code"
	case "title", "rome_code", "commune_code", "contract_type", "skills", "starts_on", "radius_km", "positions", "questions":
		return field
	}
	return "form"
}

// offerFieldMessages say in French what is wrong with a field of the
// offer form, when it is not only missing or too long.
var offerFieldMessages = map[string]string{
	"rome_code": "Choisissez le métier dans la liste proposée en tapant l'intitulé, ou saisissez un code ROME " +
		"existant (une lettre et 4 chiffres, par exemple D1102).",
	"appellation":    "Ce métier n'existe pas dans le ROME : choisissez-le dans la liste proposée.",
	"employer.email": "Indiquez une adresse e-mail valide, par exemple recrutement@entreprise.fr.",
	"commune_code": "Indiquez le code INSEE d'une commune : 5 caractères, par exemple 69123 pour Lyon " +
		"(ce n'est pas le code postal).",
	"contract_type":        "Choisissez un type de contrat dans la liste.",
	"starts_on":            "Indiquez une date valide.",
	"radius_km":            "Le rayon doit être compris entre 1 et 200 km.",
	"positions":            "Le nombre de postes doit être compris entre 1 et 1000.",
	"skills":               "30 compétences au plus, une par ligne.",
	"questions":            "5 questions au plus.",
	"questions.kind":       "Choisissez un type de question dans la liste.",
	"questions.date":       "Indiquez une date entre 2000 et 2100, au format JJ/MM/AAAA.",
	"questions.text":       "La question doit tenir dans un SMS : raccourcissez-la.",
	"questions.qualifying": "Choisissez la réponse qui retient le candidat : oui ou non.",
	"external_id":          "Une offre porte déjà cet identifiant.",
	"counsellor_id":        "Votre compte de conseiller est introuvable : reconnectez-vous.",
}

var atMostChars = regexp.MustCompile(`^must be at most (\d+) characters$`)

// frenchFieldMessage says in French what is wrong with a field.
func frenchFieldMessage(e *outreach.ValidationError) string {
	switch m := atMostChars.FindStringSubmatch(e.Message); {
	case e.Message == "is required":
		return "Ce champ est obligatoire."
	case m != nil:
		return m[1] + " caractères au plus."
	case e.Message == "must be a single line of text":
		return "Une seule ligne de texte, sans retour à la ligne."
	case strings.HasPrefix(e.Message, "is not used by"):
		return "Ce paramètre ne va pas avec ce type de question."
	}
	field := e.Field
	if m := indexedField.FindStringSubmatch(field); m != nil {
		field = m[1]
		if m[3] != "" {
			field += "." + m[3]
		}
	}
	if msg, ok := offerFieldMessages[field]; ok {
		return msg
	}
	return "Valeur refusée : " + e.Message
}
