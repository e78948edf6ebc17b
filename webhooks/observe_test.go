package webhooks

import (
	"net/http"
	"testing"
)

func TestOutcomeOf(t *testing.T) {
	for _, tc := range []struct {
		status    int
		duplicate bool
		want      string
	}{
		{http.StatusOK, false, OutcomeAccepted},
		{http.StatusNoContent, false, OutcomeAccepted},
		{http.StatusOK, true, OutcomeDuplicate},
		{http.StatusNoContent, true, OutcomeDuplicate},
		{http.StatusForbidden, false, OutcomeBadSignature},
		{http.StatusBadRequest, false, OutcomeBadRequest},
		{http.StatusRequestEntityTooLarge, false, OutcomeBadRequest},
		{http.StatusServiceUnavailable, false, OutcomeUnavailable},
		{http.StatusInternalServerError, false, OutcomeError},
	} {
		if got := outcomeOf(tc.status, tc.duplicate); got != tc.want {
			t.Errorf("outcomeOf(%d, %v) = %s, want %s", tc.status, tc.duplicate, got, tc.want)
		}
	}
}
