package web

import "github.com/franceoutreach/outreach/outreach"

// French labels of the domain's values, as the pages show them.

func intentLabel(i outreach.Intent) string {
	switch i {
	case outreach.IntentYes:
		return "Intéressé(e)"
	case outreach.IntentNo:
		return "Pas intéressé(e)"
	case outreach.IntentStop:
		return "Désinscrit(e) (STOP)"
	case outreach.IntentStart:
		return "Réinscrit(e)"
	case outreach.IntentHelp:
		return "Demande d'aide"
	}
	return "À préciser"
}

func interestLabel(i outreach.Interest) string {
	switch i {
	case outreach.InterestInterested:
		return "intéressé(e)"
	case outreach.InterestDeclined:
		return "pas intéressé(e)"
	case outreach.InterestUnclear:
		return "à préciser"
	case outreach.InterestOptedOut:
		return "désinscrit(e)"
	}
	return "sans réponse"
}

func screeningLabel(s outreach.ScreeningStatus) string {
	switch s {
	case outreach.ScreeningAsking, outreach.ScreeningAwaitingReask:
		return "pré-sélection en cours"
	case outreach.ScreeningQualified:
		return "retenu(e) à la pré-sélection"
	case outreach.ScreeningNotQualified:
		return "ne correspond pas"
	case outreach.ScreeningIncomplete:
		return "pré-sélection incomplète"
	case outreach.ScreeningOptedOut:
		return "arrêtée (STOP)"
	}
	return ""
}

func employerStatusLabel(s outreach.EmployerStatus) string {
	switch s {
	case outreach.EmployerContacted:
		return "contacté(e)"
	case outreach.EmployerInterviewed:
		return "reçu(e) en entretien"
	case outreach.EmployerHired:
		return "recruté(e)"
	case outreach.EmployerNotRetained:
		return "non retenu(e)"
	}
	return "pas encore de suite"
}

// correctableInterests are what a counsellor may set when correcting how
// a reply was understood (opting out is the job seeker's own STOP).
var correctableInterests = []outreach.Interest{outreach.InterestInterested, outreach.InterestDeclined, outreach.InterestUnclear}

func threadKindLabel(k outreach.ThreadKind) string {
	switch k {
	case outreach.ThreadOffer:
		return "offre"
	case outreach.ThreadReminder:
		return "relance"
	case outreach.ThreadReply:
		return "réponse"
	case outreach.ThreadScreening:
		return "pré-sélection"
	case outreach.ThreadAnswer:
		return "réponse du conseiller"
	}
	return string(k)
}
