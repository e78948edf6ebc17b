package queue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/queue"
)

func TestEnqueueSendIsIdempotentAndScheduled(t *testing.T) {
	rdb, ns := testenv.Redis(t)
	client := queue.NewClient(rdb, ns)
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	for range 3 {
		if err := client.EnqueueSend(context.Background(), 42, at); err != nil {
			t.Fatal(err)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	tasks, err := insp.ListScheduledTasks(ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].ID != queue.SendSMSTaskID(42) || !tasks[0].NextProcessAt.Equal(at) {
		t.Fatalf("scheduled %+v, want one task %s at %s", tasks, queue.SendSMSTaskID(42), at)
	}
}

// contactSender answers each contact with the error it was given.
type contactSender struct {
	errs map[int64]error
	done chan int64
}

func (s contactSender) SendContact(_ context.Context, id int64) error {
	s.done <- id
	return s.errs[id]
}

func TestWorkerRetryPolicy(t *testing.T) {
	rdb, ns := testenv.Redis(t)
	quietUntil := time.Now().Add(time.Hour).Truncate(time.Second)
	sender := contactSender{done: make(chan int64, 10), errs: map[int64]error{
		1: nil,
		2: &outreach.PermanentError{Err: errors.New("21211 invalid number")},
		3: &outreach.RetryAtError{At: quietUntil, Reason: "quiet hours"},
		4: errors.New("twilio 503"),
	}}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Queue: ns, ShutdownTimeout: time.Second}, sender)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	client := queue.NewClient(rdb, ns)
	for id := range int64(4) {
		if err := client.EnqueueSend(context.Background(), id+1, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		select {
		case <-sender.done:
		case <-time.After(20 * time.Second):
			t.Fatal("worker did not run the tasks")
		}
	}
	w.Shutdown()

	insp := asynq.NewInspectorFromRedisClient(rdb)
	archived, _ := insp.ListArchivedTasks(ns)
	if len(archived) != 1 || archived[0].ID != queue.SendSMSTaskID(2) {
		t.Errorf("archived %v, want only the permanent failure", ids(archived))
	}
	retries, _ := insp.ListRetryTasks(ns)
	byID := map[string]*asynq.TaskInfo{}
	for _, r := range retries {
		byID[r.ID] = r
	}
	quiet, transient := byID[queue.SendSMSTaskID(3)], byID[queue.SendSMSTaskID(4)]
	if quiet == nil || transient == nil || len(retries) != 2 {
		t.Fatalf("retry tasks %v, want the quiet-hours one and the transient one", ids(retries))
	}
	if quiet.Retried != 0 || quiet.NextProcessAt.Sub(quietUntil).Abs() > 2*time.Second {
		t.Errorf("quiet hours: retried %d, next at %s; want 0 retries (not a failure), next at %s", quiet.Retried, quiet.NextProcessAt, quietUntil)
	}
	if transient.Retried != 1 || !transient.NextProcessAt.After(time.Now()) {
		t.Errorf("transient: retried %d next at %s, want one retry later", transient.Retried, transient.NextProcessAt)
	}
}

func ids(ts []*asynq.TaskInfo) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}
