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

// ContactSender is what the worker runs: the sending of a contact's SMS
// (TypeSendSMS), of its reminder (TypeRemindSMS), of the pre-screening
// SMS (TypeScreeningSMS) and of the counsellors' answers
// (TypeCounsellorSMS), giving up on each after the last retry; the
// pre-screening timers (TypeScreeningTimer); and the outbox sweep.
type ContactSender interface {
	SendContact(ctx context.Context, contactID int64) error
	AbandonContact(ctx context.Context, contactID int64, cause error) error
	RemindContact(ctx context.Context, contactID int64) error
	AbandonReminder(ctx context.Context, contactID int64, cause error) error
	SendScreeningMessage(ctx context.Context, messageID int64) error
	AbandonScreeningMessage(ctx context.Context, messageID int64, cause error) error
	ScreeningTimerDue(ctx context.Context, contactID int64, event outreach.ScreeningEventKind, step int) error
	SendCounsellorMessage(ctx context.Context, messageID int64) error
	AbandonCounsellorMessage(ctx context.Context, messageID int64, cause error) error
	ReconcileOutbox(ctx context.Context) (outreach.OutboxSwept, error)
}

// DefaultShutdownTimeout is how long Shutdown lets the tasks in flight
// finish before it puts them back in the queue, unless configured.
const DefaultShutdownTimeout = 20 * time.Second

// WorkerConfig sets up a worker process.
type WorkerConfig struct {
	Queue           string        // "" means DefaultQueue
	Concurrency     int           // 0 means 10
	ShutdownTimeout time.Duration // 0 means DefaultShutdownTimeout
	// SweepEvery is the period of the outbox sweep (0 means 5 s).
	SweepEvery time.Duration
	// RetryBase is the first retry delay after a transient provider error,
	// doubling with each retry up to an hour (0 means 10 s).
	RetryBase time.Duration
	Logger    *slog.Logger
	// Observer, when set, is told how long each task ran.
	Observer TaskObserver
	// Retention, when set, runs once a day (TypeRetention), scheduled by
	// the outbox sweep of whichever worker comes first.
	Retention Retainer
}

// Worker runs queued tasks and sweeps the outbox.
type Worker struct {
	server     *asynq.Server
	mux        *asynq.ServeMux
	sender     ContactSender
	sweepEvery time.Duration
	log        *slog.Logger
	stopSweep  context.CancelFunc
	swept      chan struct{}
	retention  *retentionSchedule // nil: no retention runs
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
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.SweepEvery == 0 {
		cfg.SweepEvery = 5 * time.Second
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 10 * time.Second
	}
	retryDelay := backoff(cfg.RetryBase)
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
	if cfg.Observer != nil {
		mux.Use(observeTasks(cfg.Observer))
	}
	mux.HandleFunc(TypeSendSMS, contactTask(sender.SendContact, sender.AbandonContact))
	mux.HandleFunc(TypeRemindSMS, contactTask(sender.RemindContact, sender.AbandonReminder))
	mux.HandleFunc(TypeScreeningSMS, messageTask(sender.SendScreeningMessage, sender.AbandonScreeningMessage))
	mux.HandleFunc(TypeScreeningTimer, screeningTimerTask(sender))
	mux.HandleFunc(TypeCounsellorSMS, messageTask(sender.SendCounsellorMessage, sender.AbandonCounsellorMessage))
	var retention *retentionSchedule
	if cfg.Retention != nil {
		retention = registerRetention(mux, rdb, cfg.Queue, cfg.Retention, log)
	}
	return &Worker{server: server, mux: mux, sender: sender, sweepEvery: cfg.SweepEvery, log: log, retention: retention}
}

// contactTask is the handler of a task about one contact: send runs it;
// a permanent error is not retried, and after the last retry abandon
// records that the queue gave up.
func contactTask(send func(context.Context, int64) error,
	abandon func(context.Context, int64, error) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p SendSMSPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
		}
		return outcome(ctx, send(ctx, p.ContactID), func(err error) error {
			return abandon(ctx, p.ContactID, err)
		})
	}
}

// outcome is what a task returns to asynq for the error err of its run: a
// permanent error is not retried, and after the last retry abandon (when
// not nil) records that the queue gave up.
func outcome(ctx context.Context, err error, abandon func(error) error) error {
	var permanent *outreach.PermanentError
	switch {
	case errors.As(err, &permanent):
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	case err != nil && isFailure(err) && lastAttempt(ctx):
		if abandon != nil {
			if abandonErr := abandon(err); abandonErr != nil {
				return fmt.Errorf("%w (and marking it failed: %w)", err, abandonErr)
			}
		}
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}

// lastAttempt reports whether the task running in ctx has no retry left.
func lastAttempt(ctx context.Context) bool {
	retried, ok1 := asynq.GetRetryCount(ctx)
	most, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && retried >= most
}

// Start begins processing, and sweeping the outbox, in the background.
func (w *Worker) Start() error {
	if err := w.server.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stopSweep, w.swept = cancel, make(chan struct{})
	go w.sweep(ctx)
	return nil
}

// sweep runs the outbox sweep at start and then periodically, until ctx
// ends. A failed sweep (Redis or PostgreSQL down) is logged and retried at
// the next tick.
func (w *Worker) sweep(ctx context.Context) {
	defer close(w.swept)
	tick := time.NewTicker(w.sweepEvery)
	defer tick.Stop()
	for {
		if _, err := w.sender.ReconcileOutbox(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("outbox sweep failed; next one in a moment", "err", err)
		}
		w.retention.schedule(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Shutdown stops the sweep and fetching tasks, waits for those in flight
// (up to the shutdown timeout) and puts the unfinished ones back in the
// queue.
func (w *Worker) Shutdown() {
	if w.stopSweep != nil {
		w.stopSweep()
		<-w.swept
	}
	w.server.Shutdown()
}

// backoff returns the retry delay: until the end of quiet hours for a
// RetryAtError; otherwise exponential from base with jitter (10 s, 20 s,
// ... up to 1 h by default), the jitter spreading a burst of failures.
func backoff(base time.Duration) asynq.RetryDelayFunc {
	return func(n int, err error, _ *asynq.Task) time.Duration {
		var at *outreach.RetryAtError
		if errors.As(err, &at) {
			return max(time.Until(at.At), time.Second)
		}
		d := min(base<<min(n, 9), time.Hour)
		return d/2 + rand.N(d/2+1)
	}
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
