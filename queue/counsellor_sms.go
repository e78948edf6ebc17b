package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// TypeCounsellorSMS sends a counsellor's answer by SMS to a job seeker,
// one task per answer.
const TypeCounsellorSMS = "sms:answer"

// counsellorSMSMaxRetry bounds the provider retries of an answer (a few
// hours with backoff: the counsellor sees it failed in the thread after).
const counsellorSMSMaxRetry = 8

// CounsellorSMSPayload is the payload of a TypeCounsellorSMS task.
type CounsellorSMSPayload struct {
	MessageID int64 `json:"message_id"`
}

// CounsellorSMSTaskID is the task ID of an answer: derived from the
// answer, so enqueuing it twice is a no-op.
func CounsellorSMSTaskID(messageID int64) string {
	return "sms:answer:" + strconv.FormatInt(messageID, 10)
}

// NewCounsellorSMSTask builds the task that sends an answer at the given
// time (the zero time: at once).
func NewCounsellorSMSTask(messageID int64, at time.Time, queueName string) (*asynq.Task, error) {
	payload, err := json.Marshal(CounsellorSMSPayload{MessageID: messageID})
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return asynq.NewTask(TypeCounsellorSMS, payload,
		asynq.TaskID(CounsellorSMSTaskID(messageID)),
		asynq.Queue(queueName),
		asynq.ProcessAt(at),
		asynq.MaxRetry(counsellorSMSMaxRetry),
		asynq.Timeout(time.Minute),
	), nil
}

// EnqueueCounsellorMessage schedules an answer (the zero time: at once),
// unless it is in the queue already.
func (c *Client) EnqueueCounsellorMessage(ctx context.Context, messageID int64, at time.Time) error {
	task, err := NewCounsellorSMSTask(messageID, at, c.queue)
	if err != nil {
		return err
	}
	return c.enqueueOnce(ctx, task)
}

// counsellorSMSTask runs TypeCounsellorSMS tasks.
func counsellorSMSTask(sender ContactSender) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p CounsellorSMSPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
		}
		return outcome(ctx, sender.SendCounsellorMessage(ctx, p.MessageID), func(err error) error {
			return sender.AbandonCounsellorMessage(ctx, p.MessageID, err)
		})
	}
}
