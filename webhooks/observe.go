package webhooks

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Kinds of webhook.
const (
	KindInbound = "inbound" // an SMS from a job seeker
	KindStatus  = "status"  // a delivery report
)

// Outcomes of a webhook, as Twilio sees them.
const (
	OutcomeAccepted     = "accepted"      // handled: 200 or 204
	OutcomeDuplicate    = "duplicate"     // already handled (a Twilio retry): answered as accepted, nothing changed
	OutcomeBadSignature = "bad_signature" // 403: not signed with the auth token
	OutcomeBadRequest   = "bad_request"   // 400 or 413: malformed, missing fields, too large
	OutcomeUnavailable  = "unavailable"   // 503: not handled (database down or slow), Twilio retries
	OutcomeError        = "error"         // any other answer (a bug)
)

// Observer is told the outcome of every webhook, for monitoring.
type Observer interface {
	Webhook(kind, outcome string)
}

// UseObserver makes the handler report each webhook's outcome to o.
func (h *Handler) UseObserver(o Observer) {
	if o == nil {
		o = noObserver{}
	}
	h.observer = o
}

type noObserver struct{}

func (noObserver) Webhook(string, string) {}

// duplicateKey marks, in the Echo context, a webhook that changed nothing
// because it was already handled.
const duplicateKey = "webhooks.duplicate"

func markDuplicate(c echo.Context) { c.Set(duplicateKey, true) }

// observe reports the outcome of each webhook of that kind, read from
// the status it was answered with: one place decides, whichever check
// answered.
func (h *Handler) observe(kind string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err != nil {
				c.Error(err) // sets the status; the error handler skips answered requests
			}
			duplicate, _ := c.Get(duplicateKey).(bool)
			h.observer.Webhook(kind, outcomeOf(c.Response().Status, duplicate))
			return err
		}
	}
}

// outcomeOf names the outcome of a webhook answered with status.
func outcomeOf(status int, duplicate bool) string {
	switch {
	case status == http.StatusOK || status == http.StatusNoContent:
		if duplicate {
			return OutcomeDuplicate
		}
		return OutcomeAccepted
	case status == http.StatusForbidden:
		return OutcomeBadSignature
	case status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge:
		return OutcomeBadRequest
	case status == http.StatusServiceUnavailable:
		return OutcomeUnavailable
	}
	return OutcomeError
}
