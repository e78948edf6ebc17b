package seed

import (
	"math"
	"reflect"
	"regexp"
	"testing"

	"github.com/franceoutreach/outreach/refdata"
)

func loadReference(t *testing.T) ([]refdata.Commune, []refdata.ROMECode) {
	t.Helper()
	communes, err := refdata.Communes()
	if err != nil {
		t.Fatal(err)
	}
	codes, err := refdata.ROMECodes()
	if err != nil {
		t.Fatal(err)
	}
	return communes, codes
}

func TestOccupationsExistInROME(t *testing.T) {
	_, codes := loadReference(t)
	if err := checkOccupations(codes); err != nil {
		t.Fatal(err)
	}
	if n := len(occupations); n < 35 || n > 50 {
		t.Errorf("%d occupations, want about 40", n)
	}
	seen := map[string]bool{}
	for _, o := range occupations {
		if seen[o.code] {
			t.Errorf("occupation %s listed twice", o.code)
		}
		seen[o.code] = true
		if len(o.skills) < 4 || o.weight <= 0 {
			t.Errorf("%s: %d skills, weight %d", o.code, len(o.skills), o.weight)
		}
	}
	if err := checkOccupations(codes[:10]); err == nil {
		t.Error("checkOccupations accepted a referential missing the chosen codes")
	}
}

func TestCandidates(t *testing.T) {
	communes, codes := loadReference(t)
	cfg := Config{Candidates: 3000, Seed: 42, Counsellors: []int64{7, 8, 9}}
	got, err := Candidates(cfg, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3000 {
		t.Fatalf("got %d candidates, want 3000", len(got))
	}

	known := map[string]bool{}
	for _, c := range codes {
		known[c.Code] = true
	}
	byCode := map[string]refdata.Commune{}
	for _, c := range communes {
		byCode[c.INSEE] = c
	}
	var centres []refdata.Commune
	for _, code := range DefaultAreas {
		centres = append(centres, byCode[code])
	}

	phoneRE := regexp.MustCompile(`^\+3363998[0-9]{4}$`)
	idRE := regexp.MustCompile(`^FT-DEMO-[0-9]{6}$`)
	phones := map[string]bool{}
	ids := map[string]bool{}
	consent := 0
	for i, c := range got {
		if !phoneRE.MatchString(c.Phone) || phones[c.Phone] {
			t.Errorf("%s: phone %q not a distinct fictional number", c.ExternalID, c.Phone)
		}
		phones[c.Phone] = true
		if ids[c.ExternalID] || !idRE.MatchString(c.ExternalID) {
			t.Errorf("bad or duplicate external id %q", c.ExternalID)
		}
		ids[c.ExternalID] = true
		if c.SMSConsent {
			consent++
		}
		if want := cfg.Counsellors[i%3]; c.CounsellorID != want {
			t.Errorf("%s: counsellor %d, want %d", c.ExternalID, c.CounsellorID, want)
		}

		home, ok := byCode[c.CommuneCode]
		if !ok || home.Lat != c.Location.Lat || home.Lon != c.Location.Lon {
			t.Errorf("%s: location %v does not match commune %q", c.ExternalID, c.Location, c.CommuneCode)
		}
		nearest := math.Inf(1)
		for _, centre := range centres {
			nearest = math.Min(nearest, distanceKM(c.Location.Lat, c.Location.Lon, centre.Lat, centre.Lon))
		}
		if nearest > DefaultAreaRadiusKM {
			t.Errorf("%s: %s is %.1f km from the nearest centre", c.ExternalID, home.Name, nearest)
		}

		if n := len(c.ROMECodes); n < 1 || n > 3 {
			t.Errorf("%s: %d ROME codes", c.ExternalID, n)
		}
		for _, code := range c.ROMECodes {
			if !known[code] {
				t.Errorf("%s: unknown ROME code %s", c.ExternalID, code)
			}
		}
		if n := len(c.Skills); n < 2 || n > 5 {
			t.Errorf("%s: %d skills", c.ExternalID, n)
		}
		if c.ContractTypes == nil {
			t.Errorf("%s: nil contract types", c.ExternalID)
		}
		switch c.MobilityKM {
		case 10, 15, 20, 30, 40, 50:
		default:
			t.Errorf("%s: mobility %v km", c.ExternalID, c.MobilityKM)
		}
		if c.FirstName == "" {
			t.Errorf("%s: no first name", c.ExternalID)
		}
	}
	if share := float64(consent) / float64(len(got)); math.Abs(share-consentShare) > 0.03 {
		t.Errorf("consent share %.3f, want %.2f ± 0.03", share, consentShare)
	}
}

func TestCandidatesDeterministic(t *testing.T) {
	communes, codes := loadReference(t)
	cfg := Config{Candidates: 500, Seed: 7}
	a, err := Candidates(cfg, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Candidates(cfg, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different populations")
	}
	cfg.Seed = 8
	c, err := Candidates(cfg, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same population")
	}
}

func TestCandidatesConfig(t *testing.T) {
	communes, codes := loadReference(t)
	tests := []struct {
		name    string
		cfg     Config
		want    int
		wantErr bool
	}{
		{"defaults", Config{}, DefaultCandidates, false},
		{"all fictional numbers", Config{Candidates: FictionalPhones}, FictionalPhones, false},
		{"too many", Config{Candidates: FictionalPhones + 1}, 0, true},
		{"negative", Config{Candidates: -1}, 0, true},
		{"unknown area", Config{Candidates: 10, Areas: []string{"00000"}}, 0, true},
		{"small radius", Config{Candidates: 50, Areas: []string{"35238"}, AreaRadiusKM: 5}, 50, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Candidates(tt.cfg, communes, codes)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if len(got) != tt.want {
				t.Errorf("got %d candidates, want %d", len(got), tt.want)
			}
		})
	}
}

func TestDistanceKM(t *testing.T) {
	// Paris (Notre-Dame) to Lyon (Bellecour): about 392 km.
	if d := distanceKM(48.853, 2.3499, 45.7578, 4.8320); math.Abs(d-392) > 3 {
		t.Errorf("Paris-Lyon = %.1f km, want about 392", d)
	}
	if d := distanceKM(45, 4, 45, 4); d != 0 {
		t.Errorf("same point = %v km", d)
	}
}
