package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/simulator"
)

// demoAnswers are how the job seekers who said yes answer the
// pre-screening questions, in turn; a script shorter than the questions
// leaves the conversation open (the candidate went silent).
var demoAnswers = [][]string{
	{"oui", "Oui bien sûr"},
	{"oui", "non je l'ai pas"},
	{"c'est à quelle distance ?", "oui", "1"},
	{"OUI"},
}

// showQuestions prints the offer's pre-screening questions.
func (d *demoRun) showQuestions(ctx context.Context, offerID int64) error {
	var res struct {
		Questions []struct {
			Label      string `json:"label"`
			Qualifying string `json:"qualifying"`
		} `json:"questions"`
	}
	if err := d.api.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/questions", offerID), nil, &res, http.StatusOK); err != nil {
		return err
	}
	d.print("   Pre-screening after a yes: %d questions, proposed from the offer's fields (the counsellor may change them):", len(res.Questions))
	for i, q := range res.Questions {
		d.print("   Q%d. %s (qualifies: %s)", i+1, q.Label, q.Qualifying)
	}
	return nil
}

// screening plays the job seekers who said yes answering the questions,
// each after the SMS it answers, and prints one conversation in full.
func (d *demoRun) screening(ctx context.Context, offerID int64) error {
	progress, err := d.stack.svc.Outreach(ctx, offerID)
	if err != nil {
		return err
	}
	var yes []outreach.Contact
	for _, c := range progress.Contacts {
		if c.Reply == outreach.InterestInterested {
			yes = append(yes, c)
		}
	}
	d.print("\n5. Pre-screening: the %d who said yes get the questions one at a time, by SMS:", len(yes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	transcripts := make([][]string, len(yes))
	for i, c := range yes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lines, err := d.converse(ctx, c, demoAnswers[i%len(demoAnswers)])
			mu.Lock()
			defer mu.Unlock()
			transcripts[i], firstErr = lines, cmpErr(firstErr, err)
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for i, c := range yes[:min(3, len(yes))] {
		d.print("   %s (%s):", c.FirstName, outreach.MaskPhone(c.Phone))
		for _, l := range transcripts[i] {
			d.print("     %s", l)
		}
	}
	return nil
}

// converse answers each SMS sent to c with the next answer of script,
// and returns the conversation, SMS received (←) and sent (→).
func (d *demoRun) converse(ctx context.Context, c outreach.Contact, script []string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var lines []string
	// The conversation starts after the offer SMS, the first sent; its
	// first question may have come already.
	seen := len(d.stack.sim.Messages(c.Phone))
	for i, m := range d.stack.sim.Messages(c.Phone) {
		if m.Direction == simulator.DirectionOutboundAPI {
			seen = i + 1
			break
		}
	}
	receive := func() error {
		for {
			msgs, err := d.stack.sim.WaitForMessages(ctx, c.Phone, seen+1)
			if err != nil {
				return fmt.Errorf("waiting for %s's next question: %w", outreach.MaskPhone(c.Phone), err)
			}
			m := msgs[seen]
			seen++
			if m.Direction == simulator.DirectionOutboundAPI {
				lines = append(lines, "← « "+m.Body+" »")
				return nil
			}
		}
	}
	for _, answer := range script {
		if err := receive(); err != nil {
			return lines, err
		}
		time.Sleep(time.Duration(float64(3*time.Minute) / d.speed)) // reading and typing
		res, err := d.stack.sim.Reply(ctx, c.Phone, answer)
		if err == nil && res.StatusCode != http.StatusOK {
			err = fmt.Errorf("webhook answered %d", res.StatusCode)
		}
		if err != nil {
			return lines, err
		}
		lines = append(lines, "→ « "+answer+" »")
	}
	if len(script) < 2 {
		return append(lines, "(silent since: one reminder after 4 h, then incomplete after 48 h)"), nil
	}
	return lines, receive() // the closing SMS
}
