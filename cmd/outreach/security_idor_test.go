package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// idorRequest is a request on one record, by id.
type idorRequest struct {
	method, path string
	form         url.Values
}

// idorRequests are the web app's requests on the records of one owner:
// their job seeker, the offer texted (with a job seeker on its
// shortlist), an offer to launch, and two inbox items (one with an
// interest to correct).
func idorRequests(offer, toLaunch, candidate, item, unclearItem int64) []idorRequest {
	o := fmt.Sprintf("/offres/%d", offer)
	return []idorRequest{
		{http.MethodGet, fmt.Sprintf("/personnes/%d", candidate), nil},
		{http.MethodGet, o, nil},
		{http.MethodGet, o + "/liste", nil},
		{http.MethodGet, o + "/progression", nil},
		{http.MethodGet, fmt.Sprintf("/tableau?offre=%d", offer), nil},
		{http.MethodGet, fmt.Sprintf("/offres/%d", toLaunch), nil},
		{http.MethodPost, fmt.Sprintf("/offres/%d/lancer", toLaunch), url.Values{"limit": {"10"}}},
		{http.MethodPost, fmt.Sprintf("%s/liste/%d", o, candidate), url.Values{"proposed": {"0"}, "reason": {"pas disponible"}}},
		{http.MethodPost, o + "/transmettre", url.Values{}},
		{http.MethodPost, fmt.Sprintf("/boite/%d/traitement", item), url.Values{"handled": {"1"}}},
		{http.MethodPost, fmt.Sprintf("/boite/%d/interpretation", unclearItem), url.Values{"interest": {"interested"}}},
		{http.MethodPost, fmt.Sprintf("/boite/%d/reponse", item), url.Values{"body": {"Bonjour, rappelez-moi"}}},
	}
}

func (r idorRequest) send(c *secClient) secResp {
	if r.method == http.MethodGet {
		return c.get(r.path)
	}
	return c.post(r.path, r.form)
}

// TestSecurityOtherCounsellorsIDs: a counsellor or an administrator of another
// agency, and a counsellor of the same agency who does not follow the job
// seeker nor own the offer, get a 404 telling nothing on every web route
// that takes an id, as pages and as JSON, and change nothing; the owner
// and the administrator of the owner's agency get through.
func TestSecurityOtherCounsellorsIDs(t *testing.T) {
	w := newSecWorld(t)
	lyon := idorRequests(w.offer, w.draft, w.lea.id, w.leaItem, w.marcItem)
	marseille := idorRequests(w.offerB, w.offerB, w.chloe.id, w.chloeItem, w.chloeItem)
	tests := []struct {
		name     string
		attacker secUser
		requests []idorRequest
		secrets  []string // what the answers must not show
	}{
		{"a counsellor of another agency", w.yann, lyon, []string{"Léa", "Marc", "SEC-OF-A", "Entrepôt"}},
		{"an administrator of another agency", w.zoe, lyon, []string{"Léa", "Marc", "SEC-OF-A", "Entrepôt"}},
		{"another counsellor of the agency", w.omar, lyon, []string{"Léa", "Marc", "SEC-OF-A", "Entrepôt"}},
		{"Lyon's administrator on Marseille's", w.ada, marseille, []string{"Chloé", "SEC-OF-B", "Entrepôt"}},
		{"Lyon's counsellor on Marseille's", w.nora, marseille, []string{"Chloé", "SEC-OF-B", "Entrepôt"}},
	}
	before := snapshot(t, w.e)
	sent := len(w.e.stack.sim.Messages(w.lea.phone)) + len(w.e.stack.sim.Messages(w.chloe.phone))
	for _, tt := range tests {
		for _, r := range tt.requests {
			for _, accept := range []string{"text/html", "application/json"} {
				res := tt.attacker.do(r.method, r.path, withCSRF(r.form, tt.attacker.csrf, r.method), map[string]string{"Accept": accept})
				if res.status != http.StatusNotFound {
					t.Errorf("%s: %s %s (%s): %d, want 404", tt.name, r.method, r.path, accept, res.status)
				}
				for _, s := range tt.secrets {
					if strings.Contains(res.body, s) {
						t.Errorf("%s: %s %s (%s) shows %q", tt.name, r.method, r.path, accept, s)
					}
				}
			}
		}
	}
	before.unchanged(t, w.e, "requests on other counsellors' ids")
	if now := len(w.e.stack.sim.Messages(w.lea.phone)) + len(w.e.stack.sim.Messages(w.chloe.phone)); now != sent {
		t.Errorf("requests on other counsellors' ids sent %d SMS", now-sent)
	}

	// The same requests by those who may: they were well formed.
	for _, who := range []struct {
		name     string
		user     secUser
		requests []idorRequest
	}{{"Lyon's administrator", w.ada, lyon}, {"the owner, Nora", w.nora, lyon}, {"Marseille's administrator", w.zoe, marseille}} {
		for _, r := range who.requests {
			if res := r.send(who.user.secClient); res.status != http.StatusOK && res.status != http.StatusSeeOther {
				t.Errorf("%s: %s %s: %d, want it done", who.name, r.method, r.path, res.status)
			}
		}
	}
}

// withCSRF adds the CSRF token to the form of a write.
func withCSRF(form url.Values, csrf, method string) url.Values {
	if method == http.MethodGet {
		return nil
	}
	f := url.Values{"csrf": {csrf}}
	for k, v := range form {
		f[k] = v
	}
	return f
}
