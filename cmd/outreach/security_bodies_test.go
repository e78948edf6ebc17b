package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/webhooks"
)

// Body limits: a JSON call to the API, a form of the web app and a Twilio
// webhook are small; an import of job seekers may hold 100,000 lines.
const (
	apiBodyLimit     = 1 << 20
	importBodyLimit  = 64 << 20
	pageBodyLimit    = 64 << 10
	webhookBodyLimit = 64 << 10
)

// apiWrongTypes are, by API write, a body with a field of the wrong type
// and one with a number too large for its field, and those fields.
var apiWrongTypes = map[string][4]string{
	"POST /api/v1/counsellors":                       {`{"email": 5}`, "email", `{"name": 1e400}`, "name"},
	"POST /api/v1/candidates":                        {`{"skills": "pétrissage"}`, "skills", `{"counsellor_id": 1e30}`, "counsellor_id"},
	"POST /api/v1/candidates/:id/consent":            {`{"source": true}`, "source", `{"source": 1e400}`, "source"},
	"POST /api/v1/offers":                            {`{"employer": "X"}`, "employer", `{"radius_km": 1e400}`, "radius_km"},
	"POST /api/v1/offers/:id/outreach":               {`{"limit": "10"}`, "limit", `{"limit": 99999999999999999999}`, "limit"},
	"PUT /api/v1/offers/:id/shortlist/:candidate_id": {`{"proposed": "yes"}`, "proposed", `{"counsellor_id": 1e40}`, "counsellor_id"},
	"POST /api/v1/offers/:id/referral":               {`{"counsellor_id": "1"}`, "counsellor_id", `{"counsellor_id": 123456789012345678901234567890}`, "counsellor_id"},
	"PUT /api/v1/offers/:id/questions":               {`{"questions": {}}`, "questions", `{"questions": 1e400}`, "questions"},
}

// TestSecurityOversizedAndMalformedBodies: every write of the API, the webhooks
// and the web app refuses a body over its limit with a 413; the API's
// JSON writes refuse malformed JSON, wrong types, unknown fields, invalid
// UTF-8, numbers too large and empty bodies with a 400 JSON error naming
// the field at fault; the web app's forms with malformed fields come back
// as a 4xx page. Nothing is stored.
func TestSecurityOversizedAndMalformedBodies(t *testing.T) {
	w := newSecWorld(t)
	e := w.e
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	before := snapshot(t, e)

	t.Run("API", func(t *testing.T) {
		for _, r := range w.routes() {
			key := r.Method + " " + r.Path
			if isSafeMethod(r.Method) || routeKind(e.cfg, r.Method, r.Path) != "api" {
				continue
			}
			path := w.path(r.Path)
			limit, contentType := apiBodyLimit, "application/json"
			if strings.HasSuffix(r.Path, "/import") {
				limit, contentType = importBodyLimit, "text/csv"
			}
			status, body := bigRequest(t, r.Method, e.cfg.PublicURL+path, contentType, limit+1, auth)
			checkAPIError(t, status, body, http.StatusRequestEntityTooLarge, "too_large", "")
			cases, ok := apiWrongTypes[key]
			if !ok {
				if r.Path != "/api/v1/candidates/import" { // line by line: see TestSecuritySQLMetacharacters
					t.Logf("%s: a write without malformed bodies to try: add it to apiWrongTypes", key)
				}
				continue
			}
			for _, tt := range []struct{ name, body, code, field string }{
				{"empty body", "", "malformed_json", ""},
				{"truncated JSON", `{"limit": `, "malformed_json", ""},
				{"not an object", `[1, 2]`, "malformed_json", ""},
				{"two objects", `{} {}`, "malformed_json", ""},
				{"NaN", `{"limit": NaN}`, "malformed_json", ""},
				{"nested too deep", strings.Repeat("[", 20000), "malformed_json", ""},
				{"unknown field", `{"zz_unknown": 1}`, "unknown_field", "zz_unknown"},
				{"invalid UTF-8", "{\"zz_unknown\": \"caf\xe9\"}", "malformed_json", ""},
				{"wrong type", cases[0], "malformed_json", cases[1]},
				{"number too large", cases[2], "malformed_json", cases[3]},
			} {
				t.Run(key+" "+tt.name, func(t *testing.T) {
					status, body := e.raw(r.Method, path, "application/json", tt.body, auth)
					checkAPIError(t, status, body, http.StatusBadRequest, tt.code, tt.field)
				})
			}
		}
	})

	t.Run("webhooks", func(t *testing.T) {
		for _, path := range []string{webhooks.InboundPath, webhooks.StatusPath} {
			if status, _ := bigRequest(t, http.MethodPost, e.cfg.PublicURL+path, "application/x-www-form-urlencoded",
				webhookBodyLimit+1, nil); status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: %d, want 413", path, status)
			}
		}
	})

	t.Run("web app", func(t *testing.T) {
		for _, r := range w.routes() {
			kind := routeKind(e.cfg, r.Method, r.Path)
			if isSafeMethod(r.Method) || kind != "page" && !strings.HasPrefix(r.Path, "/connexion") && !strings.HasPrefix(r.Path, "/employeur/") {
				continue
			}
			header := map[string]string{"X-CSRF-Token": w.nora.csrf, "Cookie": "outreach_session=" + w.nora.cookies[0].Value}
			status, body := bigRequest(t, r.Method, e.cfg.PublicURL+w.path(r.Path), "application/x-www-form-urlencoded",
				pageBodyLimit+1, header)
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "<html") {
				t.Errorf("%s %s: %d, want a 413 page", r.Method, r.Path, status)
			}
		}
		for _, tt := range []struct {
			name, path string
			form       url.Values
			status     int
		}{
			{"radius too large", "/offres", merge(bakeryOfferForm(), url.Values{"radius_km": {"1e400"}}), http.StatusUnprocessableEntity},
			{"positions too large", "/offres", merge(bakeryOfferForm(), url.Values{"positions": {"99999999999999999999"}}), http.StatusUnprocessableEntity},
			{"question date", "/offres", merge(bakeryOfferForm(), url.Values{"q0_kind": {"available_from"}, "q0_param": {"31/02/2026"}}), http.StatusUnprocessableEntity},
			{"launch limit too large", fmt.Sprintf("/offres/%d/lancer", w.draft), url.Values{"limit": {"99999999999999999999"}}, http.StatusUnprocessableEntity},
			{"candidate to set aside not a number", fmt.Sprintf("/offres/%d/lancer", w.draft), url.Values{"limit": {"1"}, "exclure": {"abc"}}, http.StatusBadRequest},
			{"unknown interest", fmt.Sprintf("/boite/%d/interpretation", w.marcItem), url.Values{"interest": {"bogus"}}, http.StatusUnprocessableEntity},
			{"empty answer", fmt.Sprintf("/boite/%d/reponse", w.leaItem), url.Values{"body": {"  "}}, http.StatusUnprocessableEntity},
			{"answer too long", fmt.Sprintf("/boite/%d/reponse", w.leaItem), url.Values{"body": {strings.Repeat("a", 400)}}, http.StatusUnprocessableEntity},
			{"decision reason on two lines", fmt.Sprintf("/offres/%d/liste/%d", w.offer, w.lea.id), url.Values{"proposed": {"0"}, "reason": {"a\nb"}}, http.StatusUnprocessableEntity},
			{"unknown employer status", "/employeur/" + w.link + "/candidats/" + itoa64(w.leaContact), url.Values{"status": {"bogus"}}, 0},
		} {
			client := w.nora.secClient
			if strings.HasPrefix(tt.path, "/employeur/") {
				client, tt.status = w.employerBrowser(t), http.StatusUnprocessableEntity
			}
			res := client.post(tt.path, tt.form)
			if res.status != tt.status || !strings.Contains(res.body, "<html") {
				t.Errorf("%s: %d, want a %d page", tt.name, res.status, tt.status)
			}
		}
	})
	before.unchanged(t, e, "oversized and malformed bodies")
}

// bigRequest sends a body of n bytes, streamed, and returns the status and
// what the server answered. The body is well formed as far as it goes: a
// form ("a=aaa…"), or JSON ({"a":"aaa…).
func bigRequest(t *testing.T, method, url, contentType string, n int, header map[string]string) (int, string) {
	t.Helper()
	start := "a="
	if contentType == "application/json" {
		start = `{"a":"`
	}
	body := io.MultiReader(strings.NewReader(start), io.LimitReader(repeatReader('a'), int64(n-len(start))))
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(n)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "text/html")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res := send(t, req)
	return res.status, res.body
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func merge(a, b url.Values) url.Values {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// employerBrowser is the employer's browser, after loading the page of
// Nora's offer: the CSRF cookie and the form's token.
func (w *secWorld) employerBrowser(t *testing.T) *secClient {
	return w.formBrowser(t, "/employeur/"+w.link, "outreach_employer")
}
