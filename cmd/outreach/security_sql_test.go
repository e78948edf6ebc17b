package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// sqlValues are what the text fields receive: SQL and LIKE
// metacharacters, a NUL (PostgreSQL text cannot hold it), invalid UTF-8,
// a very long text, right-to-left text and emoji.
var sqlValues = []struct{ name, v string }{
	{"quote and comment", `O'Brien'; DROP TABLE candidates; --`},
	{"double quote", `" OR 1=1 --`},
	{"backslashes", `C:\dossier\n \\ \'`},
	{"LIKE wildcards", `100% _x_ %`},
	{"placeholders", `$1 $2::text ?`},
	{"NUL", "a\x00b"},
	{"invalid UTF-8", "caf\xe9 \xff"},
	{"very long", strings.Repeat("é", 3000)},
	{"right-to-left and emoji", "مرحبا \u202eevil 👩🏽‍🔧"},
}

// sqlField is one text field of the API: the request carrying v (n makes
// its other fields unique), and the query reading back what was stored
// ($1: the id answered, or the external id sent).
type sqlField struct {
	name, field  string // the field as named in errors
	method, path string
	body         func(v string, n int) map[string]any
	read         string
	stored       func(v string) string // what must be stored; nil: v
}

func (w *secWorld) sqlFields() []sqlField {
	nora := w.nora.id
	candidate := func(field string) func(string, int) map[string]any {
		return func(v string, n int) map[string]any {
			b := map[string]any{"external_id": fmt.Sprintf("SQL-%d", n), "first_name": "Léa", "phone": fmt.Sprintf("0639987%03d", n),
				"commune_code": "69259", "rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": nora}
			setPath(b, field, v)
			return b
		}
	}
	offer := func(field string) func(string, int) map[string]any {
		return func(v string, n int) map[string]any {
			b := offerBody(nora, fmt.Sprintf("SQL-OF-%d", n))
			setPath(b, field, v)
			return b
		}
	}
	counsellor := func(field string) func(string, int) map[string]any {
		return func(v string, n int) map[string]any {
			b := map[string]any{"email": fmt.Sprintf("sql%d@lyon.example", n), "name": "Inès", "agency": "Lyon"}
			setPath(b, field, v)
			return b
		}
	}
	shortlist := fmt.Sprintf("/api/v1/offers/%d/shortlist/%d", w.offer, w.lea.id)
	return []sqlField{
		{"counsellor name", "name", "POST", "/api/v1/counsellors", counsellor("name"), `SELECT name FROM counsellors WHERE id = $1`, nil},
		{"counsellor agency", "agency", "POST", "/api/v1/counsellors", counsellor("agency"), `SELECT agency FROM counsellors WHERE id = $1`, nil},
		{"counsellor email", "email", "POST", "/api/v1/counsellors", counsellor("email"), `SELECT email FROM counsellors WHERE id = $1`, nil},
		{"candidate first name", "first_name", "POST", "/api/v1/candidates", candidate("first_name"), `SELECT first_name FROM candidates WHERE id = $1`, nil},
		{"candidate external id", "external_id", "POST", "/api/v1/candidates", candidate("external_id"), `SELECT external_id FROM candidates WHERE id = $1`, nil},
		{"candidate skill", "skills[0]", "POST", "/api/v1/candidates", candidate("skills.0"), `SELECT skills[1] FROM candidates WHERE id = $1`, nil},
		{"candidate commune", "commune_code", "POST", "/api/v1/candidates", candidate("commune_code"), `SELECT commune_code FROM candidates WHERE id = $1`, nil},
		{"offer title", "title", "POST", "/api/v1/offers", offer("title"), `SELECT title FROM offers WHERE id = $1`, nil},
		{"offer town", "town", "POST", "/api/v1/offers", offer("town"), `SELECT town FROM offers WHERE id = $1`, nil},
		{"offer employer", "employer.name", "POST", "/api/v1/offers", offer("employer.name"), `SELECT employer_name FROM offers WHERE id = $1`, nil},
		{"offer skill", "skills[0]", "POST", "/api/v1/offers", offer("skills.0"), `SELECT skills[1] FROM offers WHERE id = $1`, nil},
		{"offer external id", "external_id", "POST", "/api/v1/offers", offer("external_id"), `SELECT external_id FROM offers WHERE id = $1`, nil},
		{"offer ROME code", "rome_code", "POST", "/api/v1/offers", offer("rome_code"), `SELECT rome_code FROM offers WHERE id = $1`, nil},
		{"custom question", "questions[0].text", "POST", "/api/v1/offers", offer("questions.0.text"),
			`SELECT free_text FROM offer_questions WHERE offer_id = $1`, nil},
		{"shortlist decision reason", "reason", "PUT", shortlist, func(v string, _ int) map[string]any {
			return map[string]any{"counsellor_id": nora, "proposed": false, "reason": v}
		}, `SELECT reason FROM shortlist_decisions WHERE $1::bigint IS NOT NULL ORDER BY id DESC LIMIT 1`, nil},
		{"consent source", "source", "POST", fmt.Sprintf("/api/v1/candidates/%d/consent", w.lea.id), func(v string, _ int) map[string]any {
			return map[string]any{"source": v}
		}, `SELECT source FROM consent_events WHERE $1::bigint IS NOT NULL ORDER BY id DESC LIMIT 1`,
			func(v string) string { return "counsellor: " + v }},
	}
}

// setPath sets a field of a JSON body by its dotted path: "employer.name",
// "skills.0", "questions.0.text".
func setPath(b map[string]any, path, v string) {
	switch path {
	case "skills.0":
		b["skills"] = []string{v}
	case "questions.0.text":
		b["questions"] = []map[string]string{{"kind": "free", "text": v}}
	case "employer.name":
		b["employer"] = map[string]string{"name": v, "email": "rh@entrepot.example"}
	default:
		b[path] = v
	}
}

// TestSecuritySQLMetacharacters sends SQL metacharacters and other hard text in
// every text field of the API, the imports and the web app's forms: each
// is stored as sent and read back the same, or refused with a 4xx naming
// the field; never a 500. The tables are intact afterwards.
func TestSecuritySQLMetacharacters(t *testing.T) {
	w := newSecWorld(t)
	e := w.e
	ctx := context.Background()
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	n := 0
	for _, f := range w.sqlFields() {
		for _, val := range sqlValues {
			n++
			t.Run(f.name+"/"+val.name, func(t *testing.T) {
				body := marshalRaw(f.body(rawPlaceholder, n), val.v)
				status, answer := e.raw(f.method, f.path, "application/json", string(body), auth)
				if status >= 300 {
					wantField := f.field
					if val.name == "invalid UTF-8" {
						wantField = "" // the body is not JSON
					}
					checkAPIError(t, status, answer, clientError(status), errorCode(status), wantField)
					return
				}
				var id struct{ ID int64 }
				_ = json.Unmarshal([]byte(answer), &id)
				want := val.v
				if f.stored != nil {
					want = f.stored(val.v)
				}
				var got string
				if err := e.stack.pool.QueryRow(ctx, f.read, id.ID).Scan(&got); err != nil || got != want {
					t.Errorf("answered %d; stored %.60q (%v), want %.60q", status, got, err, want)
				}
			})
		}
	}
	t.Run("imports", func(t *testing.T) { w.checkImports(t, auth) })
	t.Run("query strings", func(t *testing.T) {
		for _, val := range sqlValues {
			for _, path := range []string{"/api/v1/stats/timings?agency=" + url.QueryEscape(val.v),
				"/api/v1/rome/" + url.PathEscape(val.v) + "/skills", "/api/v1/offers/" + url.PathEscape(val.v),
				"/api/v1/inbox?counsellor_id=" + url.QueryEscape(val.v)} {
				if status, answer := e.raw(http.MethodGet, path, "", "", auth); status >= 500 || !strings.HasPrefix(answer, "{") {
					t.Errorf("GET %.80s: %d %.100s", path, status, answer)
				}
			}
		}
	})
	t.Run("web forms", func(t *testing.T) { w.checkWebForms(t) })
	var candidates int
	if err := e.stack.pool.QueryRow(ctx, `SELECT count(*) FROM candidates`).Scan(&candidates); err != nil || candidates < 3 {
		t.Errorf("candidates table after the attempts: %d rows (%v)", candidates, err)
	}
	if after := snapshot(t, e); len(after) < 15 {
		t.Errorf("%d tables left", len(after))
	}
}

func clientError(status int) int {
	if status == http.StatusBadRequest {
		return status
	}
	return http.StatusUnprocessableEntity
}

func errorCode(status int) string {
	if status == http.StatusBadRequest {
		return "malformed_json"
	}
	return "invalid_field"
}

// checkImports imports, as NDJSON and as CSV, one job seeker per value as
// first name: each is stored as sent, or reported on its line naming the
// field.
func (w *secWorld) checkImports(t *testing.T, auth map[string]string) {
	for _, format := range []string{"application/x-ndjson", "text/csv"} {
		var body bytes.Buffer
		cw := csv.NewWriter(&body)
		if format == "text/csv" {
			_ = cw.Write([]string{"external_id", "first_name", "phone", "commune_code", "rome_codes", "sms_consent", "counsellor_id"})
		}
		for i, val := range sqlValues {
			ext, phone := fmt.Sprintf("IMP-%s-%d", format[:4], i), fmt.Sprintf("06399%02d%03d", len(format), i)
			if format == "text/csv" {
				_ = cw.Write([]string{ext, val.v, phone, "69259", "N1103", "true", itoa64(w.nora.id)})
				continue
			}
			line := marshalRaw(map[string]any{"external_id": ext, "first_name": rawPlaceholder, "phone": phone, "commune_code": "69259",
				"rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": w.nora.id}, val.v)
			body.Write(append(line, '\n'))
		}
		cw.Flush()
		status, answer := w.e.raw(http.MethodPost, "/api/v1/candidates/import", format, body.String(), auth)
		var report struct {
			Errors []struct {
				Line  int
				Field string
			}
		}
		if err := json.Unmarshal([]byte(answer), &report); err != nil || status != http.StatusOK {
			t.Fatalf("%s import: %d %.200s", format, status, answer)
		}
		failed := map[int]string{}
		for _, le := range report.Errors {
			failed[le.Line] = le.Field
		}
		for i, val := range sqlValues {
			line := i + 1
			if format == "text/csv" {
				line++ // the header
			}
			ext := fmt.Sprintf("IMP-%s-%d", format[:4], i)
			var got string
			err := w.e.stack.pool.QueryRow(context.Background(), `SELECT first_name FROM candidates WHERE external_id = $1`, ext).Scan(&got)
			switch field, refused := failed[line]; {
			case refused && field != "first_name" && val.name != "invalid UTF-8":
				t.Errorf("%s, %s: line %d refused naming %q, want first_name", format, val.name, line, field)
			case refused && err == nil:
				t.Errorf("%s, %s: line %d refused, but stored", format, val.name, line)
			case !refused && (err != nil || got != val.v):
				t.Errorf("%s, %s: stored %.60q (%v), want %.60q", format, val.name, got, err, val.v)
			}
		}
	}
}

// rawPlaceholder stands for the hostile value in a body marshalled by
// marshalRaw.
const rawPlaceholder = "RAW-VALUE-PLACEHOLDER"

// marshalRaw marshals v, then puts value where rawPlaceholder is, as it
// is: json.Marshal would escape it, and make invalid UTF-8 valid (how it
// writes the replacement character changed between Go releases).
func marshalRaw(v any, value string) []byte {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	quoted, err := json.Marshal(value)
	if err != nil {
		panic(err)
	}
	if !utf8.ValidString(value) { // the raw bytes, inside quotes
		quoted = []byte(`"` + value + `"`)
	}
	return bytes.Replace(body, []byte(`"`+rawPlaceholder+`"`), quoted, 1)
}
