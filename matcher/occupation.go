package matcher

import (
	"strconv"
	"strings"
)

// Points of the occupation factor; see the package documentation.
const (
	exactPoints       = 40.0 // the offer's own ROME code
	closestLinkPoints = 25.0 // a related code at mobility rank 1
	farthestLinkPoint = 15.0 // from rank 11 on, or unranked
)

// mobilityLink is a mobility link from an occupation a candidate holds to the
// offer's, prepared once per offer with its points and reason.
type mobilityLink struct {
	from   string // the candidate's ROME code, upper case
	rank   int    // 1 = closest; 0 = unranked
	points float64
	detail string
}

// linkPoints returns the occupation points of a related code at rank: 25 at
// rank 1, one point less per rank, never under 15.
func linkPoints(rank int) float64 {
	if rank < 1 {
		return farthestLinkPoint
	}
	return max(closestLinkPoints-float64(rank-1), farthestLinkPoint)
}

// betterThan reports whether l should be named rather than o when a
// candidate holds both codes: more points, then the smaller code.
func (l *mobilityLink) betterThan(o *mobilityLink) bool {
	if l.points != o.points {
		return l.points > o.points
	}
	return l.from < o.from
}

// mobilityLinks prepares the offer's related codes, keyed by upper-case ROME
// code. The offer's own code and empty codes are ignored; a rank below 1
// counts as unranked.
func mobilityLinks(rome string, related map[string]int, labels map[string]string) map[string]*mobilityLink {
	links := make(map[string]*mobilityLink, len(related))
	to := romeName(rome, labels)
	for code, rank := range related {
		from := normalROME(code)
		if from == "" || from == rome {
			continue
		}
		l := &mobilityLink{from: from, rank: max(rank, 0), points: linkPoints(rank)}
		if old, dup := links[from]; dup && !l.betterThan(old) {
			continue
		}
		l.detail = "métier proche : " + romeName(from, labels) + " → " + to
		if l.rank > 0 {
			l.detail += " (mobilité n°" + strconv.Itoa(l.rank) + ")"
		}
		links[from] = l
	}
	return links
}

// occupationLink tells whether the candidate may do the offer's job: directly
// (nil link) or through the best mobility link from one of their codes.
func (s *scorer) occupationLink(c *Candidate) (*mobilityLink, bool) {
	if containsFold(c.ROMECodes, s.rome) {
		return nil, true
	}
	if len(s.related) == 0 {
		return nil, false
	}
	var best *mobilityLink
	for _, code := range c.ROMECodes {
		l, ok := s.related[code]
		if !ok && !isNormalROME(code) {
			l = s.related[normalROME(code)]
		}
		if l != nil && (best == nil || l.betterThan(best)) {
			best = l
		}
	}
	return best, best != nil
}

// occupation scores the occupation: the offer's own code or a related one.
func (s *scorer) occupation(p pairing) (float64, string) {
	if p.link == nil {
		return exactPoints, s.occupationDetail
	}
	return p.link.points, p.link.detail
}

// normalROME returns a ROME code as the matcher compares it: trimmed, upper
// case.
func normalROME(code string) string {
	if isNormalROME(code) {
		return code
	}
	return strings.ToUpper(strings.TrimSpace(code))
}

// isNormalROME reports whether normalROME would return code unchanged, without
// allocating.
func isNormalROME(code string) bool {
	for i := 0; i < len(code); i++ {
		if c := code[i]; ('a' <= c && c <= 'z') || c <= ' ' || c >= 0x80 {
			return false
		}
	}
	return true
}

// romeName is a ROME code followed by its label when labels has one:
// "H2605 Monteur-câbleur / Monteuse-câbleuse en électronique".
func romeName(code string, labels map[string]string) string {
	label, ok := labels[code]
	if !ok {
		for k, v := range labels {
			if normalROME(k) == code {
				label = v
				break
			}
		}
	}
	if label = strings.Join(strings.Fields(label), " "); label == "" {
		return code
	}
	return code + " " + label
}
