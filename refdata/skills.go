package refdata

import "fmt"

// Skill is a skill of ROME 4.0, by OGR code: a know-how ("Pétrir
// manuellement ou mécaniquement des pâtes"), a soft skill or a piece of
// knowledge.
type Skill struct {
	ID    int // OGR code
	Label string
}

// SkillLink says that an occupation calls for a skill.
type SkillLink struct {
	ROMECode string
	SkillID  int
	Core     bool // a core skill of the occupation ("Principale" in ROME)
}

// Skills returns the 33,671 skills of ROME 4.0.
func Skills() ([]Skill, error) {
	out := make([]Skill, 0, 33671)
	err := readCSV("skills.csv.gz", []string{"id", "label"}, func(rec []string) error {
		id, err := atoi("id", rec[0])
		if err != nil {
			return err
		}
		out = append(out, Skill{ID: id, Label: rec[1]})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("skills: %w", err)
	}
	return out, nil
}

// SkillLinks returns the skills of each occupation, sorted by ROME code.
func SkillLinks() ([]SkillLink, error) {
	out := make([]SkillLink, 0, 90556)
	err := readCSV("rome_skills.csv.gz", []string{"rome_code", "skill_id", "core"}, func(rec []string) error {
		id, err := atoi("skill_id", rec[1])
		if err != nil {
			return err
		}
		// ROME marks core skills "Principale" and emerging ones "Émergente";
		// the others are blank.
		switch rec[2] {
		case "Principale", "Émergente", "":
		default:
			return fmt.Errorf("core: unknown value %q", rec[2])
		}
		out = append(out, SkillLink{ROMECode: rec[0], SkillID: id, Core: rec[2] == "Principale"})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("skill links: %w", err)
	}
	return out, nil
}
