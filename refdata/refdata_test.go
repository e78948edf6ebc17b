package refdata_test

import (
	"math"
	"slices"
	"testing"

	"github.com/franceoutreach/outreach/refdata"
)

func TestCounts(t *testing.T) {
	codes, err := refdata.ROMECodes()
	if err != nil {
		t.Fatal(err)
	}
	apps, err := refdata.Appellations()
	if err != nil {
		t.Fatal(err)
	}
	links, err := refdata.MobilityLinks()
	if err != nil {
		t.Fatal(err)
	}
	communes, err := refdata.Communes()
	if err != nil {
		t.Fatal(err)
	}
	skills, err := refdata.Skills()
	if err != nil {
		t.Fatal(err)
	}
	skillLinks, err := refdata.SkillLinks()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want int
	}{
		{"rome codes", len(codes), 1584},
		{"appellations", len(apps), 13120},
		{"mobility links", len(links), 14912},
		{"communes", len(communes), 35014},
		{"skills", len(skills), 33671},
		{"skill links", len(skillLinks), 90556},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d rows, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func codeSet(t *testing.T) map[string]refdata.ROMECode {
	t.Helper()
	codes, err := refdata.ROMECodes()
	if err != nil {
		t.Fatal(err)
	}
	set := make(map[string]refdata.ROMECode, len(codes))
	for _, c := range codes {
		set[c.Code] = c
	}
	return set
}

func TestROMECodes(t *testing.T) {
	set := codeSet(t)
	tests := []struct{ code, label string }{
		{"D1102", "Boulanger / Boulangère"},
		{"J1501", "Aide-soignant / Aide-soignante"},
	}
	for _, tt := range tests {
		c, ok := set[tt.code]
		if !ok {
			t.Errorf("%s missing", tt.code)
			continue
		}
		if c.Label != tt.label {
			t.Errorf("%s label = %q, want %q", tt.code, c.Label, tt.label)
		}
	}
	if got := set["D1108"].ParentCode; got != "D1102" {
		t.Errorf("D1108 parent = %q, want D1102", got)
	}
	for code, c := range set {
		if _, ok := set[c.ParentCode]; !ok {
			t.Errorf("%s: parent %q is not a ROME code", code, c.ParentCode)
		}
	}
}

func TestReferencesResolve(t *testing.T) {
	set := codeSet(t)
	apps, err := refdata.Appellations()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if _, ok := set[a.ROMECode]; !ok {
			t.Errorf("appellation %d: unknown ROME code %q", a.ID, a.ROMECode)
		}
		if a.ID <= 0 || a.Label == "" {
			t.Errorf("appellation %+v: missing id or label", a)
		}
	}
	links, err := refdata.MobilityLinks()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		_, fromOK := set[l.From]
		_, toOK := set[l.To]
		if !fromOK || !toOK || l.Rank < 1 {
			t.Errorf("bad mobility link %+v", l)
		}
	}
}

func TestSkills(t *testing.T) {
	set := codeSet(t)
	skills, err := refdata.Skills()
	if err != nil {
		t.Fatal(err)
	}
	labels := make(map[int]string, len(skills))
	for _, s := range skills {
		if s.ID <= 0 || s.Label == "" {
			t.Errorf("skill %+v: missing id or label", s)
		}
		labels[s.ID] = s.Label
	}
	links, err := refdata.SkillLinks()
	if err != nil {
		t.Fatal(err)
	}
	core := map[string][]string{}
	for _, l := range links {
		if _, ok := set[l.ROMECode]; !ok {
			t.Errorf("skill link %+v: unknown ROME code", l)
		}
		if _, ok := labels[l.SkillID]; !ok {
			t.Errorf("skill link %+v: unknown skill", l)
		}
		if l.Core {
			core[l.ROMECode] = append(core[l.ROMECode], labels[l.SkillID])
		}
	}
	if len(core) != len(set) {
		t.Errorf("%d occupations have core skills, want all %d", len(core), len(set))
	}
	if !slices.Contains(core["D1102"], "Pétrir manuellement ou mécaniquement des pâtes") {
		t.Errorf("D1102 core skills = %q, want kneading among them", core["D1102"])
	}
}

func TestCommunes(t *testing.T) {
	communes, err := refdata.Communes()
	if err != nil {
		t.Fatal(err)
	}
	byCode := make(map[string]refdata.Commune, len(communes))
	var arm, noCoords int
	for _, c := range communes {
		byCode[c.INSEE] = c
		if c.Type == "ARM" {
			arm++
		}
		if !c.HasCoordinates {
			noCoords++
		}
	}
	if arm != 45 {
		t.Errorf("arrondissements: got %d, want 45", arm)
	}
	if noCoords != 67 {
		t.Errorf("communes without coordinates: got %d, want 67", noCoords)
	}

	lyon := byCode["69123"]
	if lyon.Name != "Lyon" || lyon.Type != "COM" || !lyon.HasCoordinates {
		t.Errorf("69123 = %+v", lyon)
	}
	if math.Abs(lyon.Lat-45.76) > 0.05 || math.Abs(lyon.Lon-4.83) > 0.05 {
		t.Errorf("Lyon at %v,%v, want near 45.76,4.83", lyon.Lat, lyon.Lon)
	}
	if lyon.Population < 400000 || lyon.Department != "69" || lyon.RegionName != "Auvergne-Rhône-Alpes" {
		t.Errorf("Lyon population/department/region = %d/%s/%s", lyon.Population, lyon.Department, lyon.RegionName)
	}
	if c := byCode["85223"]; !slices.Contains(c.FormerINSEE, "85233") {
		t.Errorf("85223 former codes = %v, want 85233 among them", c.FormerINSEE)
	}
	if c := byCode["69381"]; c.Type != "ARM" || c.PostalCode != "69001" {
		t.Errorf("69381 = %+v, want Lyon 1er arrondissement", c)
	}
	if c := byCode["15031"]; c.Name == "" || c.HasCoordinates || c.Lat != 0 {
		t.Errorf("15031 should have no coordinates: %+v", c)
	}
}
