package outreach

import (
	"time"

	"github.com/franceoutreach/outreach/matcher"
)

// Contact is one SMS solicitation of one candidate for one offer. There is
// at most one per (offer, candidate): a person is never texted twice about
// the same offer.
type Contact struct {
	ID           int64
	OfferID      int64
	CandidateID  int64
	Phone        string
	Status       ContactStatus
	Score        float64
	DistanceKM   float64
	Reasons      []matcher.Reason
	Body         string
	MessageSID   string
	ErrorCode    int
	ErrorMessage string
	Reply        Interest // "" until the candidate answers
	RepliedAt    *time.Time
	SentAt       *time.Time
	DeliveredAt  *time.Time
	CreatedAt    time.Time
	// ReminderStatus is where its reminder stands, "" when none was queued
	// (see RemindContact); RemindedAt is when the provider took it.
	ReminderStatus ReminderStatus
	RemindedAt     *time.Time

	// Filled by read models for display.
	ExternalID string
	FirstName  string
	// OfferClosedAt is when the offer's campaign closed, nil while open;
	// filled by ContactForReply.
	OfferClosedAt *time.Time
}

// SendClaim is a contact a worker claimed for sending: what the SMS needs.
type SendClaim struct {
	ContactID int64
	Phone     string
	Body      string
	ClaimedAt time.Time
	OptedOut  bool // the phone opted out since the contact was planned
}

// statusRank orders statuses so that a late or repeated delivery report
// never moves a contact backwards. The three final statuses share a rank:
// once delivered, an "undelivered" report cannot undo it.
func statusRank(s ContactStatus) int {
	switch s {
	case StatusPlanned:
		return 0
	case StatusQueued:
		return 1
	case StatusSending:
		return 2
	case StatusSent:
		return 3
	case StatusDelivered, StatusUndelivered, StatusFailed:
		return 4
	}
	return -1
}

// ContactStatuses lists every status, in the order they are reached.
var ContactStatuses = []ContactStatus{StatusPlanned, StatusQueued, StatusSending, StatusSent,
	StatusDelivered, StatusUndelivered, StatusFailed}

// CanAdvance reports whether a contact in status from may move to status to.
func CanAdvance(from, to ContactStatus) bool {
	return statusRank(to) > statusRank(from)
}

// StatusesBefore lists the statuses a contact may move to status to from.
func StatusesBefore(to ContactStatus) []ContactStatus {
	var from []ContactStatus
	for _, s := range ContactStatuses {
		if CanAdvance(s, to) {
			from = append(from, s)
		}
	}
	return from
}

// ContactStatusFromProvider maps a provider MessageStatus to a contact
// status. ok is false for intermediate provider states (accepted, queued,
// sending, scheduled...) that change nothing for the counsellor.
func ContactStatusFromProvider(providerStatus string) (status ContactStatus, ok bool) {
	switch providerStatus {
	case "sent":
		return StatusSent, true
	case "delivered", "read":
		return StatusDelivered, true
	case "undelivered":
		return StatusUndelivered, true
	case "failed", "canceled":
		return StatusFailed, true
	}
	return "", false
}

// InterestFromIntent maps a reply intent to the interest recorded on the
// contact it answers. ok is false for intents that say nothing about the
// offer (START, HELP).
func InterestFromIntent(i Intent) (interest Interest, ok bool) {
	switch i {
	case IntentYes:
		return InterestInterested, true
	case IntentNo:
		return InterestDeclined, true
	case IntentStop:
		return InterestOptedOut, true
	case IntentUnclear:
		return InterestUnclear, true
	}
	return "", false
}

// InterestsReplacedBy lists the recorded interests ("" for none yet) that
// an incoming one replaces under NextInterest: the store applies a reply
// as one conditional update, with no read of the contact before it.
func InterestsReplacedBy(incoming Interest) []Interest {
	var from []Interest
	for _, current := range []Interest{"", InterestInterested, InterestDeclined, InterestUnclear, InterestOptedOut} {
		if NextInterest(current, incoming) == incoming {
			from = append(from, current)
		}
	}
	return from
}

// NextInterest decides what a contact's recorded interest becomes after a
// new reply: the latest clear answer wins, but an unclear message never
// overwrites a clear one, and nothing overrides an opt-out except START.
func NextInterest(current, incoming Interest) Interest {
	switch {
	case current == InterestOptedOut:
		return current
	case incoming == InterestUnclear && current != "":
		return current
	}
	return incoming
}
