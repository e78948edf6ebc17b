package main

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

// TestSecurityForgedTwilioSignatures posts, to the running service, webhooks
// whose X-Twilio-Signature is missing, wrong, made for another URL, for
// another form, with another auth token, or valid but replayed on the
// other webhook: each is refused with a 403 and stores nothing. The same
// webhook rightly signed is then taken. (webhooks_test.go checks the
// signature's URL behind a proxy; fuzz_test.go, random forms.)
func TestSecurityForgedTwilioSignatures(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "sam@lyon.example", "name": "Sam", "agency": "Lyon"}, &co, http.StatusCreated)
	var c struct{ Phone string }
	e.must(http.MethodPost, "/api/v1/candidates", map[string]any{"external_id": "TW-1", "first_name": "Léa", "phone": "0639985601",
		"commune_code": "69259", "rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": co.ID}, &c, http.StatusCreated)
	token, base := e.cfg.TwilioAuthToken, e.cfg.PublicURL
	in, st := webhooks.InboundPath, webhooks.StatusPath
	stop := url.Values{"MessageSid": {"SMforged00000000000000000000000001"}, "AccountSid": {e.cfg.TwilioAccountSID},
		"From": {c.Phone}, "To": {simulatorNumber}, "Body": {"STOP"}}
	status := url.Values{"MessageSid": {"SMforged00000000000000000000000002"}, "AccountSid": {e.cfg.TwilioAccountSID},
		"MessageStatus": {"delivered"}}
	with := func(form url.Values, k, v string) url.Values {
		f := url.Values{}
		for key, vals := range form {
			f[key] = vals
		}
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name string
		path string
		sent url.Values
		sig  string // "" for none
	}{
		{"no signature", in, stop, ""},
		{"a made-up signature", in, stop, "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA=="},
		{"the signature of an empty form", in, stop, simulator.Sign(token, base+in, url.Values{})},
		{"signed with another auth token", in, stop, simulator.Sign("another-auth-token-0123456789ab", base+in, stop)},
		{"signed for another URL", in, stop, simulator.Sign(token, base+"/webhooks/twilio/other", stop)},
		{"signed for another host", in, stop, simulator.Sign(token, "https://evil.example"+in, stop)},
		{"signed for the URL with a query string", in, stop, simulator.Sign(token, base+in+"?x=1", stop)},
		{"one parameter changed", in, with(stop, "Body", "OUI"), simulator.Sign(token, base+in, stop)},
		{"another sender", in, with(stop, "From", "+33639985699"), simulator.Sign(token, base+in, stop)},
		{"one parameter added", in, with(stop, "OptOutType", "STOP"), simulator.Sign(token, base+in, stop)},
		{"one parameter removed", in, url.Values{"MessageSid": stop["MessageSid"], "From": stop["From"], "Body": stop["Body"]},
			simulator.Sign(token, base+in, stop)},
		{"an inbound SMS replayed as a status", st, stop, simulator.Sign(token, base+in, stop)},
		{"a status replayed as an inbound SMS", in, status, simulator.Sign(token, base+st, status)},
		{"a status with one parameter changed", st, with(status, "MessageStatus", "failed"), simulator.Sign(token, base+st, status)},
	}
	before := snapshot(t, e)
	for _, tt := range tests {
		header := map[string]string{}
		if tt.sig != "" {
			header["X-Twilio-Signature"] = tt.sig
		}
		if code, body := e.raw(http.MethodPost, tt.path, "application/x-www-form-urlencoded", tt.sent.Encode(), header); code != http.StatusForbidden {
			t.Errorf("%s: %d %q, want 403", tt.name, code, body)
		}
	}
	before.unchanged(t, e, "forged webhooks")
	if code, body := e.signedPost(in, stop, token); code != http.StatusOK {
		t.Fatalf("the STOP rightly signed: %d %q", code, body)
	}
	var optedOut bool
	if err := e.stack.pool.QueryRow(t.Context(), `SELECT EXISTS (SELECT 1 FROM opt_outs WHERE phone = $1)`, c.Phone).Scan(&optedOut); err != nil || !optedOut {
		t.Errorf("the STOP rightly signed did not opt out (%v)", err)
	}
}
