package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestAPIRejectsBadInput checks that bad requests get a specific 4xx with
// a JSON body naming the field, and that nothing stored is changed.
func TestAPIRejectsBadInput(t *testing.T) {
	e := startE2E(t)
	var counsellor struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "ana@agence.example", "name": "Ana", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	good := loopPeople(counsellor.ID)[0].body
	e.must(http.MethodPost, "/api/v1/candidates", good, nil, http.StatusCreated)
	var offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(counsellor.ID, "OF-ERR"), &offer, http.StatusCreated)

	with := func(base map[string]any, k string, v any) string {
		m := map[string]any{}
		for key, val := range base {
			m[key] = val
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	offerJSON := offerBody(counsellor.ID, "OF-ERR-2")
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code, field              string
	}{
		{"no token", "GET", "/api/v1/inbox?counsellor_id=1", "", nil, 401, "unauthorized", ""},
		{"wrong token", "GET", "/api/v1/inbox?counsellor_id=1", "", map[string]string{"Authorization": "Bearer nope-nope-nope-nope"}, 401, "unauthorized", ""},
		{"malformed json", "POST", "/api/v1/candidates", `{"external_id": `, auth, 400, "malformed_json", ""},
		{"unknown field", "POST", "/api/v1/candidates", with(good, "phone_number", "x"), auth, 400, "unknown_field", "phone_number"},
		{"wrong type", "POST", "/api/v1/candidates", with(good, "mobility_km", "far"), auth, 400, "malformed_json", "mobility_km"},
		{"bad phone", "POST", "/api/v1/candidates", with(good, "phone", "12345"), auth, 422, "invalid_field", "phone"},
		{"unknown rome code", "POST", "/api/v1/candidates", with(good, "rome_codes", []string{"N1103", "Z9999"}), auth, 422, "invalid_field", "rome_codes[1]"},
		{"missing consent", "POST", "/api/v1/candidates", with(good, "sms_consent", nil), auth, 422, "invalid_field", "sms_consent"},
		{"unknown counsellor", "POST", "/api/v1/candidates", with(good, "counsellor_id", 9999), auth, 422, "invalid_field", "counsellor_id"},
		{"unknown commune", "POST", "/api/v1/candidates", with(good, "commune_code", "99999"), auth, 422, "invalid_field", "commune_code"},
		{"no location", "POST", "/api/v1/candidates", with(good, "commune_code", nil), auth, 422, "invalid_field", "location"},
		{"two-line name", "POST", "/api/v1/candidates", with(good, "first_name", "Ana\nBob"), auth, 422, "invalid_field", "first_name"},
		{"bad contract", "POST", "/api/v1/offers", with(offerJSON, "contract_type", "CDX"), auth, 422, "invalid_field", "contract_type"},
		{"bad employer email", "POST", "/api/v1/offers", with(offerJSON, "employer", map[string]string{"name": "X", "email": "nope"}), auth, 422, "invalid_field", "employer.email"},
		{"bad radius", "POST", "/api/v1/offers", with(offerJSON, "radius_km", -3), auth, 422, "invalid_field", "radius_km"},
		{"bad question kind", "POST", "/api/v1/offers", with(offerJSON, "questions", []map[string]string{{"kind": "likes_cats"}}), auth, 422, "invalid_field", "questions[0].kind"},
		{"question date not a date", "POST", "/api/v1/offers", with(offerJSON, "questions", []map[string]string{{"kind": "available_from", "date": "bientôt"}}), auth, 422, "invalid_field", "questions[0].date"},
		{"questions of unknown offer", "GET", "/api/v1/offers/99999/questions", "", auth, 404, "not_found", ""},
		{"unknown offer", "GET", "/api/v1/offers/99999/matches", "", auth, 404, "not_found", ""},
		{"insight of unknown offer", "GET", "/api/v1/offers/99999/insight", "", auth, 404, "not_found", ""},
		{"bad offer id", "GET", "/api/v1/offers/abc/outreach", "", auth, 404, "not_found", "id"},
		{"bad limit", "POST", "/api/v1/offers/1/outreach", `{"limit":0}`, auth, 422, "invalid_field", "limit"},
		{"inbox without counsellor", "GET", "/api/v1/inbox", "", auth, 400, "invalid_query", "counsellor_id"},
		{"unassigned inbox without token", "GET", "/api/v1/inbox/unassigned", "", nil, 401, "unauthorized", ""},
		{"unassigned inbox, limit not a number", "GET", "/api/v1/inbox/unassigned?limit=ten", "", auth, 400, "invalid_query", "limit"},
		{"unassigned inbox, limit too large", "GET", "/api/v1/inbox/unassigned?limit=501", "", auth, 422, "invalid_field", "limit"},
		{"import wrong type", "POST", "/api/v1/candidates/import", "x", auth, 415, "unsupported_media_type", "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.raw(tt.method, tt.path, "application/json", tt.body, tt.header)
			checkAPIError(t, code, body, tt.status, tt.code, tt.field)
		})
	}

	// The candidate stored before is intact.
	var stored struct {
		FirstName string   `json:"first_name"`
		ROMECodes []string `json:"rome_codes"`
	}
	e.must(http.MethodPost, "/api/v1/candidates", good, &stored, http.StatusOK)
	if !strings.HasPrefix(stored.FirstName, "Prénom") || len(stored.ROMECodes) != 1 {
		t.Errorf("stored candidate changed: %+v", stored)
	}

	// SQL metacharacters are data, stored and returned as they came.
	sneaky := map[string]any{}
	for k, v := range good {
		sneaky[k] = v
	}
	sneaky["external_id"], sneaky["phone"] = "X'; DELETE FROM candidates;--", "0639980099"
	sneaky["first_name"] = `Zoé O'Brien"); DROP TABLE candidates;--`
	e.must(http.MethodPost, "/api/v1/candidates", sneaky, &stored, http.StatusCreated)
	if stored.FirstName != sneaky["first_name"] {
		t.Errorf("first name came back as %q", stored.FirstName)
	}
	e.must(http.MethodPost, "/api/v1/candidates", good, nil, http.StatusOK)
}

// TestImportReportsEachBadLine imports NDJSON and CSV where some lines are
// wrong: the good ones are stored, the bad ones reported by line and field.
func TestImportReportsEachBadLine(t *testing.T) {
	e := startE2E(t)
	var counsellor struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "io@agence.example", "name": "Io", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	id := strconv.FormatInt(counsellor.ID, 10)
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	ndjson := strings.Join([]string{
		`{"external_id":"I-1","first_name":"Inès","phone":"0639981001","commune_code":"69123","rome_codes":["D1102"],"sms_consent":true,"counsellor_id":` + id + `}`,
		`{"external_id":"I-2","first_name":"Omar","phone":"not a phone","commune_code":"69123","rome_codes":["D1102"],"sms_consent":true,"counsellor_id":` + id + `}`,
		`{"external_id":"I-3",`,
		``,
		`{"external_id":"I-1","first_name":"Inès","phone":"0639981001","commune_code":"69266","rome_codes":["D1102"],"sms_consent":true,"counsellor_id":` + id + `}`,
	}, "\n")
	code, body := e.raw("POST", "/api/v1/candidates/import", "application/x-ndjson", ndjson, auth)
	var rep struct {
		Created, Updated, Failed int
		Errors                   []struct {
			Line  int
			Field string
		}
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil || code != 200 {
		t.Fatalf("ndjson import: %d %s", code, body)
	}
	if rep.Created != 1 || rep.Updated != 1 || rep.Failed != 2 || rep.Errors[0].Line != 2 || rep.Errors[0].Field != "phone" || rep.Errors[1].Line != 3 {
		t.Errorf("ndjson report %+v", rep)
	}
	csv := "external_id,first_name,phone,commune_code,rome_codes,skills,sms_consent,counsellor_id\n" +
		"I-4,Léa,06 39 98 10 04,69123,D1102|D1106,pétrissage|cuisson,true," + id + "\n" +
		"I-5,Hugo,06 39 98 10 05,69123,D1102,,maybe," + id + "\n"
	code, body = e.raw("POST", "/api/v1/candidates/import", "text/csv", csv, auth)
	rep.Errors = nil
	if err := json.Unmarshal([]byte(body), &rep); err != nil || code != 200 {
		t.Fatalf("csv import: %d %s", code, body)
	}
	if rep.Created != 1 || rep.Failed != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Field != "sms_consent" {
		t.Errorf("csv report %+v", rep)
	}
}

// checkAPIError asserts an error answer: the status, and a JSON body
// naming the error code, the field (or none) and a message.
func checkAPIError(t *testing.T, status int, body string, wantStatus int, wantCode, wantField string) {
	t.Helper()
	var got struct {
		Error struct{ Code, Message, Field string }
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body is not JSON: %q", body)
	}
	if status != wantStatus || got.Error.Code != wantCode || got.Error.Field != wantField || got.Error.Message == "" {
		t.Errorf("got %d %+v, want %d code %q field %q", status, got.Error, wantStatus, wantCode, wantField)
	}
}
