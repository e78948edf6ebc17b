package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAvailabilityAPI: job seekers give the day they can start, offers the
// day work starts; matches leave out those who cannot start in time, and
// bad dates are refused naming the field, one line at a time in imports.
func TestAvailabilityAPI(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "av@agence.example", "name": "Av", "agency": "Lyon"}, &co, http.StatusCreated)
	start := time.Now().AddDate(0, 2, 0)
	startsOn, dayAfter := start.Format(time.DateOnly), start.AddDate(0, 0, 1).Format(time.DateOnly)

	baker := func(id, phone string, available any) map[string]any {
		b := map[string]any{"external_id": id, "first_name": "Léa", "phone": phone, "commune_code": "69123",
			"rome_codes": []string{"D1102"}, "sms_consent": true, "counsellor_id": co.ID}
		if available != nil {
			b["available_from"] = available
		}
		return b
	}
	people := []struct {
		id        string
		available any
		want      *string // available_from in the answer
	}{
		{"AV-NOW", nil, nil},
		{"AV-NULL", json.RawMessage("null"), nil},
		{"AV-ON-START", startsOn, &startsOn},
		{"AV-DAY-AFTER", dayAfter, &dayAfter},
	}
	for i, p := range people {
		var got struct {
			AvailableFrom *string `json:"available_from"`
		}
		e.must(http.MethodPost, "/api/v1/candidates", baker(p.id, "063998010"+itoa64(int64(i)), p.available), &got, http.StatusCreated)
		if !equalDates(got.AvailableFrom, p.want) {
			t.Errorf("%s: available_from %v, want %v", p.id, deref(got.AvailableFrom), deref(p.want))
		}
	}

	offer := map[string]any{"title": "Boulanger", "rome_code": "D1102", "commune_code": "69123", "contract_type": "CDI",
		"employer": map[string]string{"name": "Fournil", "email": "rh@fournil.example"}, "counsellor_id": co.ID}
	var o struct {
		ID       int64   `json:"id"`
		StartsOn *string `json:"starts_on"`
	}
	e.must(http.MethodPost, "/api/v1/offers", offer, &o, http.StatusCreated)
	if o.StartsOn != nil {
		t.Errorf("offer without start: starts_on %q, want null", *o.StartsOn)
	}
	offer["starts_on"] = startsOn
	e.must(http.MethodPost, "/api/v1/offers", offer, &o, http.StatusCreated)
	if !equalDates(o.StartsOn, &startsOn) {
		t.Errorf("starts_on %v, want %s", deref(o.StartsOn), startsOn)
	}
	var m struct {
		Matches []struct {
			ExternalID string `json:"external_id"`
		}
	}
	e.must(http.MethodGet, "/api/v1/offers/"+itoa64(o.ID)+"/matches", nil, &m, http.StatusOK)
	var got []string
	for _, x := range m.Matches {
		got = append(got, x.ExternalID)
	}
	slices.Sort(got)
	if want := []string{"AV-NOW", "AV-NULL", "AV-ON-START"}; !slices.Equal(got, want) {
		t.Errorf("matches %v, want %v (available by the start, that day included)", got, want)
	}

	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	tests := []struct {
		name, path string
		body       map[string]any
		status     int
		code       string
		field      string
	}{
		{"candidate: not a date", "/api/v1/candidates", baker("AV-BAD", "0639980199", "2026-13-01"), 422, "invalid_field", "available_from"},
		{"candidate: French order", "/api/v1/candidates", baker("AV-BAD", "0639980199", "01/09/2026"), 422, "invalid_field", "available_from"},
		{"candidate: not a string", "/api/v1/candidates", baker("AV-BAD", "0639980199", 20260901), 400, "malformed_json", "available_from"},
		{"offer: not a date", "/api/v1/offers", withField(offer, "starts_on", "bientôt"), 422, "invalid_field", "starts_on"},
		{"offer: not a string", "/api/v1/offers", withField(offer, "starts_on", true), 400, "malformed_json", "starts_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.raw(http.MethodPost, tt.path, "application/json", mustJSON(t, tt.body), auth)
			var got struct {
				Error struct{ Code, Field string }
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil || code != tt.status || got.Error.Code != tt.code || got.Error.Field != tt.field {
				t.Errorf("got %d %s, want %d %s on %s", code, body, tt.status, tt.code, tt.field)
			}
		})
	}

	// Imports report the lines with bad dates and store the others.
	id := itoa64(co.ID)
	ndjson := strings.Join([]string{
		`{"external_id":"AV-I1","first_name":"Inès","phone":"0639980201","commune_code":"69123","rome_codes":["D1102"],"available_from":"` + startsOn + `","sms_consent":true,"counsellor_id":` + id + `}`,
		`{"external_id":"AV-I2","first_name":"Omar","phone":"0639980202","commune_code":"69123","rome_codes":["D1102"],"available_from":"31/12/2026","sms_consent":true,"counsellor_id":` + id + `}`,
	}, "\n")
	csv := "external_id,first_name,phone,commune_code,rome_codes,available_from,sms_consent,counsellor_id\n" +
		"AV-I3,Léa,0639980203,69123,D1102," + startsOn + ",true," + id + "\n" +
		"AV-I4,Hugo,0639980204,69123,D1102,2026-02-30,true," + id + "\n" +
		"AV-I5,Zoé,0639980205,69123,D1102,,true," + id + "\n"
	imports := []struct {
		name, contentType, body string
		created, badLine        int
	}{
		{"ndjson", "application/x-ndjson", ndjson, 1, 2},
		{"csv", "text/csv", csv, 2, 3},
	}
	for _, tt := range imports {
		t.Run("import "+tt.name, func(t *testing.T) {
			code, body := e.raw(http.MethodPost, "/api/v1/candidates/import", tt.contentType, tt.body, auth)
			var rep struct {
				Created, Failed int
				Errors          []struct {
					Line  int
					Field string
				}
			}
			if err := json.Unmarshal([]byte(body), &rep); err != nil || code != http.StatusOK {
				t.Fatalf("import: %d %s", code, body)
			}
			if rep.Created != tt.created || rep.Failed != 1 || rep.Errors[0].Line != tt.badLine || rep.Errors[0].Field != "available_from" {
				t.Errorf("report %s, want %d created and line %d failed on available_from", body, tt.created, tt.badLine)
			}
		})
	}
}

// withField copies m with k set to v.
func withField(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

func equalDates(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}
