package sms

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/twilio/twilio-go/client"

	"github.com/franceoutreach/outreach/outreach"
)

// Twilio error codes the sender treats specially.
const (
	codeAuthenticate    = 20003
	codeTooManyRequests = 20429
	codeInvalidTo       = 21211
	codeRegionDisabled  = 21408
	codeBodyRequired    = 21602
	codeFromRequired    = 21603
	codeToRequired      = 21604
	codeUnsubscribed    = 21610
	codeNotMobile       = 21614
)

// permanentCodes cannot succeed on retry whatever the HTTP status says.
var permanentCodes = map[int]bool{
	codeAuthenticate:   true,
	codeInvalidTo:      true,
	codeRegionDisabled: true,
	codeBodyRequired:   true,
	codeFromRequired:   true,
	codeToRequired:     true,
	codeUnsubscribed:   true,
	codeNotMobile:      true,
}

// classify turns what twilio-go returned into a *outreach.SendError.
// httpStatus is the status of the provider's last answer, 0 if none came.
func classify(ctx context.Context, err error, httpStatus int) *outreach.SendError {
	var restErr *client.TwilioRestError
	if errors.As(err, &restErr) {
		status := restErr.Status
		if status == 0 {
			status = httpStatus
		}
		return &outreach.SendError{
			Code:       restErr.Code,
			HTTPStatus: status,
			Message:    maskPhones(restErr.Message),
			Permanent:  isPermanent(restErr.Code, status),
			OptedOut:   restErr.Code == codeUnsubscribed,
		}
	}
	if ctx.Err() != nil || httpStatus == 0 {
		// No answer: network error, timeout or cancellation.
		return &outreach.SendError{Message: err.Error()}
	}
	// An answer twilio-go could not decode, such as an HTML error page
	// from a proxy, or a success body that is not JSON.
	return &outreach.SendError{
		HTTPStatus: httpStatus,
		Message:    err.Error(),
		Permanent:  isPermanent(0, httpStatus),
	}
}

// isPermanent reports whether retrying an error cannot help: client errors
// are permanent, except rate limiting and request timeouts.
func isPermanent(code, status int) bool {
	switch {
	case code == codeTooManyRequests, status == http.StatusTooManyRequests,
		status == http.StatusRequestTimeout, status >= 500:
		return false
	case permanentCodes[code]:
		return true
	default:
		return status >= 400 && status < 500
	}
}

var phoneInText = regexp.MustCompile(`\+[0-9]{6,}`)

// maskPhones hides the phone numbers Twilio quotes in its messages (21211
// does), since callers log them: +33612345678 becomes +33*******78.
func maskPhones(text string) string {
	return phoneInText.ReplaceAllStringFunc(text, func(p string) string {
		return p[:3] + strings.Repeat("*", len(p)-5) + p[len(p)-2:]
	})
}
