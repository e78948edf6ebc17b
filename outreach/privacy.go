package outreach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Personal data (GDPR). Every page and export that shows job seekers'
// personal data records who saw it (RecordAccess); the texts and phone
// numbers of an offer's SMS are purged some time after its campaign closed
// (PurgeExpired); a job seeker's data is erased on request (Erase),
// leaving only anonymous counts.

// ErasedExternalIDPrefix starts the external id of an erased job seeker's
// tombstone, followed by its internal id; no job seeker may be given one.
const ErasedExternalIDPrefix = "erased-"

// ActorKind is who accessed personal data.
type ActorKind string

// Kinds of actors.
const (
	ActorCounsellor ActorKind = "counsellor" // signed in to the web app; Actor.ID is theirs
	ActorAPI        ActorKind = "api"        // the agency's systems: an API client (Actor.ID), or the operator's API_TOKEN
	ActorEmployer   ActorKind = "employer"   // an offer's employer through its signed link; Actor.ID is the offer
	ActorSystem     ActorKind = "system"     // the service itself, or an operator on the command line
)

// Actor is who accessed personal data.
type Actor struct {
	Kind ActorKind
	// ID is the counsellor, the offer of the employer's link, or the API
	// client (0: the operator's API_TOKEN); 0 for the system.
	ID int64
}

// AccessAction is what was done with personal data.
type AccessAction string

// Actions recorded in the audit log.
const (
	AccessView      AccessAction = "view"      // a page showed it
	AccessExport    AccessAction = "export"    // the API returned it
	AccessErase     AccessAction = "erase"     // a job seeker's data was erased (Erase)
	AccessRetention AccessAction = "retention" // expired texts and numbers were purged (PurgeExpired)
)

// Access is one row of the audit log: who did what with which job
// seekers' personal data, and when.
type Access struct {
	ID     int64
	At     time.Time
	Actor  Actor
	Action AccessAction
	// What is the method and route pattern ("GET /personnes/:id"), never
	// the URL (links carry tokens, paths external ids), or the command or
	// task.
	What string
	// CandidateIDs are the internal ids of the job seekers concerned,
	// once each; none for what names nobody (an SMS from an unknown
	// number, a retention run).
	CandidateIDs []int64
	Counts       map[string]int // what an erasure or a retention run changed
	RequestID    string         // the HTTP request's X-Request-Id, if any
}

// Audit records who accessed job seekers' personal data, and tells it.
type Audit interface {
	// RecordAccess appends a to the audit log and fills its ID.
	RecordAccess(ctx context.Context, a *Access) error
	// CandidateAccesses lists the latest limit accesses to the job
	// seeker's data, oldest first.
	CandidateAccesses(ctx context.Context, candidateID int64, limit int) ([]Access, error)
}

// PrivacyStore keeps the audit log and erases and purges personal data.
type PrivacyStore interface {
	Audit
	// CandidateIDByExternalID finds a job seeker not erased.
	CandidateIDByExternalID(ctx context.Context, externalID string) (int64, error)
	// CandidateTasks lists what of the job seeker's may wait in the queue.
	CandidateTasks(ctx context.Context, candidateID int64) (PendingTasks, error)
	// EraseCandidate erases the job seeker's personal data everywhere in
	// one transaction that also appends a, with a.Counts completed by
	// what was erased (see Erasure); ErrNotFound when there is no such
	// job seeker, or no longer.
	EraseCandidate(ctx context.Context, candidateID int64, a *Access) (Erasure, error)
	// PurgeExpired purges, in one transaction that also appends a (with
	// a.Counts completed), the texts and numbers of at most limit offers
	// whose campaign closed before closedBefore, and of at most limit SMS
	// received before it that answered no contact.
	PurgeExpired(ctx context.Context, closedBefore time.Time, limit int, a *Access) (Purge, error)
	// ContactInterest is what the job seeker answered the offer's SMS
	// ("" for nothing yet); ErrNotFound when they were not texted about
	// it, or were erased.
	ContactInterest(ctx context.Context, offerID, candidateID int64) (Interest, error)
}

// PendingTasks names what of a job seeker's may wait in the queue: the SMS
// and reminders of their contacts, their pre-screening SMS and timers, and
// the counsellors' answers to them.
type PendingTasks struct {
	Contacts           []int64
	ScreeningMessages  []int64
	CounsellorMessages []int64
	Screenings         []ScreeningSteps
}

// ScreeningSteps is a pre-screening conversation and its last step: its
// timers are scheduled per step.
type ScreeningSteps struct {
	ContactID int64
	Step      int
}

// TaskCanceller removes queued tasks, whatever their state but running.
type TaskCanceller interface {
	// CancelTasks deletes the tasks of p and returns how many there were.
	CancelTasks(ctx context.Context, p PendingTasks) (int, error)
}

// Erasure is what erasing a job seeker changed.
type Erasure struct {
	CandidateID        int64 // the tombstone's internal id, which names nobody any more
	Contacts           int   // offer SMS: number, text and scoring reasons blanked; statuses and replies kept
	InboundMessages    int   // their SMS (and those from their number linked to nobody): text and number blanked
	UnlinkedDeleted    int   // of those linked to nobody, deleted with their inbox item
	Screenings         int   // pre-screening conversations: number blanked, an open one ended
	ScreeningMessages  int   // pre-screening SMS: number and text blanked
	CounsellorMessages int   // counsellors' answers: number and text blanked
	DecisionReasons    int   // shortlist decisions whose reason was blanked
	ConsentEvents      int   // consent changes of their number: number blanked (and their opt-out forgotten)
	QueuedTasks        int   // tasks removed from the queue
	// Pending is what may still wait in the queue, for a last sweep.
	Pending PendingTasks
}

// Counts lists e's figures by name, for the audit log and the API.
func (e Erasure) Counts() map[string]int {
	return map[string]int{"contacts": e.Contacts, "inbound_messages": e.InboundMessages,
		"unlinked_messages_deleted": e.UnlinkedDeleted, "screenings": e.Screenings,
		"screening_messages": e.ScreeningMessages, "counsellor_messages": e.CounsellorMessages,
		"decision_reasons": e.DecisionReasons, "consent_events": e.ConsentEvents, "queued_tasks": e.QueuedTasks}
}

// Purge is what a retention run changed.
type Purge struct {
	Offers             int // offers whose contacts' SMS were purged
	Contacts           int
	InboundMessages    int // replies to those contacts
	UnlinkedMessages   int // SMS that answered no contact
	Screenings         int
	ScreeningMessages  int
	CounsellorMessages int
}

// Counts lists p's figures by name, for the audit log.
func (p Purge) Counts() map[string]int {
	return map[string]int{"offers": p.Offers, "contacts": p.Contacts, "inbound_messages": p.InboundMessages,
		"unlinked_messages": p.UnlinkedMessages, "screenings": p.Screenings,
		"screening_messages": p.ScreeningMessages, "counsellor_messages": p.CounsellorMessages}
}

func (p *Purge) add(q Purge) {
	p.Offers += q.Offers
	p.Contacts += q.Contacts
	p.InboundMessages += q.InboundMessages
	p.UnlinkedMessages += q.UnlinkedMessages
	p.Screenings += q.Screenings
	p.ScreeningMessages += q.ScreeningMessages
	p.CounsellorMessages += q.CounsellorMessages
}

// UseTaskCanceller lets Erase remove the job seeker's queued tasks; Erase
// refuses to run without it.
func (s *Service) UseTaskCanceller(c TaskCanceller) { s.tasks = c }

// RecordAccess appends a to the audit log, at the service's time, each
// job seeker once. Callers show or export the data only once it is
// recorded: an access that cannot be recorded does not happen.
func (s *Service) RecordAccess(ctx context.Context, a Access) error {
	switch a.Actor.Kind {
	case ActorCounsellor, ActorEmployer:
		if a.Actor.ID <= 0 {
			return fmt.Errorf("record access: a %s actor needs its id", a.Actor.Kind)
		}
	case ActorAPI:
		a.Actor.ID = max(a.Actor.ID, 0)
	case ActorSystem:
		a.Actor.ID = 0
	default:
		return fmt.Errorf("record access: unknown actor kind %q", a.Actor.Kind)
	}
	if a.What == "" {
		return errors.New("record access: what is required")
	}
	a.At = s.cfg.Now().Truncate(time.Microsecond)
	a.CandidateIDs = distinctIDs(a.CandidateIDs)
	if err := s.store.RecordAccess(ctx, &a); err != nil {
		return fmt.Errorf("record access: %w", err)
	}
	return nil
}

// distinctIDs sorts the positive ids, each once.
func distinctIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// maxAudit is how many accesses CandidateAudit lists at most.
const maxAudit = 10000

// CandidateAudit lists, oldest first, the latest accesses to the data of
// the job seeker with that external id (ErrNotFound for none: an erased
// one is found by internal id, see AuditOf), and returns their internal id.
func (s *Service) CandidateAudit(ctx context.Context, externalID string) (int64, []Access, error) {
	id, err := s.candidateID(ctx, externalID)
	if err != nil {
		return 0, nil, err
	}
	as, err := s.AuditOf(ctx, id)
	return id, as, err
}

// AuditOf lists, oldest first, the latest accesses to the data of the job
// seeker with that internal id, erased or not.
func (s *Service) AuditOf(ctx context.Context, candidateID int64) ([]Access, error) {
	as, err := s.store.CandidateAccesses(ctx, candidateID, maxAudit)
	if err != nil {
		return nil, fmt.Errorf("audit of candidate %d: %w", candidateID, err)
	}
	return as, nil
}

// candidateID finds the job seeker not erased with that external id.
func (s *Service) candidateID(ctx context.Context, externalID string) (int64, error) {
	ext := strings.TrimSpace(externalID)
	if ext == "" {
		return 0, &NotFoundError{What: "candidate"}
	}
	id, err := s.store.CandidateIDByExternalID(ctx, ext)
	if errors.Is(err, ErrNotFound) {
		return 0, &NotFoundError{What: "candidate " + ext}
	}
	return id, err
}

// Erase removes the personal data of the job seeker with that external id
// everywhere: in PostgreSQL their row becomes a tombstone naming nobody,
// and their SMS, conversations, answers and decision reasons lose their
// texts and numbers, while statuses, replies and times stay, so that the
// offers' counts do not change; their tasks leave the queue, first, so
// that a failure there erases nothing and the call can be made again.
// The erasure is recorded as a by the same transaction. ErrNotFound for
// an unknown or already erased job seeker.
func (s *Service) Erase(ctx context.Context, externalID string, a Access) (Erasure, error) {
	if s.tasks == nil {
		return Erasure{}, errors.New("erase: no access to the queue to remove the pending tasks")
	}
	id, err := s.candidateID(ctx, externalID)
	if err != nil {
		return Erasure{}, err
	}
	pending, err := s.store.CandidateTasks(ctx, id)
	if err != nil {
		return Erasure{}, fmt.Errorf("erase candidate %d: %w", id, err)
	}
	removed, err := s.tasks.CancelTasks(ctx, pending)
	if err != nil {
		return Erasure{}, fmt.Errorf("erase candidate %d: remove their queued tasks (nothing erased): %w", id, err)
	}
	a.Action, a.At, a.CandidateIDs = AccessErase, s.cfg.Now().Truncate(time.Microsecond), []int64{id}
	a.Counts = map[string]int{"queued_tasks": removed}
	e, err := s.store.EraseCandidate(ctx, id, &a)
	if err != nil {
		return Erasure{}, fmt.Errorf("erase candidate %d: %w", id, err)
	}
	e.QueuedTasks = removed
	// A task queued between the two (the outbox sweep) finds its SMS
	// settled and sends nothing; removed anyway when possible.
	if n, err := s.tasks.CancelTasks(ctx, e.Pending); err != nil {
		s.log.Warn("erased candidate: last sweep of their queued tasks failed; those left send nothing",
			"candidate_id", id, "err", err)
	} else {
		e.QueuedTasks += n
	}
	s.log.Info("candidate erased", "candidate_id", id, "actor", a.Actor.Kind, "contacts", e.Contacts,
		"inbound_messages", e.InboundMessages, "queued_tasks", e.QueuedTasks)
	return e, nil
}

// retentionBatch is how many offers, and unlinked SMS, one transaction of
// a retention run purges.
const retentionBatch = 200

// PurgeExpired blanks the phone numbers and texts of the SMS of the offers
// whose campaign closed more than ServiceConfig.RetentionAfter ago
// (offer SMS and reminders, replies, pre-screening SMS, counsellors'
// answers), and of the SMS that answered no contact received that long
// ago; statuses, replies, times and counts stay. Each offer is purged
// once, so that a second run changes nothing. Each transaction records
// what it purged in the audit log, a run with nothing to purge once. Off
// (nothing done) when RetentionAfter is 0.
func (s *Service) PurgeExpired(ctx context.Context) (Purge, error) {
	var total Purge
	if s.cfg.RetentionAfter <= 0 {
		return total, nil
	}
	now := s.cfg.Now().Truncate(time.Microsecond)
	before := now.Add(-s.cfg.RetentionAfter)
	for {
		a := Access{At: now, Actor: Actor{Kind: ActorSystem}, Action: AccessRetention, What: "retention " + retentionWording(s.cfg.RetentionAfter)}
		p, err := s.store.PurgeExpired(ctx, before, retentionBatch, &a)
		if err != nil {
			return total, fmt.Errorf("purge expired personal data: %w", err)
		}
		total.add(p)
		if p.Offers < retentionBatch && p.UnlinkedMessages < retentionBatch {
			break
		}
	}
	if total.Offers+total.UnlinkedMessages > 0 {
		s.log.Info("expired personal data purged", "offers", total.Offers, "contacts", total.Contacts,
			"inbound_messages", total.InboundMessages, "unlinked_messages", total.UnlinkedMessages)
	}
	return total, nil
}

// retentionWording writes the retention period in days when whole.
func retentionWording(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// notOnShortlist explains why a candidate is not on the offer's shortlist:
// only a job seeker who said yes may be proposed to the employer, so a
// decision on one who answered otherwise, or not yet, is invalid; one not
// texted about the offer is not found.
func (s *Service) notOnShortlist(ctx context.Context, offerID, candidateID int64) error {
	in, err := s.store.ContactInterest(ctx, offerID, candidateID)
	if errors.Is(err, ErrNotFound) {
		return &NotFoundError{What: fmt.Sprintf("candidate %d on the shortlist of offer %d", candidateID, offerID)}
	}
	if err != nil {
		return fmt.Errorf("reply of candidate %d to offer %d: %w", candidateID, offerID, err)
	}
	answered := "has not answered"
	if in != "" {
		answered = "answered " + string(in)
	}
	return invalid("candidate_id", "candidate %d %s to offer %d: only a job seeker who said yes can be proposed to the employer",
		candidateID, answered, offerID)
}
