package outreach

import (
	"cmp"
	"slices"
	"strconv"
)

// How evenly offer SMS fall on job seekers: nobody should be texted much
// more than the others (see DefaultMaxOfferSMSPer7Days for the cap).
//
// The population is the job seekers the viewer follows (candidates whose
// counsellor is the viewer, or any counsellor of the agency for an
// administrator) who may be texted (SMS consent, not opted out), plus
// those who received an SMS in the period anyway (consent withdrawn
// since). Each counts the offer SMS they received in the period: sent or
// delivered (not undelivered nor failed), for any offer, not only the
// viewer's. Reminders and pre-screening questions are not counted: they
// follow an offer SMS or the job seeker's own yes.

// SMSCount is how many job seekers received the same number of SMS.
type SMSCount struct {
	SMS        int
	JobSeekers int
}

// SMSSpread says how evenly offer SMS fall on the job seekers in scope.
type SMSSpread struct {
	// JobSeekers is the population: those who may be texted, and those
	// who were. Reached got at least one SMS; SMS is their total.
	JobSeekers int
	Reached    int
	SMS        int
	// Max is the most SMS one job seeker received.
	Max int
	// Histogram counts the job seekers reached by number of SMS: 1, 2, 3,
	// and 4 or more.
	Histogram []SpreadBucket
	// Gini is the Gini coefficient of the SMS per job seeker over the
	// whole population, those who got none included: 0 when everyone got
	// as many, towards 1 when a few got them all ((n−1)/n at most for n
	// job seekers). Nil without any SMS.
	Gini *float64
}

// SpreadBucket counts the job seekers who received SMS messages, or SMS
// or more when OrMore.
type SpreadBucket struct {
	SMS        int
	OrMore     bool
	JobSeekers int
}

// Label names the bucket for a chart: "1", "2", "3", "4 et +".
func (b SpreadBucket) Label() string {
	if b.OrMore {
		return strconv.Itoa(b.SMS) + " et +"
	}
	return strconv.Itoa(b.SMS)
}

// spreadHistogramTop is the last histogram bucket: that many SMS or more.
const spreadHistogramTop = 4

// spreadOf computes the spread from the number of job seekers per number
// of SMS.
func spreadOf(dist []SMSCount) SMSSpread {
	sp := SMSSpread{Histogram: make([]SpreadBucket, spreadHistogramTop)}
	for i := range sp.Histogram {
		sp.Histogram[i].SMS = i + 1
	}
	sp.Histogram[spreadHistogramTop-1].OrMore = true
	for _, d := range dist {
		sp.JobSeekers += d.JobSeekers
		sp.SMS += d.SMS * d.JobSeekers
		if d.SMS == 0 || d.JobSeekers == 0 {
			continue
		}
		sp.Reached += d.JobSeekers
		sp.Max = max(sp.Max, d.SMS)
		sp.Histogram[min(d.SMS, spreadHistogramTop)-1].JobSeekers += d.JobSeekers
	}
	sp.Gini = gini(dist)
	return sp
}

// gini is the Gini coefficient of values given as (value, how many)
// pairs:
//
//	G = 2·Σ i·x(i) / (n·Σ x) − (n+1)/n
//
// with x(i) the i-th smallest of the n values, i from 1. A group of k
// equal values at ranks r+1..r+k adds x·(k·r + k(k+1)/2) to Σ i·x(i).
// Nil when the values sum to 0.
func gini(dist []SMSCount) *float64 {
	dist = slices.SortedFunc(slices.Values(dist), func(a, b SMSCount) int { return cmp.Compare(a.SMS, b.SMS) })
	var n, total, ranked float64
	for _, d := range dist {
		k, x := float64(d.JobSeekers), float64(d.SMS)
		ranked += x * (k*n + k*(k+1)/2)
		n += k
		total += x * k
	}
	if total == 0 {
		return nil
	}
	g := 2*ranked/(n*total) - (n+1)/n
	g = max(0, g) // rounding never makes it negative
	return &g
}
