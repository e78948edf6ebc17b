package main

import (
	"context"
	"encoding/json"
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
	d.print("\n6. Outreach of offer %d: %d contacts; delivered %d, undelivered %d, failed %d; replies %d: interested %d, declined %d, unclear %d, opted out %d.",
		offer.ID, c["total"], c["delivered"], c["undelivered"], c["failed"], c["replied"],
		c["interested"], c["declined"], c["unclear"], c["opted_out"])

	if err := d.shortlist(ctx, offer, counsellor); err != nil {
		return err
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
	d.print("\n8. %s's inbox holds %d replies (newest first), each pushed live to the inbox page:", counsellor.Name, len(inbox.Items))
	for _, it := range inbox.Items[:min(4, len(inbox.Items))] {
		d.print("   %-10s « %s » understood as %s (offer link %s)", it.Candidate.FirstName, it.Body, it.Intent, it.Link)
	}
	d.print("\nWeb app: %s/connexion, sign in as %s with the password %q (every demo counsellor has it).",
		d.cfg.PublicURL, counsellor.Email, demoPassword)
	d.print("Employer's page (signed link, 14 days): %s", d.employerLink)
	d.print("API: %s/api/v1 (Authorization: Bearer %s)", d.cfg.PublicURL, d.cfg.APIToken)
	d.print("Operations: %s/readyz, %s/metrics (same Bearer token); who saw a job seeker's data: DATABASE_URL=%s outreach audit --candidate FT-DEMO-...", d.cfg.PublicURL, d.cfg.PublicURL, redactURL(d.cfg.DatabaseURL))
	return nil
}

// shortlist prints the candidates who said yes with their pre-screening,
// has the counsellor refer those proposed, and prints the timings.
func (d *demoRun) shortlist(ctx context.Context, offer offerResponse, counsellor outreach.Counsellor) error {
	var list struct {
		Candidates []struct {
			FirstName  string  `json:"first_name"`
			ExternalID string  `json:"external_id"`
			Phone      string  `json:"phone"`
			Score      float64 `json:"score"`
			DistanceKM float64 `json:"distance_km"`
			Proposed   bool    `json:"proposed"`
			Screening  *struct {
				Status         string  `json:"status"`
				QuestionIndex  int     `json:"question_index"`
				QuestionCount  int     `json:"question_count"`
				FailedQuestion *string `json:"failed_question"`
			} `json:"screening"`
		} `json:"candidates"`
	}
	path := fmt.Sprintf("/api/v1/offers/%d/shortlist", offer.ID)
	if err := d.api.call(ctx, http.MethodGet, path, nil, &list, http.StatusOK); err != nil {
		return err
	}
	d.print("\n7. Shortlist (%d said yes); only the qualified are proposed to the employer unless %s decides otherwise:", len(list.Candidates), counsellor.Name)
	for _, c := range list.Candidates {
		status := "no pre-screening"
		if sc := c.Screening; sc != nil {
			status = fmt.Sprintf("%s at question %d/%d", sc.Status, sc.QuestionIndex+1, sc.QuestionCount)
			if sc.FailedQuestion != nil {
				status += " (« " + *sc.FailedQuestion + " »)"
			}
		}
		mark := "  "
		if c.Proposed {
			mark = "✓ "
		}
		d.print("   %s%-10s %s  %s  score %.1f, %.1f km: %s", mark, c.FirstName, c.ExternalID, outreach.MaskPhone(c.Phone), c.Score, c.DistanceKM, status)
	}
	var referred struct {
		Referred []json.RawMessage `json:"referred"`
	}
	if err := d.api.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/referral", offer.ID),
		map[string]int64{"counsellor_id": counsellor.ID}, &referred, http.StatusOK); err != nil {
		return err
	}
	token, _, err := d.stack.svc.EmployerLink(ctx, outreach.Viewer{CounsellorID: counsellor.ID, Agency: counsellor.Agency}, offer.ID)
	if err != nil {
		return err
	}
	d.employerLink = d.cfg.PublicURL + "/employeur/" + token
	var timings struct {
		Screening struct {
			Started, Completed int
			Share              *float64 `json:"share_within_5h"`
		} `json:"screening"`
		Referral struct {
			Referred int      `json:"referred"`
			Share    *float64 `json:"share_within_24h"`
		} `json:"referral"`
	}
	if err := d.api.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/stats/timings?offer_id=%d", offer.ID), nil, &timings, http.StatusOK); err != nil {
		return err
	}
	d.print("   %s validated and referred %d candidates to the employer. Pre-screenings: %d started, %d completed, %s within 5 h (reference: 90%%);\n   referrals: %s within 24 h of the offer (reference: 50%%).",
		counsellor.Name, len(referred.Referred), timings.Screening.Started, timings.Screening.Completed,
		percent(timings.Screening.Share), percent(timings.Referral.Share))
	return nil
}

func percent(share *float64) string {
	if share == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", *share*100)
}
