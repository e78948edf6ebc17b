package main

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// TestEmployerLinkPages: the employer's link opens the page until it
// expires (then a 410 page saying so); a tampered link is a 404 page;
// neither says anything of the offer.
func TestEmployerLinkPages(t *testing.T) {
	clock := &e2eClock{}
	e := startE2E(t, withClock(clock.Now))
	var co struct {
		ID     int64
		Agency string
	}
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "lina@agence.example", "name": "Lina", "agency": "Lyon"}, &co, http.StatusCreated)
	var offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(co.ID, "OF-LINK"), &offer, http.StatusCreated)
	token, expires, err := e.stack.svc.EmployerLink(context.Background(), outreach.Viewer{CounsellorID: co.ID, Agency: "Lyon"}, offer.ID)
	if err != nil || expires.Sub(clock.Now()) < 13*24*time.Hour {
		t.Fatalf("employer link: %v, expires %s", err, expires)
	}
	page := func(path string) (int, string) {
		t.Helper()
		status, body := e.raw(http.MethodGet, path, "", "", map[string]string{"Accept": "text/html"})
		return status, html.UnescapeString(body)
	}
	tests := []struct {
		name   string
		path   string
		later  time.Duration
		status int
		want   string
	}{
		{"valid", "/employeur/" + token, 0, http.StatusOK, "Préparateur de commandes"},
		{"tampered", "/employeur/" + token[:len(token)-2] + "xx", 0, http.StatusNotFound, "Ce lien n'est pas valide"},
		{"truncated", "/employeur/" + token[:10], 0, http.StatusNotFound, "Ce lien n'est pas valide"},
		{"expired", "/employeur/" + token, 15 * 24 * time.Hour, http.StatusGone, "Ce lien a expiré"},
	}
	for _, tt := range tests {
		clock.Advance(tt.later)
		status, body := page(tt.path)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s link: %d, want %d with %q", tt.name, status, tt.status, tt.want)
		}
		if tt.status != http.StatusOK && strings.Contains(body, "Préparateur") {
			t.Errorf("%s link shows the offer", tt.name)
		}
	}
}
