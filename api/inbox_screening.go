package api

import "github.com/franceoutreach/outreach/outreach"

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
