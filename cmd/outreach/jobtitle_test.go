package main

import (
	"net/http"
	"slices"
	"testing"
)

// TestJobTitles: offers and candidates may name job titles (appellations),
// which map to ROME codes; a lace-maker is proposed for a couture job
// through the ROME mobility link B1804 -> B1803.
func TestJobTitles(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "jt@agence.example", "name": "JT", "agency": "Lyon"}, &co, http.StatusCreated)
	var cand struct {
		ROMECodes    []string `json:"rome_codes"`
		Appellations []int    `json:"appellations"`
	}
	e.must(http.MethodPost, "/api/v1/candidates", map[string]any{"external_id": "JT-1", "first_name": "Maëlle", "phone": "0639980050",
		"commune_code": "69123", "appellations": []int{13959}, "sms_consent": true, "counsellor_id": co.ID}, &cand, http.StatusCreated)
	if !slices.Equal(cand.ROMECodes, []string{"B1804"}) || !slices.Equal(cand.Appellations, []int{13959}) {
		t.Fatalf("candidate codes %v titles %v, want B1804 from job title 13959", cand.ROMECodes, cand.Appellations)
	}
	offer := map[string]any{"appellation": 13959, "employer": map[string]string{"name": "Atelier", "email": "a@atelier.example"},
		"commune_code": "69123", "contract_type": "CDI", "counsellor_id": co.ID}
	var o struct {
		ID       int64  `json:"id"`
		Title    string `json:"title"`
		ROMECode string `json:"rome_code"`
	}
	e.must(http.MethodPost, "/api/v1/offers", offer, &o, http.StatusCreated)
	if o.ROMECode != "B1804" || o.Title != "Dentellier / Dentellière à la main" {
		t.Errorf("offer from job title: %+v", o)
	}
	offer["rome_code"] = "D1102"
	if code, body := e.raw("POST", "/api/v1/offers", "application/json", mustJSON(t, offer), map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}); code != 422 || !contains(body, `"field":"rome_code"`) {
		t.Errorf("contradicting title and code: %d %s", code, body)
	}
	delete(offer, "rome_code")
	offer["appellation"] = 999999999
	if code, body := e.raw("POST", "/api/v1/offers", "application/json", mustJSON(t, offer), map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}); code != 422 || !contains(body, `"field":"appellation"`) {
		t.Errorf("unknown title: %d %s", code, body)
	}

	// A couture offer (B1803) proposes the lace-maker, ranked as a related job.
	var couture struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", map[string]any{"title": "Couturière retouches", "rome_code": "B1803",
		"employer": map[string]string{"name": "Atelier", "email": "a@atelier.example"}, "commune_code": "69123",
		"contract_type": "CDI", "counsellor_id": co.ID}, &couture, http.StatusCreated)
	var m struct {
		Matches []struct {
			ExternalID string `json:"external_id"`
			Reasons    []struct{ Detail string }
		}
	}
	e.must(http.MethodGet, "/api/v1/offers/"+itoa64(couture.ID)+"/matches", nil, &m, http.StatusOK)
	if len(m.Matches) != 1 || m.Matches[0].ExternalID != "JT-1" || !contains(m.Matches[0].Reasons[0].Detail, "B1804 → B1803") {
		t.Errorf("couture matches %+v, want the lace-maker through B1804 → B1803", m.Matches)
	}
}
