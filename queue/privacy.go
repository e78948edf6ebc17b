package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/outreach"
)

// Personal data in the queue: an erased job seeker's tasks are deleted
// (their payloads hold ids only, but a failed task keeps the provider's
// error, which may quote the number), and the retention of expired texts
// and numbers runs as a daily task.

// CancelTasks deletes the tasks of p from the queue, whatever their state
// (pending, scheduled, retry, archived, completed) but running: a task
// running now finishes, and finds its SMS settled. It returns how many it
// deleted.
func (c *Client) CancelTasks(_ context.Context, p outreach.PendingTasks) (int, error) {
	insp := asynq.NewInspectorFromRedisClient(c.rdb)
	n := 0
	for _, id := range pendingTaskIDs(p) {
		err := insp.DeleteTask(c.queue, id)
		switch {
		case err == nil:
			n++
		case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		default:
			if info, ierr := insp.GetTaskInfo(c.queue, id); ierr == nil && info.State == asynq.TaskStateActive {
				continue
			}
			return n, fmt.Errorf("delete task %s: %w", id, err)
		}
	}
	return n, nil
}

// pendingTaskIDs lists the ids of every task p may have in the queue: a
// contact's SMS and reminder, a pre-screening SMS, a counsellor's answer,
// and a conversation's expiry and reminder timers, one per step.
func pendingTaskIDs(p outreach.PendingTasks) []string {
	var ids []string
	for _, id := range p.Contacts {
		ids = append(ids, SendSMSTaskID(id), RemindSMSTaskID(id))
	}
	for _, id := range p.ScreeningMessages {
		ids = append(ids, ScreeningSMSTaskID(id))
	}
	for _, id := range p.CounsellorMessages {
		ids = append(ids, CounsellorSMSTaskID(id))
	}
	for _, sc := range p.Screenings {
		ids = append(ids, ScreeningTimerTaskID(outreach.ScreeningTimer{ContactID: sc.ContactID, Event: outreach.EventExpired}))
		for step := 0; step <= sc.Step; step++ {
			ids = append(ids, ScreeningTimerTaskID(outreach.ScreeningTimer{ContactID: sc.ContactID,
				Event: outreach.EventReminderDue, Step: step}))
		}
	}
	return ids
}

// TypeRetention purges the personal data past its retention period
// (outreach.Service.PurgeExpired), once a day.
const TypeRetention = "privacy:retention"

// RetentionTaskID is the task ID of the retention run of a day (UTC):
// every worker enqueues it, the queue keeps one.
func RetentionTaskID(day time.Time) string {
	return TypeRetention + ":" + day.UTC().Format(time.DateOnly)
}

// retentionKept is how long the queue keeps a day's finished retention
// task, and so refuses it again: longer than the day.
const retentionKept = 36 * time.Hour

// NewRetentionTask builds the retention run of the day.
func NewRetentionTask(day time.Time, queueName string) *asynq.Task {
	return asynq.NewTask(TypeRetention, nil,
		asynq.TaskID(RetentionTaskID(day)),
		asynq.Queue(queueName),
		asynq.MaxRetry(5),
		asynq.Timeout(30*time.Minute),
		asynq.Retention(retentionKept),
	)
}

// Retainer purges the personal data past its retention period.
type Retainer interface {
	PurgeExpired(ctx context.Context) (outreach.Purge, error)
}

// retentionSchedule enqueues the day's retention run from each worker's
// outbox sweep: whichever worker comes first enqueues it, the others find
// its ID taken, so that it runs once a day however many workers there are.
type retentionSchedule struct {
	client  *asynq.Client
	queue   string
	log     *slog.Logger
	lastDay string // the day last enqueued (or found enqueued) by this worker
}

// registerRetention handles the retention task on mux, and returns its
// schedule.
func registerRetention(mux *asynq.ServeMux, rdb redis.UniversalClient, queueName string, r Retainer,
	log *slog.Logger) *retentionSchedule {
	mux.HandleFunc(TypeRetention, func(ctx context.Context, _ *asynq.Task) error {
		_, err := r.PurgeExpired(ctx)
		return err // retried: each run purges what is left
	})
	return &retentionSchedule{client: asynq.NewClientFromRedisClient(rdb), queue: queueName, log: log}
}

// schedule enqueues the retention run of now's day unless this worker did
// already; a failure is logged and tried again at the next sweep. A nil
// schedule does nothing.
func (r *retentionSchedule) schedule(ctx context.Context, now time.Time) {
	if r == nil {
		return
	}
	day := now.UTC().Format(time.DateOnly)
	if day == r.lastDay {
		return
	}
	_, err := r.client.EnqueueContext(ctx, NewRetentionTask(now, r.queue))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		if ctx.Err() == nil {
			r.log.Warn("retention run not scheduled; next sweep tries again", "err", err)
		}
		return
	}
	r.lastDay = day
}
