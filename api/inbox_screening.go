package api

import (
	"strconv"

	"github.com/franceoutreach/outreach/outreach"
)

// inboxScreeningJSON is, on an inbox item answering a pre-screening
// question, where the conversation stood after it.
type inboxScreeningJSON struct {
	Status   string `json:"status"`   // see outreach.ScreeningStatus
	Question int    `json:"question"` // from 1: asked next, failed, or where it stopped
}

func inboxScreeningView(it outreach.InboxItem) *inboxScreeningJSON {
	if it.Screening == "" {
		return nil
	}
	return &inboxScreeningJSON{Status: string(it.Screening), Question: it.ScreeningQuestion + 1}
}

// screeningLabel says in French, on the inbox page, where a pre-screening
// stood after the answer of an item ("" for other replies).
func screeningLabel(it outreach.InboxItem) string {
	n := strconv.Itoa(it.ScreeningQuestion + 1)
	switch it.Screening {
	case outreach.ScreeningAsking:
		return "pré-sélection : question " + n + " posée"
	case outreach.ScreeningAwaitingReask:
		return "pré-sélection : réponse à la question " + n + " incomprise, reposée"
	case outreach.ScreeningQualified:
		return "pré-sélection terminée : profil retenu"
	case outreach.ScreeningNotQualified:
		return "pré-sélection terminée : ne correspond pas (question " + n + ")"
	case outreach.ScreeningIncomplete:
		return "pré-sélection : à lire, réponse incomprise (question " + n + ")"
	case outreach.ScreeningOptedOut:
		return "pré-sélection arrêtée (STOP)"
	}
	return ""
}
