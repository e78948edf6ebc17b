package main

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// csrfForms are right forms of the web app's writes, by route, so that
// only the CSRF defence refuses them; a write not listed is sent empty.
func (w *secWorld) csrfForms() map[string]url.Values {
	return map[string]url.Values{
		"POST /offres":                              bakeryOfferForm(),
		"POST /offres/:id/lancer":                   {"limit": {"10"}},
		"POST /offres/:id/liste/:candidate":         {"proposed": {"0"}, "reason": {"pas disponible"}},
		"POST /boite/:id/traitement":                {"handled": {"1"}},
		"POST /boite/:id/interpretation":            {"interest": {"declined"}},
		"POST /boite/:id/reponse":                   {"body": {"Bonjour Léa"}},
		"POST /employeur/:token/candidats/:contact": {"status": {"contacted"}},
		"POST /connexion":                           {"email": {"nora@lyon.example"}, "password": {"mot de passe de Nora"}},
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestSecurityCSRFOnEveryWrite sends every write of the web app (every route but
// GET, HEAD and OPTIONS, outside the API and the webhooks) without the
// CSRF token, with another session's, and with the right one from another
// site: each is refused with a 403 and changes nothing. The sign-in form
// and the employer's form, whose tokens live in a cookie, are refused the
// same way.
func TestSecurityCSRFOnEveryWrite(t *testing.T) {
	w := newSecWorld(t)
	forms := w.csrfForms()
	other := w.client(w.nora.id) // another browser of Nora's
	// The sign-in and employer forms: their token and cookie, as a
	// browser has them after loading the page.
	tokenCookies := map[string]*secClient{
		"POST /connexion": w.formBrowser(t, "/connexion", "outreach_signin"),
		"POST /employeur/:token/candidats/:contact": w.employerBrowser(t),
	}

	before := snapshot(t, w.e)
	var writes int
	for _, r := range w.routes() {
		if isSafeMethod(r.Method) {
			continue
		}
		key := r.Method + " " + r.Path
		kind := routeKind(w.e.cfg, r.Method, r.Path)
		client := w.nora.secClient
		if c, ok := tokenCookies[key]; ok {
			client = c
		} else if kind != "page" {
			continue
		}
		writes++
		path, form := w.path(r.Path), forms[key]
		with := func(token string) url.Values {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if token != "" {
				f.Set("csrf", token)
			}
			return f
		}
		for _, tt := range []struct {
			name   string
			form   url.Values
			header map[string]string
		}{
			{"without the token", with(""), nil},
			{"with another session's token", with(other.csrf), nil},
			{"with another session's token in the header", with(""), map[string]string{"X-CSRF-Token": other.csrf}},
			{"with a forged token", with("x" + client.csrf), nil},
			{"from another site (Origin)", with(client.csrf), map[string]string{"Origin": "https://evil.example"}},
			{"from another site (Sec-Fetch-Site)", with(client.csrf), map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{"from a sibling site (Sec-Fetch-Site)", with(client.csrf), map[string]string{"Sec-Fetch-Site": "same-site"}},
		} {
			if res := client.do(r.Method, path, tt.form, tt.header); res.status != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", key, tt.name, res.status)
			}
		}
	}
	if writes < 9 {
		t.Errorf("%d writes found in the router, want at least 9", writes)
	}
	before.unchanged(t, w.e, "refused writes")
	if res := tokenCookies["POST /connexion"].do(http.MethodPost, "/connexion", url.Values{"csrf": {tokenCookies["POST /connexion"].csrf},
		"email": {"nora@lyon.example"}, "password": {"mot de passe de Nora"}}, nil); res.status != http.StatusSeeOther {
		t.Errorf("sign-in with its token: %d, want it done (the refusals above were the CSRF defence's)", res.status)
	}
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
