package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReplyCarriesOfferReference: a person with two open offers answers
// one by its reference, then the other without; each answer lands on the
// right offer, and the inbox says which link was inferred.
func TestReplyCarriesOfferReference(t *testing.T) {
	e := startE2E(t)
	ctx := context.Background()
	var counsellor struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "lou@agence.example", "name": "Lou", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	p := loopPeople(counsellor.ID)[0]
	var cand struct{ Phone string }
	e.must(http.MethodPost, "/api/v1/candidates", p.body, &cand, http.StatusCreated)

	type offer struct {
		ID        int64
		Reference string
	}
	var offers [2]offer
	for i := range offers {
		e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellor.ID, fmt.Sprintf("OF-REF-%d", i)), &offers[i], http.StatusCreated)
		e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offers[i].ID), map[string]int{"limit": 1}, nil, http.StatusAccepted)
		waitCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, err := e.stack.sim.WaitForMessages(waitCtx, cand.Phone, i+1)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "sms sent", func() bool { return e.outreach(offers[i].ID).Contacts[0].MessageSID != "" })
	}

	// Answer the older offer by its reference, in lower case, reference first.
	if _, err := e.stack.sim.Reply(ctx, cand.Phone, strings.ToLower(offers[0].Reference)+" non merci"); err != nil {
		t.Fatal(err)
	}
	// Then answer without a reference: the latest offer is assumed.
	if _, err := e.stack.sim.Reply(ctx, cand.Phone, "OUI"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"declined", "interested"} {
		c := e.outreach(offers[i].ID).Contacts[0]
		if c.Reply == nil || *c.Reply != want {
			t.Errorf("offer %d: reply %v, want %s", i, c.Reply, want)
		}
	}
	var inbox struct {
		Items []struct {
			Link  string `json:"link"`
			Offer struct {
				Reference string `json:"reference"`
			} `json:"offer"`
		} `json:"items"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", counsellor.ID), nil, &inbox, http.StatusOK)
	if len(inbox.Items) != 2 ||
		inbox.Items[0].Link != "inferred" || inbox.Items[0].Offer.Reference != offers[1].Reference ||
		inbox.Items[1].Link != "reference" || inbox.Items[1].Offer.Reference != offers[0].Reference {
		t.Errorf("inbox %+v", inbox.Items)
	}
}
