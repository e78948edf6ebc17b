package simulator

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"testing"
)

const twimlTwoReplies = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Message>Merci, votre conseiller vous recontacte.</Message>
  <Message><Body>Répondez STOP pour ne plus recevoir de SMS.</Body></Message>
</Response>`

func TestReplyPostsSignedInboundWebhook(t *testing.T) {
	rcv := newWebhookReceiver(t, func(_ int, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, twimlTwoReplies)
	})
	sim, _ := setup(t, Config{InboundURL: rcv.URL + "/webhooks/twilio/sms"})

	res, err := sim.Reply(context.Background(), seeker, "OUI K4P8M2 ça m’intéresse")
	if err != nil {
		t.Fatal(err)
	}
	hook := rcv.next(t)
	if !hook.Valid {
		t.Errorf("signature %q does not validate", hook.Signature)
	}
	if got := Sign(testAuthToken, rcv.URL+"/webhooks/twilio/sms", hook.Form); got != hook.Signature {
		t.Errorf("signature = %q, want %q", hook.Signature, got)
	}
	sid := regexp.MustCompile(`^SM[0-9a-f]{32}$`)
	if !sid.MatchString(res.MessageSid) {
		t.Errorf("MessageSid = %q", res.MessageSid)
	}
	want := map[string]string{
		"MessageSid":    res.MessageSid,
		"SmsSid":        res.MessageSid,
		"SmsMessageSid": res.MessageSid,
		"AccountSid":    testAccountSID,
		"From":          seeker,
		"To":            DefaultPhoneNumber,
		"Body":          "OUI K4P8M2 ça m’intéresse",
		"NumMedia":      "0",
		"NumSegments":   "1",
		"SmsStatus":     "received",
		"ApiVersion":    "2010-04-01",
		"FromCountry":   "FR",
		"ToCountry":     "FR",
	}
	for k, v := range want {
		if got := hook.Form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(hook.Form) != len(want) {
		t.Errorf("form has %d fields, want %d: %v", len(hook.Form), len(want), hook.Form)
	}

	if res.StatusCode != 200 || res.TwiML != twimlTwoReplies || len(res.Replies) != 2 ||
		res.Replies[1] != "Répondez STOP pour ne plus recevoir de SMS." {
		t.Errorf("result = %+v", res)
	}
	msgs := sim.Messages(seeker)
	if len(msgs) != 2 {
		t.Fatalf("recorded %d replies, want 2", len(msgs))
	}
	for i, m := range msgs {
		if m.Direction != DirectionOutboundReply || m.Status != "delivered" || m.From != DefaultPhoneNumber ||
			m.Body != res.Replies[i] || m.Segments != 1 {
			t.Errorf("reply %d = %+v", i, m)
		}
	}
}

func TestReplayInboundPostsTheSameWebhook(t *testing.T) {
	rcv := newWebhookReceiver(t, answerOK)
	sim, _ := setup(t, Config{})
	sim.SetInboundURL(rcv.URL + "/webhooks/twilio/sms")

	first, err := sim.Reply(context.Background(), seeker, "NON")
	if err != nil {
		t.Fatal(err)
	}
	again, err := sim.ReplayInbound(context.Background(), first.MessageSid)
	if err != nil {
		t.Fatal(err)
	}
	a, b := rcv.next(t), rcv.next(t)
	if a.RawBody != b.RawBody || a.Signature != b.Signature || !b.Valid {
		t.Errorf("replay differs:\n%s %s\n%s %s", a.RawBody, a.Signature, b.RawBody, b.Signature)
	}
	if again.MessageSid != first.MessageSid || len(sim.Messages("")) != 0 {
		t.Errorf("replay = %+v, messages %v", again, sim.Messages(""))
	}
	if _, err := sim.ReplayInbound(context.Background(), "SMunknown"); err == nil {
		t.Error("replaying an unknown SID succeeded")
	}
}

func TestReplyRefusedOrUnreachable(t *testing.T) {
	rcv := newWebhookReceiver(t, func(_ int, w http.ResponseWriter) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<Response><Message>ignored</Message></Response>")
	})
	sim, _ := setup(t, Config{})
	ctx := context.Background()

	if _, err := sim.Reply(ctx, seeker, "OUI"); err == nil {
		t.Error("Reply without an inbound URL succeeded")
	}
	sim.SetInboundURL(rcv.URL)
	if _, err := sim.Reply(ctx, "0612345678", "OUI"); err == nil {
		t.Error("Reply from a number that is not E.164 succeeded")
	}
	res, err := sim.Reply(ctx, seeker, "OUI")
	if err != nil || res.StatusCode != http.StatusForbidden || len(res.Replies) != 0 || len(sim.Messages("")) != 0 {
		t.Errorf("refused webhook: %+v, %v", res, err)
	}
	sim.SetInboundURL("http://127.0.0.1:1/webhooks/twilio/sms")
	if _, err := sim.Reply(ctx, seeker, "OUI"); err == nil {
		t.Error("Reply to a closed port succeeded")
	}
}
