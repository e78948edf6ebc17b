package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitText waits until the element sel contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel)))
		if err == nil && strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never contained %q; last: %q (%v)", sel, want, got, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWebInboxToEmployer, in Chromium, for the path: a counsellor
// signs in, sees a simulated reply appear live without reload, corrects
// an interpretation, validates the shortlist and sends it; the employer's
// link shows exactly the validated candidates and takes a status the
// counsellor then sees; a tampered link is refused; a second counsellor
// sees none of the first one's job seekers.
func TestWebInboxToEmployer(t *testing.T) {
	e := startE2E(t)
	ctx := context.Background()
	sim := e.stack.sim
	type person struct {
		ID    int64  `json:"id"`
		Phone string `json:"phone"`
	}
	var ana, ben struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "ana@agence.example", "name": "Ana Martin", "agency": "Lyon"}, &ana, http.StatusCreated)
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "ben@agence.example", "name": "Ben Roux", "agency": "Lyon"}, &ben, http.StatusCreated)
	e.withPassword(ana.ID, "mot de passe d'Ana", false)
	e.withPassword(ben.ID, "mot de passe de Ben", false)
	people := map[string]person{}
	for i, p := range []struct {
		name       string
		counsellor int64
	}{{"Alice", ana.ID}, {"Bruno", ana.ID}, {"Chloé", ben.ID}} {
		var got person
		e.must(http.MethodPost, "/api/v1/candidates", map[string]any{
			"external_id": "WEB-" + p.name, "first_name": p.name, "phone": fmt.Sprintf("06399807%02d", i), "commune_code": "69259",
			"rome_codes": []string{"N1103"}, "sms_consent": true, "counsellor_id": p.counsellor,
		}, &got, http.StatusCreated)
		people[p.name] = got
	}
	var offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(ana.ID, "OF-WEB"), &offer, http.StatusCreated)
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, nil, http.StatusAccepted)
	eventually(t, "the three offer SMS delivered", func() bool { return e.outreach(offer.ID).Counts["delivered"] == 3 })
	reply := func(who, body string) {
		t.Helper()
		if res, err := sim.Reply(ctx, people[who].Phone, body); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s replies: %v %+v", who, err, res)
		}
	}

	anaTab := browser(t)
	e.signIn(anaTab, "ana@agence.example", "mot de passe d'Ana")
	if _, err := chromedp.Run(anaTab, chromedp.Evaluate[bool](`window.sameLoad = true`)); err != nil {
		t.Fatal(err)
	}
	reply("Alice", "OUI")
	waitText(t, anaTab, "#items", "Alice")
	title, _ := chromedp.Run(anaTab, chromedp.Title())
	stillLoaded, err := chromedp.Run(anaTab, chromedp.Evaluate[bool](`window.sameLoad === true`))
	if err != nil || !stillLoaded || !strings.HasPrefix(title, "(1) ") {
		t.Fatalf("the reply arrived by reloading the page (%v, %v) or the title %q lacks the unread count", stillLoaded, err, title)
	}
	waitText(t, anaTab, "#unread-count", "1")
	reply("Bruno", "Oui mais pas le samedi")
	waitText(t, anaTab, "#items", "pas le samedi")
	screenshot(t, anaTab, "boite")

	// Bruno's reply was not understood: Ana reads it as a yes.
	bruno := `#items li:first-child`
	if err := chromedp.Do(anaTab,
		chromedp.SetValue(chromedp.CSS(bruno+` select[name=interest]`), "interested"),
		chromedp.Click(chromedp.CSS(bruno+` form.correct button`)),
	); err != nil {
		t.Fatalf("correct the interpretation: %v", err)
	}
	waitText(t, anaTab, "#items", "corrigé par le conseiller : intéressé(e)")
	waitText(t, anaTab, ".flash", "Interprétation corrigée")

	// The shortlist: both proposed (the offer asks no question); Ana sends it.
	if err := chromedp.Do(anaTab, chromedp.Navigate(fmt.Sprintf("%s/offres/%d/liste", e.cfg.PublicURL, offer.ID))); err != nil {
		t.Fatal(err)
	}
	list := waitText(t, anaTab, ".shortlist", "Bruno")
	if !strings.Contains(list, "Alice") || strings.Contains(list, "Chloé") {
		t.Fatalf("shortlist %q, want Alice and Bruno only", list)
	}
	screenshot(t, anaTab, "liste")
	if err := chromedp.Do(anaTab, chromedp.Click(chromedp.CSS(`#refer`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, anaTab, "#employer-link", "2 candidature(s) transmise(s)")
	link, err := chromedp.Run(anaTab, chromedp.Evaluate[string](`document.querySelector("a.employer-link").href`))
	if err != nil || !strings.Contains(link, "/employeur/") {
		t.Fatalf("employer link %q (%v)", link, err)
	}

	// The employer, in a browser of their own: exactly the validated two.
	employer := browser(t)
	if err := chromedp.Do(employer, chromedp.Navigate(link)); err != nil {
		t.Fatal(err)
	}
	names, err := chromedp.Run(employer, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(".employer .first-name")).map(e => e.textContent).sort()`))
	if err != nil || strings.Join(names, ",") != "Alice,Bruno" {
		t.Fatalf("employer sees %v (%v), want Alice and Bruno", names, err)
	}
	page := waitText(t, employer, "main", "Alice")
	if strings.Contains(page, "WEB-") || strings.Contains(page, "score") {
		t.Errorf("the employer's page shows more than first names and phones: %q", page)
	}
	alice := fmt.Sprintf(`#candidat-%d`, contactOf(t, e, offer.ID, "WEB-Alice"))
	if err := chromedp.Do(employer,
		chromedp.SetValue(chromedp.CSS(alice+` select`), "interviewed"),
		chromedp.Click(chromedp.CSS(alice+` button`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, employer, alice+" .employer-status", "reçu(e) en entretien")
	screenshot(t, employer, "employeur")
	if err := chromedp.Do(anaTab, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitText(t, anaTab, ".shortlist", "employeur : reçu(e) en entretien")

	tampered := link[:len(link)-3] + "AAA"
	if tampered == link {
		tampered = link[:len(link)-3] + "BBB"
	}
	if err := chromedp.Do(employer, chromedp.Navigate(tampered)); err != nil {
		t.Fatal(err)
	}
	waitText(t, employer, "main", "Ce lien n'est pas valide")

	// Ben sees Chloé's reply, and nothing of Ana's job seekers or offer.
	reply("Chloé", "non merci")
	benTab := browser(t)
	e.signIn(benTab, "ben@agence.example", "mot de passe de Ben")
	inbox := waitText(t, benTab, "#items", "Chloé")
	if strings.Contains(inbox, "Alice") || strings.Contains(inbox, "Bruno") {
		t.Fatalf("Ben's inbox shows Ana's job seekers: %q", inbox)
	}
	for _, path := range []string{fmt.Sprintf("/offres/%d/liste", offer.ID), fmt.Sprintf("/personnes/%d", people["Alice"].ID)} {
		if err := chromedp.Do(benTab, chromedp.Navigate(e.cfg.PublicURL+path)); err != nil {
			t.Fatal(err)
		}
		if got := waitText(t, benTab, "main", "introuvable"); strings.Contains(got, "Alice") {
			t.Errorf("Ben at %s sees %q", path, got)
		}
	}
}

// contactOf is the contact ID of a job seeker on an offer.
func contactOf(t *testing.T, e *e2e, offerID int64, externalID string) int64 {
	t.Helper()
	for _, c := range e.outreach(offerID).Contacts {
		if c.ExternalID == externalID {
			return c.ContactID
		}
	}
	t.Fatalf("%s is not a contact of offer %d", externalID, offerID)
	return 0
}
