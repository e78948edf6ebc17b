package outreach

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the outbox sweep.
const (
	// DefaultSendLease is how long a contact may stay in sending without a
	// SID before the sweep asks the provider about it: well over the
	// provider timeout (15 s), so that a live worker's call is over.
	DefaultSendLease = 2 * time.Minute
	// plannedGrace leaves StartOutreach the time to queue what it just
	// committed before the sweep does it too (harmless, but wasted).
	plannedGrace = 10 * time.Second
	sweepPage    = 1000
)

// OutboxSwept reports what one ReconcileOutbox did.
type OutboxSwept struct {
	Queued    int  // planned contacts queued
	Requeued  int  // queued contacts queued again after Redis lost its data
	QueueLost bool // Redis had lost its data (or this is its first sweep)
	Adopted   int  // sending contacts the provider had sent: SID stored
	Released  int  // sending contacts the provider never got: queued again

	Closed            int // campaigns closed: their window passed
	RemindersQueued   int // contacts due a reminder, queued
	RemindersRequeued int // queued reminders queued again after Redis lost its data
	RemindersAdopted  int // reminders the provider had sent: SID stored
	RemindersReleased int // reminders the provider never got: queued again

	Screening ScreeningSwept // the pre-screening conversations
	Answers   AnswersSwept   // the counsellors' answers by SMS
}

// ReconcileOutbox makes what PostgreSQL committed and what the queue holds
// agree again, so that no SMS is lost between them: it queues contacts left
// planned (Redis was down, or the process died, when their outreach
// started); when the queue lost its data (a Redis restart without
// persistence, a failover) it queues every queued contact again, the task
// ID making that a no-op for those still there; and it settles contacts
// left in sending past the lease (see SendContact). It also closes the
// campaigns whose window passed (see Campaign) and does the same for
// reminders, queuing those now due (see RemindContact), for the
// pre-screening conversations (see sweepScreenings) and for the
// counsellors' answers (see sweepCounsellorMessages). Worker processes
// run it periodically; concurrent runs are safe.
func (s *Service) ReconcileOutbox(ctx context.Context) (OutboxSwept, error) {
	var r OutboxSwept
	now := s.cfg.Now()
	at := s.cfg.QuietHours.NextAllowed(now)
	lost, err := s.queue.QueueLost(ctx)
	if err != nil {
		return r, fmt.Errorf("check queue: %w", err)
	}
	r.QueueLost = lost
	if r.Closed, err = s.closeCampaigns(ctx, now); err != nil {
		return r, err
	}
	for {
		ids, err := s.store.PlannedContacts(ctx, now.Add(-plannedGrace), sweepPage)
		if err != nil {
			return r, err
		}
		n, err := s.enqueue(ctx, ids, at)
		r.Queued += n
		if err != nil || len(ids) < sweepPage {
			break
		}
	}
	// Before requeueAll, which marks the queue whole.
	if r.Screening, err = s.sweepScreenings(ctx, now, lost); err != nil {
		return r, err
	}
	if r.Answers, err = s.sweepCounsellorMessages(ctx, now, lost); err != nil {
		return r, err
	}
	if lost {
		// Reminders first: requeueAll marks the queue whole.
		if err := s.requeueReminders(ctx, s.reminderAt(now), &r); err != nil {
			return r, err
		}
		if err := s.requeueAll(ctx, at, &r); err != nil {
			return r, err
		}
	}
	if err := s.settleStaleSending(ctx, now, &r); err != nil {
		return r, err
	}
	if err := s.sweepReminders(ctx, now, &r); err != nil {
		return r, err
	}
	if r != (OutboxSwept{}) {
		s.log.Info("outbox swept", "queued", r.Queued, "requeued", r.Requeued, "queue_lost", r.QueueLost,
			"adopted", r.Adopted, "released", r.Released, "closed", r.Closed, "reminders_queued", r.RemindersQueued,
			"reminders_requeued", r.RemindersRequeued, "reminders_adopted", r.RemindersAdopted,
			"reminders_released", r.RemindersReleased, "screening", r.Screening, "answers", r.Answers)
	}
	return r, nil
}

// requeueAll queues every queued contact again, then marks the queue
// whole: until that mark, every sweep (of any worker) starts over.
func (s *Service) requeueAll(ctx context.Context, at time.Time, r *OutboxSwept) error {
	n, err := requeuePages(ctx, "contact", s.store.QueuedContacts, func(ctx context.Context, id int64) error {
		return s.queue.EnqueueSend(ctx, id, at)
	})
	r.Requeued += n
	if err != nil {
		return err
	}
	return s.queue.MarkQueueWhole(ctx)
}

// requeuePages hands to the queue again, with put, every id list pages
// through in ID order (the task IDs make it a no-op for those still
// there), and returns how many it put.
func requeuePages(ctx context.Context, what string, list func(ctx context.Context, after int64, limit int) ([]int64, error),
	put func(ctx context.Context, id int64) error) (int, error) {
	n := 0
	for after := int64(0); ; {
		ids, err := list(ctx, after, sweepPage)
		if err != nil {
			return n, fmt.Errorf("queued %ss: %w", what, err)
		}
		for _, id := range ids {
			if err := put(ctx, id); err != nil {
				return n, fmt.Errorf("queue %s %d again: %w", what, id, err)
			}
			n++
		}
		if len(ids) < sweepPage {
			return n, nil
		}
		after = ids[len(ids)-1]
	}
}

// enqueueStreams is how many contacts are handed to the queue at once: a
// campaign of 100,000 would otherwise wait on 100,000 Redis round trips
// in a row.
const enqueueStreams = 16

// enqueue queues contacts and marks queued those the queue took. After a
// queue error (Redis down) the rest stay planned: the next sweep carries on.
func (s *Service) enqueue(ctx context.Context, ids []int64, at time.Time) (int, error) {
	return s.handOver(ctx, ids, func(ctx context.Context, id int64) error {
		return s.queue.EnqueueSend(ctx, id, at)
	}, func(ctx context.Context, ids []int64) (int, error) {
		return len(ids), s.store.MarkEnqueued(ctx, ids)
	})
}

// handOver hands contacts to the queue with put, enqueueStreams at a time,
// then marks queued, with mark, those the queue took, and returns how many
// mark reports. After a queue error the rest are left for the next sweep.
func (s *Service) handOver(ctx context.Context, ids []int64, put func(context.Context, int64) error,
	mark func(context.Context, []int64) (int, error)) (int, error) {
	ok := make([]bool, len(ids))
	errs := make(chan error, enqueueStreams)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range enqueueStreams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ids) && !stop.Load(); i += enqueueStreams {
				if err := put(ctx, ids[i]); err != nil {
					stop.Store(true)
					errs <- fmt.Errorf("enqueue contact %d: %w", ids[i], err)
					return
				}
				ok[i] = true
			}
		}()
	}
	wg.Wait()
	close(errs)
	done := make([]int64, 0, len(ids))
	for i, id := range ids {
		if ok[i] {
			done = append(done, id)
		}
	}
	n, err := mark(ctx, done)
	if err != nil {
		return 0, fmt.Errorf("mark enqueued: %w", err)
	}
	return n, <-errs // nil when every contact was queued
}

// settleStaleSending asks the provider about each contact left in sending
// past the lease: if it holds the SMS, its SID is recorded (the worker died
// after the provider took it); if not, the contact is queued again.
func (s *Service) settleStaleSending(ctx context.Context, now time.Time, r *OutboxSwept) error {
	if s.sender == nil {
		return nil // the API process: workers settle them
	}
	stale, err := s.store.StaleSending(ctx, now.Add(-s.cfg.SendLease), sweepPage)
	if err != nil {
		return err
	}
	for _, c := range stale {
		sent, found, err := s.sender.FindSent(ctx, c.Phone, c.Body, c.ClaimedAt.Add(-time.Minute))
		if err != nil {
			return fmt.Errorf("ask the provider about contact %d: %w", c.ContactID, err)
		}
		if found {
			if err := s.recordSent(ctx, c.ContactID, sent.SID); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			s.log.Warn("sms found at the provider after its worker stopped: SID adopted",
				"contact_id", c.ContactID, "sid", sent.SID)
			r.Adopted++
			continue
		}
		if err := s.store.ReleaseSend(ctx, c.ContactID); err != nil {
			return err
		}
		if err := s.queue.EnqueueSend(ctx, c.ContactID, s.cfg.QuietHours.NextAllowed(now)); err != nil {
			return fmt.Errorf("queue contact %d again: %w", c.ContactID, err)
		}
		r.Released++
	}
	return nil
}
