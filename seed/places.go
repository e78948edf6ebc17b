package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/franceoutreach/outreach/refdata"
)

// splitCities are the communes divided into municipal arrondissements
// (Paris, Lyon, Marseille). Candidates live in an arrondissement rather than
// at the city's single point, so that they spread across the city.
var splitCities = map[string]bool{"75056": true, "69123": true, "13055": true}

const earthRadiusKM = 6371.0

// distanceKM is the great-circle (haversine) distance between two points.
func distanceKM(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// homes draws communes within reach of the area centres, weighted by
// population.
type homes struct {
	communes   []refdata.Commune
	cumulative []int // running total of population, for a binary search
}

// newHomes gathers the inhabited, located communes within radiusKM of any
// of the area centres, given as INSEE codes.
func newHomes(all []refdata.Commune, areas []string, radiusKM float64) (*homes, error) {
	byCode := make(map[string]refdata.Commune, len(all))
	for _, c := range all {
		byCode[c.INSEE] = c
	}
	centres := make([]refdata.Commune, 0, len(areas))
	for _, code := range areas {
		c, ok := byCode[code]
		if !ok {
			return nil, fmt.Errorf("area %s: unknown commune", code)
		}
		if !c.HasCoordinates {
			return nil, fmt.Errorf("area %s (%s): no coordinates", code, c.Name)
		}
		centres = append(centres, c)
	}

	h := &homes{}
	total := 0
	for _, c := range all {
		if !c.HasCoordinates || c.Population <= 0 || splitCities[c.INSEE] {
			continue
		}
		if !withinAny(c, centres, radiusKM) {
			continue
		}
		total += c.Population
		h.communes = append(h.communes, c)
		h.cumulative = append(h.cumulative, total)
	}
	if len(h.communes) == 0 {
		return nil, fmt.Errorf("no inhabited commune within %.0f km of %v", radiusKM, areas)
	}
	return h, nil
}

func withinAny(c refdata.Commune, centres []refdata.Commune, radiusKM float64) bool {
	for _, centre := range centres {
		if distanceKM(c.Lat, c.Lon, centre.Lat, centre.Lon) <= radiusKM {
			return true
		}
	}
	return false
}

// pick returns a commune with probability proportional to its population.
func (h *homes) pick(rng *rand.Rand) refdata.Commune {
	n := rng.IntN(h.cumulative[len(h.cumulative)-1])
	i := sort.SearchInts(h.cumulative, n+1)
	return h.communes[i]
}
