package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// webTextField is one text field of the web app's forms: where it is
// posted, the form carrying v, the error shown next to it when refused
// ("" for a message at the top of the page), and the query reading back
// what was stored ($1: the id in the redirect, if any).
type webTextField struct {
	name, path string
	form       func(v string) url.Values
	errorID    string
	read       string
}

func (w *secWorld) webTextFields() []webTextField {
	offerForm := func(field string) func(string) url.Values {
		return func(v string) url.Values {
			f := bakeryOfferForm()
			f.Set("rome_code", "D1102") // no guess of the job title from the title typed
			f.Set(field, v)
			if field == "q0_param" {
				f.Set("q0_kind", "free")
			}
			return f
		}
	}
	return []webTextField{
		{"offer title", "/offres", offerForm("title"), "title-erreur", `SELECT title FROM offers WHERE id = $1`},
		{"offer employer", "/offres", offerForm("employer_name"), "employer_name-erreur", `SELECT employer_name FROM offers WHERE id = $1`},
		{"offer skill", "/offres", offerForm("skills"), "skills-erreur", `SELECT skills[1] FROM offers WHERE id = $1`},
		{"offer custom question", "/offres", offerForm("q0_param"), "q0_param-erreur",
			`SELECT free_text FROM offer_questions WHERE offer_id = $1`},
		{"answer by SMS", fmt.Sprintf("/boite/%d/reponse", w.leaItem), func(v string) url.Values { return url.Values{"body": {v}} }, "",
			`SELECT body FROM counsellor_messages WHERE $1::bigint IS NOT NULL ORDER BY id DESC LIMIT 1`},
		{"shortlist decision reason", fmt.Sprintf("/offres/%d/liste/%d", w.offer, w.lea.id), func(v string) url.Values {
			return url.Values{"proposed": {"0"}, "reason": {v}}
		}, "", `SELECT reason FROM shortlist_decisions WHERE $1::bigint IS NOT NULL ORDER BY id DESC LIMIT 1`},
	}
}

var createdOffer = regexp.MustCompile(`^/offres/(\d+)\?`)

// checkWebForms sends the hard values in the web app's text fields: the
// sign-in e-mail, the offer form, the job title search, the answer by
// SMS, the shortlist decision's reason and the employer's status.
func (w *secWorld) checkWebForms(t *testing.T) {
	ctx := context.Background()
	signIn := w.formBrowser(t, "/connexion", "outreach_signin")
	employer := w.employerBrowser(t)
	for _, val := range sqlValues {
		if res := signIn.post("/connexion", url.Values{"email": {val.v}, "password": {"un mot de passe"}}); res.status != http.StatusUnauthorized {
			t.Errorf("sign-in e-mail %s: %d, want 401", val.name, res.status)
		}
		res := w.nora.do(http.MethodGet, "/offres/metiers?q="+url.QueryEscape(val.v), nil, map[string]string{"Accept": "application/json"})
		if res.status != http.StatusOK && !(res.status == http.StatusBadRequest && strings.Contains(res.body, `"field":"q"`)) {
			t.Errorf("job title search %s: %d %.100s, want 200, or 400 naming q", val.name, res.status, res.body)
		}
		res = employer.post("/employeur/"+w.link+"/candidats/"+itoa64(w.leaContact), url.Values{"status": {val.v}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("employer status %s: %d, want 422", val.name, res.status)
		}
		for _, f := range w.webTextFields() {
			res := w.nora.post(f.path, f.form(val.v))
			switch {
			case res.status == http.StatusUnprocessableEntity:
				if f.errorID != "" && !strings.Contains(res.body, `id="`+f.errorID+`"`) {
					t.Errorf("%s %s: refused without a message next to the field", f.name, val.name)
				}
			case res.status == http.StatusSeeOther:
				var id int64
				if m := createdOffer.FindStringSubmatch(res.location); m != nil {
					fmt.Sscan(m[1], &id)
				}
				var got string
				if err := w.e.stack.pool.QueryRow(ctx, f.read, id).Scan(&got); err != nil || got != val.v {
					t.Errorf("%s %s: stored %.60q (%v), want %.60q", f.name, val.name, got, err, val.v)
				}
			default:
				t.Errorf("%s %s: %d, want 303 or 422", f.name, val.name, res.status)
			}
		}
		// A title typed without choosing it from the list is searched for.
		form := bakeryOfferForm()
		form.Set("title", val.v)
		if res := w.nora.post("/offres", form); res.status != http.StatusUnprocessableEntity {
			t.Errorf("offer title %s, to guess the job title from: %d, want 422", val.name, res.status)
		}
	}
	// The search's wildcards are text: none finds every job title.
	for _, q := range []string{"%", "_", "%%", "%_%", ".*", `\`, "'", "' OR '1'='1"} {
		res := w.nora.do(http.MethodGet, "/offres/metiers?q="+url.QueryEscape(q), nil, map[string]string{"Accept": "application/json"})
		var titles []json.RawMessage
		if err := json.Unmarshal([]byte(res.body), &titles); err != nil || res.status != http.StatusOK || len(titles) != 0 {
			t.Errorf("job title search %q: %d, %d titles (%v), want none", q, res.status, len(titles), err)
		}
	}
}

// formBrowser is a browser without session that loaded a page with a
// form whose CSRF token lives in the cookie named cookie.
func (w *secWorld) formBrowser(t *testing.T, page, cookie string) *secClient {
	t.Helper()
	res := (&secClient{t: t, base: w.e.cfg.PublicURL}).get(page)
	m := csrfField.FindStringSubmatch(res.body)
	c := &secClient{t: t, base: w.e.cfg.PublicURL}
	for _, ck := range (&http.Response{Header: res.header}).Cookies() {
		if ck.Name == cookie {
			c.cookies = []*http.Cookie{{Name: ck.Name, Value: ck.Value}}
		}
	}
	if res.status != http.StatusOK || m == nil || c.cookies == nil {
		t.Fatalf("%s: %d, no CSRF token and cookie", page, res.status)
	}
	c.csrf = m[1]
	return c
}
