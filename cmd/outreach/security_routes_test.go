package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/postgres"
)

// publicRoutes are the only routes open without a session or the API
// token, each with what guards it instead. Any other route, including
// one added later, must refuse every request without credentials.
var publicRoutes = map[string]string{
	"GET /healthz":                              "liveness probe: says only that the process is up",
	"GET /readyz":                               "readiness probe: says only whether PostgreSQL and Redis answer",
	"GET /connexion":                            "the sign-in page",
	"POST /connexion":                           "signing in: the form carries a CSRF token of its own",
	"GET /static/*":                             "the CSS and JavaScript, the same for everyone",
	"POST /webhooks/twilio/sms":                 "Twilio: a valid X-Twilio-Signature instead (TestSecurityForgedTwilioSignatures)",
	"POST /webhooks/twilio/status":              "Twilio: a valid X-Twilio-Signature instead (TestSecurityForgedTwilioSignatures)",
	"GET /employeur/:token":                     "the employer: an HMAC-signed, expiring link instead (TestSecurityReplayedEmployerLinks)",
	"POST /employeur/:token/candidats/:contact": "the employer: the signed link and a CSRF cookie (TestSecurityReplayedEmployerLinks)",
	// Being removed: the first signed-link inbox, replaced by /boite.
	"GET /inbox/:counsellor":        "the old signed-link inbox (api/inbox.go), being removed",
	"GET /inbox/:counsellor/events": "the old signed-link inbox (api/inbox.go), being removed",
}

// routeKind says how a route authenticates: "api" (Bearer API token,
// 401 JSON), "admin" (Basic or Bearer, 401), "token" (/metrics, Bearer),
// "public" (see publicRoutes) or "page" (a session: sign-in page or 401).
func routeKind(cfg Config, method, path string) string {
	switch {
	case publicRoutes[method+" "+path] != "":
		return "public"
	case cfg.Simulator && strings.HasPrefix(path, "/simulator/"):
		return "public" // the simulator: only mounted when running without Twilio
	case strings.HasPrefix(path, "/api/"):
		return "api"
	case path == adminQueuesPath || strings.HasPrefix(path, adminQueuesPath+"/"):
		return "admin"
	case path == "/metrics":
		return "token"
	}
	return "page"
}

// routes lists the router's routes (not its catch-alls for unknown paths).
func (w *secWorld) routes() []*echo.Route {
	var out []*echo.Route
	for _, r := range w.e.stack.echo.Routes() {
		if r.Method != echo.RouteNotFound {
			out = append(out, r)
		}
	}
	return out
}

// path fills a route's parameters with ids of the world: those of
// Nora's offer, Léa, her reply and her contact.
func (w *secWorld) path(route string) string {
	segs := strings.Split(route, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") && s != "*" {
			continue
		}
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		switch {
		case s == "*":
			segs[i] = "x"
		case s == ":token":
			segs[i] = w.link
		case s == ":contact":
			segs[i] = itoa64(w.leaContact)
		case s == ":code":
			segs[i] = "N1103"
		case s == ":external_id":
			segs[i] = w.lea.ext
		case s == ":candidate" || s == ":candidate_id" || prev == "personnes" || prev == "candidates":
			segs[i] = itoa64(w.lea.id)
		case prev == "boite":
			segs[i] = itoa64(w.leaItem)
		case s == ":counsellor":
			segs[i] = itoa64(w.nora.id)
		default:
			segs[i] = itoa64(w.offer)
		}
	}
	return strings.Join(segs, "/")
}

// TestSecurityEveryRouteRequiresAuthentication walks every route of the running
// router: without credentials, with a forged Bearer token, with a forged,
// expired or signed-out session cookie, and with the credentials of the
// other side (a session for the API, the API token for pages), each is
// refused; with the right credentials, it is not.
func TestSecurityEveryRouteRequiresAuthentication(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	past := func() time.Time { return time.Now().Add(-2 * accounts.SessionTTL) }
	expired, _, err := accounts.NewService(postgres.NewStore(w.e.stack.pool).Accounts(), nil, past).OpenSession(ctx, w.nora.id)
	if err != nil {
		t.Fatal(err)
	}
	signedOut := w.client(w.nora.id)
	if res := signedOut.post("/deconnexion", nil); res.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.status)
	}
	session := func(v string) map[string]string { return map[string]string{"Cookie": "outreach_session=" + v} }
	bearer := map[string]string{"Authorization": "Bearer " + w.e.cfg.APIToken}
	basic := map[string]string{"Authorization": "Basic YWRtaW46bm9wZQ=="} // admin:nope
	wrong := []struct {
		name   string
		header map[string]string
		kinds  string // the kinds of routes these credentials must not open
	}{
		{"no credentials", nil, "api admin token page"},
		{"a forged Bearer token", map[string]string{"Authorization": "Bearer forged-0123456789abcdef"}, "api admin token page"},
		{"a wrong admin password", basic, "api admin token page"},
		{"a forged session cookie", session("forged-session-0123456789abcdefghijklmnopqrstu"), "api admin token page"},
		{"an expired session", session(expired), "api admin token page"},
		{"a signed-out session", session(signedOut.cookies[0].Value), "api admin token page"},
		{"a counsellor's open session", session(w.ada.cookies[0].Value), "api admin token"},
		{"the API token", bearer, "page"},
	}
	right := map[string]map[string]string{"api": bearer, "admin": bearer, "token": bearer, "page": session(w.ada.cookies[0].Value)}

	anon := &secClient{t: t, base: w.e.cfg.PublicURL}
	routes := w.routes()
	if len(routes) < 20 {
		t.Fatalf("%d routes: the router is not the running one", len(routes))
	}
	checked := map[string]int{}
	for _, r := range routes {
		kind := routeKind(w.e.cfg, r.Method, r.Path)
		checked[kind]++
		if kind == "public" {
			continue
		}
		path := w.path(r.Path)
		for _, cred := range wrong {
			if !strings.Contains(cred.kinds, kind) {
				continue
			}
			res := anon.do(r.Method, path, nil, cred.header)
			if why := refusal(kind, r.Method, res); why != "" {
				t.Errorf("%s %s (%s) with %s: %d %.100q: %s", r.Method, r.Path, kind, cred.name, res.status, res.body, why)
			}
		}
		// The right credentials get through: the refusals above were the
		// authentication's. Writes only to pages, where the missing CSRF
		// token stops them.
		if (r.Method == http.MethodGet || kind == "page") && kind != "token" {
			if status := headStatus(t, r.Method, w.e.cfg.PublicURL+path, right[kind]); status == http.StatusUnauthorized ||
				status == http.StatusSeeOther && kind == "page" && r.Path != "/" {
				t.Errorf("%s %s with the right credentials: %d", r.Method, r.Path, status)
			}
		}
	}
	t.Logf("routes checked, by kind: %v", checked)
}

// refusal says what is wrong with the answer to a request without valid
// credentials, "" when it is the expected refusal.
func refusal(kind, method string, res secResp) string {
	switch {
	case kind == "page" && method == http.MethodGet:
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/connexion?suite=") {
			return "want a redirect to the sign-in page"
		}
	case res.status != http.StatusUnauthorized:
		return "want 401"
	case kind == "api" && !strings.Contains(res.body, `"code":"unauthorized"`):
		return `want a JSON error "unauthorized"`
	case kind == "admin" && !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Basic"):
		return "want a Basic challenge"
	}
	return ""
}

// headStatus sends a request and returns its status, without reading the
// body: the live inbox streams.
func headStatus(t *testing.T, method, url string, header map[string]string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestSecuritySignInStaysOnSite: after signing in, the page asked for before
// (?suite=) is opened only when it is on this site, however it is
// written: browsers drop tabs and line breaks from a Location, and read
// a backslash as a slash.
func TestSecuritySignInStaysOnSite(t *testing.T) {
	w := newSecWorld(t)
	for _, next := range []string{"//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
		`/\evil.example`, `\\evil.example`, "https://evil.example", "javascript:alert(1)", "/%09/evil.example"} {
		browser := w.formBrowser(t, "/connexion", "outreach_signin")
		res := browser.post("/connexion", url.Values{"email": {"nora@lyon.example"}, "password": {"mot de passe de Nora"}, "suite": {next}})
		// What a browser makes of the Location.
		loc := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(res.location)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
			t.Errorf("sign in to go to %q: %d to %q, want a page of this site", next, res.status, res.location)
		}
	}
}
