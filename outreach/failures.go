package outreach

import (
	"context"
	"strconv"
	"time"
)

// DeliveryFailure is an offer SMS that did not reach its job seeker, as
// the counsellor sees it: who, which offer, why.
type DeliveryFailure struct {
	ContactID   int64
	FirstName   string
	PhoneMasked string
	OfferTitle  string
	OfferRef    string
	Status      ContactStatus // undelivered or failed
	ErrorCode   int           // the provider's, 0 when none was given
	Reason      string        // French, from ErrorCode (see FailureReason)
	At          time.Time
}

// failureReasons explains the provider's error codes to a counsellor, in
// French: the refusals of the Messages API (21xxx) and the delivery
// failures of status callbacks (30xxx).
var failureReasons = map[int]string{
	21211: "numéro invalide",
	21408: "pays non autorisé pour l'envoi",
	21610: "la personne a demandé l'arrêt des SMS (STOP)",
	21612: "numéro injoignable par SMS",
	21614: "ce n'est pas un numéro de mobile",
	30003: "téléphone éteint ou hors réseau",
	30004: "SMS bloqué par le destinataire",
	30005: "numéro inconnu ou qui n'existe plus",
	30006: "ligne fixe ou opérateur injoignable",
	30007: "SMS filtré par l'opérateur",
	30008: "erreur inconnue chez l'opérateur",
}

// FailureReason explains a provider error code to a counsellor.
func FailureReason(code int) string {
	if r, ok := failureReasons[code]; ok {
		return r
	}
	if code == 0 {
		return "non distribué"
	}
	return "erreur " + strconv.Itoa(code)
}

// DeliveryFailures lists the latest offer SMS that did not reach the job
// seekers the viewer sees (at most limit, newest first), so that their
// counsellor can reach them another way or correct a number.
func (s *Service) DeliveryFailures(ctx context.Context, v Viewer, limit int) ([]DeliveryFailure, error) {
	if limit <= 0 || limit > 500 {
		return nil, invalid("limit", "must be between 1 and 500")
	}
	counsellors, err := s.InboxStreams(ctx, v)
	if err != nil {
		return nil, err
	}
	failures, err := s.store.DeliveryFailures(ctx, counsellors, limit)
	for i := range failures {
		failures[i].Reason = FailureReason(failures[i].ErrorCode)
	}
	return failures, err
}
