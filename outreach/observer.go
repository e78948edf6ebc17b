package outreach

import "time"

// SMSKind says which SMS a send was about, for monitoring.
type SMSKind string

// The SMS the service sends.
const (
	SMSOffer     SMSKind = "offer"     // the offer SMS of a contact
	SMSReminder  SMSKind = "reminder"  // its one follow-up
	SMSScreening SMSKind = "screening" // a pre-screening question or closing
	SMSAnswer    SMSKind = "answer"    // a counsellor's answer to a reply
)

// SendOutcome is what became of one attempt to send an SMS.
type SendOutcome string

// Outcomes of a send.
const (
	SendSent      SendOutcome = "sent"      // the provider took it
	SendFailed    SendOutcome = "failed"    // the provider refused it for good (with its error code)
	SendRetried   SendOutcome = "retried"   // a transient provider error: the queue tries again
	SendAbandoned SendOutcome = "abandoned" // still failing transiently after the last retry
)

// MatchSource says what served a shortlist: the in-memory candidate
// index, or PostgreSQL alone.
type MatchSource string

// Sources of a shortlist.
const (
	MatchFromIndex    MatchSource = "index"
	MatchFromPostgres MatchSource = "postgres"
)

// Observer is told what the use cases did, so that operators can watch
// the service: each send attempt, each new delivery report, how long job
// seekers take to answer, how long shortlists take. The metrics adapter
// implements it; without one (see UseObserver) nothing is observed.
// Its methods must be quick and must not fail.
type Observer interface {
	SMSSend(kind SMSKind, outcome SendOutcome, errorCode int)
	// DeliveryReport is a provider delivery report seen for the first
	// time (retries of the same report are not repeated).
	DeliveryReport(status string, errorCode int)
	// ReplyLatency is the time from an offer SMS going to the reply that
	// answers it.
	ReplyLatency(d time.Duration)
	MatcherLatency(source MatchSource, d time.Duration)
}

// UseObserver makes the service report to o (see Observer).
func (s *Service) UseObserver(o Observer) {
	if o == nil {
		o = noObserver{}
	}
	s.obs = o
}

// noObserver is the Observer of a service nobody watches.
type noObserver struct{}

func (noObserver) SMSSend(SMSKind, SendOutcome, int)         {}
func (noObserver) DeliveryReport(string, int)                {}
func (noObserver) ReplyLatency(time.Duration)                {}
func (noObserver) MatcherLatency(MatchSource, time.Duration) {}

// sendErrorCode is the provider's error code of a send error, 0 when it
// has none.
func sendErrorCode(e *SendError) int {
	if e == nil {
		return 0
	}
	return e.Code
}
