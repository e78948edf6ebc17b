package outreach

import "time"

// Link says how an inbound SMS was tied to a contact.
type Link string

// Links of an inbound SMS to a contact.
const (
	LinkReference Link = "reference" // the SMS carried the offer reference
	LinkInferred  Link = "inferred"  // the person's most recent contact was assumed
	LinkNone      Link = "none"      // no contact: unknown number or no outreach yet
)

// Inbound is an SMS received from a job seeker.
type Inbound struct {
	ID          int64
	MessageSID  string
	From        string
	To          string
	Body        string
	Intent      Intent
	OfferRef    string
	ContactID   int64 // 0 when none
	CandidateID int64 // 0 when unknown
	Link        Link
	ReceivedAt  time.Time
}

// ReplyEffect is what an inbound SMS changes besides the inbox.
type ReplyEffect struct {
	Interest Interest   // the contact's new interest, "" for no change
	Replaces []Interest // the interests it may replace (InterestsReplacedBy)
	Consent  Consent    // STOP and START
	At       time.Time
}

// Consent is a change of a phone number's consent to SMS.
type Consent string

// Consent changes an inbound SMS can make.
const (
	ConsentUnchanged Consent = ""
	ConsentOptOut    Consent = "opt_out"
	ConsentOptIn     Consent = "opt_in"
)

// ReplyTarget is the contact a reply answers. Of the Contact, only ID,
// OfferID, CandidateID, Phone, Reply, DistanceKM, SentAt and OfferClosedAt
// are filled.
type ReplyTarget struct {
	Contact
	ByReference  bool   // the SMS carried this contact's offer reference
	CounsellorID int64  // who follows the job seeker
	OfferRef     string // the offer's reference
	HasQuestions bool   // the offer asks pre-screening questions after a yes
}

// StatusReport is a provider delivery report for a sent SMS.
type StatusReport struct {
	MessageSID string
	Status     string // provider MessageStatus
	ErrorCode  int
}

// InboxItem tells a counsellor that one of their job seekers wrote back.
type InboxItem struct {
	ID           int64
	CounsellorID int64 // 0: unknown sender, for administrators
	InboundID    int64
	CandidateID  int64
	OfferID      int64
	ContactID    int64
	CreatedAt    time.Time
	HandledAt    *time.Time
	// Late is true for a reply that came once the offer's campaign was
	// closed: shown to the counsellor, but the interest was left as it was.
	Late bool
	// Screening is, for an answer to a pre-screening question, the
	// conversation's status after it ("" for other replies), and
	// ScreeningQuestion its question then (from 0).
	Screening         ScreeningStatus
	ScreeningQuestion int
	// CorrectedInterest is, when a counsellor corrected how the reply was
	// understood (see CorrectInterest), the interest they set last, by
	// CorrectedBy at CorrectedAt; "" otherwise.
	CorrectedInterest Interest
	CorrectedBy       int64
	CorrectedAt       *time.Time

	// Read model, filled by Inbox.
	FirstName   string
	ExternalID  string
	PhoneMasked string
	OfferTitle  string
	OfferRef    string
	Body        string
	Intent      Intent
	Interest    Interest
	Link        Link
}

// InboundOutcome is what handling an inbound SMS did.
type InboundOutcome struct {
	Duplicate bool   // already handled: a provider retry
	Intent    Intent // as understood
	Reply     string // confirmation SMS to answer with, "" for none
	Item      *InboxItem
}
