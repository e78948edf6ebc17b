package outreach_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/sms"
)

// TestQueuedSMSRespectsOptOut: a job seeker whose offer SMS is queued
// writes STOP (or a synonym) before the worker runs; the worker then sends
// nothing and fails the contact. START before sending lifts the opt-out.
func TestQueuedSMSRespectsOptOut(t *testing.T) {
	tests := []struct {
		name     string
		replies  []string
		wantSent bool
	}{
		{"STOP", []string{"STOP"}, false},
		{"arrêt", []string{"arrêt"}, false},
		{"opt-out phrase", []string{"Je ne veux plus recevoir vos SMS"}, false},
		{"STOP then START", []string{"STOP", "START"}, true},
		{"a no is not an opt-out", []string{"non merci"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			sim := simulator.New(simulator.Config{AccountSID: simSID, AuthToken: simToken})
			srv := httptest.NewServer(sim.Handler())
			t.Cleanup(func() { sim.Close(); srv.Close() })
			sender, err := sms.NewTwilioSender(sms.Config{AccountSID: simSID, AuthToken: simToken, From: "+33700000000", APIURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			env := testenv.Service(t, sender, outreach.ServiceConfig{})
			svc := env.Service
			_, offer := env.Bakery(t, "0639980001")
			if res, err := svc.StartOutreach(ctx, offer.ID, 5); err != nil || res.Queued != 1 {
				t.Fatalf("start outreach: %+v %v", res, err)
			}
			progress, err := svc.Outreach(ctx, offer.ID)
			if err != nil {
				t.Fatal(err)
			}
			contactID := progress.Contacts[0].ID

			for i, body := range tt.replies {
				in := outreach.Inbound{MessageSID: "SMoptout" + string(rune('a'+i)), From: "+33639980001", To: "+33700000000", Body: body}
				if _, err := svc.HandleInbound(ctx, in); err != nil {
					t.Fatalf("reply %q: %v", body, err)
				}
			}
			if err := svc.SendContact(ctx, contactID); err != nil {
				t.Fatalf("send: %v", err)
			}

			sent := len(sim.Messages("+33639980001"))
			c, err := env.Store.Contact(ctx, contactID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.wantSent && (sent != 1 || c.Status != outreach.StatusSent):
				t.Errorf("%d SMS, contact %s; want 1 SMS and sent", sent, c.Status)
			case !tt.wantSent && (sent != 0 || c.Status != outreach.StatusFailed || c.ErrorMessage != "opted out before sending"):
				t.Errorf("%d SMS, contact %s %q; want none and failed %q", sent, c.Status, c.ErrorMessage, "opted out before sending")
			}
		})
	}
}
