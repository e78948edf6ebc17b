// Package matcher shortlists job seekers for an offer: it decides who is
// eligible and ranks them by a score that explains itself, then picks whom to
// text so that attention is spread rather than piled on the same people. It
// is pure logic, with no I/O, and imports only the standard library.
//
// The PostgreSQL adapter pre-filters candidates in SQL (ROME codes, the box
// from BoundingBox, consent, opt-out, not already contacted) and hands them
// to Rank, which applies the exact rules below; Allocate then draws the ones
// to text. The rules, the factor names and the meaning of the points are a
// stable contract: API clients read them from the "reasons" of each match.
//
// # Eligibility
//
// A candidate is eligible for an offer only if all of these hold:
//   - one of the candidate's ROME codes is the offer's ROME code, or is a key
//     of Offer.Related: a code X with a mobility link X → the offer's code in
//     the ROME referential, meaning that someone doing X can move to the
//     offer's job (links are directional; the adapter fills Related with the
//     links whose target is the offer's code, from_code → rank); codes are
//     compared ignoring case and surrounding spaces;
//   - the great-circle distance between the offer and the candidate
//     (DistanceKM) is at most the limit, the smaller of the offer's radius
//     and the candidate's mobility; a mobility of zero or less means the
//     candidate set no limit of their own, so the offer's radius applies;
//   - the candidate accepts any contract (empty list) or lists the offer's
//     contract type; codes are compared ignoring case;
//   - the candidate is not over-solicited: when Offer.MaxPer7Days is
//     positive, Candidate.Solicitations7d (offer SMS in the rolling 7 days)
//     is below it;
//   - the candidate can start in time: Candidate.AvailableFrom is zero
//     (available now) or its date is on or before the offer's start. The
//     offer's start is the date of Offer.StartsOn, or the date of Offer.Now
//     when StartsOn is zero or an earlier date (a start date already past
//     means the job starts now). When both are zero, availability is not
//     checked. Dates are compared as calendar days, each in its own
//     location, whatever their time of day.
//
// An offer with no ROME code or a radius that is not positive matches nobody.
//
// # Score
//
// The score, from 0 to 100, is the sum of independent parts, one per factor.
// Each part is reported as a Reason, always all six and in this order:
//
//	factor      points      detail, e.g.
//	occupation  40, 15-25   "métier recherché D1102" or
//	                        "métier proche : H2604 → H2605 (mobilité n°2)"
//	distance    0 to 35     "12,3 km de Lyon (limite 30 km)"
//	skills      0 to 20     "2 compétences sur 3 : accueil client, encaissement"
//	freshness   0 to 5      "dernier SMS d'offre il y a 3 jours"
//	fatigue     -15 to 0    "2 offres sans réponse, 1 SMS d'offre en 7 jours (plafond 2)"
//	contract    0           "accepte le CDI" or "tout type de contrat"
//
// In detail:
//   - occupation: 40 points for the exact ROME code of the offer. Through a
//     mobility link, 26 - rank points, never under 15: 25 at rank 1, 24 at
//     rank 2, ..., 15 from rank 11 on or when the rank is unknown (below 1).
//     When the candidate holds several related codes, the one with the most
//     points counts (then the smaller code). The detail names the codes,
//     followed by their labels when Offer.ROMELabels has them
//     ("métier recherché D1102 Boulanger / Boulangère"), and the rank of the
//     link. An exact match thus always scores at least 15 points more than a
//     related one with the same other parts.
//   - distance: 35 points at 0 km, falling linearly to 0 at the limit
//     (see Eligibility). The detail gives the distance, the offer's town when
//     known, and the limit, in kilometres with a French decimal comma.
//   - skills: 20 × matched / requested, where requested counts the offer's
//     distinct skills and matched those the candidate also has, both compared
//     after NormalizeSkill. The detail lists the matched skills as the offer
//     spells them, in the offer's order. An offer that asks for no skill gives
//     everyone 10 points, with the detail "aucune compétence demandée"
//     (rare: an offer created without skills gets the first core skills of
//     its ROME code, see outreach.DefaultOfferSkills).
//   - freshness: 5 × min(days, 28) / 28, where days counts the whole days
//     from Candidate.LastContactedAt to Offer.Now (a later date counts as 0),
//     and 5 points when the candidate never received an offer SMS ("aucun SMS
//     d'offre reçu"). When Offer.Now is zero, everyone gets 0 points with the
//     detail "fraîcheur non évaluée".
//   - fatigue: -5 points per offer the candidate left pending unanswered
//     (Candidate.PendingUnanswered), at most -15. The detail also gives the
//     offer SMS of the last 7 days, and the limit when there is one.
//   - contract: no points; the detail says whether the candidate accepts the
//     offer's contract explicitly or accepts any contract.
//
// Parts are summed unrounded, then the score is rounded to 0.1. Each
// Reason.Points is rounded to 0.1 on its own, so the points of the reasons
// may add up to 0.1 more or less than the score. The weights keep the sum
// within 0 to 100: at best 40 + 35 + 20 + 5 + 0, at worst 15 + 0 + 0 + 0 - 15.
//
// # Order
//
// Matches come best first: by score descending, then distance ascending, then
// candidate ID ascending. The comparison uses the rounded values shown in the
// Match, so the same input always gives the same order and a client can check
// the order from the output alone.
//
// # Spreading attention
//
// Rank says who fits; Allocate says whom to text. Texting the top n of every
// offer sends all the similar offers of an area to the same few people, who
// cannot take them all, while others hear of none. Allocate instead draws n
// matches at random with a weight of score² × rest⁴, where rest grows from
// 0.09 the day of an offer SMS to 1 after 28 days (it is (freshness + 0.5) /
// 5.5): whoever was texted lately waits for those who were not. With the
// fatigue rules above (the 7-day limit, the penalty for pending offers) this
// is capacity-aware allocation rather than a plain score-weighted shuffle. Gini and TopShare
// measure the result: the Gini coefficient of SMS per job seeker, and the
// share of SMS that went to the 10% most solicited.
package matcher
