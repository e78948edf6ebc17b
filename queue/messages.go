package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Tasks that send one message of an SMS outbox without delivery reports:
// the pre-screening SMS (TypeScreeningSMS) and the counsellors' answers
// (TypeCounsellorSMS). A task per message, whose ID is the type and the
// message's, so that enqueuing it twice is a no-op.
const (
	TypeScreeningSMS  = "screening:sms"
	TypeCounsellorSMS = "sms:answer"
)

// messageMaxRetry bounds the provider retries of such a message: a few
// hours with backoff, after which it is marked failed (a conversation
// expires anyway; the counsellor sees a failed answer in the thread).
const messageMaxRetry = 8

// MessagePayload is the payload of a message task.
type MessagePayload struct {
	MessageID int64 `json:"message_id"`
}

// ScreeningSMSTaskID is the task ID of a pre-screening SMS.
func ScreeningSMSTaskID(messageID int64) string { return messageTaskID(TypeScreeningSMS, messageID) }

// CounsellorSMSTaskID is the task ID of a counsellor's answer.
func CounsellorSMSTaskID(messageID int64) string { return messageTaskID(TypeCounsellorSMS, messageID) }

func messageTaskID(typ string, messageID int64) string {
	return typ + ":" + strconv.FormatInt(messageID, 10)
}

// NewMessageTask builds the task of type typ that sends a message at the
// given time (the zero time: at once).
func NewMessageTask(typ string, messageID int64, at time.Time, queueName string) (*asynq.Task, error) {
	payload, err := json.Marshal(MessagePayload{MessageID: messageID})
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return asynq.NewTask(typ, payload,
		asynq.TaskID(messageTaskID(typ, messageID)),
		asynq.Queue(queueName),
		asynq.ProcessAt(at),
		asynq.MaxRetry(messageMaxRetry),
		asynq.Timeout(time.Minute),
	), nil
}

// EnqueueScreeningMessage schedules a pre-screening SMS (the zero time: at
// once), unless it is in the queue already.
func (c *Client) EnqueueScreeningMessage(ctx context.Context, messageID int64, at time.Time) error {
	return c.enqueueMessage(ctx, TypeScreeningSMS, messageID, at)
}

// EnqueueCounsellorMessage schedules an answer (the zero time: at once),
// unless it is in the queue already.
func (c *Client) EnqueueCounsellorMessage(ctx context.Context, messageID int64, at time.Time) error {
	return c.enqueueMessage(ctx, TypeCounsellorSMS, messageID, at)
}

func (c *Client) enqueueMessage(ctx context.Context, typ string, messageID int64, at time.Time) error {
	task, err := NewMessageTask(typ, messageID, at, c.queue)
	if err != nil {
		return err
	}
	return c.enqueueOnce(ctx, task)
}

// messageTask is the handler of a message task: send runs it, and after
// the last retry abandon marks the message failed.
func messageTask(send func(context.Context, int64) error, abandon func(context.Context, int64, error) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p MessagePayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
		}
		return outcome(ctx, send(ctx, p.MessageID), func(err error) error {
			return abandon(ctx, p.MessageID, err)
		})
	}
}
