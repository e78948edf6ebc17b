package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/queue"
)

// TestRetentionPurgesClosedCampaigns: the numbers and texts of the SMS of
// an offer whose campaign closed more than RETENTION_AFTER ago are purged
// by the worker's retention task (offer SMS, replies, pre-screening SMS,
// counsellors' answers), and those of old SMS that answered no contact;
// statuses, replies and counts stay, an offer closed recently is left
// alone, the run is in the audit log with its counts, and a second run
// changes nothing.
func TestRetentionPurgesClosedCampaigns(t *testing.T) {
	w := newGDPRWorld(t, withEnv(map[string]string{"RETENTION_AFTER": "90d"}))
	ctx := w.ctx
	ana := w.person("R-ANA", "Ana", "0639986101")
	bob := w.person("R-BOB", "Bob", "0639986102")
	old, oldRef := w.offer("OF-OLD", []map[string]any{{"kind": "free", "text": "Avez-vous le permis B ?"}})
	w.launch(old, 2)
	w.reply(ana.phone, "OUI "+oldRef)
	w.settled(ana.phone)
	w.reply(ana.phone, "oui")
	w.reply(bob.phone, "NON "+oldRef)
	w.settled(ana.phone)
	if _, err := w.stack.svc.AnswerBySMS(ctx, w.viewer(), w.latestItem(ana), "Merci Ana, à bientôt."); err != nil {
		t.Fatal(err)
	}
	w.settled(ana.phone)
	recent, recentRef := w.offer("OF-RECENT", nil)
	w.launch(recent, 2)
	w.reply(ana.phone, "OUI "+recentRef)
	w.reply("+33639986199", "Qui êtes-vous ?") // an unknown number
	summary := func(offerID int64) string {
		_, body := w.raw(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/outreach/summary", offerID), "", "", w.auth())
		return body
	}
	before := summary(old)

	// The first offer's campaign closed 100 days ago, the second's 10;
	// the unknown number wrote 100 days ago.
	for _, q := range []string{
		fmt.Sprintf(`UPDATE offers SET closed_at = now() - interval '100 days' WHERE id = %d`, old),
		fmt.Sprintf(`UPDATE offers SET closed_at = now() - interval '10 days' WHERE id = %d`, recent),
		`UPDATE inbound_messages SET received_at = now() - interval '100 days' WHERE contact_id IS NULL`,
	} {
		if _, err := w.stack.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// The worker runs the retention task (a day the queue has not seen).
	day := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := asynq.NewClientFromRedisClient(w.stack.rdb).Enqueue(queue.NewRetentionTask(day, w.cfg.QueueName)); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspectorFromRedisClient(w.stack.rdb)
	eventually(t, "the retention task run", func() bool {
		info, err := insp.GetTaskInfo(w.cfg.QueueName, queue.RetentionTaskID(day))
		return err == nil && info.State == asynq.TaskStateCompleted
	})

	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := w.stack.pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	checks := []struct {
		what string
		q    string
		want int
	}{
		{"old contacts with a number or text", `SELECT count(*) FROM contacts WHERE offer_id = $1 AND (phone <> '' OR body <> '')`, 0},
		{"old contacts keeping their status and reply", `SELECT count(*) FROM contacts WHERE offer_id = $1 AND status = 'delivered' AND reply IS NOT NULL`, 2},
		{"replies to the old offer with a number or text", `SELECT count(*) FROM inbound_messages m JOIN contacts k ON k.id = m.contact_id
WHERE k.offer_id = $1 AND (m.from_phone <> '' OR m.body <> '')`, 0},
		{"replies to the old offer kept", `SELECT count(*) FROM inbound_messages m JOIN contacts k ON k.id = m.contact_id WHERE k.offer_id = $1`, 3},
		{"old pre-screening SMS with a number or text", `SELECT count(*) FROM screening_messages m JOIN contacts k ON k.id = m.contact_id
WHERE k.offer_id = $1 AND (m.phone <> '' OR m.body <> '')`, 0},
		{"old conversations with a number", `SELECT count(*) FROM screenings s JOIN contacts k ON k.id = s.contact_id
WHERE k.offer_id = $1 AND s.phone <> ''`, 0},
		{"old conversations still qualified", `SELECT count(*) FROM screenings s JOIN contacts k ON k.id = s.contact_id
WHERE k.offer_id = $1 AND s.status = 'qualified'`, 1},
		{"answers with a number or text", `SELECT count(*) FROM counsellor_messages WHERE (phone <> '' OR body <> '') AND $1 > 0`, 0},
		{"answers still sent", `SELECT count(*) FROM counsellor_messages WHERE status = 'sent' AND $1 > 0`, 1},
		{"recent contacts untouched", fmt.Sprintf(`SELECT count(*) FROM contacts WHERE offer_id = %d AND phone <> '' AND body <> '' AND $1 > 0`, recent), 2},
		{"recent reply untouched", fmt.Sprintf(`SELECT count(*) FROM inbound_messages m JOIN contacts k ON k.id = m.contact_id
WHERE k.offer_id = %d AND m.body <> '' AND $1 > 0`, recent), 1},
		{"old unlinked SMS with a number or text", `SELECT count(*) FROM inbound_messages WHERE contact_id IS NULL AND (from_phone <> '' OR body <> '') AND $1 > 0`, 0},
		{"job seekers keeping their number", `SELECT count(*) FROM candidates WHERE phone <> '' AND $1 > 0`, 2},
		{"old offer marked purged", `SELECT count(*) FROM offers WHERE id = $1 AND purged_at IS NOT NULL`, 1},
	}
	for _, c := range checks {
		if got := count(c.q, old); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	if after := summary(old); after != before {
		t.Errorf("outreach summary changed by the retention:\nbefore %s\nafter  %s", before, after)
	}

	// The run is in the audit log with its counts; a second one changes
	// nothing and says so.
	// (Summed: the worker's own run of the day may be the one that came
	// after the dates were moved.)
	rows, err := w.stack.pool.Query(ctx, `SELECT counts FROM audit_log WHERE action = 'retention' AND actor_kind = 'system'`)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := pgx.CollectRows(rows, pgx.RowTo[map[string]int])
	if err != nil || len(runs) == 0 {
		t.Fatalf("retention runs in the audit log: %v (%v)", runs, err)
	}
	counts := map[string]int{}
	for _, r := range runs {
		for k, n := range r {
			counts[k] += n
		}
	}
	if counts["offers"] != 1 || counts["contacts"] != 2 || counts["inbound_messages"] != 3 || counts["unlinked_messages"] != 1 ||
		counts["screening_messages"] != 2 || counts["counsellor_messages"] != 1 || counts["screenings"] != 1 {
		t.Errorf("retention audit counts %v", counts)
	}
	again, err := w.stack.svc.PurgeExpired(ctx)
	if err != nil || again.Offers+again.Contacts+again.InboundMessages+again.UnlinkedMessages != 0 {
		t.Errorf("second run purged %+v (%v), want nothing", again, err)
	}
}
