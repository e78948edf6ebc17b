package refdata

import "fmt"

// ROMECode is one occupation sheet (fiche métier) of ROME 4.0, such as
// D1102 "Boulanger / Boulangère".
type ROMECode struct {
	Code       string // a letter and four digits, e.g. D1102
	Label      string
	ParentCode string // the ROME 3-era sheet it belongs to; itself when top level
}

// Appellation is a job title (OGR code). Each maps to exactly one ROME code.
type Appellation struct {
	ID         int // OGR code
	Label      string
	ShortLabel string
	ROMECode   string
}

// Mobility is a directed link from one occupation to another that the
// agency suggests when widening a search. ROME 4.0 only ranks the targets
// (1 = first listed); it no longer separates close jobs from progressions.
type Mobility struct {
	From, To string
	Rank     int
}

// ROMECodes returns the 1,584 occupation codes of ROME 4.0, sorted by code.
func ROMECodes() ([]ROMECode, error) {
	out := make([]ROMECode, 0, 1584)
	err := readCSV("rome_codes.csv.gz", []string{"code", "label", "parent_code"}, func(rec []string) error {
		out = append(out, ROMECode{Code: rec[0], Label: rec[1], ParentCode: rec[2]})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rome codes: %w", err)
	}
	return out, nil
}

// Appellations returns the job titles of ROME 4.0, sorted by ROME code then id.
func Appellations() ([]Appellation, error) {
	out := make([]Appellation, 0, 13120)
	header := []string{"id", "label", "short_label", "rome_code"}
	err := readCSV("appellations.csv.gz", header, func(rec []string) error {
		id, err := atoi("id", rec[0])
		if err != nil {
			return err
		}
		out = append(out, Appellation{ID: id, Label: rec[1], ShortLabel: rec[2], ROMECode: rec[3]})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("appellations: %w", err)
	}
	return out, nil
}

// MobilityLinks returns the ranked mobility links between ROME codes.
func MobilityLinks() ([]Mobility, error) {
	out := make([]Mobility, 0, 14912)
	err := readCSV("mobility.csv.gz", []string{"from_code", "to_code", "rank"}, func(rec []string) error {
		rank, err := atoi("rank", rec[2])
		if err != nil {
			return err
		}
		out = append(out, Mobility{From: rec[0], To: rec[1], Rank: rank})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mobility links: %w", err)
	}
	return out, nil
}
