package main

import (
	"net/http"
	"slices"
	"testing"
)

// TestROMESkillsAPI: clients list an occupation's skills to pick the
// referential's labels, and an offer posted without skills gets the first
// core skills of its ROME code.
func TestROMESkillsAPI(t *testing.T) {
	e := startE2E(t)
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	tests := []struct {
		name, path string
		header     map[string]string
		status     int
		want       string
	}{
		{"no token", "/api/v1/rome/D1102/skills", nil, 401, `"code":"unauthorized"`},
		{"unknown code", "/api/v1/rome/Z9999/skills", auth, 404, `"code":"not_found"`},
		{"not a code", "/api/v1/rome/boulanger/skills", auth, 404, `"code":"not_found"`},
		{"known code", "/api/v1/rome/D1102/skills", auth, 200, `"label":"Pétrir manuellement ou mécaniquement des pâtes","core":true`},
		{"lower case", "/api/v1/rome/d1102/skills", auth, 200, `"rome_code":"D1102"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.raw(http.MethodGet, tt.path, "", "", tt.header)
			if code != tt.status || !contains(body, tt.want) {
				t.Errorf("got %d %s, want %d with %s", code, body, tt.status, tt.want)
			}
		})
	}

	var occ struct {
		ROMECode string `json:"rome_code"`
		Label    string `json:"label"`
		Skills   []struct {
			ID    int    `json:"id"`
			Label string `json:"label"`
			Core  bool   `json:"core"`
		} `json:"skills"`
	}
	e.must(http.MethodGet, "/api/v1/rome/D1102/skills", nil, &occ, http.StatusOK)
	var core []string
	for i, s := range occ.Skills {
		if s.Core {
			core = append(core, s.Label)
			if i > 0 && !occ.Skills[i-1].Core {
				t.Errorf("core skill %q after other skills", s.Label)
			}
		}
	}
	if occ.Label != "Boulanger / Boulangère" || len(core) < 5 {
		t.Fatalf("D1102 %q with core skills %q", occ.Label, core)
	}

	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "sk@agence.example", "name": "Sk", "agency": "Lyon"}, &co, http.StatusCreated)
	var o struct {
		Skills []string `json:"skills"`
	}
	e.must(http.MethodPost, "/api/v1/offers", map[string]any{"title": "Boulanger", "rome_code": "D1102", "commune_code": "69123",
		"contract_type": "CDI", "employer": map[string]string{"name": "Fournil", "email": "rh@fournil.example"},
		"counsellor_id": co.ID}, &o, http.StatusCreated)
	if !slices.Equal(o.Skills, core[:5]) {
		t.Errorf("offer without skills asks for %q, want the first five core skills %q", o.Skills, core[:5])
	}
}
