package matcher_test

import (
	"testing"

	"github.com/franceoutreach/outreach/matcher"
)

func TestNormalizeSkill(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  Hygiène  Alimentaire", "hygiene alimentaire"},
		{"accueil client", "accueil client"},
		{"", ""},
		{" \t\n ", ""},
		{"CACES R489", "caces r489"},
		{"Pâtisserie\tfine\n", "patisserie fine"},
		{"ÉLECTRICITÉ BÂTIMENT", "electricite batiment"},
		{"Façade, maçonnerie", "facade, maconnerie"},
		{"Main-d’œuvre", "main-d'oeuvre"},
		{"Règles d'hygiène", "regles d'hygiene"},
		{"Hygie\u0300ne", "hygiene"},                     // decomposed accent
		{"Accueil\u00a0client", "accueil client"},        // no-break space
		{"Accueil\u202f \u00a0client", "accueil client"}, // narrow no-break space run
		{"Ÿ Ï Ü", "y i u"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := matcher.NormalizeSkill(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeSkill(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := matcher.NormalizeSkill(got); again != got {
				t.Errorf("NormalizeSkill(%q) = %q, not idempotent", got, again)
			}
		})
	}
}

func TestNormalizeSkillNormalisedInputDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = matcher.NormalizeSkill("hygiene alimentaire")
	})
	if allocs != 0 {
		t.Errorf("NormalizeSkill on a normalised label: %v allocations, want 0", allocs)
	}
}
