package outreach

import (
	"context"
	"time"

	"github.com/franceoutreach/outreach/matcher"
)

// Store persists the domain. The PostgreSQL adapter implements it; every
// method returns ErrNotFound (wrapped) for unknown ids.
type Store interface {
	// InTx runs fn with a Store bound to one transaction, committed when
	// fn returns nil and rolled back otherwise.
	InTx(ctx context.Context, fn func(Store) error) error

	CounsellorStore
	CandidateStore
	OfferStore
	ContactStore
	ReplyStore
	FollowUpStore
	ScreeningStore
	ReferralStore
	DashboardStore
	EmployerStore
	InboxActionStore
	CounsellorMessageStore
	OfferListStore
	JobTitleStore
	PrivacyStore
}

// CounsellorStore keeps counsellor accounts.
type CounsellorStore interface {
	CreateCounsellor(ctx context.Context, c *Counsellor) error
	Counsellor(ctx context.Context, id int64) (Counsellor, error)
}

// CandidateStore keeps job seekers and their SMS consent.
type CandidateStore interface {
	// UpsertCandidate inserts or updates by ExternalID and fills ID,
	// CreatedAt and UpdatedAt.
	UpsertCandidate(ctx context.Context, c *Candidate) (created bool, err error)
	Candidate(ctx context.Context, id int64) (Candidate, error)
	CandidateByPhone(ctx context.Context, phone string) (Candidate, error)
	// Commune resolves an INSEE code (current or former) to its point and name.
	Commune(ctx context.Context, insee string) (Commune, error)
	IsOptedOut(ctx context.Context, phone string) (bool, error)
	OptOut(ctx context.Context, phone, source string) error
	OptIn(ctx context.Context, phone, source string) error
}

// Commune is a French municipality from the reference data.
type Commune struct {
	INSEE    string
	Name     string
	Location Point
}

// OfferStore keeps offers and finds the candidates worth ranking for one.
type OfferStore interface {
	CreateOffer(ctx context.Context, o *Offer) error
	Offer(ctx context.Context, id int64) (Offer, error)
	ROMELabel(ctx context.Context, code string) (string, error)
	// ROMESkills lists the skills of a ROME code, core skills first, then
	// by id; empty for an unknown code.
	ROMESkills(ctx context.Context, code string) ([]ROMESkill, error)
	// Appellation returns a job title and the ROME code it belongs to.
	Appellation(ctx context.Context, id int) (label, romeCode string, err error)
	// RelatedOccupations maps each ROME code with a mobility link to code
	// onto the rank of code among its mobilities (1 = closest).
	RelatedOccupations(ctx context.Context, code string) (map[string]int, error)
	// MatchCandidates returns the candidates that may be texted about the
	// offer and are worth ranking: SMS consent, not opted out, not already
	// contacted for it, holding one of the ROME codes, inside the radius's
	// box; each with their recent contact history.
	MatchCandidates(ctx context.Context, q MatchQuery) ([]MatchCandidate, error)
	// MatchCandidatesByID applies the same checks to the given candidates
	// only, whatever their occupation and place.
	MatchCandidatesByID(ctx context.Context, offerID int64, ids []int64) ([]MatchCandidate, error)
	// MarketOffers returns the offer's department and the latest offers
	// (at most limit) for the same ROME code in it.
	MarketOffers(ctx context.Context, o Offer, limit int) (string, []Offer, error)
	// LockAllocation serialises outreach allocation until the transaction ends.
	LockAllocation(ctx context.Context) error
	// OfferContactTallies counts the offer's contacts by status, reply
	// and error code, in few rows however many contacts there are.
	OfferContactTallies(ctx context.Context, offerID int64) ([]ContactTally, error)
}

// MatchQuery is what MatchCandidates looks for.
type MatchQuery struct {
	Offer     Offer
	ROMECodes []string // the offer's code and the related ones
}

// MatchCandidate is a candidate as the matcher sees it, plus what the
// outreach needs to text them.
type MatchCandidate struct {
	matcher.Candidate
	ExternalID string
	FirstName  string
	Phone      string
}

// ContactStore keeps contacts through their life.
type ContactStore interface {
	// CreateContacts inserts contacts, skipping any (offer, candidate) pair
	// that already exists, and returns those inserted with their IDs.
	CreateContacts(ctx context.Context, cs []Contact) ([]Contact, error)
	// UnqueuedContacts lists the offer's contacts committed but not yet
	// handed to the queue.
	UnqueuedContacts(ctx context.Context, offerID int64) ([]int64, error)
	// PlannedContacts lists contacts of any offer planned before the
	// given time and still not queued.
	PlannedContacts(ctx context.Context, before time.Time, limit int) ([]int64, error)
	// QueuedContacts pages through the queued contacts in ID order.
	QueuedContacts(ctx context.Context, after int64, limit int) ([]int64, error)
	// StaleSending lists contacts claimed before the given time and still
	// without a provider SID.
	StaleSending(ctx context.Context, claimedBefore time.Time, limit int) ([]SendClaim, error)
	// MarkEnqueued moves planned contacts to queued.
	MarkEnqueued(ctx context.Context, ids []int64) error
	Contact(ctx context.Context, id int64) (Contact, error)
	// ContactBySID locks the contact for update inside a transaction.
	ContactBySID(ctx context.Context, sid string) (Contact, error)
	// ClaimSend moves a planned or queued contact to sending; false when
	// it is anywhere else, in which case nothing must be sent.
	ClaimSend(ctx context.Context, id int64) (SendClaim, bool, error)
	ReleaseSend(ctx context.Context, id int64) error
	// RecordSent stores the SID of a contact being sent, and reports
	// whether delivery reports for it arrived before.
	RecordSent(ctx context.Context, id int64, sid string, at time.Time) (early bool, err error)
	RecordFailed(ctx context.Context, id int64, code int, message string) error
	SetContactStatus(ctx context.Context, id int64, s ContactStatus, errorCode int, at time.Time) error
	SetReply(ctx context.Context, id int64, reply Interest, at time.Time) error
	// RecordStatusEvent stores a delivery report; false if it was already
	// stored (a provider retry).
	RecordStatusEvent(ctx context.Context, sid, status string, errorCode int) (bool, error)
	// ApplyStatusReport stores a delivery report once and moves the
	// contact with its SID, if any, to status to when it is in one of
	// from: one transaction, serialised with RecordSent per SID. fresh is
	// false for a report already stored; moved, whether a contact moved.
	ApplyStatusReport(ctx context.Context, r StatusReport, to ContactStatus, from []ContactStatus, at time.Time) (fresh, moved bool, err error)
	StatusEvents(ctx context.Context, sid string) ([]StatusReport, error)
	OfferContacts(ctx context.Context, offerID int64) ([]Contact, error)
	// DeliveryFailures lists the undelivered and failed contacts of the
	// counsellors' job seekers, newest first.
	DeliveryFailures(ctx context.Context, counsellorIDs []int64, limit int) ([]DeliveryFailure, error)
}

// ReplyStore keeps inbound SMS and the counsellors' inbox.
type ReplyStore interface {
	// ContactForReply finds the contact a reply answers among the SMS sent
	// to that phone in the last 30 days: the one for the offer with
	// reference ref when there is one, else the one texted last.
	ContactForReply(ctx context.Context, phone, ref string) (ReplyTarget, error)
	// RecordInbound stores, in one transaction, an inbound SMS once per
	// MessageSID together with its inbox item, the contact's new interest
	// (when it still holds one of effect.Replaces) and the consent change;
	// false, with nothing written, if the SID was stored before (a provider
	// retry). It fills in.ID, in.ReceivedAt, item.ID, item.InboundID and
	// item.CreatedAt.
	RecordInbound(ctx context.Context, in *Inbound, item *InboxItem, effect ReplyEffect) (bool, error)
	Inbox(ctx context.Context, counsellorID int64, limit int) ([]InboxItem, error)
	// AgencyInbox lists the inbox items of every counsellor of the agency.
	AgencyInbox(ctx context.Context, agency string, limit int) ([]InboxItem, error)
	// AgencyCounsellors lists the IDs of the agency's counsellors.
	AgencyCounsellors(ctx context.Context, agency string) ([]int64, error)
	// UnassignedReplies lists the inbox items of no counsellor (unknown
	// numbers), newest first.
	UnassignedReplies(ctx context.Context, limit int) ([]UnassignedReply, error)
}
