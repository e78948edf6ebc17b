package outreach

import (
	"context"
	"time"
)

// ScreeningStore keeps the offers' screening questions, the pre-screening
// conversations (each change a conditional update on the conversation's
// step) and the SMS they send, through an outbox of their own: planned in
// the transaction of the transition, handed to the queue, claimed, sent.
type ScreeningStore interface {
	// SaveOfferQuestions replaces the questions the offer asks, in order.
	SaveOfferQuestions(ctx context.Context, offerID int64, qs []Question) error
	// OfferQuestions returns the questions the offer asks, in order.
	OfferQuestions(ctx context.Context, offerID int64) ([]Question, error)
	// StartScreening stores a contact's new conversation; false when it
	// has one already (a replayed yes).
	StartScreening(ctx context.Context, contactID int64, phone string, s Screening, startedAt, expiresAt time.Time) (bool, error)
	Screening(ctx context.Context, contactID int64) (Screening, error)
	// LockScreening reads the contact's conversation and locks it until
	// the transaction ends, with who follows the candidate.
	LockScreening(ctx context.Context, contactID int64) (OpenScreening, error)
	// AdvanceScreening stores next, the state after a transition from
	// step fromStep; false when the conversation is no longer there.
	AdvanceScreening(ctx context.Context, contactID int64, fromStep int, next Screening, at time.Time) (bool, error)
	// OpenScreeningForPhone finds, and locks until the transaction ends,
	// the open conversation an answer from phone is for: the one of the
	// offer with reference ref when ref is set, else the one that asked
	// last, unless an offer SMS went to the phone after it asked.
	OpenScreeningForPhone(ctx context.Context, phone, ref string) (OpenScreening, error)
	// EndScreeningsOptedOut ends as opted out every open conversation of
	// the phone, at at, and returns how many.
	EndScreeningsOptedOut(ctx context.Context, phone string, at time.Time) (int, error)
	// ExpiredScreenings lists open conversations expired by now.
	ExpiredScreenings(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// DueScreeningReminders lists open conversations not reminded whose
	// current question the provider took before askedBefore.
	DueScreeningReminders(ctx context.Context, askedBefore time.Time, limit int) ([]int64, error)

	// PlanScreeningMessages stores SMS to send for a conversation, once
	// per (contact, step, kind), and returns the IDs of those stored.
	PlanScreeningMessages(ctx context.Context, ms []ScreeningMessage) ([]int64, error)
	// MarkScreeningMessagesQueued moves planned messages to queued.
	MarkScreeningMessagesQueued(ctx context.Context, ids []int64) (int, error)
	// PlannedScreeningMessages lists messages planned before the given
	// time and still not queued.
	PlannedScreeningMessages(ctx context.Context, before time.Time, limit int) ([]int64, error)
	// QueuedScreeningMessages pages through queued messages in ID order.
	QueuedScreeningMessages(ctx context.Context, after int64, limit int) ([]int64, error)
	// ClaimScreeningMessage moves a planned or queued message to sending
	// when it is still due: the phone did not opt out, and its
	// conversation is still at its step (a closing SMS: ended). Otherwise
	// it is skipped. ok is true only for the call that claimed it.
	ClaimScreeningMessage(ctx context.Context, id int64, at time.Time) (c ScreeningClaim, ok bool, err error)
	// ReleaseScreeningMessage puts a message being sent back to queued.
	ReleaseScreeningMessage(ctx context.Context, id int64) error
	RecordScreeningMessageSent(ctx context.Context, id int64, sid string, at time.Time) error
	RecordScreeningMessageFailed(ctx context.Context, id int64) error
	// StaleScreeningMessages lists messages claimed before the given time
	// and still without a provider SID.
	StaleScreeningMessages(ctx context.Context, claimedBefore time.Time, limit int) ([]ScreeningClaim, error)
}

// OpenScreening is a conversation with what routing an answer to it needs.
type OpenScreening struct {
	ContactID    int64
	OfferID      int64
	CandidateID  int64
	CounsellorID int64
	Phone        string
	Screening    Screening
	ExpiresAt    time.Time
	// AskedAt is when the provider took the SMS of the conversation's
	// current step (its question or re-ask), nil before: an answer until
	// then is to an earlier question.
	AskedAt *time.Time
}

// ScreeningMessageKind is which SMS of a conversation a message is.
type ScreeningMessageKind string

// SMS of a conversation, one per (step, kind).
const (
	MessageQuestion ScreeningMessageKind = "question"
	MessageReask    ScreeningMessageKind = "reask"
	MessageReminder ScreeningMessageKind = "reminder"
	MessageClosing  ScreeningMessageKind = "closing"
)

// ScreeningMessage is an SMS a conversation sends.
type ScreeningMessage struct {
	ContactID int64
	Step      int
	Kind      ScreeningMessageKind
	Question  int
	Phone     string
	Body      string
}

// ScreeningClaim is a conversation's SMS claimed for sending.
type ScreeningClaim struct {
	MessageID int64
	ContactID int64
	Phone     string
	Body      string
	ClaimedAt time.Time
}
