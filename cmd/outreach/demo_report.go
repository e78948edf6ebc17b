package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/simulator"
)

type simMessage = simulator.Message

// report prints where the outreach ended: statuses, replies, the
// employer's shortlist and the counsellor's inbox.
func (d *demoRun) report(ctx context.Context, offer offerResponse, counsellor outreach.Counsellor) error {
	var progress struct {
		Counts map[string]int `json:"counts"`
	}
	// Delivery reports arrive asynchronously: wait until none is pending.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := d.api.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), nil, &progress, http.StatusOK); err != nil {
			return err
		}
		c := progress.Counts
		if c["planned"]+c["queued"]+c["sending"]+c["sent"] == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c := progress.Counts
	d.print("\n5. Outreach of offer %d: %d contacts; delivered %d, undelivered %d, failed %d; replies %d: interested %d, declined %d, unclear %d, opted out %d.",
		offer.ID, c["total"], c["delivered"], c["undelivered"], c["failed"], c["replied"],
		c["interested"], c["declined"], c["unclear"], c["opted_out"])

	var shortlist struct {
		Candidates []struct {
			FirstName  string  `json:"first_name"`
			ExternalID string  `json:"external_id"`
			Phone      string  `json:"phone"`
			Score      float64 `json:"score"`
			DistanceKM float64 `json:"distance_km"`
		} `json:"candidates"`
	}
	if err := d.api.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/shortlist", offer.ID), nil, &shortlist, http.StatusOK); err != nil {
		return err
	}
	d.print("\n6. Shortlist for the employer (%d said yes; %s validates it before it is sent):", len(shortlist.Candidates), counsellor.Name)
	for _, s := range shortlist.Candidates {
		d.print("   %-10s %s  %s  score %.1f, %.1f km", s.FirstName, s.ExternalID, outreach.MaskPhone(s.Phone), s.Score, s.DistanceKM)
	}

	var inbox struct {
		Items []struct {
			Body      string `json:"body"`
			Intent    string `json:"intent"`
			Link      string `json:"link"`
			Candidate struct {
				FirstName string `json:"first_name"`
			} `json:"candidate"`
		} `json:"items"`
	}
	if err := d.api.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", counsellor.ID), nil, &inbox, http.StatusOK); err != nil {
		return err
	}
	d.print("\n7. %s's inbox holds %d replies (newest first), each pushed live to the inbox page:", counsellor.Name, len(inbox.Items))
	for _, it := range inbox.Items[:min(4, len(inbox.Items))] {
		d.print("   %-10s « %s » understood as %s (offer link %s)", it.Candidate.FirstName, it.Body, it.Intent, it.Link)
	}
	d.print("\nInbox page for %s: %s", counsellor.Name, inboxURL(d.cfg, counsellor.ID))
	d.print("API: %s/api/v1 (Authorization: Bearer %s)", d.cfg.PublicURL, d.cfg.APIToken)
	return nil
}
