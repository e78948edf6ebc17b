package outreach

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// A counsellor answers a job seeker's reply by SMS from the inbox. The
// answer goes through an outbox of its own, like the pre-screening SMS:
// stored planned, handed to the queue, claimed by one worker (the claim
// re-checks the opt-out), sent; quiet hours and the provider's pace hold
// it, and the outbox sweep hands over what a crash left behind.

// CounsellorMessageStatus is where a counsellor's answer stands
// (migration 016).
type CounsellorMessageStatus string

// Statuses of a counsellor's answer.
const (
	AnswerPlanned CounsellorMessageStatus = "planned" // stored, not yet in the queue
	AnswerQueued  CounsellorMessageStatus = "queued"  // in the queue
	AnswerSending CounsellorMessageStatus = "sending" // claimed by a worker, provider call in flight
	AnswerSent    CounsellorMessageStatus = "sent"    // the provider took it
	AnswerFailed  CounsellorMessageStatus = "failed"  // refused by the provider, or kept failing
	AnswerSkipped CounsellorMessageStatus = "skipped" // the phone opted out before it went
)

// CounsellorMessage is a counsellor's answer by SMS to an inbox item.
type CounsellorMessage struct {
	ID           int64
	InboxItemID  int64
	CandidateID  int64
	CounsellorID int64 // who wrote it
	Phone        string
	Body         string
	Status       CounsellorMessageStatus
	MessageSID   string
	CreatedAt    time.Time
	SentAt       *time.Time
}

// CounsellorMessageClaim is an answer claimed for sending.
type CounsellorMessageClaim struct {
	MessageID int64
	Phone     string
	Body      string
	ClaimedAt time.Time
}

// CounsellorMessageStore keeps the counsellors' answers through their
// outbox, each change a conditional update.
type CounsellorMessageStore interface {
	// PlanCounsellorMessage stores an answer, planned, and fills its ID,
	// Status and CreatedAt; unless the same counsellor planned the same
	// body for the same item since the given time, which it returns
	// instead (fresh false).
	PlanCounsellorMessage(ctx context.Context, m *CounsellorMessage, since time.Time) (fresh bool, err error)
	CounsellorMessage(ctx context.Context, id int64) (CounsellorMessage, error)
	// MarkCounsellorMessagesQueued moves planned answers to queued.
	MarkCounsellorMessagesQueued(ctx context.Context, ids []int64) (int, error)
	// PlannedCounsellorMessages lists answers planned before the given
	// time and still not queued.
	PlannedCounsellorMessages(ctx context.Context, before time.Time, limit int) ([]int64, error)
	// QueuedCounsellorMessages pages through queued answers in ID order.
	QueuedCounsellorMessages(ctx context.Context, after int64, limit int) ([]int64, error)
	// ClaimCounsellorMessage moves a planned or queued answer to sending
	// when its phone did not opt out, else to skipped; ok is true only
	// for the call that moved it to sending.
	ClaimCounsellorMessage(ctx context.Context, id int64, at time.Time) (c CounsellorMessageClaim, ok bool, err error)
	// ReleaseCounsellorMessage puts an answer being sent back to queued.
	ReleaseCounsellorMessage(ctx context.Context, id int64) error
	// RecordCounsellorMessageSent stores the SID of an answer being sent;
	// ErrNotFound when it is not being sent (any more).
	RecordCounsellorMessageSent(ctx context.Context, id int64, sid string, at time.Time) error
	RecordCounsellorMessageFailed(ctx context.Context, id int64) error
	// StaleCounsellorMessages lists answers claimed before the given time
	// and still without a provider SID.
	StaleCounsellorMessages(ctx context.Context, claimedBefore time.Time, limit int) ([]CounsellorMessageClaim, error)
}

// Limits of a counsellor's answer: two SMS at most, whatever the alphabet
// (306 GSM-7 characters, 134 in UCS-2).
const (
	maxAnswerChars    = 306
	maxAnswerSegments = 2
)

// checkAnswerBody cleans and checks the text of an answer.
func checkAnswerBody(body string) (string, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if body == "" {
		return "", invalid("body", "is required")
	}
	if strings.ContainsRune(body, 0) || !utf8.ValidString(body) {
		return "", invalid("body", "must be text")
	}
	if n := len([]rune(body)); n > maxAnswerChars {
		return "", invalid("body", "is %d characters long: at most %d", n, maxAnswerChars)
	}
	if enc, n := SMSSegments(body); n > maxAnswerSegments {
		return "", invalid("body", "takes %d SMS in %s: at most %d (306 characters, 134 with a letter such as ç, ê or œ, fewer with emoji)",
			n, enc, maxAnswerSegments)
	}
	return body, nil
}

// answerResubmitWindow is how long the same answer to the same reply is
// taken for the same submission (a double click, a form sent again).
const answerResubmitWindow = 2 * time.Minute

// AnswerBySMS texts the counsellor's answer to the job seeker who wrote
// the inbox item, at once or at the end of quiet hours. The body is 1 to
// 306 characters, two SMS at most; a job seeker who opted out is not
// texted. The same answer sent again within two minutes is one SMS.
// Answering marks the item handled. The answer shows in the job seeker's thread (see Thread) with
// where it stands.
func (s *Service) AnswerBySMS(ctx context.Context, v Viewer, itemID int64, body string) (CounsellorMessage, error) {
	body, err := checkAnswerBody(body)
	if err != nil {
		return CounsellorMessage{}, err
	}
	sc, err := s.seenItem(ctx, v, itemID)
	if err != nil {
		return CounsellorMessage{}, err
	}
	if sc.CandidateID == 0 {
		return CounsellorMessage{}, invalid("item", "this reply comes from an unknown number: there is no job seeker to answer")
	}
	optedOut, err := s.store.IsOptedOut(ctx, sc.From)
	if err != nil {
		return CounsellorMessage{}, fmt.Errorf("check opt-out: %w", err)
	}
	if optedOut {
		return CounsellorMessage{}, invalid("body", "the job seeker opted out of SMS (STOP): they cannot be texted until they send START")
	}
	m := CounsellorMessage{InboxItemID: itemID, CandidateID: sc.CandidateID, CounsellorID: v.CounsellorID,
		Phone: sc.From, Body: body}
	now := s.cfg.Now()
	fresh, err := s.store.PlanCounsellorMessage(ctx, &m, now.Add(-answerResubmitWindow))
	if err != nil {
		return CounsellorMessage{}, fmt.Errorf("store answer: %w", err)
	}
	if !fresh {
		return m, nil // sent twice by a double click or a reload: one SMS
	}
	s.log.Info("answer planned", "message_id", m.ID, "inbox_item_id", itemID, "counsellor_id", v.CounsellorID,
		"phone", MaskPhone(m.Phone))
	// Answering is handling the reply.
	if err := s.store.SetInboxItemHandled(ctx, itemID, &now); err != nil {
		return CounsellorMessage{}, fmt.Errorf("mark inbox item %d handled: %w", itemID, err)
	}
	if n, err := s.queueCounsellorMessages(ctx, []int64{m.ID}, s.reminderAt(s.cfg.Now())); err != nil {
		s.log.Warn("queue answer: the outbox sweep will", "message_id", m.ID, "err", err)
	} else if n == 1 {
		m.Status = AnswerQueued
	}
	return m, nil
}

// queueCounsellorMessages hands answers to the queue for at (zero: now)
// and marks queued those it took.
func (s *Service) queueCounsellorMessages(ctx context.Context, ids []int64, at time.Time) (int, error) {
	return s.handOver(ctx, ids, func(ctx context.Context, id int64) error {
		return s.queue.EnqueueCounsellorMessage(ctx, id, at)
	}, s.store.MarkCounsellorMessagesQueued)
}

// SendCounsellorMessage sends a counsellor's answer. It is safe to call
// more than once for the same answer: only the call that claims it sends,
// and the claim skips it when the phone opted out since. Quiet hours hold
// it (a RetryAtError); a crash after the provider took it is settled by
// the outbox sweep.
func (s *Service) SendCounsellorMessage(ctx context.Context, id int64) error {
	return s.sendFromOutbox(ctx, counsellorMessages, id)
}

// counsellorMessages is the counsellors' answers outbox.
var counsellorMessages = messageOutbox{
	what: "answer",
	kind: SMSAnswer,
	claim: func(st Store, ctx context.Context, id int64, at time.Time) (string, string, bool, error) {
		c, ok, err := st.ClaimCounsellorMessage(ctx, id, at)
		return c.Phone, c.Body, ok, err
	},
	failed:  Store.RecordCounsellorMessageFailed,
	release: Store.ReleaseCounsellorMessage,
	sent:    Store.RecordCounsellorMessageSent,
}

// AbandonCounsellorMessage marks failed an answer whose sending kept
// failing transiently until the queue gave up; the thread shows it failed.
func (s *Service) AbandonCounsellorMessage(ctx context.Context, id int64, cause error) error {
	return s.abandonFromOutbox(ctx, counsellorMessages, id, cause)
}

// AnswersSwept reports what one sweep of the counsellors' answers did.
type AnswersSwept struct {
	Queued   int // planned answers queued
	Requeued int // queued answers queued again after Redis lost its data
	Adopted  int // answers the provider had sent: SID stored
	Released int // answers the provider never got: queued again
}

// sweepCounsellorMessages is the answers' part of ReconcileOutbox: it
// hands over the answers a crash left planned, or all queued ones when
// the queue lost its data, and settles those left in sending.
func (s *Service) sweepCounsellorMessages(ctx context.Context, now time.Time, lost bool) (AnswersSwept, error) {
	var r AnswersSwept
	at := s.reminderAt(now)
	for {
		ids, err := s.store.PlannedCounsellorMessages(ctx, now.Add(-plannedGrace), sweepPage)
		if err != nil {
			return r, fmt.Errorf("planned answers: %w", err)
		}
		n, err := s.queueCounsellorMessages(ctx, ids, at)
		r.Queued += n
		if err != nil {
			return r, err
		}
		if len(ids) < sweepPage || n == 0 {
			break
		}
	}
	if lost {
		n, err := requeuePages(ctx, "answer", s.store.QueuedCounsellorMessages, func(ctx context.Context, id int64) error {
			return s.queue.EnqueueCounsellorMessage(ctx, id, at)
		})
		r.Requeued += n
		if err != nil {
			return r, err
		}
	}
	return r, s.settleStaleCounsellorMessages(ctx, now, at, &r)
}

func (s *Service) settleStaleCounsellorMessages(ctx context.Context, now, at time.Time, r *AnswersSwept) error {
	if s.sender == nil {
		return nil
	}
	claims, err := s.store.StaleCounsellorMessages(ctx, now.Add(-s.cfg.SendLease), sweepPage)
	if err != nil {
		return fmt.Errorf("stale answers: %w", err)
	}
	stale := make([]staleSMS, len(claims))
	for i, c := range claims {
		stale[i] = staleSMS{id: c.MessageID, phone: c.Phone, body: c.Body, claimedAt: c.ClaimedAt}
	}
	r.Adopted, r.Released, err = s.settleStale(ctx, "answer", stale, s.store.RecordCounsellorMessageSent,
		func(ctx context.Context, id int64) error {
			if err := s.store.ReleaseCounsellorMessage(ctx, id); err != nil {
				return err
			}
			return s.queue.EnqueueCounsellorMessage(ctx, id, at)
		})
	return err
}
