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

// Pre-screening tasks: its SMS, one task per planned message, and its
// timers, one task per (conversation, event, step).
const (
	TypeScreeningSMS   = "screening:sms"
	TypeScreeningTimer = "screening:timer"
)

// screeningMaxRetry bounds the provider retries of a pre-screening SMS (a
// few hours with backoff: the conversation expires anyway).
const screeningMaxRetry = 8

// ScreeningSMSPayload is the payload of a TypeScreeningSMS task.
type ScreeningSMSPayload struct {
	MessageID int64 `json:"message_id"`
}

// ScreeningSMSTaskID is the task ID of a pre-screening SMS: derived from
// the message, so enqueuing it twice is a no-op.
func ScreeningSMSTaskID(messageID int64) string {
	return "screening:sms:" + strconv.FormatInt(messageID, 10)
}

// NewScreeningSMSTask builds the task that sends a pre-screening SMS at
// the given time (the zero time: at once).
func NewScreeningSMSTask(messageID int64, at time.Time, queueName string) (*asynq.Task, error) {
	payload, err := json.Marshal(ScreeningSMSPayload{MessageID: messageID})
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return asynq.NewTask(TypeScreeningSMS, payload,
		asynq.TaskID(ScreeningSMSTaskID(messageID)),
		asynq.Queue(queueName),
		asynq.ProcessAt(at),
		asynq.MaxRetry(screeningMaxRetry),
		asynq.Timeout(time.Minute),
	), nil
}

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

// EnqueueScreeningMessage schedules a pre-screening SMS (the zero time: at
// once), unless it is in the queue already.
func (c *Client) EnqueueScreeningMessage(ctx context.Context, messageID int64, at time.Time) error {
	task, err := NewScreeningSMSTask(messageID, at, c.queue)
	if err != nil {
		return err
	}
	return c.enqueueOnce(ctx, task)
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

// screeningSMSTask runs TypeScreeningSMS tasks.
func screeningSMSTask(sender ContactSender) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p ScreeningSMSPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
		}
		return outcome(ctx, sender.SendScreeningMessage(ctx, p.MessageID), func(err error) error {
			return sender.AbandonScreeningMessage(ctx, p.MessageID, err)
		})
	}
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
