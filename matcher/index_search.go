package matcher

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Bounded is a job seeker the index proposes for an offer, with the most
// they could score for it.
type Bounded struct {
	ID  int64
	Max float64
}

// Proposals are an offer's job seekers from the index, handed out best
// bound first. A job seeker holding several of the offer's codes is
// proposed once, with the bound of their best code.
type Proposals struct {
	heap []Bounded // max-heap on Max
	seen map[int64]struct{}
}

// Len returns how many proposals may be left (duplicates included).
func (p *Proposals) Len() int { return len(p.heap) }

// Bound returns the highest score any proposal left could reach, and false
// when none is left.
func (p *Proposals) Bound() (float64, bool) {
	p.dropSeen()
	if len(p.heap) == 0 {
		return 0, false
	}
	return p.heap[0].Max, true
}

// Next returns up to n proposals not returned before, best bound first.
func (p *Proposals) Next(n int) []Bounded {
	var out []Bounded
	for len(out) < n {
		p.dropSeen()
		if len(p.heap) == 0 {
			break
		}
		b := p.pop()
		p.seen[b.ID] = struct{}{}
		out = append(out, b)
	}
	return out
}

func (p *Proposals) dropSeen() {
	for len(p.heap) > 0 {
		if _, dup := p.seen[p.heap[0].ID]; !dup {
			return
		}
		p.pop()
	}
}

func (p *Proposals) pop() Bounded {
	h := p.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	p.heap = h[:last]
	p.down(0)
	return top
}

func (p *Proposals) down(i int) {
	h := p.heap
	for {
		best := i
		if l := 2*i + 1; l < len(h) && h[l].Max > h[best].Max {
			best = l
		}
		if r := 2*i + 2; r < len(h) && h[r].Max > h[best].Max {
			best = r
		}
		if best == i {
			return
		}
		h[i], h[best] = h[best], h[i]
		i = best
	}
}

// Search proposes the job seekers who might be eligible for offer, with a
// bound of their score: the offer's occupation or a related one (as Rank
// reads offer.Related), within the smaller of the offer's radius and their
// mobility, accepting its contract. The bound counts every point Rank could
// give them: their occupation and distance points, the skills whose
// signature they carry, full freshness and no fatigue (the index knows
// nothing of contacts). Consent, opt-outs, fatigue and past contacts are for
// the caller to check.
//
// Only job seekers whose bound reaches floor are proposed: a caller who
// already holds a full shortlist passes its last score, and the search
// then skips the occupations that cannot reach it and looks for the others
// only as far as their points allow (see reach). Floor 0 proposes all.
func (ix *Index) Search(offer Offer, floor float64) *Proposals {
	p := &Proposals{seen: make(map[int64]struct{})}
	rome := normalROME(offer.ROMECode)
	if rome == "" || !(offer.RadiusKM > 0) {
		return p
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	b := ix.bounder(offer, rome)
	for _, occ := range b.occupations {
		reach := b.reach(occ.points, floor)
		if reach < 0 {
			continue
		}
		minLat, maxLat, minLon, maxLon := BoundingBox(offer.Location, reach+distanceSlackKM)
		rowLo, rowHi := int32(math.Floor(minLat/cellLat)), int32(math.Floor(maxLat/cellLat))
		colLo, colHi := int32(math.Floor(minLon/cellLon)), int32(math.Floor(maxLon/cellLon))
		propose := func(slot int32, occupation float64) {
			bound, ok := b.bound(ix, slot, occupation, minLat, maxLat, minLon, maxLon)
			if ok && bound >= floor {
				p.heap = append(p.heap, Bounded{ID: ix.ids[slot], Max: bound})
			}
		}
		pl := &ix.postings[occ.number]
		for row := rowLo; row <= rowHi; row++ {
			last := cellAt(row, colHi)
			i, _ := slices.BinarySearch(pl.cells, cellAt(row, colLo))
			for ; i < len(pl.cells) && pl.cells[i] <= last; i++ {
				for _, slot := range pl.slots[pl.starts[i]:pl.starts[i+1]] {
					if bit(ix.inBase, slot) {
						propose(slot, occ.points)
					}
				}
			}
		}
		for _, slot := range pl.added {
			propose(slot, occ.points)
		}
	}
	for i := len(p.heap)/2 - 1; i >= 0; i-- {
		p.down(i)
	}
	return p
}

// bounder is what bounding one offer's scores needs, prepared once.
type bounder struct {
	offer       Offer
	occupations []occupationPoints // the offer's code first, then by points
	contract    uint8              // bit of the offer's contract
	skillMasks  []uint32           // one per distinct requested skill
}

type occupationPoints struct {
	number uint16
	points float64
}

func (ix *Index) bounder(offer Offer, rome string) *bounder {
	b := &bounder{offer: offer}
	if num, ok := ix.codeNumber[rome]; ok {
		b.occupations = append(b.occupations, occupationPoints{num, exactPoints})
	}
	for code, link := range mobilityLinks(rome, offer.Related, nil) {
		if num, ok := ix.codeNumber[code]; ok {
			b.occupations = append(b.occupations, occupationPoints{num, link.points})
		}
	}
	// Best points first, so that a job seeker is first proposed with the
	// bound of their best code; the later duplicates are skipped.
	slices.SortFunc(b.occupations, func(x, y occupationPoints) int {
		return cmp.Or(cmp.Compare(y.points, x.points), cmp.Compare(x.number, y.number))
	})
	b.contract = otherContract
	if t := strings.TrimSpace(offer.ContractType); t != "" {
		b.contract = ix.contractBit(t, false) | otherContract
	}
	seen := map[string]bool{}
	for _, label := range offer.Skills {
		if key := NormalizeSkill(label); key != "" && !seen[key] {
			seen[key] = true
			b.skillMasks = append(b.skillMasks, skillMask(key))
		}
	}
	return b
}

// reach is how far from the workplace a job seeker of an occupation
// worth points can live and still score floor: the distance points fall
// from 35 at the door to 0 at the limit, which is at most the radius, so
// beyond radius × (1 - shortfall/35) they cannot make up what the other
// parts lack. Negative: nobody of that occupation can score floor.
func (b *bounder) reach(points, floor float64) float64 {
	skills := noSkillsPoints
	if len(b.skillMasks) > 0 {
		skills = maxSkillsPoints
	}
	shortfall := floor - (points + skills + maxFreshnessPoints)
	if shortfall > maxDistancePoints {
		return -1
	}
	return b.offer.RadiusKM * min(1, 1-shortfall/maxDistancePoints)
}

// bound returns the most a slot could score for the offer, and false when
// the slot surely is not eligible.
func (b *bounder) bound(ix *Index, slot int32, occupation, minLat, maxLat, minLon, maxLon float64) (float64, bool) {
	d := &ix.slots[slot]
	lat, lon := float64(d.lat), float64(d.lon)
	if lat < minLat || lat > maxLat || lon < minLon || lon > maxLon {
		return 0, false
	}
	if c := d.contracts; c != 0 && c&b.contract == 0 {
		return 0, false
	}
	limit := b.offer.RadiusKM
	if m := d.mobility; m != 0 && m != unlimitedKM {
		limit = min(limit, float64(m))
	}
	km := max(DistanceKM(b.offer.Location, Point{lat, lon})-distanceSlackKM, 0)
	if km > limit {
		return 0, false
	}
	points := occupation + maxDistancePoints*(1-km/limit) + maxFreshnessPoints
	if len(b.skillMasks) == 0 {
		return points + noSkillsPoints, true
	}
	have, n := d.skills, 0
	for _, m := range b.skillMasks {
		if have&m == m {
			n++
		}
	}
	return points + maxSkillsPoints*float64(n)/float64(len(b.skillMasks)), true
}
