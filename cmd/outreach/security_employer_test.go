package main

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// TestSecurityReplayedEmployerLinks: an employer link opens its own offer's page
// and takes statuses on its referred candidates only, until it expires (a
// 410 page); altered, signed with another key, or used for another
// offer's candidate, it is a 404; the status form without its CSRF
// cookie, with another browser's, or from another site is a 403; and the
// same status posted twice is recorded once.
func TestSecurityReplayedEmployerLinks(t *testing.T) {
	w := newSecWorld(t)
	e := w.e
	links, err := outreach.NewEmployerLinks([]byte(deriveSecret(e.cfg.APIToken, "employer links")))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := outreach.NewEmployerLinks([]byte("a key that is not the server's, 32 bytes"))
	soon, expired := time.Now().Add(time.Hour), links.Token(w.offer, time.Now().Add(-time.Minute))
	lea, marc := itoa64(w.leaContact), itoa64(contactOf(t, e, w.offer, w.marc.ext))
	anon := &secClient{t: t, base: e.cfg.PublicURL}
	for _, tt := range []struct {
		name, token string
		status      int
	}{
		{"valid", w.link, http.StatusOK},
		{"expired a minute ago", expired, http.StatusGone},
		{"expired in 1970", links.Token(w.offer, time.Unix(1, 0)), http.StatusGone},
		{"signed with another key", other.Token(w.offer, soon), http.StatusNotFound},
		{"the offer altered", alterToken(t, w.link, 1, w.offerB), http.StatusNotFound},
		{"the expiry pushed back", alterToken(t, expired, 9, soon.Unix()), http.StatusNotFound},
		{"padded", w.link + "==", http.StatusNotFound},
		{"of offer 0", links.Token(0, soon), http.StatusNotFound},
		{"of an offer that does not exist", links.Token(999999, soon), http.StatusNotFound},
	} {
		res := anon.get("/employeur/" + tt.token)
		if res.status != tt.status {
			t.Errorf("%s link: %d, want %d", tt.name, res.status, tt.status)
		}
		if shows := strings.Contains(res.body, "Léa"); shows != (tt.status == http.StatusOK) {
			t.Errorf("%s link: shows Léa %v", tt.name, shows)
		}
		if strings.Contains(res.body, "Marc") || strings.Contains(res.body, "Chloé") {
			t.Errorf("%s link shows someone not referred for the offer", tt.name)
		}
	}
	if res := anon.get("/employeur/" + w.linkB); res.status != http.StatusOK || strings.Contains(res.body, "Léa") {
		t.Errorf("Marseille's link: %d, shows Léa %v", res.status, strings.Contains(res.body, "Léa"))
	}

	emp, stranger := w.employerBrowser(t), w.employerBrowser(t)
	contacted := url.Values{"status": {"contacted"}}
	before := snapshot(t, e)
	for _, tt := range []struct {
		name, path string
		client     *secClient
		form       url.Values
		header     map[string]string
		status     int
	}{
		{"on an expired link", "/employeur/" + expired + "/candidats/" + lea, emp, nil, nil, http.StatusGone},
		{"on another offer's link", "/employeur/" + w.linkB + "/candidats/" + lea, emp, nil, nil, http.StatusNotFound},
		{"on a candidate not referred", "/employeur/" + w.link + "/candidats/" + marc, emp, nil, nil, http.StatusNotFound},
		{"on a candidate that is no number", "/employeur/" + w.link + "/candidats/1e3", emp, nil, nil, http.StatusNotFound},
		{"without the CSRF cookie", "/employeur/" + w.link + "/candidats/" + lea, anon, url.Values{"csrf": {emp.csrf}}, nil, http.StatusForbidden},
		{"with another browser's CSRF cookie", "/employeur/" + w.link + "/candidats/" + lea, stranger, url.Values{"csrf": {emp.csrf}}, nil, http.StatusForbidden},
		{"without the form's token", "/employeur/" + w.link + "/candidats/" + lea, emp, url.Values{"csrf": {""}}, nil, http.StatusForbidden},
		{"from another site", "/employeur/" + w.link + "/candidats/" + lea, emp, nil, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
	} {
		form := url.Values{"csrf": {tt.client.csrf}}
		for k, v := range tt.form {
			form[k] = v
		}
		form.Set("status", "contacted")
		if res := tt.client.do(http.MethodPost, tt.path, form, tt.header); res.status != tt.status {
			t.Errorf("status %s: %d, want %d", tt.name, res.status, tt.status)
		}
	}
	before.unchanged(t, e, "refused employer statuses")

	// Posted twice (a double click, the form sent again): recorded once.
	// A change, and a change back, are each recorded.
	path := "/employeur/" + w.link + "/candidats/" + lea
	for i, st := range []string{"contacted", "contacted", "interviewed", "interviewed", "contacted"} {
		contacted.Set("status", st)
		if res := emp.post(path, contacted); res.status != http.StatusSeeOther {
			t.Fatalf("status %s (%d): %d", st, i, res.status)
		}
	}
	var recorded []string
	rows, err := e.stack.pool.Query(context.Background(), `SELECT status FROM employer_statuses WHERE contact_id = $1 ORDER BY id`, w.leaContact)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		recorded = append(recorded, s)
	}
	if got := strings.Join(recorded, ","); got != "contacted,interviewed,contacted" {
		t.Errorf("statuses recorded: %s, want contacted,interviewed,contacted", got)
	}
}

// alterToken writes n over the 8 bytes at offset in a link's token (1:
// the offer, 9: the expiry), keeping its signature.
func alterToken(t *testing.T, token string, offset int, n int64) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < offset+8 {
		t.Fatalf("token %q: %v", token, err)
	}
	binary.BigEndian.PutUint64(b[offset:offset+8], uint64(n))
	return base64.RawURLEncoding.EncodeToString(b)
}
