package queue_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/queue"
)

// retainer counts the retention runs.
type retainer struct{ runs atomic.Int32 }

func (r *retainer) PurgeExpired(context.Context) (outreach.Purge, error) {
	r.runs.Add(1)
	return outreach.Purge{}, nil
}

// TestRetentionRunsOncePerDay: two workers on one queue both schedule the
// day's retention run from their outbox sweeps; it runs once, and the
// queue keeps its id so that no later sweep runs it again that day.
func TestRetentionRunsOncePerDay(t *testing.T) {
	rdb, ns := testenv.Redis(t)
	r := &retainer{}
	var senders []contactSender
	for range 2 {
		s := contactSender{sweeps: make(chan struct{}, 1)}
		w := queue.NewWorker(rdb, queue.WorkerConfig{Queue: ns, ShutdownTimeout: time.Second, SweepEvery: 20 * time.Millisecond,
			Retention: r}, s)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Shutdown)
		senders = append(senders, s)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	id := queue.RetentionTaskID(time.Now())
	waitFor(t, "the day's retention run", func() bool {
		info, err := insp.GetTaskInfo(ns, id)
		return err == nil && info.State == asynq.TaskStateCompleted
	})
	// Both workers sweep, and so schedule, a few more times.
	for range 5 {
		for _, s := range senders {
			<-s.sweeps
		}
	}
	if n := r.runs.Load(); n != 1 {
		t.Errorf("retention ran %d times, want once", n)
	}
	_, err := asynq.NewClientFromRedisClient(rdb).Enqueue(queue.NewRetentionTask(time.Now(), ns))
	if !errors.Is(err, asynq.ErrTaskIDConflict) {
		t.Errorf("enqueue the day's run again: %v, want a task id conflict", err)
	}
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCancelTasks: an erased job seeker's tasks leave the queue, whatever
// their state; another's stay.
func TestCancelTasks(t *testing.T) {
	rdb, ns := testenv.Redis(t)
	ctx := context.Background()
	c := queue.NewClient(rdb, ns)
	later := time.Now().Add(time.Hour)
	steps := []error{
		c.EnqueueSend(ctx, 1, time.Time{}), // pending, then archived below
		c.EnqueueReminder(ctx, 1, later),   // scheduled
		c.EnqueueScreeningMessage(ctx, 7, later),
		c.EnqueueCounsellorMessage(ctx, 9, later),
		c.EnqueueScreeningTimer(ctx, timer(1, outreach.EventReminderDue, 2, later)),
		c.EnqueueScreeningTimer(ctx, timer(1, outreach.EventExpired, 1, later)),
		c.EnqueueSend(ctx, 2, later), // someone else's
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	// The pending send is archived, as a task that failed for good is.
	if err := insp.ArchiveTask(ns, queue.SendSMSTaskID(1)); err != nil {
		t.Fatal(err)
	}
	n, err := c.CancelTasks(ctx, outreach.PendingTasks{Contacts: []int64{1}, ScreeningMessages: []int64{7},
		CounsellorMessages: []int64{9}, Screenings: []outreach.ScreeningSteps{{ContactID: 1, Step: 3}}})
	if err != nil || n != 6 {
		t.Fatalf("cancelled %d tasks (%v), want 6", n, err)
	}
	for _, id := range []string{queue.SendSMSTaskID(1), queue.RemindSMSTaskID(1), queue.ScreeningSMSTaskID(7),
		queue.CounsellorSMSTaskID(9)} {
		if _, err := insp.GetTaskInfo(ns, id); err == nil {
			t.Errorf("task %s still queued", id)
		}
	}
	if _, err := insp.GetTaskInfo(ns, queue.SendSMSTaskID(2)); err != nil {
		t.Errorf("another's task gone: %v", err)
	}
	// Again: nothing left to cancel, no error.
	if n, err := c.CancelTasks(ctx, outreach.PendingTasks{Contacts: []int64{1}}); err != nil || n != 0 {
		t.Errorf("second cancel: %d, %v", n, err)
	}
}

func timer(contactID int64, event outreach.ScreeningEventKind, step int, at time.Time) outreach.ScreeningTimer {
	return outreach.ScreeningTimer{ContactID: contactID, Event: event, Step: step, At: at}
}
