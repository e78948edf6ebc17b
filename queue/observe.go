package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Results of a task run, for monitoring.
const (
	ResultOK     = "ok"     // done
	ResultRetry  = "retry"  // failed; the queue runs it again later
	ResultFailed = "failed" // failed for good: no retry left, or retrying cannot help
)

// TaskObserver is told how long each task ran and how it ended.
type TaskObserver interface {
	TaskDone(taskType, result string, d time.Duration)
}

// observeTasks is the worker's middleware reporting each task to o.
func observeTasks(o TaskObserver) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			err := next.ProcessTask(ctx, t)
			result := ResultOK
			switch {
			case errors.Is(err, asynq.SkipRetry):
				result = ResultFailed
			case err != nil:
				result = ResultRetry
			}
			o.TaskDone(t.Type(), result, time.Since(start))
			return err
		})
	}
}

// Depth is how many tasks of a queue are in each state, and how long the
// oldest pending one has waited.
type Depth struct {
	Pending, Active, Scheduled, Retry, Archived int
	Latency                                     time.Duration
}

// DepthReader reads the depth of one queue.
type DepthReader struct {
	inspector *asynq.Inspector
	queue     string
}

// NewDepthReader returns a reader of the depth of the named queue ("":
// DefaultQueue), sharing rdb's connections.
func NewDepthReader(rdb redis.UniversalClient, queueName string) *DepthReader {
	if queueName == "" {
		queueName = DefaultQueue
	}
	return &DepthReader{inspector: asynq.NewInspectorFromRedisClient(rdb), queue: queueName}
}

// Queue is the name of the queue read.
func (r *DepthReader) Queue() string { return r.queue }

// Depth reads the queue's depth: zero for a queue no task was ever put in.
// asynq's inspector takes no context: past ctx's end, Depth returns its
// error and leaves the reading to finish on its own.
func (r *DepthReader) Depth(ctx context.Context) (Depth, error) {
	type answer struct {
		d   Depth
		err error
	}
	done := make(chan answer, 1)
	go func() {
		d, err := r.read()
		done <- answer{d, err}
	}()
	select {
	case a := <-done:
		return a.d, a.err
	case <-ctx.Done():
		return Depth{}, fmt.Errorf("queue depth: %w", ctx.Err())
	}
}

func (r *DepthReader) read() (Depth, error) {
	queues, err := r.inspector.Queues()
	if err != nil {
		return Depth{}, fmt.Errorf("list queues: %w", err)
	}
	if !slices.Contains(queues, r.queue) {
		return Depth{}, nil
	}
	info, err := r.inspector.GetQueueInfo(r.queue)
	if err != nil {
		return Depth{}, fmt.Errorf("queue info: %w", err)
	}
	return Depth{Pending: info.Pending, Active: info.Active, Scheduled: info.Scheduled, Retry: info.Retry,
		Archived: info.Archived, Latency: info.Latency}, nil
}
