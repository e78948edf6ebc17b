package outreach

import (
	"strconv"
	"time"
)

// Point is a WGS84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Counsellor follows job seekers and validates shortlists.
type Counsellor struct {
	ID        int64
	Email     string
	Name      string
	Agency    string
	CreatedAt time.Time
}

// Candidate is a registered job seeker who may be contacted by SMS.
type Candidate struct {
	ID            int64
	ExternalID    string
	FirstName     string
	Phone         string // E.164
	Location      Point
	CommuneCode   string // INSEE code, when located by commune
	MobilityKM    float64
	ROMECodes     []string
	Appellations  []int // job titles (OGR codes) the job seeker gave; their ROME codes are in ROMECodes
	Skills        []string
	ContractTypes []string  // empty: any contract
	AvailableFrom time.Time // first day they can start, at 00:00 UTC; zero: now
	SMSConsent    bool
	OptedOut      bool // the phone sent STOP and has not opted back in
	CounsellorID  int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Employer is the company behind an offer.
type Employer struct {
	Name  string
	Email string
}

// Offer is a job offer to fill.
type Offer struct {
	ID           int64
	ExternalID   string
	Reference    string // short code printed in SMS, e.g. K4P8M2
	Title        string
	ROMECode     string
	Appellation  int // job title (OGR code), 0 if none
	Employer     Employer
	Location     Point
	CommuneCode  string
	Town         string
	ContractType string
	Skills       []string
	StartsOn     time.Time // first day of work, at 00:00 UTC; zero: as soon as possible
	RadiusKM     float64
	Positions    int
	CounsellorID int64
	CreatedAt    time.Time
	// OutreachStartedAt is when its first contacts were committed, nil
	// before; ClosedAt when its campaign closed (see Campaign), nil while open.
	OutreachStartedAt *time.Time
	ClosedAt          *time.Time
	// Questions are the pre-screening questions it asks after a yes, in
	// order (see DefaultQuestions). Service.CreateOffer and Service.Offer
	// fill them; Store.Offer does not (see ScreeningStore.OfferQuestions).
	Questions []Question
}

// ROMESkill is a skill the ROME referential lists for an occupation.
type ROMESkill struct {
	ID    int // OGR code
	Label string
	Core  bool // a core skill of the occupation ("Principale")
}

// ContactStatus is where an SMS to a candidate stands. Statuses only move
// forward (see CanAdvance), except that a claim the provider refused
// transiently goes back from sending to queued for a retry.
type ContactStatus string

// Contact statuses, in the order they are reached (migration 009).
const (
	StatusPlanned     ContactStatus = "planned" // committed, not yet in the queue
	StatusQueued      ContactStatus = "queued"  // in the queue
	StatusSending     ContactStatus = "sending" // claimed by a worker, provider call in flight
	StatusSent        ContactStatus = "sent"
	StatusDelivered   ContactStatus = "delivered"
	StatusUndelivered ContactStatus = "undelivered"
	StatusFailed      ContactStatus = "failed"
)

// Interest is what a candidate's reply told us about an offer.
type Interest string

// Interests recorded on a contact.
const (
	InterestInterested Interest = "interested"
	InterestDeclined   Interest = "declined"
	InterestUnclear    Interest = "unclear"
	InterestOptedOut   Interest = "opted_out"
)

// Intent is what an inbound SMS asks for, as understood by ParseReply.
type Intent string

// Intents of an inbound SMS.
const (
	IntentYes     Intent = "yes"
	IntentNo      Intent = "no"
	IntentStop    Intent = "stop"
	IntentStart   Intent = "start"
	IntentHelp    Intent = "help"
	IntentUnclear Intent = "unclear"
)

// ParsedReply is the understanding of one inbound SMS body.
type ParsedReply struct {
	Intent   Intent
	OfferRef string // offer reference found in the text, upper case, or ""
}

// OutboundSMS is one SMS to hand to the provider.
type OutboundSMS struct {
	To             string // E.164
	Body           string
	StatusCallback string // URL the provider posts delivery reports to
}

// SentSMS is the provider's acknowledgement of an OutboundSMS.
type SentSMS struct {
	SID    string // provider message SID, SM...
	Status string // provider status, e.g. "queued" or "accepted"
}

// SendError is a provider refusal. Permanent errors must not be retried.
type SendError struct {
	Code       int    // provider error code, e.g. 21211; 0 when none
	HTTPStatus int    // HTTP status of the provider's answer; 0 for network errors
	Message    string // provider's message
	Permanent  bool   // retrying cannot help
	OptedOut   bool   // the recipient unsubscribed at the provider (21610)
}

func (e *SendError) Error() string {
	kind := "transient"
	if e.Permanent {
		kind = "permanent"
	}
	return "sms provider " + kind + " error " + strconv.Itoa(e.Code) + ": " + e.Message
}
