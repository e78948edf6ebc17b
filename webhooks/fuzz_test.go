package webhooks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

// How a fuzzed request is signed.
const (
	sigNone   = iota // no X-Twilio-Signature
	sigForged        // the fuzzed string as signature
	sigValid         // a signature over the public URL and the body as a form
)

const formType = "application/x-www-form-urlencoded"

// FuzzWebhookForm posts arbitrary bodies, content types and signatures to
// both webhooks through the real handler and service on one database: the
// handler never panics, answers only expected statuses, and a request
// without a valid signature stores nothing.
func FuzzWebhookForm(f *testing.F) {
	fx := setup(f)
	seeds := []struct {
		inbound     bool
		contentType string
		body        string
		sig         uint8
	}{
		{true, formType, inbound("SMf1", "Oui je suis intéressée").Encode(), sigValid},
		{true, formType, inbound("SMf2", "STOP").Encode(), sigValid},
		{true, formType, inbound("SMf3", "AIDE").Encode(), sigValid},
		{true, formType, inbound("SMf4", "Réf K4P8M2 : non merci 👎").Encode(), sigValid},
		{true, formType + "; charset=utf-8", inbound("SMf5", "ok").Encode(), sigValid},
		{true, formType, inbound("SMf6", "OUI").Encode(), sigNone},
		{true, formType, inbound("SMf7", "OUI").Encode(), sigForged},
		{true, formType, "MessageSid=SMf8&From=%2B33639980001&Body=oui&Body=non", sigValid},
		{true, formType, "MessageSid=SMf9&From=%2B33639980001&Body=%00%ff%fe", sigValid},
		{true, formType, "From=%2B33639980001&Body=OUI", sigValid},
		{true, formType, "Body=%zz&MessageSid=SMf10", sigValid},
		{true, formType, "MessageSid=SMf11;From=x", sigValid},
		{true, formType, "", sigValid},
		{true, formType, "=&&=%20", sigValid},
		{true, formType, inbound("SMf12", strings.Repeat("a", 70<<10)).Encode(), sigValid},
		{true, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nOUI\r\n--x--\r\n", sigValid},
		{true, "application/json", `{"MessageSid":"SMf13","From":"+33639980001","Body":"OUI"}`, sigValid},
		{true, "", inbound("SMf14", "OUI").Encode(), sigValid},
		{true, formType + "; =", inbound("SMf15", "OUI").Encode(), sigValid},
		{false, formType, status(sentSID, "delivered", "").Encode(), sigValid},
		{false, formType, status(sentSID, "undelivered", "30003").Encode(), sigValid},
		{false, formType, status(sentSID, "failed", "-1").Encode(), sigValid},
		{false, formType, status(sentSID, "failed", "99999999999999999999").Encode(), sigValid},
		{false, formType, status("SM99999999999999999999999999999999", "read", "").Encode(), sigValid},
		{false, formType, status(sentSID, "failed", "30008").Encode(), sigNone},
		{false, formType, status(sentSID, "failed", "30008").Encode(), sigForged},
		{false, formType, "MessageSid=" + sentSID, sigValid},
	}
	for _, s := range seeds {
		f.Add(s.inbound, s.contentType, s.body, s.sig, "c2lnbmF0dXJl")
	}
	allowed := map[int]bool{http.StatusOK: true, http.StatusNoContent: true, http.StatusBadRequest: true,
		http.StatusForbidden: true, http.StatusRequestEntityTooLarge: true, http.StatusServiceUnavailable: true}
	f.Fuzz(func(t *testing.T, toInbound bool, contentType, body string, sig uint8, forged string) {
		path := webhooks.StatusPath
		if toInbound {
			path = webhooks.InboundPath
		}
		req := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080"+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		switch sig % 3 {
		case sigForged:
			req.Header.Set("X-Twilio-Signature", forged)
		case sigValid:
			form, _ := url.ParseQuery(body)
			req.Header.Set("X-Twilio-Signature", simulator.Sign(authToken, publicURL+path, form))
		}
		before := fx.stored(t)
		rec := httptest.NewRecorder()
		fx.e.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Errorf("status %d %q, want one of 200, 204, 400, 403, 413, 503", rec.Code, rec.Body.String())
		}
		if sig%3 != sigValid {
			if after := fx.stored(t); after != before {
				t.Errorf("request without a valid signature (status %d) changed the database: %+v, then %+v", rec.Code, before, after)
			}
		}
	})
}

// storedState is what a webhook can change in the database.
type storedState struct {
	Inbound, StatusEvents, InboxItems, ConsentEvents int
	Contact                                          string
}

func (f fixture) stored(t *testing.T) storedState {
	t.Helper()
	const q = `SELECT (SELECT count(*) FROM inbound_messages), (SELECT count(*) FROM status_events),
	(SELECT count(*) FROM inbox_items), (SELECT count(*) FROM consent_events),
	(SELECT status || '/' || coalesce(reply, '') FROM contacts WHERE id = $1)`
	var s storedState
	err := f.pool.QueryRow(context.Background(), q, f.contactID).
		Scan(&s.Inbound, &s.StatusEvents, &s.InboxItems, &s.ConsentEvents, &s.Contact)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
