// Package matcher shortlists job seekers for an offer: it decides who is
// eligible and ranks them by a score that explains itself. It is pure logic,
// with no I/O, and imports only the standard library.
//
// The PostgreSQL adapter pre-filters candidates in SQL (ROME code, the box
// from BoundingBox, consent, opt-out, not already contacted) and hands them
// to Rank, which applies the exact rules below. The rules, the factor names
// and the meaning of the points are a stable contract: API clients read them
// from the "reasons" of each match.
//
// # Eligibility
//
// A candidate is eligible for an offer only if all of these hold:
//   - the offer's ROME code is one of the candidate's ROME codes;
//   - the great-circle distance between the offer and the candidate
//     (DistanceKM) is at most the limit, the smaller of the offer's radius
//     and the candidate's mobility; a mobility of zero or less means the
//     candidate set no limit of their own, so the offer's radius applies;
//   - the candidate accepts any contract (empty list) or lists the offer's
//     contract type; codes are compared ignoring case.
//
// An offer with no ROME code or a radius that is not positive matches nobody.
//
// # Score
//
// The score, from 0 to 100, is the sum of independent parts, one per factor.
// Each part is reported as a Reason, always all four and in this order:
//
//	factor      points   detail, e.g.
//	occupation  40       "métier recherché D1102"
//	distance    0 to 40  "12,3 km de Lyon (limite 30 km)"
//	skills      0 to 20  "2 compétences sur 3 : accueil client, encaissement"
//	contract    0        "accepte le CDI" or "tout type de contrat"
//
// In detail:
//   - occupation: 40 points for the exact ROME code of the offer.
//   - distance: 40 points at 0 km, falling linearly to 0 at the limit
//     (see Eligibility). The detail gives the distance, the offer's town when
//     known, and the limit, in kilometres with a French decimal comma.
//   - skills: 20 × matched / requested, where requested counts the offer's
//     distinct skills and matched those the candidate also has, both compared
//     after NormalizeSkill. The detail lists the matched skills as the offer
//     spells them, in the offer's order. An offer that asks for no skill gives
//     everyone 10 points, with the detail "aucune compétence demandée".
//   - contract: no points; the detail says whether the candidate accepts the
//     offer's contract explicitly or accepts any contract.
//
// Parts are summed unrounded, then the score is rounded to 0.1. Each
// Reason.Points is rounded to 0.1 on its own, so the points of the reasons
// may add up to 0.1 more or less than the score.
//
// # Order
//
// Matches come best first: by score descending, then distance ascending, then
// candidate ID ascending. The comparison uses the rounded values shown in the
// Match, so the same input always gives the same order and a client can check
// the order from the output alone.
package matcher
