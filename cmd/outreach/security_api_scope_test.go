package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/postgres"
)

// apiAs sends an API request with a Bearer token: body as JSON, or as is
// when it is a string (with ctype).
func (w *secWorld) apiAs(token, method, path string, body any, ctype string) secResp {
	w.e.t.Helper()
	var b string
	switch v := body.(type) {
	case nil:
	case string:
		b = v
	default:
		j, err := json.Marshal(v)
		if err != nil {
			w.e.t.Fatal(err)
		}
		b, ctype = string(j), "application/json"
	}
	req, err := http.NewRequest(method, w.e.cfg.PublicURL+path, strings.NewReader(b))
	if err != nil {
		w.e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return send(w.e.t, req)
}

// newAPIClient creates an API client as `outreach apikey add` does.
func (w *secWorld) newAPIClient(name, agency string) (string, accounts.APIClient) {
	w.e.t.Helper()
	token, c, err := accounts.NewAPIClients(postgres.NewStore(w.e.stack.pool).APIClients()).Create(context.Background(), name, agency)
	if err != nil {
		w.e.t.Fatal(err)
	}
	return token, c
}

// scopeCase is what Marseille's client gets on a route with Lyon's ids.
type scopeCase struct {
	query  string
	body   any
	ctype  string
	status int
	want   string // in the body
}

// crossAgency lists, for every /api/v1 route, Marseille's request naming
// Lyon's things and its expected refusal; routes not listed name Lyon's
// offer or job seeker in their path and must answer 404.
func (w *secWorld) crossAgency() map[string]scopeCase {
	cand := map[string]any{"external_id": "SCOPE-NEW", "first_name": "Zed", "phone": "0639985599", "commune_code": "69259",
		"rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": w.nora.id}
	line, _ := json.Marshal(cand)
	return map[string]scopeCase{
		"POST /api/v1/counsellors": {body: map[string]string{"email": "x@lyon.example", "name": "X", "agency": "Lyon"},
			status: 422, want: `"field":"agency"`},
		"POST /api/v1/candidates":        {body: cand, status: 422, want: `"field":"counsellor_id"`},
		"POST /api/v1/candidates/import": {body: string(line) + "\n", ctype: "application/x-ndjson", status: 200, want: `"failed":1,"errors":[{"line":1,"field":"counsellor_id"`},
		"POST /api/v1/offers":            {body: offerBody(w.nora.id, "SCOPE-OF"), status: 422, want: `"field":"counsellor_id"`},
		"GET /api/v1/inbox":              {query: "?counsellor_id=" + itoa64(w.nora.id), status: 404},
		"GET /api/v1/inbox/unassigned":   {status: 403, want: `"code":"forbidden"`},
		"GET /api/v1/stats/timings":      {query: "?offer_id=" + itoa64(w.offer), status: 404},
		"GET /api/v1/question-templates": {status: 200},
		"GET /api/v1/rome/:code/skills":  {status: 200},
	}
}

// TestSecurityAPIClientsSeeOnlyTheirAgency walks every /api/v1 route of the
// running router with Marseille's API client and Lyon's ids: each is
// refused (404 as if it did not exist, 403, or 422 naming the field) and
// nothing changes; Lyon's client gets its own; the operator's API_TOKEN
// still sees both; a revoked client is 401.
func TestSecurityAPIClientsSeeOnlyTheirAgency(t *testing.T) {
	w := newSecWorld(t)
	lyon, lyonClient := w.newAPIClient("SI Lyon", "Lyon")
	marseille, _ := w.newAPIClient("SI Marseille", "Marseille")
	cases := w.crossAgency()

	before := snapshot(t, w.e)
	n := 0
	for _, r := range w.routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		n++
		key := r.Method + " " + r.Path
		c, ok := cases[key]
		if !ok {
			c = scopeCase{body: map[string]any{"counsellor_id": w.yann.id, "proposed": true, "limit": 1, "source": "x"},
				status: 404, want: `"code":"not_found"`}
		}
		res := w.apiAs(marseille, r.Method, w.path(r.Path)+c.query, c.body, c.ctype)
		if res.status != c.status || !strings.Contains(res.body, c.want) {
			t.Errorf("%s with Lyon's ids, as Marseille: %d %.200s, want %d %s", key, res.status, res.body, c.status, c.want)
		}
	}
	before.unchanged(t, w.e, "Marseille's client on Lyon's ids")
	if n < 20 {
		t.Fatalf("%d /api/v1 routes: the router is not the running one", n)
	}

	// An upsert must not take over another agency's job seeker.
	res := w.apiAs(marseille, http.MethodPost, "/api/v1/candidates", map[string]any{"external_id": w.lea.ext,
		"first_name": "Léa", "phone": "0639985500", "commune_code": "13055", "rome_codes": []string{"N1103"},
		"sms_consent": true, "counsellor_id": w.yann.id}, "")
	if res.status != 422 || !strings.Contains(res.body, `"field":"external_id"`) {
		t.Errorf("upsert of Lyon's job seeker as Marseille: %d %s", res.status, res.body)
	}
	res = w.apiAs(marseille, http.MethodGet, "/api/v1/stats/timings?counsellor_id="+itoa64(w.nora.id), nil, "")
	if res.status != 404 {
		t.Errorf("timings of Nora as Marseille: %d %s", res.status, res.body)
	}
	before.unchanged(t, w.e, "Marseille's client on Lyon's job seeker")

	// Each client gets its own; the operator's token gets both.
	for _, tt := range []struct {
		token, path string
		want        int
		in          string
	}{
		{lyon, fmt.Sprintf("/api/v1/offers/%d", w.offer), 200, `"id":` + itoa64(w.offer)},
		{lyon, fmt.Sprintf("/api/v1/offers/%d/outreach", w.offer), 200, w.lea.ext},
		{lyon, fmt.Sprintf("/api/v1/offers/%d/shortlist", w.offer), 200, w.lea.ext},
		{lyon, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", w.nora.id), 200, w.lea.ext},
		{lyon, fmt.Sprintf("/api/v1/candidates/%s/audit", w.lea.ext), 200, `"accesses"`},
		{lyon, "/api/v1/stats/timings", 200, `"referred":1`},
		{lyon, fmt.Sprintf("/api/v1/offers/%d", w.offerB), 404, `"not_found"`},
		{marseille, fmt.Sprintf("/api/v1/offers/%d/matches", w.offerB), 200, `"matches"`},
		{marseille, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", w.yann.id), 200, w.chloe.ext},
		{marseille, "/api/v1/stats/timings", 200, `"referred":0`},
		{w.e.cfg.APIToken, fmt.Sprintf("/api/v1/offers/%d", w.offerB), 200, `"id":` + itoa64(w.offerB)},
		{w.e.cfg.APIToken, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d", w.nora.id), 200, w.lea.ext},
		{w.e.cfg.APIToken, "/api/v1/inbox/unassigned", 200, `"items"`},
	} {
		if res := w.apiAs(tt.token, http.MethodGet, tt.path, nil, ""); res.status != tt.want || !strings.Contains(res.body, tt.in) {
			t.Errorf("GET %s: %d %.200s, want %d with %s", tt.path, res.status, res.body, tt.want, tt.in)
		}
	}
	// The audit log names the client behind an export, and no client for
	// the operator's token.
	var byLyon, byOperator int
	if err := w.e.stack.pool.QueryRow(context.Background(), `SELECT
  count(*) FILTER (WHERE actor_id = $1 AND what = 'GET /api/v1/offers/:id/shortlist'),
  count(*) FILTER (WHERE actor_id IS NULL AND what = 'GET /api/v1/inbox')
FROM audit_log WHERE actor_kind = 'api'`, lyonClient.ID).Scan(&byLyon, &byOperator); err != nil || byLyon != 1 || byOperator == 0 {
		t.Errorf("audit log: %d shortlist exports by Lyon's client, %d inbox exports by the operator (%v), want 1 and some", byLyon, byOperator, err)
	}
	writes := []struct {
		method, path string
		body         any
		ctype        string
		want         int
	}{
		{"POST", "/api/v1/counsellors", map[string]string{"email": "new@lyon.example", "name": "New", "agency": "Lyon"}, "", 201},
		{"POST", "/api/v1/candidates", map[string]any{"external_id": "SCOPE-LYON", "first_name": "Lou", "phone": "0639985598",
			"commune_code": "69259", "rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": w.omar.id}, "", 201},
		{"POST", "/api/v1/offers", offerBody(w.omar.id, "SCOPE-OF-LYON"), "", 201},
		{"POST", fmt.Sprintf("/api/v1/candidates/%d/consent", w.marc.id), map[string]string{"source": "phone call"}, "", 204},
		{"DELETE", "/api/v1/candidates/SCOPE-LYON", nil, "", 200},
	}
	for _, tt := range writes {
		if res := w.apiAs(lyon, tt.method, tt.path, tt.body, tt.ctype); res.status != tt.want {
			t.Errorf("%s %s as Lyon: %d %.200s, want %d", tt.method, tt.path, res.status, res.body, tt.want)
		}
	}

	revokedToken, revoked := w.newAPIClient("SI retired", "Lyon")
	if err := accounts.NewAPIClients(postgres.NewStore(w.e.stack.pool).APIClients()).Revoke(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	if res := w.apiAs(revokedToken, http.MethodGet, "/api/v1/question-templates", nil, ""); res.status != 401 {
		t.Errorf("a revoked client: %d %s, want 401", res.status, res.body)
	}
}

// TestAPIKeyCommands: `outreach apikey add` prints a token, once, that
// opens its agency's data; `list` shows the clients, never a token;
// `revoke` closes it; bad input is one line and a failure.
func TestAPIKeyCommands(t *testing.T) {
	w := newSecWorld(t)
	env := map[string]string{"DATABASE_URL": w.e.cfg.DatabaseURL, "REDIS_URL": w.e.cfg.RedisURL,
		"QUEUE_NAME": w.e.cfg.QueueName, "API_TOKEN": w.e.cfg.APIToken, "QUIET_HOURS": "off", "LOG_LEVEL": "error"}
	cli := func(args ...string) (string, error) {
		var out, errs strings.Builder
		err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errs)
		return out.String(), err
	}
	out, err := cli("apikey", "add", "--name", "SI Marseille", "--agency", "Marseille")
	token := strings.TrimSpace(out)
	if err != nil || strings.Count(out, "\n") != 1 || len(token) < 32 {
		t.Fatalf("apikey add: %q %v, want one line with a token", out, err)
	}
	if res := w.apiAs(token, http.MethodGet, "/api/v1/offers/"+itoa64(w.offerB), nil, ""); res.status != 200 {
		t.Errorf("the new token on its agency's offer: %d %s", res.status, res.body)
	}
	if res := w.apiAs(token, http.MethodGet, "/api/v1/offers/"+itoa64(w.offer), nil, ""); res.status != 404 {
		t.Errorf("the new token on another agency's offer: %d %s", res.status, res.body)
	}
	out, err = cli("apikey", "list")
	if err != nil || !strings.Contains(out, "\tSI Marseille\tMarseille\tcreated ") || !strings.HasSuffix(out, "\tactive\n") ||
		strings.Contains(out, token) {
		t.Fatalf("apikey list: %q %v", out, err)
	}
	id := strings.Fields(out)[0]
	if out, err := cli("apikey", "revoke", "--id", id); err != nil || out != "revoked API client "+id+"\n" {
		t.Fatalf("apikey revoke: %q %v", out, err)
	}
	if res := w.apiAs(token, http.MethodGet, "/api/v1/offers/"+itoa64(w.offerB), nil, ""); res.status != 401 {
		t.Errorf("a revoked token: %d %s", res.status, res.body)
	}
	if out, _ := cli("apikey", "list"); !strings.Contains(out, "\trevoked ") {
		t.Errorf("apikey list after revoke: %q", out)
	}
	for _, tt := range []struct {
		args  []string
		usage bool
	}{
		{[]string{"apikey"}, true},
		{[]string{"apikey", "frob"}, true},
		{[]string{"apikey", "add", "--name", "X"}, true},
		{[]string{"apikey", "add", "--name", " ", "--agency", "Lyon"}, true},
		{[]string{"apikey", "add", "--name", "X", "--agency", "Lyon", "--id", "3"}, true},
		{[]string{"apikey", "list", "--id", "3"}, true},
		{[]string{"apikey", "revoke"}, true},
		{[]string{"apikey", "revoke", "--id", "x"}, true},
		{[]string{"apikey", "revoke", "--id", "99999"}, false},
	} {
		_, err := cli(tt.args...)
		switch {
		case err == nil:
			t.Errorf("%v succeeded", tt.args)
		case errors.Is(err, errUsage) != tt.usage:
			t.Errorf("%v: %v, want a usage error %v", tt.args, err, tt.usage)
		case strings.Contains(err.Error(), "\n"):
			t.Errorf("%v: %q is more than one line", tt.args, err)
		}
	}
}
