package outreach

import (
	"context"
	"fmt"
	"time"
)

// ThreadKind is which SMS of a job seeker's thread a message is.
type ThreadKind string

// Messages of a thread.
const (
	ThreadOffer     ThreadKind = "offer"     // an offer SMS
	ThreadReminder  ThreadKind = "reminder"  // the reminder of an offer SMS
	ThreadReply     ThreadKind = "reply"     // an SMS from the job seeker
	ThreadScreening ThreadKind = "screening" // a pre-screening question, re-ask, reminder or thanks
	ThreadAnswer    ThreadKind = "answer"    // a counsellor's answer (see AnswerBySMS)
)

// Direction says who sent an SMS of a thread.
type Direction string

// Directions of an SMS.
const (
	DirectionOut Direction = "out" // to the job seeker
	DirectionIn  Direction = "in"  // from the job seeker
)

// ThreadMessage is one SMS exchanged with a job seeker.
type ThreadMessage struct {
	Kind      ThreadKind
	Direction Direction
	At        time.Time // sent (or planned, while not sent) or received
	Body      string
	// Status is where an outbound SMS stands (planned, queued, sending,
	// sent, delivered, undelivered, failed, skipped), "received" for an
	// inbound one.
	Status   string
	OfferID  int64  // the offer it is about, 0 when none
	OfferRef string // that offer's reference
	// CounsellorName wrote an answer; "" for the other kinds.
	CounsellorName string
}

// maxThread is how many of a job seeker's latest SMS Thread lists.
const maxThread = 500

// Thread lists, oldest first, the SMS exchanged with a job seeker the
// viewer sees (at most the latest 500): offer SMS and their reminders,
// the job seeker's replies, the pre-screening SMS and the counsellors'
// answers. (Automatic confirmations, answered in the provider's webhook,
// are not stored and not listed.)
func (s *Service) Thread(ctx context.Context, v Viewer, candidateID int64) ([]ThreadMessage, error) {
	if _, err := s.seenCandidate(ctx, v, candidateID); err != nil {
		return nil, err
	}
	ms, err := s.store.Thread(ctx, candidateID, maxThread)
	if err != nil {
		return nil, fmt.Errorf("thread of candidate %d: %w", candidateID, err)
	}
	return ms, nil
}
