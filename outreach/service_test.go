package outreach_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/sms"
)

const (
	simSID   = "AC00000000000000000000000000000000"
	simToken = "0123456789abcdef0123456789abcdef"
)

// TestOutreachWaitsForDecentHours: an outreach started on a Sunday
// afternoon is scheduled for Monday 08:00 (Paris), and a worker that picks
// a task too early sends nothing and asks to be run at that time.
func TestOutreachWaitsForDecentHours(t *testing.T) {
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	// asynq schedules against the real clock: use a coming Sunday.
	sunday, monday8 := comingSunday(paris)
	now := sunday
	quiet, err := outreach.ParseQuietHours("20:00-08:00", paris)
	if err != nil {
		t.Fatal(err)
	}

	sim := simulator.New(simulator.Config{AccountSID: simSID, AuthToken: simToken})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { sim.Close(); srv.Close() })
	sender, err := sms.NewTwilioSender(sms.Config{AccountSID: simSID, AuthToken: simToken, From: "+33700000000", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Service(t, sender, outreach.ServiceConfig{QuietHours: quiet, Now: func() time.Time { return now }})
	svc, store := env.Service, env.Store
	_, offer := env.Bakery(t, "0639980001")
	if res, err := svc.StartOutreach(ctx, offer.ID, 5); err != nil || res.Queued != 1 {
		t.Fatalf("start outreach: %+v %v", res, err)
	}

	tasks, err := asynq.NewInspectorFromRedisClient(env.Redis).ListScheduledTasks(env.Namespace)
	if err != nil || len(tasks) != 1 || !tasks[0].NextProcessAt.Equal(monday8) {
		t.Fatalf("scheduled %+v (%v), want one task at %s", tasks, err, monday8)
	}
	progress, _ := svc.Outreach(ctx, offer.ID)
	contactID := progress.Contacts[0].ID

	var retry *outreach.RetryAtError
	if err := svc.SendContact(ctx, contactID); !errors.As(err, &retry) || !retry.At.Equal(monday8) {
		t.Fatalf("sending on Sunday: %v, want a retry at %s", err, monday8)
	}
	if n := len(sim.Messages("")); n != 0 {
		t.Fatalf("%d SMS sent on a Sunday", n)
	}

	now = monday8
	if err := svc.SendContact(ctx, contactID); err != nil {
		t.Fatal(err)
	}
	if err := svc.SendContact(ctx, contactID); err != nil { // a redelivered task
		t.Fatal(err)
	}
	if msgs := sim.Messages("+33639980001"); len(msgs) != 1 {
		t.Fatalf("%d SMS on Monday 08:00, want exactly 1", len(msgs))
	}
	c, _ := store.Contact(ctx, contactID)
	if c.Status != outreach.StatusSent || c.MessageSID == "" || c.SentAt == nil || !c.SentAt.Equal(monday8) {
		t.Errorf("contact %+v", c)
	}
}

// comingSunday returns a Sunday 15:00 at least a day ahead whose Monday is
// a working day, and that Monday at 08:00.
func comingSunday(loc *time.Location) (time.Time, time.Time) {
	d := time.Now().In(loc).AddDate(0, 0, 2)
	for {
		sunday := time.Date(d.Year(), d.Month(), d.Day(), 15, 0, 0, 0, loc)
		monday := time.Date(d.Year(), d.Month(), d.Day()+1, 8, 0, 0, 0, loc)
		if sunday.Weekday() == time.Sunday && !outreach.IsFrenchPublicHoliday(monday) {
			return sunday, monday
		}
		d = d.AddDate(0, 0, 1)
	}
}
