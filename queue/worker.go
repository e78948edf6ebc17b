package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/outreach"
)

// ContactSender is the use case the worker runs for TypeSendSMS.
type ContactSender interface {
	SendContact(ctx context.Context, contactID int64) error
}

// WorkerConfig sets up a worker process.
type WorkerConfig struct {
	Queue           string // "" means DefaultQueue
	Concurrency     int    // 0 means 10
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// Worker runs queued tasks.
type Worker struct {
	server *asynq.Server
	mux    *asynq.ServeMux
}

// NewWorker builds a worker that sends SMS through sender.
func NewWorker(rdb redis.UniversalClient, cfg WorkerConfig, sender ContactSender) *Worker {
	if cfg.Queue == "" {
		cfg.Queue = DefaultQueue
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 10
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "worker")
	server := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          map[string]int{cfg.Queue: 1},
		RetryDelayFunc:  retryDelay,
		IsFailure:       isFailure,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          asynqLogger{log},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			if isFailure(err) {
				log.Warn("task failed", "type", t.Type(), "err", err)
			}
		}),
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeSendSMS, func(ctx context.Context, t *asynq.Task) error {
		var p SendSMSPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
		}
		err := sender.SendContact(ctx, p.ContactID)
		var permanent *outreach.PermanentError
		if errors.As(err, &permanent) {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return err
	})
	return &Worker{server: server, mux: mux}
}

// Start begins processing in the background.
func (w *Worker) Start() error {
	if err := w.server.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	return nil
}

// Shutdown stops fetching tasks, waits for those in flight (up to the
// shutdown timeout) and puts the unfinished ones back in the queue.
func (w *Worker) Shutdown() {
	w.server.Shutdown()
}

// retryDelay waits until the end of quiet hours for a RetryAtError, and
// backs off exponentially with jitter otherwise (10 s, 20 s, ... up to 1 h).
func retryDelay(n int, err error, _ *asynq.Task) time.Duration {
	var at *outreach.RetryAtError
	if errors.As(err, &at) {
		return max(time.Until(at.At), time.Second)
	}
	d := 10 * time.Second << min(n, 9)
	d = min(d, time.Hour)
	return d/2 + rand.N(d/2+1)
}

// isFailure tells asynq whether an error counts against the retry limit:
// waiting for the end of quiet hours does not.
func isFailure(err error) bool {
	var at *outreach.RetryAtError
	return !errors.As(err, &at)
}

// asynqLogger routes asynq's own logs to slog.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...)) }
func (l asynqLogger) Fatal(args ...any) { l.log.Error(fmt.Sprint(args...)) }
