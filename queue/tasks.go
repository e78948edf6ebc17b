// Package queue is the asynq adapter: task types and payloads, the client
// that enqueues them and the worker that runs them against the domain.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// TypeSendSMS sends the SMS of one contact.
const TypeSendSMS = "sms:send"

// TypeRemindSMS sends the reminder of one contact whose SMS went unanswered.
const TypeRemindSMS = "sms:remind"

// DefaultQueue is the asynq queue the service uses unless configured.
const DefaultQueue = "outreach"

// maxRetry bounds provider retries of one SMS (about a day with backoff);
// reminderMaxRetry, of a reminder (a few minutes: a late one is pointless).
const (
	maxRetry         = 12
	reminderMaxRetry = 5
)

// SendSMSPayload is the payload of a TypeSendSMS task.
type SendSMSPayload struct {
	ContactID int64 `json:"contact_id"`
}

// SendSMSTaskID is the asynq task ID of a contact's SMS: derived from the
// contact, so enqueuing it twice is a no-op.
func SendSMSTaskID(contactID int64) string {
	return "sms:send:" + strconv.FormatInt(contactID, 10)
}

// NewSendSMSTask builds the task that sends a contact's SMS at the given time.
func NewSendSMSTask(contactID int64, at time.Time, queueName string) (*asynq.Task, error) {
	payload, err := json.Marshal(SendSMSPayload{ContactID: contactID})
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return asynq.NewTask(TypeSendSMS, payload,
		asynq.TaskID(SendSMSTaskID(contactID)),
		asynq.Queue(queueName),
		asynq.ProcessAt(at),
		asynq.MaxRetry(maxRetry),
		asynq.Timeout(time.Minute),
	), nil
}

// RemindSMSTaskID is the asynq task ID of a contact's reminder: derived
// from the contact, so enqueuing it twice is a no-op.
func RemindSMSTaskID(contactID int64) string {
	return "sms:remind:" + strconv.FormatInt(contactID, 10)
}

// NewRemindSMSTask builds the task that sends a contact's reminder at the
// given time (the zero time: at once). Its payload is a SendSMSPayload.
func NewRemindSMSTask(contactID int64, at time.Time, queueName string) (*asynq.Task, error) {
	payload, err := json.Marshal(SendSMSPayload{ContactID: contactID})
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return asynq.NewTask(TypeRemindSMS, payload,
		asynq.TaskID(RemindSMSTaskID(contactID)),
		asynq.Queue(queueName),
		asynq.ProcessAt(at),
		asynq.MaxRetry(reminderMaxRetry),
		asynq.Timeout(time.Minute),
	), nil
}

// Client enqueues tasks.
type Client struct {
	asynq *asynq.Client
	rdb   redis.UniversalClient
	queue string
}

// NewClient returns a Client on the Redis client. queueName "" means DefaultQueue.
func NewClient(rdb redis.UniversalClient, queueName string) *Client {
	if queueName == "" {
		queueName = DefaultQueue
	}
	return &Client{asynq: asynq.NewClientFromRedisClient(rdb), rdb: rdb, queue: queueName}
}

// EnqueueSend schedules a contact's SMS. A contact already in the queue is
// not enqueued again.
func (c *Client) EnqueueSend(ctx context.Context, contactID int64, at time.Time) error {
	task, err := NewSendSMSTask(contactID, at, c.queue)
	if err != nil {
		return err
	}
	return c.enqueueOnce(ctx, task)
}

// EnqueueReminder schedules a contact's reminder (the zero time: at once).
// A reminder already in the queue is not enqueued again.
func (c *Client) EnqueueReminder(ctx context.Context, contactID int64, at time.Time) error {
	task, err := NewRemindSMSTask(contactID, at, c.queue)
	if err != nil {
		return err
	}
	return c.enqueueOnce(ctx, task)
}

// enqueueOnce enqueues a task, unless one with its ID is in the queue.
func (c *Client) enqueueOnce(ctx context.Context, task *asynq.Task) error {
	_, err := c.asynq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", task.Type(), err)
	}
	return nil
}

// wholeKey marks, in the Redis that holds the queue, that every queued
// contact was handed to it. It vanishes with the rest when Redis loses its
// data (a restart without persistence, a flush, a failover to an empty
// replica), which is how the outbox sweep knows to queue them all again.
// Its {queue} hash tag is asynq's: on a Redis Cluster it lives in the
// queue's hash slot, so on the node that would lose the queue's tasks.
// It holds the server's run ID (see serverID): a failover to a replica
// keeps the mark but may lose the last tasks queued on the old master.
func (c *Client) wholeKey() string { return "outreach:{" + c.queue + "}:queue-whole" }

// QueueLost reports whether the mark of a whole queue is missing, or was
// set by another Redis server than the one holding the queue now.
func (c *Client) QueueLost(ctx context.Context) (bool, error) {
	mark, err := c.rdb.Get(ctx, c.wholeKey()).Result()
	if errors.Is(err, redis.Nil) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("check queue mark: %w", err)
	}
	return mark != c.serverID(ctx), nil
}

// MarkQueueWhole sets the mark of a whole queue.
func (c *Client) MarkQueueWhole(ctx context.Context) error {
	if err := c.rdb.Set(ctx, c.wholeKey(), c.serverID(ctx), 0).Err(); err != nil {
		return fmt.Errorf("mark queue whole: %w", err)
	}
	return nil
}
