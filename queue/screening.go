package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/outreach"
)

// TypeScreeningTimer runs a pre-screening conversation's timer, one task
// per (conversation, event, step); its SMS are message tasks (messages.go).
const TypeScreeningTimer = "screening:timer"

// ScreeningTimerPayload is the payload of a TypeScreeningTimer task.
type ScreeningTimerPayload struct {
	ContactID int64                       `json:"contact_id"`
	Event     outreach.ScreeningEventKind `json:"event"`
	Step      int                         `json:"step"`
}

// ScreeningTimerTaskID is the task ID of a conversation's timer. The
// expiry is the conversation's, whatever the step that scheduled it.
func ScreeningTimerTaskID(t outreach.ScreeningTimer) string {
	id := "screening:" + string(t.Event) + ":" + strconv.FormatInt(t.ContactID, 10)
	if t.Event == outreach.EventExpired {
		return id
	}
	return id + ":" + strconv.Itoa(t.Step)
}

// NewScreeningTimerTask builds the task that runs a conversation's timer
// at its time.
func NewScreeningTimerTask(t outreach.ScreeningTimer, queueName string) (*asynq.Task, error) {
	payload, err := json.Marshal(ScreeningTimerPayload{ContactID: t.ContactID, Event: t.Event, Step: t.Step})
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return asynq.NewTask(TypeScreeningTimer, payload,
		asynq.TaskID(ScreeningTimerTaskID(t)),
		asynq.Queue(queueName),
		asynq.ProcessAt(t.At),
		asynq.MaxRetry(reminderMaxRetry),
		asynq.Timeout(time.Minute),
	), nil
}

// EnqueueScreeningTimer schedules a conversation's timer, unless it is in
// the queue already.
func (c *Client) EnqueueScreeningTimer(ctx context.Context, t outreach.ScreeningTimer) error {
	task, err := NewScreeningTimerTask(t, c.queue)
	if err != nil {
		return err
	}
	return c.enqueueOnce(ctx, task)
}

// screeningTimerTask runs TypeScreeningTimer tasks.
func screeningTimerTask(sender ContactSender) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p ScreeningTimerPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
		}
		// Given up: the outbox sweep runs due timers anyway.
		return outcome(ctx, sender.ScreeningTimerDue(ctx, p.ContactID, p.Event, p.Step), nil)
	}
}
