package outreach

import (
	"context"
	"time"
)

// Referral: once a candidate said yes and answered the pre-screening, the
// counsellor validates the shortlist and refers the proposed candidates to
// the employer. Only qualified candidates are proposed by default; the
// counsellor may go against the default, with a reason, and every decision
// is kept. The time from the yes to the end of the pre-screening, and from
// the offer to the referral, are measured against the pilot's figures.

// ReferralStore keeps the counsellors' shortlist decisions and referrals.
type ReferralStore interface {
	// ShortlistContacts lists the offer's interested contacts, best match
	// first (then contact ID), each with its pre-screening (nil when it has
	// none), its decisions, oldest first, and its referral.
	ShortlistContacts(ctx context.Context, offerID int64) ([]ShortlistContact, error)
	// RecordShortlistDecision appends a decision and fills its ID.
	RecordShortlistDecision(ctx context.Context, d *ShortlistDecision) error
	// MarkReferred records, at at, the referral by counsellorID of those
	// contacts still interested and not referred yet, and returns their
	// IDs: the others are left as they were.
	MarkReferred(ctx context.Context, contactIDs []int64, counsellorID int64, at time.Time) ([]int64, error)
	// Timings measures the pre-screenings and referrals that f selects,
	// as of now (see Timings).
	Timings(ctx context.Context, f TimingsFilter, now time.Time) (Timings, error)
}

// ShortlistContact is a contact on an offer's shortlist: a candidate who
// said yes, with their pre-screening, whether they are proposed to the
// employer, and their referral.
type ShortlistContact struct {
	Contact
	// Screening is the pre-screening conversation, nil when none started
	// (an offer without questions).
	Screening *ShortlistScreening
	// Decisions are the counsellor's, oldest first; the latest overrides
	// the default.
	Decisions []ShortlistDecision
	// ReferredAt is when the candidate was referred to the employer, nil
	// before; ReferredBy the counsellor who did, 0 before.
	ReferredAt *time.Time
	ReferredBy int64
	// EmployerStatus is where the employer stands with a referred
	// candidate, "" until they say (see SetEmployerStatus); set at
	// EmployerStatusAt.
	EmployerStatus   EmployerStatus
	EmployerStatusAt *time.Time

	// Filled by Service.Shortlist.
	ProposedByDefault bool // see DefaultProposal
	Proposed          bool // the latest decision, else the default
	// ScreeningTime is from the yes to the end of a pre-screening
	// completed (qualified or not), nil otherwise; ReferralTime from the
	// offer's creation to the referral, nil before.
	ScreeningTime *time.Duration
	ReferralTime  *time.Duration
}

// ShortlistScreening is a contact's pre-screening as the counsellor reads
// it: its state, and when it started (the yes) and ended.
type ShortlistScreening struct {
	Screening
	StartedAt time.Time
	EndedAt   *time.Time // nil while open
}

// ShortlistDecision is a counsellor's decision to propose a candidate to
// the employer, or not.
type ShortlistDecision struct {
	ID             int64
	ContactID      int64
	Proposed       bool
	Reason         string // required when it goes against the default
	CounsellorID   int64
	CounsellorName string // filled by read models
	DecidedAt      time.Time
}

// DefaultProposal says whether a candidate who said yes is proposed to the
// employer unless the counsellor decides otherwise: yes when qualified, or
// when no conversation started (the offer asks no question); no when not
// qualified, incomplete or opted out, and no while the conversation is
// still under way.
func DefaultProposal(sc *Screening) bool {
	return sc == nil || sc.Status == ScreeningQualified
}

// QuestionLabel names question i of the conversation for the counsellor
// (see Question.Label), or "" when there is no such question (a
// conversation without questions).
func (s *ShortlistScreening) QuestionLabel(i int) string {
	if i < 0 || i >= len(s.Questions) {
		return ""
	}
	return s.Questions[i].Label()
}

// completed reports whether the pre-screening reached its end with
// answers to judge by: qualified or not qualified, after at least one
// question.
func (s *ShortlistScreening) completed() bool {
	return s != nil && s.EndedAt != nil && len(s.Questions) > 0 &&
		(s.Status == ScreeningQualified || s.Status == ScreeningNotQualified)
}

// Reference figures of the pilot: 90% of the candidates finish the
// pre-screening within 5 hours of their yes, and half of the referrals
// reach the employer within 24 hours of the offer.
const (
	ReferenceScreeningWithin = 5 * time.Hour
	ReferenceScreeningShare  = 0.90
	ReferenceReferralWithin  = 24 * time.Hour
	ReferenceReferralShare   = 0.50
)
