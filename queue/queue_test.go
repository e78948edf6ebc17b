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
	errs      map[int64]error
	done      chan int64
	abandoned chan int64
	sweeps    chan struct{}
	// reminded and gaveUpReminders receive the contacts of reminder tasks.
	reminded, gaveUpReminders chan int64
	// screeningSMS and gaveUpScreeningSMS receive the messages of
	// pre-screening SMS tasks; timers, the timer tasks run.
	screeningSMS, gaveUpScreeningSMS chan int64
	timers                           chan outreach.ScreeningTimer
	// answers and gaveUpAnswers receive the messages of counsellors'
	// answer tasks.
	answers, gaveUpAnswers chan int64
}

func (s contactSender) SendContact(_ context.Context, id int64) error {
	s.done <- id
	return s.errs[id]
}

func (s contactSender) AbandonContact(_ context.Context, id int64, _ error) error {
	s.abandoned <- id
	return nil
}

func (s contactSender) RemindContact(_ context.Context, id int64) error {
	s.reminded <- id
	return s.errs[id]
}

func (s contactSender) AbandonReminder(_ context.Context, id int64, _ error) error {
	s.gaveUpReminders <- id
	return nil
}

func (s contactSender) SendScreeningMessage(_ context.Context, id int64) error {
	s.screeningSMS <- id
	return s.errs[id]
}

func (s contactSender) AbandonScreeningMessage(_ context.Context, id int64, _ error) error {
	s.gaveUpScreeningSMS <- id
	return nil
}

func (s contactSender) ScreeningTimerDue(_ context.Context, id int64, event outreach.ScreeningEventKind, step int) error {
	s.timers <- outreach.ScreeningTimer{ContactID: id, Event: event, Step: step}
	return nil
}

func (s contactSender) SendCounsellorMessage(_ context.Context, id int64) error {
	s.answers <- id
	return s.errs[id]
}

func (s contactSender) AbandonCounsellorMessage(_ context.Context, id int64, _ error) error {
	s.gaveUpAnswers <- id
	return nil
}

func (s contactSender) ReconcileOutbox(context.Context) (outreach.OutboxSwept, error) {
	select {
	case s.sweeps <- struct{}{}:
	default:
	}
	return outreach.OutboxSwept{}, nil
}

func TestWorkerAbandonsAfterTheLastRetryAndSweeps(t *testing.T) {
	rdb, ns := testenv.Redis(t)
	sender := contactSender{done: make(chan int64, 10), abandoned: make(chan int64, 10), sweeps: make(chan struct{}, 1),
		errs: map[int64]error{7: errors.New("twilio 503")}}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Queue: ns, ShutdownTimeout: time.Second, SweepEvery: 50 * time.Millisecond}, sender)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	select {
	case <-sender.sweeps:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not sweep the outbox")
	}
	// A task with no retry left, as after the twelfth.
	task := asynq.NewTask(queue.TypeSendSMS, []byte(`{"contact_id":7}`), asynq.TaskID(queue.SendSMSTaskID(7)),
		asynq.Queue(ns), asynq.MaxRetry(0))
	if _, err := asynq.NewClientFromRedisClient(rdb).Enqueue(task); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-sender.abandoned:
		if id != 7 {
			t.Fatalf("abandoned contact %d, want 7", id)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a transient failure on the last attempt did not abandon the contact")
	}
}

func TestQueueLostUntilMarkedWhole(t *testing.T) {
	ctx := context.Background()
	rdb, ns := testenv.Redis(t)
	client := queue.NewClient(rdb, ns)
	mark := "outreach:{" + ns + "}:queue-whole"
	steps := []struct {
		do   func() error
		want bool
	}{
		{func() error { return nil }, true}, // never marked: lost, as after a restart
		{func() error { return client.MarkQueueWhole(ctx) }, false},
		{func() error { return nil }, false},
		{func() error { return rdb.Del(ctx, mark).Err() }, true}, // Redis emptied
		{func() error { return client.MarkQueueWhole(ctx) }, false},
		// A failover: the replica promoted has the mark, set by the old
		// master, but maybe not the last tasks queued there.
		{func() error { return rdb.Set(ctx, mark, "run-id-of-the-old-master", 0).Err() }, true},
		{func() error { return client.MarkQueueWhole(ctx) }, false},
	}
	for i, st := range steps {
		if err := st.do(); err != nil {
			t.Fatal(err)
		}
		if lost, err := client.QueueLost(ctx); err != nil || lost != st.want {
			t.Fatalf("step %d: lost %v (err %v), want %v", i, lost, err, st.want)
		}
	}
}

func TestWorkerRetryPolicy(t *testing.T) {
	rdb, ns := testenv.Redis(t)
	quietUntil := time.Now().Add(time.Hour).Truncate(time.Second)
	sender := contactSender{done: make(chan int64, 10), abandoned: make(chan int64, 10), errs: map[int64]error{
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

// TestReminderTasks: a contact's reminder is one task, run at once when
// given the zero time, by the reminder's handler; its last transient
// failure gives the reminder up.
func TestReminderTasks(t *testing.T) {
	ctx := context.Background()
	rdb, ns := testenv.Redis(t)
	client := queue.NewClient(rdb, ns)
	for range 3 {
		for _, id := range []int64{5, 6} {
			if err := client.EnqueueReminder(ctx, id, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	pending, err := insp.ListPendingTasks(ns)
	if err != nil || len(pending) != 2 || pending[0].Type != queue.TypeRemindSMS || pending[0].MaxRetry != 5 {
		t.Fatalf("pending %v (%v), want the two reminders, 5 retries each", ids(pending), err)
	}
	// Contact 6's reminder has no retry left.
	if err := insp.DeleteTask(ns, queue.RemindSMSTaskID(6)); err != nil {
		t.Fatal(err)
	}
	last := asynq.NewTask(queue.TypeRemindSMS, []byte(`{"contact_id":6}`), asynq.TaskID(queue.RemindSMSTaskID(6)),
		asynq.Queue(ns), asynq.MaxRetry(0))
	if _, err := asynq.NewClientFromRedisClient(rdb).Enqueue(last); err != nil {
		t.Fatal(err)
	}
	sender := contactSender{done: make(chan int64, 10), abandoned: make(chan int64, 10), reminded: make(chan int64, 10),
		gaveUpReminders: make(chan int64, 10), errs: map[int64]error{6: errors.New("twilio 503")}}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Queue: ns, ShutdownTimeout: time.Second}, sender)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	got := map[int64]bool{}
	for len(got) < 2 {
		select {
		case id := <-sender.reminded:
			got[id] = true
		case <-time.After(20 * time.Second):
			t.Fatalf("reminders run: %v, want 5 and 6", got)
		}
	}
	select {
	case id := <-sender.gaveUpReminders:
		if id != 6 {
			t.Fatalf("gave up the reminder of %d, want 6", id)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a transient failure on the last attempt did not give the reminder up")
	}
	if len(sender.done) != 0 || len(sender.abandoned) != 0 {
		t.Error("reminder tasks ran the offer SMS's handlers")
	}
}

// TestScreeningTasks: a pre-screening SMS is one task per message and a
// timer one per (contact, event, step), the expiry one per contact; each
// runs its handler, and the SMS's last transient failure gives it up.
func TestScreeningTasks(t *testing.T) {
	ctx := context.Background()
	rdb, ns := testenv.Redis(t)
	client := queue.NewClient(rdb, ns)
	timers := []outreach.ScreeningTimer{
		{ContactID: 3, Event: outreach.EventReminderDue, Step: 1},
		{ContactID: 3, Event: outreach.EventReminderDue, Step: 2},
		{ContactID: 3, Event: outreach.EventExpired, Step: 1},
		{ContactID: 3, Event: outreach.EventExpired, Step: 2}, // the same expiry
	}
	for range 3 {
		for _, id := range []int64{8, 9} {
			if err := client.EnqueueScreeningMessage(ctx, id, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tm := range timers {
			if err := client.EnqueueScreeningTimer(ctx, tm); err != nil {
				t.Fatal(err)
			}
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	pending, err := insp.ListPendingTasks(ns)
	if err != nil || len(pending) != 5 {
		t.Fatalf("pending %v (%v), want 2 SMS and 3 timers", ids(pending), err)
	}
	// Message 9 has no retry left.
	if err := insp.DeleteTask(ns, queue.ScreeningSMSTaskID(9)); err != nil {
		t.Fatal(err)
	}
	last := asynq.NewTask(queue.TypeScreeningSMS, []byte(`{"message_id":9}`), asynq.TaskID(queue.ScreeningSMSTaskID(9)),
		asynq.Queue(ns), asynq.MaxRetry(0))
	if _, err := asynq.NewClientFromRedisClient(rdb).Enqueue(last); err != nil {
		t.Fatal(err)
	}
	sender := contactSender{screeningSMS: make(chan int64, 10), gaveUpScreeningSMS: make(chan int64, 10),
		timers: make(chan outreach.ScreeningTimer, 10), errs: map[int64]error{9: errors.New("twilio 503")}}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Queue: ns, ShutdownTimeout: time.Second}, sender)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	sent, ran := map[int64]bool{}, map[outreach.ScreeningTimer]bool{}
	for len(sent) < 2 || len(ran) < 3 {
		select {
		case id := <-sender.screeningSMS:
			sent[id] = true
		case tm := <-sender.timers:
			ran[tm] = true
		case <-time.After(20 * time.Second):
			t.Fatalf("ran SMS %v and timers %v, want 8, 9 and 3 timers", sent, ran)
		}
	}
	if !ran[timers[0]] || !ran[timers[1]] || !ran[timers[2]] {
		t.Errorf("timers run %v, want %v", ran, timers[:3])
	}
	select {
	case id := <-sender.gaveUpScreeningSMS:
		if id != 9 {
			t.Fatalf("gave up message %d, want 9", id)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a transient failure on the last attempt did not give the SMS up")
	}
}

// TestCounsellorSMSTasks: a counsellor's answer is one task per message,
// run at once when given the zero time, later at the time given (the end
// of quiet hours), by the answer's handler; its last transient failure
// gives it up, a permanent one archives it at once.
func TestCounsellorSMSTasks(t *testing.T) {
	ctx := context.Background()
	rdb, ns := testenv.Redis(t)
	client := queue.NewClient(rdb, ns)
	later := time.Now().Add(time.Hour).Truncate(time.Second)
	for range 3 {
		for _, id := range []int64{11, 12, 13} {
			if err := client.EnqueueCounsellorMessage(ctx, id, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := client.EnqueueCounsellorMessage(ctx, 14, later); err != nil {
			t.Fatal(err)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	pending, err := insp.ListPendingTasks(ns)
	if err != nil || len(pending) != 3 || pending[0].Type != queue.TypeCounsellorSMS || pending[0].MaxRetry != 8 {
		t.Fatalf("pending %v (%v), want answers 11, 12 and 13 once each, 8 retries each", ids(pending), err)
	}
	scheduled, err := insp.ListScheduledTasks(ns)
	if err != nil || len(scheduled) != 1 || scheduled[0].ID != queue.CounsellorSMSTaskID(14) ||
		!scheduled[0].NextProcessAt.Equal(later) {
		t.Fatalf("scheduled %v (%v), want answer 14 at %s", ids(scheduled), err, later)
	}
	// Answer 12 has no retry left.
	if err := insp.DeleteTask(ns, queue.CounsellorSMSTaskID(12)); err != nil {
		t.Fatal(err)
	}
	last := asynq.NewTask(queue.TypeCounsellorSMS, []byte(`{"message_id":12}`), asynq.TaskID(queue.CounsellorSMSTaskID(12)),
		asynq.Queue(ns), asynq.MaxRetry(0))
	if _, err := asynq.NewClientFromRedisClient(rdb).Enqueue(last); err != nil {
		t.Fatal(err)
	}
	sender := contactSender{answers: make(chan int64, 10), gaveUpAnswers: make(chan int64, 10), errs: map[int64]error{
		12: errors.New("twilio 503"),
		13: &outreach.PermanentError{Err: errors.New("21211 invalid number")},
	}}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Queue: ns, ShutdownTimeout: time.Second}, sender)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for len(got) < 3 {
		select {
		case id := <-sender.answers:
			got[id] = true
		case <-time.After(20 * time.Second):
			t.Fatalf("answers run: %v, want 11, 12 and 13", got)
		}
	}
	select {
	case id := <-sender.gaveUpAnswers:
		if id != 12 {
			t.Fatalf("gave up answer %d, want 12", id)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a transient failure on the last attempt did not give the answer up")
	}
	w.Shutdown()
	if got[14] {
		t.Error("the answer held for later ran at once")
	}
	archived, _ := insp.ListArchivedTasks(ns)
	want := map[string]bool{queue.CounsellorSMSTaskID(12): true, queue.CounsellorSMSTaskID(13): true}
	if len(archived) != 2 || !want[archived[0].ID] || !want[archived[1].ID] {
		t.Errorf("archived %v, want the answer given up and the one refused for good", ids(archived))
	}
}
