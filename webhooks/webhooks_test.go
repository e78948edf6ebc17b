package webhooks_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

const (
	authToken = "0123456789abcdef0123456789abcdef"
	publicURL = "https://outreach.agence.example"
	seeker    = "+33639980001"
	sentSID   = "SM11111111111111111111111111111111"
	agency    = "Agence Lyon Est"
)

type fixture struct {
	e         *echo.Echo
	handler   *webhooks.Handler
	store     *postgres.Store
	pool      *pgxpool.Pool
	contactID int64
	closeDB   func()
}

// setup wires the real service on a fresh database, with one candidate
// who was texted about one offer (SID sentSID).
func setup(t testing.TB) fixture {
	t.Helper()
	ctx := context.Background()
	env := testenv.Service(t, nil, outreach.ServiceConfig{AgencyName: agency})
	svc, store := env.Service, env.Store
	log := slog.New(slog.DiscardHandler)
	cand, offer := env.Bakery(t, "06 39 98 00 01")
	created, err := store.CreateContacts(ctx, []outreach.Contact{{OfferID: offer.ID, CandidateID: cand.ID, Phone: seeker,
		Status: outreach.StatusQueued, Body: "Bonjour Léa"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := store.ClaimSend(ctx, created[0].ID); err != nil || !ok {
		t.Fatalf("claim: %v, %v", ok, err)
	}
	if _, err := store.RecordSent(ctx, created[0].ID, sentSID, time.Now()); err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	h := webhooks.New(svc, authToken, publicURL, log)
	h.Register(e)
	return fixture{e: e, handler: h, store: store, pool: env.Pool, contactID: created[0].ID, closeDB: env.Pool.Close}
}

// post sends a form as Twilio would reach the service behind a proxy: the
// request's own host is internal, the signature covers the public URL.
func (f fixture) post(path string, form url.Values, signedURL, signedBody string) *httptest.ResponseRecorder {
	body := form.Encode()
	if signedBody == "" {
		signedBody = body
	}
	signedForm, _ := url.ParseQuery(signedBody)
	req := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signedURL != "-" {
		req.Header.Set("X-Twilio-Signature", simulator.Sign(authToken, signedURL, signedForm))
	}
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	return rec
}

func inbound(sid, body string) url.Values {
	return url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {"AC00000000000000000000000000000000"},
		"From": {seeker}, "To": {"+33700000000"}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}, "FromCountry": {"FR"}, "ToCountry": {"FR"}}
}

func status(sid, st, code string) url.Values {
	v := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {"AC00000000000000000000000000000000"},
		"From": {"+33700000000"}, "To": {seeker}, "MessageStatus": {st}, "SmsStatus": {st}, "ApiVersion": {"2010-04-01"}}
	if code != "" {
		v.Set("ErrorCode", code)
	}
	return v
}

func TestWebhooks(t *testing.T) {
	f := setup(t)
	in, st := webhooks.InboundPath, webhooks.StatusPath
	help := "<Message>" + xmlText(outreach.ComposeReplyConfirmation(outreach.IntentHelp, agency)) + "</Message>"
	tests := []struct {
		name       string
		path       string
		form       url.Values
		signedURL  string // "-": no signature
		signedBody string // "": the body sent
		wantCode   int
		wantBody   string
		wantStatus outreach.ContactStatus
		wantReply  outreach.Interest
	}{
		{"no signature", in, inbound("SM1", "OUI"), "-", "", 403, "invalid", outreach.StatusSent, ""},
		{"signed for the internal URL", in, inbound("SM1", "OUI"), "http://10.0.0.7:8080" + in, "", 403, "", outreach.StatusSent, ""},
		{"body changed after signing", in, inbound("SM1", "OUI"), publicURL + in, inbound("SM1", "NON").Encode(), 403, "", outreach.StatusSent, ""},
		{"signed for another path", in, inbound("SM1", "OUI"), publicURL + "/other", "", 403, "", outreach.StatusSent, ""},
		{"yes", in, inbound("SM1", "Oui je suis intéressée"), publicURL + in, "", 200, "<Message>Merci", outreach.StatusSent, outreach.InterestInterested},
		{"retry of the same MessageSid", in, inbound("SM1", "Oui je suis intéressée"), publicURL + in, "", 200, "<Response></Response>", outreach.StatusSent, outreach.InterestInterested},
		{"unclear never overwrites yes", in, inbound("SM2", "??"), publicURL + in, "", 200, "compris", outreach.StatusSent, outreach.InterestInterested},
		{"AIDE answers the help text, interest kept", in, inbound("SM21", "AIDE"), publicURL + in, "", 200, help, outreach.StatusSent, outreach.InterestInterested},
		{"signed with the port (Twilio keeps :443)", in, inbound("SM3", "non merci"), "https://outreach.agence.example:443" + in, "", 200, "noté", outreach.StatusSent, outreach.InterestDeclined},
		{"HELP answers the help text, interest kept", in, inbound("SM31", "HELP"), publicURL + in, "", 200, help, outreach.StatusSent, outreach.InterestDeclined},
		{"aide ? is help too", in, inbound("SM32", "aide ?"), publicURL + in, "", 200, help, outreach.StatusSent, outreach.InterestDeclined},
		{"no MessageSid", in, url.Values{"From": {seeker}, "Body": {"OUI"}}, publicURL + in, "", 400, "", outreach.StatusSent, outreach.InterestDeclined},
		{"garbled body is kept, not retried", in, inbound("SM34", "non\x00 merci\xff"), publicURL + in, "", 200, "noté", outreach.StatusSent, outreach.InterestDeclined},
		{"NUL in MessageSid", in, inbound("SM35\x00", "OUI"), publicURL + in, "", 400, "UTF-8", outreach.StatusSent, outreach.InterestDeclined},
		{"From too long to be a number", in, url.Values{"MessageSid": {"SM36"}, "From": {strings.Repeat("6", 101)}, "Body": {"STOP"}}, publicURL + in, "", 400, "UTF-8", outreach.StatusSent, outreach.InterestDeclined},
		{"delivered", st, status(sentSID, "delivered", ""), publicURL + st, "", 204, "", outreach.StatusDelivered, outreach.InterestDeclined},
		{"late sent stays delivered", st, status(sentSID, "sent", ""), publicURL + st, "", 204, "", outreach.StatusDelivered, outreach.InterestDeclined},
		{"late undelivered stays delivered", st, status(sentSID, "undelivered", "30003"), publicURL + st, "", 204, "", outreach.StatusDelivered, outreach.InterestDeclined},
		{"unknown SID is kept", st, status("SM99999999999999999999999999999999", "delivered", ""), publicURL + st, "", 204, "", outreach.StatusDelivered, outreach.InterestDeclined},
		{"invalid UTF-8 MessageStatus", st, status(sentSID, "failed\xff", ""), publicURL + st, "", 400, "UTF-8", outreach.StatusDelivered, outreach.InterestDeclined},
		{"non-numeric ErrorCode", st, status(sentSID, "failed", "abc"), publicURL + st, "", 400, "", outreach.StatusDelivered, outreach.InterestDeclined},
		{"status unsigned", st, status(sentSID, "failed", "30008"), "-", "", 403, "", outreach.StatusDelivered, outreach.InterestDeclined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.post(tt.path, tt.form, tt.signedURL, tt.signedBody)
			if rec.Code != tt.wantCode || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", rec.Code, rec.Body.String(), tt.wantCode, tt.wantBody)
			}
			c, err := f.store.Contact(context.Background(), f.contactID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tt.wantStatus || c.Reply != tt.wantReply {
				t.Errorf("contact status %s reply %q, want %s %q", c.Status, c.Reply, tt.wantStatus, tt.wantReply)
			}
		})
	}
}

func TestWebhookLimitsAndOutages(t *testing.T) {
	f := setup(t)
	in := webhooks.InboundPath
	big := inbound("SM5", strings.Repeat("a", 70<<10))
	if rec := f.post(in, big, publicURL+in, ""); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d, want 413", rec.Code)
	}
	req := httptest.NewRequest(http.MethodPost, in, strings.NewReader("Body=%zz&MessageSid=SM6"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("malformed form: %d, want 400", rec.Code)
	}
	// Database gone: 503 so that Twilio retries later.
	f.closeDB()
	if rec := f.post(in, inbound("SM7", "OUI"), publicURL+in, ""); rec.Code != http.StatusServiceUnavailable {
		body, _ := io.ReadAll(rec.Body)
		t.Errorf("database down: %d %s, want 503", rec.Code, body)
	}
}

// xmlText escapes s as xml.Marshal writes character data.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestWebhookDeadline: while another transaction holds the contact's row,
// the webhooks' statements wait on the lock; at the handler's deadline they
// answer 503, so that Twilio retries, having stored nothing. Once the lock
// is released the retries go through.
func TestWebhookDeadline(t *testing.T) {
	for _, batched := range []bool{false, true} {
		t.Run(fmt.Sprintf("batched=%v", batched), func(t *testing.T) { testWebhookDeadline(t, batched) })
	}
}

// testWebhookDeadline checks the deadline with each webhook's statements
// on their own, or (batched) with delivery reports sharing transactions
// as in serve.
func testWebhookDeadline(t *testing.T, batched bool) {
	f := setup(t)
	f.handler.SetTimeout(200 * time.Millisecond)
	ctx := context.Background()
	if batched {
		batchCtx, stop := context.WithCancel(ctx)
		defer stop()
		f.store.StartBatching(batchCtx)
	}
	lock, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	if _, err := lock.Exec(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE`, f.contactID); err != nil {
		t.Fatal(err)
	}
	in, st := webhooks.InboundPath, webhooks.StatusPath
	tests := []struct {
		name       string
		path       string
		form       url.Values
		locked     int
		afterwards int
	}{
		{"inbound reply", in, inbound("SM8", "OUI"), http.StatusServiceUnavailable, http.StatusOK},
		{"status callback", st, status(sentSID, "delivered", ""), http.StatusServiceUnavailable, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := f.postUnblocked(t, tt.path, tt.form); code != tt.locked {
				t.Errorf("database locked: status %d, want %d", code, tt.locked)
			}
		})
	}
	var stored int
	if err := f.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM inbound_messages) + (SELECT count(*) FROM status_events)`).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("timed-out webhooks stored %d rows (%v), want 0", stored, err)
	}

	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if code := f.postUnblocked(t, tt.path, tt.form); code != tt.afterwards {
			t.Errorf("%s retried after the lock: status %d, want %d", tt.name, code, tt.afterwards)
		}
	}
	c, err := f.store.Contact(ctx, f.contactID)
	if err != nil || c.Status != outreach.StatusDelivered || c.Reply != outreach.InterestInterested {
		t.Errorf("contact after the retries: %s %q (%v), want delivered and interested", c.Status, c.Reply, err)
	}
}

// postUnblocked posts a signed webhook and returns its status. A handler
// still blocked after 30 s has no deadline: the test fails rather than hangs.
func (f fixture) postUnblocked(t *testing.T, path string, form url.Values) int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- f.post(path, form, publicURL+path, "").Code }()
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("%s still blocked after 30 s: no deadline", path)
		return 0
	}
}
