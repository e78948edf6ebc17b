package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/refdata"
)

func collect(t *testing.T, cfg NationalConfig, communes []refdata.Commune, codes []refdata.ROMECode) []outreach.Candidate {
	t.Helper()
	seq, err := National(cfg, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	var out []outreach.Candidate
	for c := range seq {
		out = append(out, c)
	}
	return out
}

// nationalStats summarises a national population for the sanity checks.
type nationalStats struct {
	n                  int
	bigCities          int // living in an arrondissement of Paris, Lyon or Marseille
	common             int // main occupation among the common ones
	mainCodes          map[string]int
	consent, optedOut  int
	mobilitySum        float64
	mobilityNearMode   int // 25 to 35 km
	mobilityUnder15KM  int
	maxJitterKM        float64
	withExtraROMECodes int
}

func TestNational(t *testing.T) {
	communes, codes := loadReference(t)
	byCode := map[string]refdata.Commune{}
	counsellors := map[string]int64{}
	for _, c := range communes {
		byCode[c.INSEE] = c
		if _, ok := counsellors[c.Department]; !ok {
			counsellors[c.Department] = int64(len(counsellors) + 1)
		}
	}
	known := map[string]bool{}
	for _, c := range codes {
		known[c.Code] = true
	}
	commonCodes := map[string]bool{}
	for _, o := range occupations {
		commonCodes[o.code] = true
	}

	const n = 20_000
	got := collect(t, NationalConfig{Candidates: n, Seed: 1, Counsellors: counsellors}, communes, codes)
	if len(got) != n {
		t.Fatalf("got %d candidates, want %d", len(got), n)
	}
	phoneRE := regexp.MustCompile(`^\+3363998[0-9]{4}$`)
	s := nationalStats{mainCodes: map[string]int{}}
	for i, c := range got {
		if want := fmt.Sprintf("FT-BENCH-%08d", i+1); c.ExternalID != want {
			t.Fatalf("candidate %d: external id %q, want %q", i, c.ExternalID, want)
		}
		if !phoneRE.MatchString(c.Phone) || c.Phone != fictionalPhone(i) {
			t.Errorf("%s: phone %q", c.ExternalID, c.Phone)
		}
		home, ok := byCode[c.CommuneCode]
		if !ok || splitCities[home.INSEE] || home.Population <= 0 {
			t.Fatalf("%s: commune %q is not an inhabited home", c.ExternalID, c.CommuneCode)
		}
		if c.CounsellorID != counsellors[home.Department] {
			t.Errorf("%s: counsellor %d, want that of department %s", c.ExternalID, c.CounsellorID, home.Department)
		}
		s.maxJitterKM = math.Max(s.maxJitterKM, distanceKM(c.Location.Lat, c.Location.Lon, home.Lat, home.Lon))
		if home.Type == "ARM" {
			s.bigCities++
		}
		checkROMECodes(t, c, known)
		if len(c.ROMECodes) > 1 {
			s.withExtraROMECodes++
		}
		s.mainCodes[c.ROMECodes[0]]++
		if commonCodes[c.ROMECodes[0]] {
			s.common++
		}
		if c.MobilityKM < 5 || c.MobilityKM > 60 || c.MobilityKM != math.Round(c.MobilityKM) {
			t.Errorf("%s: mobility %v km", c.ExternalID, c.MobilityKM)
		}
		s.mobilitySum += c.MobilityKM
		switch {
		case c.MobilityKM >= 25 && c.MobilityKM <= 35:
			s.mobilityNearMode++
		case c.MobilityKM < 15:
			s.mobilityUnder15KM++
		}
		if c.SMSConsent {
			s.consent++
		}
		if c.OptedOut {
			s.optedOut++
		}
		if c.ContractTypes == nil || c.Skills == nil || c.FirstName == "" {
			t.Errorf("%s: nil contract types or skills, or no first name", c.ExternalID)
		}
	}
	s.n = n
	s.check(t)
}

func checkROMECodes(t *testing.T, c outreach.Candidate, known map[string]bool) {
	t.Helper()
	if n := len(c.ROMECodes); n < 1 || n > 3 {
		t.Errorf("%s: %d ROME codes", c.ExternalID, n)
	}
	for i, code := range c.ROMECodes {
		if !known[code] {
			t.Errorf("%s: unknown ROME code %s", c.ExternalID, code)
		}
		if slices.Contains(c.ROMECodes[:i], code) {
			t.Errorf("%s: ROME code %s twice", c.ExternalID, code)
		}
	}
}

// check holds the population to plausible national figures.
func (s nationalStats) check(t *testing.T) {
	t.Helper()
	share := func(k int) float64 { return float64(k) / float64(s.n) }
	tests := []struct {
		what     string
		got      float64
		min, max float64
	}{
		// Paris, Lyon and Marseille: 3.5 million of 68 million, 5.2%.
		{"share in Paris, Lyon and Marseille", share(s.bigCities), 0.045, 0.060},
		{"share of common occupations", share(s.common), 0.68, 0.76},
		{"distinct main occupations", float64(len(s.mainCodes)), 500, 1584},
		{"share with several ROME codes", share(s.withExtraROMECodes), 0.25, 0.40},
		{"consent share", share(s.consent), 0.90, 0.94},
		{"opted-out share", share(s.optedOut), 0.0099, 0.0101},
		// Triangular law (5, 30, 60): mean 31.7, 36% within 25-35 km, 8% under 15 km.
		{"mean mobility (km)", s.mobilitySum / float64(s.n), 31, 32.4},
		{"mobility within 25-35 km", share(s.mobilityNearMode), 0.32, 0.40},
		{"mobility under 15 km", share(s.mobilityUnder15KM), 0.05, 0.09},
		{"farthest from the commune point (km)", s.maxJitterKM, 0.5, jitterMaxKM + 0.01},
	}
	for _, tt := range tests {
		t.Logf("%s = %.4f", tt.what, tt.got)
		if tt.got < tt.min || tt.got > tt.max {
			t.Errorf("%s = %.4f, want %.4f to %.4f", tt.what, tt.got, tt.min, tt.max)
		}
	}
	// The most common occupation should hold a few percent, not a third.
	most := 0
	for _, k := range s.mainCodes {
		most = max(most, k)
	}
	if m := share(most); m < 0.02 || m > 0.06 {
		t.Errorf("most common occupation holds %.3f of candidates", m)
	}
}

func TestNationalDeterministic(t *testing.T) {
	communes, codes := loadReference(t)
	cfg := NationalConfig{Candidates: 2000, Seed: 7}
	seq, err := National(cfg, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	first := slices.Collect(seq)
	if again := slices.Collect(seq); !reflect.DeepEqual(first, again) {
		t.Error("ranging twice gave different populations")
	}
	if other := collect(t, cfg, communes, codes); !reflect.DeepEqual(first, other) {
		t.Error("same seed gave different populations")
	}
	cfg.Seed = 8
	if other := collect(t, cfg, communes, codes); reflect.DeepEqual(first, other) {
		t.Error("different seeds gave the same population")
	}
	taken := 0
	for range seq {
		taken++
		if taken == 10 {
			break
		}
	}
	if taken != 10 {
		t.Errorf("stopped after %d candidates, want 10", taken)
	}
}

func TestNationalConfig(t *testing.T) {
	communes, codes := loadReference(t)
	tests := []struct {
		name    string
		cfg     NationalConfig
		wantErr bool
	}{
		{"negative", NationalConfig{Candidates: -1}, true},
		{"too many for the id format", NationalConfig{Candidates: 100_000_000}, true},
		{"default size", NationalConfig{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := National(tt.cfg, communes, codes)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
	if _, err := National(NationalConfig{Candidates: 1}, communes, codes[:10]); err == nil {
		t.Error("accepted a referential missing the common occupations")
	}
	if _, err := National(NationalConfig{Candidates: 1}, nil, codes); err == nil {
		t.Error("accepted no communes")
	}
}

func TestNationalOptOuts(t *testing.T) {
	communes, codes := loadReference(t)
	tests := []struct {
		share      float64
		wantPhones int
	}{
		{0, 100}, {0.01, 100}, {0.05, 500}, {1, 10000}, {-1, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.share), func(t *testing.T) {
			phones := OptedOutPhones(tt.share)
			if len(phones) != tt.wantPhones {
				t.Fatalf("%d opted-out numbers, want %d", len(phones), tt.wantPhones)
			}
			out := map[string]bool{}
			for _, p := range phones {
				out[p] = true
			}
			for c := range mustNational(t, NationalConfig{Candidates: 12_000, OptOutShare: tt.share}, communes, codes) {
				if c.OptedOut != out[c.Phone] {
					t.Fatalf("%s (%s): OptedOut %v, but listed %v", c.ExternalID, c.Phone, c.OptedOut, out[c.Phone])
				}
			}
		})
	}
}

func mustNational(t *testing.T, cfg NationalConfig, communes []refdata.Commune, codes []refdata.ROMECode) func(func(outreach.Candidate) bool) {
	t.Helper()
	seq, err := National(cfg, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func TestOffers(t *testing.T) {
	communes, codes := loadReference(t)
	labels := map[string]string{}
	for _, c := range codes {
		labels[c.Code] = c.Label
	}
	byCode := map[string]refdata.Commune{}
	for _, c := range communes {
		byCode[c.INSEE] = c
	}
	const n = 5000
	got, err := Offers(n, 3, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d offers, want %d", len(got), n)
	}
	contracts := map[string]int{}
	radii := map[float64]int{}
	for i, o := range got {
		home := byCode[o.CommuneCode]
		if o.Title != labels[o.ROMECode] || o.Title == "" || len([]rune(o.Title)) > 120 {
			t.Errorf("offer %d: code %s, title %q", i, o.ROMECode, o.Title)
		}
		if home.Population <= 0 || o.Location != (outreach.Point{Lat: home.Lat, Lon: home.Lon}) ||
			o.Town != home.Name || o.Department != home.Department {
			t.Errorf("offer %d: place %+v does not match commune %s", i, o, o.CommuneCode)
		}
		if len(o.Skills) > 3 || o.Skills == nil {
			t.Errorf("offer %d: skills %v", i, o.Skills)
		}
		contracts[o.ContractType]++
		radii[o.RadiusKM]++
	}
	for _, c := range offerContracts {
		if share := float64(contracts[c.code]) / n; math.Abs(share-c.weight/100) > 0.03 {
			t.Errorf("contract %s: share %.3f, want %.2f", c.code, share, c.weight/100)
		}
	}
	for _, r := range offerRadii {
		if share := float64(radii[r.km]) / n; math.Abs(share-r.weight/100) > 0.03 {
			t.Errorf("radius %v km: share %.3f, want %.2f", r.km, share, r.weight/100)
		}
	}
	if len(contracts) != len(offerContracts) || len(radii) != len(offerRadii) {
		t.Errorf("contracts %v, radii %v", contracts, radii)
	}
	again, err := Offers(n, 3, communes, codes)
	if err != nil || !reflect.DeepEqual(got, again) {
		t.Errorf("same seed gave different offers (err %v)", err)
	}
}

func TestAlias(t *testing.T) {
	tests := [][]float64{
		{1, 2, 3, 4},
		{5},
		{0, 1, 0, 3},
		{1e6, 1, 1, 1, 1},
	}
	for _, weights := range tests {
		t.Run(fmt.Sprint(weights), func(t *testing.T) {
			a := newAlias(weights)
			rng := rand.New(rand.NewPCG(1, 2))
			const draws = 200_000
			counts := make([]int, len(weights))
			for range draws {
				counts[a.pick(rng)]++
			}
			var sum float64
			for _, w := range weights {
				sum += w
			}
			for i, w := range weights {
				got, want := float64(counts[i])/draws, w/sum
				if math.Abs(got-want) > 0.005 || (w == 0 && counts[i] > 0) {
					t.Errorf("index %d: share %.4f, want %.4f", i, got, want)
				}
			}
		})
	}
}
