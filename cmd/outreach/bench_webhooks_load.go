package main

// What `outreach bench webhooks` posts, and how: the plan of Twilio's
// webhooks for a campaign, the clients that post it, and the check of what
// the database holds afterwards.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/webhooks"
)

// A webhookRequest is one signed form post, ready to send.
type webhookRequest struct {
	path, body, signature string
	inboundSID            string // set for an inbound SMS's first post
	delivers              string // set for a "delivered" report: the SID
}

type webhookPlan struct {
	requests                 []webhookRequest
	inbound, status, retries int
	expectedItems            int // inbox items: distinct inbound SMS
	delivered                int // contacts with a "delivered" report
}

// replyMix is what job seekers answer, with how often (per thousand).
var replyMix = []struct {
	body   func(ref string) string
	weight int
}{
	{func(string) string { return "OUI" }, 250},
	{func(string) string { return "Oui je suis intéressée" }, 150},
	{func(ref string) string { return "oui " + strings.ToLower(ref) }, 50},
	{func(string) string { return "👍" }, 50},
	{func(string) string { return "non merci" }, 200},
	{func(string) string { return "NON" }, 80},
	{func(string) string { return "pas dispo" }, 50},
	{func(string) string { return "c'est où exactement ?" }, 90},
	{func(string) string { return "STOP" }, 40},
	{func(string) string { return "AIDE" }, 10},
	{func(string) string { return "" }, 30},
}

// planWebhooks lays out what Twilio would post for the campaign, in the
// order it would: for each contact, in order of sending, a "sent" report,
// a "delivered" report shortly after (before "sent" one time in twenty),
// and for 40% of them a reply minutes later; one request in fifty is
// retried. It keeps the first n requests.
func planWebhooks(camp webhookCampaign, n int, cfg Config) webhookPlan {
	type event struct {
		at  float64 // position in the stream
		req webhookRequest
	}
	rng := rand.New(rand.NewPCG(7, uint64(len(camp.contacts))))
	sign := func(path string, form url.Values) webhookRequest {
		return webhookRequest{path: path, body: form.Encode(), signature: simulator.Sign(cfg.TwilioAuthToken, cfg.PublicURL+path, form)}
	}
	statusForm := func(c postgres.SentContact, status string) url.Values {
		return url.Values{"AccountSid": {cfg.TwilioAccountSID}, "ApiVersion": {"2010-04-01"}, "From": {cfg.TwilioFrom},
			"MessageSid": {c.SID}, "MessageStatus": {status}, "SmsSid": {c.SID}, "SmsStatus": {status}, "To": {c.Phone}}
	}
	var events []event
	total := 0
	for i, c := range camp.contacts {
		if total >= 2*n { // enough to fill n once sorted
			break
		}
		base := float64(i) * 2.4
		sent, delivered := base, base+5+rng.Float64()*60
		if rng.IntN(20) == 0 {
			delivered = base - 1
		}
		deliveredReq := sign(webhooks.StatusPath, statusForm(c, "delivered"))
		deliveredReq.delivers = c.SID
		events = append(events, event{sent, sign(webhooks.StatusPath, statusForm(c, "sent"))}, event{delivered, deliveredReq})
		total += 2
		if rng.IntN(10) < 4 {
			sid := fmt.Sprintf("SM%032x", rng.Uint64()) // a new SMS from the job seeker
			form := url.Values{"AccountSid": {cfg.TwilioAccountSID}, "ApiVersion": {"2010-04-01"}, "Body": {pickReply(rng, camp.reference)},
				"From": {c.Phone}, "FromCountry": {"FR"}, "MessageSid": {sid}, "NumMedia": {"0"}, "NumSegments": {"1"},
				"SmsMessageSid": {sid}, "SmsSid": {sid}, "SmsStatus": {"received"}, "To": {cfg.TwilioFrom}, "ToCountry": {"FR"}}
			req := sign(webhooks.InboundPath, form)
			req.inboundSID = sid
			events = append(events, event{base + 200 + rng.Float64()*3000, req})
			total++
		}
	}
	// Retries: the same request again, a little later.
	for i := range len(events) / 50 {
		e := events[(i*50+rng.IntN(50))%len(events)]
		e.at += 1 + rng.Float64()*100
		e.req.inboundSID = "" // a retry makes no new inbox item
		events = append(events, e)
	}
	slices.SortStableFunc(events, func(a, b event) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	var p webhookPlan
	seen := map[string]bool{}
	for _, e := range events[:min(n, len(events))] {
		p.requests = append(p.requests, e.req)
		key := e.req.path + "?" + e.req.body
		if seen[key] {
			p.retries++
		}
		seen[key] = true
		if e.req.path == webhooks.InboundPath {
			p.inbound++
		} else {
			p.status++
		}
	}
	delivered := map[string]bool{}
	for _, r := range p.requests {
		if r.inboundSID != "" {
			p.expectedItems++
		}
		if r.delivers != "" {
			delivered[r.delivers] = true
		}
	}
	p.delivered = len(delivered)
	return p
}

func pickReply(rng *rand.Rand, ref string) string {
	r := rng.IntN(1000)
	for _, m := range replyMix {
		if r < m.weight {
			return m.body(ref)
		}
		r -= m.weight
	}
	return "OUI"
}

// webhookLoad is what posting the plan measured.
type webhookLoad struct {
	elapsed      time.Duration
	latencies    []time.Duration
	inboundLat   []time.Duration      // the inbound SMS' share of latencies
	sentAt       map[string]time.Time // inbound SID → when its post started
	failed       int
	firstFailure string
}

func (l webhookLoad) rps() float64 { return float64(len(l.latencies)) / l.elapsed.Seconds() }

// postWebhooks posts the requests in order from concurrency clients, each
// taking the next request when its previous one is answered.
func postWebhooks(ctx context.Context, baseURL string, reqs []webhookRequest, concurrency int, out io.Writer) webhookLoad {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency, IdleConnTimeout: time.Minute}}
	var next atomic.Int64
	var mu sync.Mutex
	load := webhookLoad{sentAt: make(map[string]time.Time, len(reqs)/2)}
	stopProgress := progress(out, "posted", len(reqs), func() int { return int(min(next.Load(), int64(len(reqs)))) })
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, len(reqs)/concurrency+1)
			var inLat []time.Duration
			sent := map[string]time.Time{}
			var failed int
			var failure string
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) || ctx.Err() != nil {
					break
				}
				r := reqs[i]
				t0 := time.Now()
				if r.inboundSID != "" {
					sent[r.inboundSID] = t0
				}
				if err := postWebhook(ctx, client, baseURL, r); err != nil {
					failed++
					if failure == "" {
						failure = err.Error()
					}
				}
				d := time.Since(t0)
				lat = append(lat, d)
				if r.path == webhooks.InboundPath {
					inLat = append(inLat, d)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			load.latencies = append(load.latencies, lat...)
			load.inboundLat = append(load.inboundLat, inLat...)
			for k, v := range sent {
				load.sentAt[k] = v
			}
			load.failed += failed
			if load.firstFailure == "" {
				load.firstFailure = failure
			}
		}()
	}
	wg.Wait()
	load.elapsed = time.Since(start)
	stopProgress()
	return load
}

func postWebhook(ctx context.Context, client *http.Client, baseURL string, r webhookRequest) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+r.path, strings.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", r.signature)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("%s: HTTP %d", r.path, resp.StatusCode)
	}
	return nil
}

// progress prints how far a long step got every 2 seconds until stopped.
func progress(out io.Writer, what string, total int, done func() int) (stop func()) {
	quit := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				n := done()
				fmt.Fprintf(out, "  %s / %s %s, %.0f/s so far\n", thousands(n), thousands(total), what, float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// checkWebhookEffects checks that the database holds each webhook once.
func checkWebhookEffects(ctx context.Context, store *postgres.Store, offerID int64, p webhookPlan) error {
	got, err := store.CountWebhookEffects(ctx, offerID)
	if err != nil {
		return err
	}
	if got.Inbound != p.expectedItems || got.InboxItems != p.expectedItems {
		return fmt.Errorf("bench webhooks: %d inbound SMS and %d inbox items stored, want %d of each", got.Inbound, got.InboxItems, p.expectedItems)
	}
	if got.Delivered != p.delivered {
		return fmt.Errorf("bench webhooks: %d contacts delivered, want %d (every contact with a delivered report, whatever came after)", got.Delivered, p.delivered)
	}
	if got.StatusEvents != p.status-countRetries(p, webhooks.StatusPath) {
		return fmt.Errorf("bench webhooks: %d status events stored for %d distinct callbacks", got.StatusEvents, p.status-countRetries(p, webhooks.StatusPath))
	}
	return nil
}

func countRetries(p webhookPlan, path string) int {
	seen, n := map[string]bool{}, 0
	for _, r := range p.requests {
		if r.path != path {
			continue
		}
		if seen[r.body] {
			n++
		}
		seen[r.body] = true
	}
	return n
}
