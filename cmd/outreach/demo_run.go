package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// demoRun drives one offer through the loop, as an agency system and a
// few dozen job seekers would.
type demoRun struct {
	cfg   Config
	stack *stack
	api   *apiClient
	print func(string, ...any)
	speed float64
	// employerLink opens the referred candidates to the employer.
	employerLink string
}

// demoReplies are what simulated job seekers answer, in the order of the
// ranking; those past the end of the list stay silent.
var demoReplies = []string{
	"OUI", "Oui je suis intéressée !", "non merci", "ok 👍", "STOP", "c'est où exactement ?",
	"D'accord", "pas dispo en ce moment", "ouii", "Oui mais pas le samedi", "NON", "1",
}

const demoOutreach = 20

func (d *demoRun) run(ctx context.Context, counsellor outreach.Counsellor) error {
	var offer offerResponse
	err := d.api.call(ctx, http.MethodPost, "/api/v1/offers", map[string]any{
		"external_id": "DEMO-OFFRE-1", "title": "Préparateur / Préparatrice de commandes", "rome_code": "N1103",
		"employer":     map[string]string{"name": "Logistique Rhône (démo)", "email": "recrutement@logistique-rhone.example"},
		"commune_code": "69259", "contract_type": "CDI", "radius_km": 25, "positions": 3,
		"skills":        []string{"préparation de commandes", "caces 1", "gestes et postures"},
		"counsellor_id": counsellor.ID,
	}, &offer, http.StatusCreated)
	if err != nil {
		return err
	}
	d.print("\n1. Offer %d posted by %s: %s (%s) in %s, radius %.0f km, reference %s.",
		offer.ID, counsellor.Name, offer.Title, offer.ContractType, offer.Town, offer.RadiusKM, offer.Reference)
	if err := d.showQuestions(ctx, offer.ID); err != nil {
		return err
	}
	if err := d.showMatches(ctx, offer.ID); err != nil {
		return err
	}
	var started struct{ Queued, Matched int }
	if err := d.api.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID),
		map[string]int{"limit": demoOutreach}, &started, http.StatusAccepted); err != nil {
		return err
	}
	d.print("\n3. Outreach started: %d SMS queued in asynq (Redis), for job seekers drawn among the %d eligible with weights\n   growing with the score, so that similar offers do not all go to the same people.", started.Queued, started.Matched)
	msgs, err := d.waitSMS(ctx, started.Queued)
	if err != nil {
		return err
	}
	enc, segs := outreach.SMSSegments(msgs[0].Body)
	d.print("   %d SMS accepted by the Twilio simulator through twilio-go. One of them (%s, %d segment(s)):\n   « %s »", len(msgs), enc, segs, msgs[0].Body)
	if err := d.replies(ctx, offer); err != nil {
		return err
	}
	if err := d.screening(ctx, offer.ID); err != nil {
		return err
	}
	return d.report(ctx, offer, counsellor)
}

type offerResponse struct {
	ID           int64   `json:"id"`
	Reference    string  `json:"reference"`
	Title        string  `json:"title"`
	Town         string  `json:"town"`
	ContractType string  `json:"contract_type"`
	RadiusKM     float64 `json:"radius_km"`
}

func (d *demoRun) showMatches(ctx context.Context, offerID int64) error {
	var res struct {
		Matches []struct {
			FirstName  string  `json:"first_name"`
			ExternalID string  `json:"external_id"`
			Score      float64 `json:"score"`
			DistanceKM float64 `json:"distance_km"`
			Reasons    []struct {
				Factor string  `json:"factor"`
				Points float64 `json:"points"`
				Detail string  `json:"detail"`
			} `json:"reasons"`
		} `json:"matches"`
	}
	if err := d.api.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/matches?limit=%d", offerID, demoOutreach), nil, &res, http.StatusOK); err != nil {
		return err
	}
	d.print("\n2. %d best matches (showing 5), each score explained:", len(res.Matches))
	for _, m := range res.Matches[:min(5, len(res.Matches))] {
		parts := make([]string, len(m.Reasons))
		for i, r := range m.Reasons {
			parts[i] = fmt.Sprintf("%s %+.1f (%s)", r.Factor, r.Points, r.Detail)
		}
		d.print("   %5.1f  %-10s %s  %s", m.Score, m.FirstName, m.ExternalID, strings.Join(parts, "; "))
	}
	return nil
}

func (d *demoRun) waitSMS(ctx context.Context, n int) ([]simMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	msgs, err := d.stack.sim.WaitForMessages(ctx, "", n)
	if err != nil {
		return nil, fmt.Errorf("waiting for %d SMS at the simulator: %w", n, err)
	}
	return msgs, nil
}

// replies lets the simulated job seekers answer after realistic delays
// (log-normal, median 19 minutes as in the reference pilot), compressed.
func (d *demoRun) replies(ctx context.Context, offer offerResponse) error {
	progress, err := d.stack.svc.Outreach(ctx, offer.ID)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(7, 19))
	type reply struct {
		delay time.Duration
		who   outreach.Contact
		body  string
	}
	var plan []reply
	for i, c := range progress.Contacts {
		if i >= len(demoReplies) || c.Status == outreach.StatusFailed {
			continue
		}
		minutes := 19 * math.Exp(rng.NormFloat64()*0.9)
		plan = append(plan, reply{time.Duration(minutes * float64(time.Minute)), c, demoReplies[i]})
	}
	sort.Slice(plan, func(i, j int) bool { return plan[i].delay < plan[j].delay })
	d.print("\n4. Job seekers answer (%d of %d; the others stay silent). Delays compressed %.0fx:", len(plan), len(progress.Contacts), d.speed)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	var firstSID string
	for _, r := range plan {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(float64(r.delay) / d.speed))
			res, err := d.stack.sim.Reply(ctx, r.who.Phone, r.body)
			mu.Lock()
			defer mu.Unlock()
			if err == nil && res.StatusCode != http.StatusOK {
				err = fmt.Errorf("webhook answered %d", res.StatusCode)
			}
			if err != nil {
				firstErr = cmpErr(firstErr, err)
				return
			}
			if firstSID == "" {
				firstSID = res.MessageSid
			}
			confirm := " → pre-screening starts"
			if len(res.Replies) > 0 {
				confirm = " → SMS back: « " + res.Replies[0] + " »"
			}
			d.print("   +%3.0f min  %-10s %s  « %s »%s", r.delay.Minutes(), r.who.FirstName, outreach.MaskPhone(r.who.Phone), r.body, confirm)
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	res, err := d.stack.sim.ReplayInbound(ctx, firstSID)
	if err != nil {
		return err
	}
	d.print("   Twilio retried one webhook (same MessageSid): answered %d, nothing changed.", res.StatusCode)
	return nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
