package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/outreach"
)

// gdprWorld is the stack of the personal data tests, with helpers to run
// the loop through the API and the simulator: a counsellor, job seekers
// by external id, offers.
type gdprWorld struct {
	*e2e
	t          *testing.T
	ctx        context.Context
	counsellor int64
	people     map[string]gdprPerson // by external id
}

// gdprPerson is a job seeker of the personal data tests.
type gdprPerson struct {
	ext, name, phone string // phone in E.164
	id               int64
}

func newGDPRWorld(t *testing.T, options ...e2eOption) *gdprWorld {
	t.Helper()
	options = append([]e2eOption{withEnv(map[string]string{"OUTBOX_SWEEP_EVERY": "100ms", "SMS_RETRY_BASE": "20ms"})}, options...)
	w := &gdprWorld{e2e: startE2E(t, options...), t: t, ctx: context.Background(), people: map[string]gdprPerson{}}
	var co struct{ ID int64 }
	w.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "ines@agence.example", "name": "Inès", "agency": "Lyon"},
		&co, http.StatusCreated)
	w.counsellor = co.ID
	return w
}

// viewer is the world's counsellor in the web app.
func (w *gdprWorld) viewer() outreach.Viewer {
	return outreach.Viewer{CounsellorID: w.counsellor, Agency: "Lyon"}
}

// person registers an order picker near Vénissieux, with SMS consent.
func (w *gdprWorld) person(ext, name, phone string) gdprPerson {
	w.t.Helper()
	var c struct {
		ID    int64  `json:"id"`
		Phone string `json:"phone"`
	}
	w.must(http.MethodPost, "/api/v1/candidates", map[string]any{"external_id": ext, "first_name": name, "phone": phone,
		"commune_code": "69259", "rome_codes": []string{"N1103"}, "skills": []string{"préparation de commandes"},
		"sms_consent": true, "counsellor_id": w.counsellor}, &c, http.StatusCreated)
	p := gdprPerson{ext: ext, name: name, phone: c.Phone, id: c.ID}
	w.people[ext] = p
	return p
}

// offer creates an order picker offer in Vénissieux asking questions.
func (w *gdprWorld) offer(ext string, questions []map[string]any) (int64, string) {
	w.t.Helper()
	body := offerBody(w.counsellor, ext)
	if questions != nil {
		body["questions"] = questions
	}
	var o struct {
		ID        int64  `json:"id"`
		Reference string `json:"reference"`
	}
	w.must(http.MethodPost, "/api/v1/offers", body, &o, http.StatusCreated)
	return o.ID, o.Reference
}

// launch texts the offer's n matches and waits until every SMS is
// delivered.
func (w *gdprWorld) launch(offerID int64, n int) {
	w.t.Helper()
	var started struct{ Queued int }
	w.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offerID), map[string]int{"limit": 50}, &started,
		http.StatusAccepted)
	if started.Queued != n {
		w.t.Fatalf("offer %d: %d SMS queued, want %d", offerID, started.Queued, n)
	}
	eventually(w.t, "the offer SMS delivered", func() bool { return w.outreach(offerID).Counts["delivered"] == n })
}

// reply sends an SMS from the phone.
func (w *gdprWorld) reply(phone, body string) {
	w.t.Helper()
	res, err := w.stack.sim.Reply(w.ctx, phone, body)
	if err != nil || res.StatusCode != http.StatusOK {
		w.t.Fatalf("SMS %q from %s: %v %+v", body, outreach.MaskPhone(phone), err, res)
	}
}

// settled waits until no SMS to the phone is left to send in the
// pre-screening and answer outboxes.
func (w *gdprWorld) settled(phone string) {
	w.t.Helper()
	eventually(w.t, "the SMS to "+outreach.MaskPhone(phone)+" sent", func() bool {
		var n int
		err := w.stack.pool.QueryRow(w.ctx, `SELECT
	(SELECT count(*) FROM screening_messages WHERE phone = $1 AND status IN ('planned', 'queued', 'sending')) +
	(SELECT count(*) FROM counsellor_messages WHERE phone = $1 AND status IN ('planned', 'queued', 'sending'))`, phone).Scan(&n)
		return err == nil && n == 0
	})
}

// contactID is the contact of the job seeker for the offer.
func (w *gdprWorld) contactID(offerID int64, ext string) int64 {
	w.t.Helper()
	for _, c := range w.outreach(offerID).Contacts {
		if c.ExternalID == ext {
			return c.ContactID
		}
	}
	w.t.Fatalf("%s is not a contact of offer %d", ext, offerID)
	return 0
}

// latestItem is the newest inbox item of the job seeker.
func (w *gdprWorld) latestItem(p gdprPerson) int64 {
	w.t.Helper()
	items, err := w.stack.svc.InboxOf(w.ctx, w.viewer(), 100)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, it := range items {
		if it.CandidateID == p.id {
			return it.ID
		}
	}
	w.t.Fatalf("no inbox item of %s", p.ext)
	return 0
}

// employerPage is the employer's page of the offer, through a fresh link.
func (w *gdprWorld) employerPage(offerID int64) string {
	w.t.Helper()
	token, _, err := w.stack.svc.EmployerLink(w.ctx, w.viewer(), offerID)
	if err != nil {
		w.t.Fatal(err)
	}
	code, body := w.raw(http.MethodGet, "/employeur/"+token, "", "", nil)
	if code != http.StatusOK {
		w.t.Fatalf("employer page: %d %s", code, body)
	}
	return body
}

// webStatus GETs a web app page in the counsellor's session and returns
// its status and body.
func (w *gdprWorld) webStatus(path string) (int, string) {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.cfg.PublicURL+path, nil)
	req.AddCookie(w.session(w.counsellor))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// auth is the API token header.
func (w *gdprWorld) auth() map[string]string {
	return map[string]string{"Authorization": "Bearer " + w.cfg.APIToken}
}

// cli runs an outreach command against the world's database and queue.
func (w *gdprWorld) cli(args ...string) (string, error) {
	env := map[string]string{"DATABASE_URL": w.cfg.DatabaseURL, "REDIS_URL": w.cfg.RedisURL, "QUEUE_NAME": w.cfg.QueueName,
		"API_TOKEN": w.cfg.APIToken, "QUIET_HOURS": "off", "LOG_LEVEL": "error"}
	var out, errs strings.Builder
	err := run(w.ctx, args, func(k string) string { return env[k] }, &out, &errs)
	return out.String(), err
}
