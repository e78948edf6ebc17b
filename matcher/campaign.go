package matcher

import (
	"math/rand/v2"
	"time"
)

// Campaign is a run of similar offers published one after the other, each
// texting PerOffer job seekers: what the spread of attention is measured on.
type Campaign struct {
	Offers      []Offer // in publication order, each with Now set
	PerOffer    int
	MaxPer7Days int     // the fatigue cap; 0 turns the fatigue rules off
	AnswerRate  float64 // share of SMS answered; the others stay pending for 7 days
	Seed        uint64
	// Pick chooses whom offer number i texts among its ranked matches;
	// nil means Allocate seeded by Seed+i, as the service does.
	Pick func(ranked []Match, i int) []Match
}

// CampaignResult is what a simulated campaign measured.
type CampaignResult struct {
	Counts    []int   // SMS per job seeker, in the order given, everyone included
	Sent      int     // SMS in all
	MeanScore float64 // mean score of those texted
	MaxIn7d   int     // most SMS anyone got within 7 days
}

const week = 7 * 24 * time.Hour

// received is one offer SMS a job seeker got.
type received struct {
	at       time.Time
	answered bool
}

// Simulate plays a campaign over the job seekers: before each offer, their
// Solicitations7d, PendingUnanswered and LastContactedAt are computed from
// the SMS they got in the 7 days before it (a rolling window), then the
// offer ranks them and picks whom to text.
func Simulate(people []Candidate, c Campaign) CampaignResult {
	people = append([]Candidate(nil), people...)
	index := make(map[int64]int, len(people))
	for i, p := range people {
		index[p.ID] = i
	}
	rng := rand.New(rand.NewPCG(c.Seed, 4))
	inbox := make([][]received, len(people))
	res := CampaignResult{Counts: make([]int, len(people))}
	var scores float64
	for i, offer := range c.Offers {
		offer.MaxPer7Days = c.MaxPer7Days
		if c.MaxPer7Days > 0 {
			for j := range people {
				tally(&people[j], inbox[j], offer.Now)
			}
		}
		for _, m := range c.pick(Rank(offer, people), i) {
			j := index[m.CandidateID]
			inbox[j] = append(inbox[j], received{at: offer.Now, answered: rng.Float64() < c.AnswerRate})
			res.Counts[j]++
			res.Sent++
			scores += m.Score
			res.MaxIn7d = max(res.MaxIn7d, people[j].Solicitations7d+1)
		}
	}
	if res.Sent > 0 {
		res.MeanScore = scores / float64(res.Sent)
	}
	return res
}

func (c Campaign) pick(ranked []Match, i int) []Match {
	if c.Pick != nil {
		return c.Pick(ranked, i)
	}
	return Allocate(ranked, c.PerOffer, c.Seed+uint64(i))
}

// tally fills the fatigue fields of p from the SMS they received before now.
func tally(p *Candidate, inbox []received, now time.Time) {
	p.Solicitations7d, p.PendingUnanswered = 0, 0
	for _, m := range inbox {
		p.LastContactedAt = m.at
		if now.Sub(m.at) < week {
			p.Solicitations7d++
			if !m.answered {
				p.PendingUnanswered++
			}
		}
	}
}
