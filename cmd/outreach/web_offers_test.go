package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// offersWeb is a counsellor signed in to the web app over plain HTTP,
// with a cookie jar, following no redirect.
type offersWeb struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

var offersCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInOffersWeb signs in through the sign-in form and keeps the
// session's CSRF token.
func signInOffersWeb(t *testing.T, e *e2e, email, password string) *offersWeb {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &offersWeb{t: t, base: e.cfg.PublicURL, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, body, _ := w.get("/connexion", "text/html")
	m := offersCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token in the sign-in form")
	}
	res := w.post("/connexion", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, res.status)
	}
	_, body, _ = w.get("/offres", "text/html")
	if m = offersCSRF.FindStringSubmatch(body); m == nil {
		t.Fatalf("signed in as %s, but no CSRF token in the offers page", email)
	}
	w.csrf = m[1]
	return w
}

func (w *offersWeb) get(path, accept string) (int, string, http.Header) {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.base+path, nil)
	req.Header.Set("Accept", accept)
	res, err := w.client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

type offersPosted struct {
	status   int
	location string
	body     string
}

// post sends a form, with the session's CSRF token when there is one.
func (w *offersWeb) post(path string, form url.Values) offersPosted {
	w.t.Helper()
	if w.csrf != "" && form.Get("csrf") == "" {
		form.Set("csrf", w.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, w.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	res, err := w.client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return offersPosted{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

// progress reads an offer's progress as app.js does.
func (w *offersWeb) progress(offerID int64) (int, offersProgress) {
	w.t.Helper()
	status, body, _ := w.get(fmt.Sprintf("/offres/%d/progression", offerID), "application/json")
	var p offersProgress
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			w.t.Fatalf("progress %s: %v", body, err)
		}
	}
	return status, p
}

type offersProgress struct {
	Counts map[string]int `json:"counts"`
	Done   bool           `json:"done"`
}

// offersTeam is the people of the offers tests: Nora and Omar,
// counsellors of Lyon, Ada, administrator of Lyon, and Zoé, administrator
// of Marseille; three job seekers of Nora's looking for bakery work in
// Lyon.
type offersTeam struct {
	nora, omar, ada, zoe int64
	seekers              map[string]offersSeeker // by first name
}

type offersSeeker struct {
	id    int64
	phone string // E.164
}

const offersPassword = "un mot de passe solide"

func newOffersTeam(t *testing.T, e *e2e) offersTeam {
	t.Helper()
	team := offersTeam{seekers: map[string]offersSeeker{}}
	for _, p := range []struct {
		id                  *int64
		email, name, agency string
		admin               bool
	}{
		{&team.nora, "nora@agence.example", "Nora", "Lyon", false},
		{&team.omar, "omar@agence.example", "Omar", "Lyon", false},
		{&team.ada, "ada@agence.example", "Ada", "Lyon", true},
		{&team.zoe, "zoe@agence.example", "Zoé", "Marseille", true},
	} {
		var co struct{ ID int64 }
		e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": p.email, "name": p.name, "agency": p.agency},
			&co, http.StatusCreated)
		e.withPassword(co.ID, offersPassword, p.admin)
		*p.id = co.ID
	}
	for i, name := range []string{"Léa", "Marc", "Inès"} {
		var cand struct {
			ID    int64  `json:"id"`
			Phone string `json:"phone"`
		}
		e.must(http.MethodPost, "/api/v1/candidates", map[string]any{"external_id": "OFF-" + strconv.Itoa(i), "first_name": name,
			"phone": fmt.Sprintf("06399831%02d", i), "commune_code": "69123", "rome_codes": []string{"D1102"},
			"sms_consent": true, "counsellor_id": team.nora}, &cand, http.StatusCreated)
		team.seekers[name] = offersSeeker{id: cand.ID, phone: cand.Phone}
	}
	return team
}

// bakeryOfferForm is a right offer form, its title typed without
// choosing it from the list.
func bakeryOfferForm() url.Values {
	return url.Values{
		"title": {"Boulanger / Boulangère"}, "employer_name": {"Fournil du Parc"},
		"employer_email": {"recrutement@fournil.example"}, "commune_code": {"69123"}, "contract_type": {"CDI"},
		"radius_km": {"30"}, "positions": {"2"}, "skills": {"Pétrissage\r\nFaçonnage"},
		"q0_kind": {"accepts_hours"}, "q0_param": {"du lundi au vendredi, 5h-12h"}, "q0_qualifying": {"yes"},
	}
}

var offerPath = regexp.MustCompile(`^/offres/(\d+)\?cree=1$`)

// TestWebOffers, over HTTP: a counsellor creates an offer through the
// form (a wrong field comes back with its message and the values kept),
// finds job titles, previews the matches with their explained scores,
// sets one aside and launches: the one set aside is never texted; the
// progress shows the SMS and the replies; the dashboard draws its charts.
// Another counsellor never sees the offer; an administrator of the agency
// does.
func TestWebOffers(t *testing.T) {
	e := startE2E(t)
	team := newOffersTeam(t, e)
	nora := signInOffersWeb(t, e, "nora@agence.example", offersPassword)

	if status, body, _ := nora.get("/offres/nouvelle", "text/html"); status != http.StatusOK ||
		!contains(body, `id="commune_code"`) || !contains(body, `name="q4_kind"`) || !contains(body, `value="CDI" selected`) {
		t.Fatalf("offer form: %d", status)
	}

	t.Run("refused forms", func(t *testing.T) {
		for _, tt := range []struct {
			name, field, message string
			change               url.Values
		}{
			{"e-mail", "employer_email", "adresse e-mail valide", url.Values{"employer_email": {"pas-une-adresse"}}},
			{"postcode instead of INSEE code", "commune_code", "code INSEE", url.Values{"commune_code": {"6900"}}},
			{"unknown job title", "rome_code", "code ROME", url.Values{"title": {"Boulanger du dimanche"}}},
			{"unknown ROME code", "rome_code", "code ROME", url.Values{"rome_code": {"Z9999"}}},
			{"no title", "title", "obligatoire", url.Values{"title": {""}, "rome_code": {"D1102"}}},
			{"radius", "radius_km", "nombre de kilomètres", url.Values{"radius_km": {"loin"}}},
			{"radius too large", "radius_km", "200 km", url.Values{"radius_km": {"500"}}},
			{"question date", "q1_param", "JJ/MM/AAAA", url.Values{"q1_kind": {"available_from"}, "q1_param": {"lundi"}}},
			{"question without parameter", "q2_param", "obligatoire", url.Values{"q2_kind": {"accepts_salary"}, "q2_qualifying": {"yes"}}},
			{"question without kind", "q3_kind", "type de question", url.Values{"q3_param": {"Lyon"}}},
			{"no question and questions", "no_questions", "aucune question", url.Values{"no_questions": {"1"}}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				form := bakeryOfferForm()
				for k, v := range tt.change {
					form[k] = v
				}
				res := nora.post("/offres", form)
				if res.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d (%s), want 422", res.status, res.location)
				}
				errorID := tt.field + "-erreur"
				described := regexp.MustCompile(`id="` + tt.field + `"[^>]*aria-describedby="[^"]*\b` + errorID + `\b`)
				if !contains(res.body, `<p id="`+errorID+`" class="field-error">`) || !described.MatchString(res.body) {
					t.Errorf("no message tied to %s", tt.field)
				}
				if m := regexp.MustCompile(`<p id="` + errorID + `" class="field-error">([^<]*)</p>`).FindStringSubmatch(res.body); m == nil ||
					!contains(m[1], tt.message) {
					t.Errorf("message of %s: %v, want it to say %q", tt.field, m, tt.message)
				}
				if !contains(res.body, `value="Fournil du Parc"`) || !contains(res.body, "Pétrissage\nFaçonnage") ||
					!contains(res.body, `value="du lundi au vendredi, 5h-12h"`) {
					t.Error("values typed not kept")
				}
			})
		}
	})

	var offerID int64
	t.Run("create", func(t *testing.T) {
		res := nora.post("/offres", bakeryOfferForm())
		m := offerPath.FindStringSubmatch(res.location)
		if res.status != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d to %q: %s", res.status, res.location, res.body)
		}
		offerID, _ = strconv.ParseInt(m[1], 10, 64)
		var o struct {
			ROMECode     string `json:"rome_code"`
			Appellation  int    `json:"appellation"`
			CounsellorID int64  `json:"counsellor_id"`
			Positions    int    `json:"positions"`
			Skills       []string
			Questions    []struct{ Kind, Hours string }
		}
		e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d", offerID), nil, &o, http.StatusOK)
		if o.ROMECode != "D1102" || o.Appellation != 11573 || o.CounsellorID != team.nora || o.Positions != 2 ||
			len(o.Skills) != 2 || len(o.Questions) != 1 || o.Questions[0].Kind != "accepts_hours" {
			t.Errorf("offer stored: %+v", o)
		}
	})
	if offerID == 0 {
		t.FailNow()
	}
	offer := fmt.Sprintf("/offres/%d", offerID)

	t.Run("job titles", func(t *testing.T) {
		for _, tt := range []struct {
			q     string
			first string
			code  string
		}{
			{"boulang", "Boulanger / Boulangère", "D1102"},
			{"BOULANGERE", "Boulanger / Boulangère", "D1102"},
			{"dentelliere main", "Dentellier / Dentellière à la main", "B1804"},
		} {
			status, body, h := nora.get("/offres/metiers?q="+url.QueryEscape(tt.q), "application/json")
			var titles []struct {
				Appellation int    `json:"appellation"`
				Label       string `json:"label"`
				ROMECode    string `json:"rome_code"`
			}
			if err := json.Unmarshal([]byte(body), &titles); err != nil || status != http.StatusOK ||
				!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("search %q: %d %v %s", tt.q, status, err, body)
			}
			if len(titles) == 0 || titles[0].Label != tt.first || titles[0].ROMECode != tt.code || titles[0].Appellation == 0 {
				t.Errorf("search %q: %+v, want %q (%s) first", tt.q, titles, tt.first, tt.code)
			}
		}
		if _, body, _ := nora.get("/offres/metiers?q=", "application/json"); strings.TrimSpace(body) != "[]" {
			t.Errorf("empty search: %s, want []", body)
		}
	})

	t.Run("preview", func(t *testing.T) {
		status, body, _ := nora.get(offer+"?cree=1", "text/html")
		if status != http.StatusOK {
			t.Fatalf("offer page: %d", status)
		}
		for _, want := range []string{"Offre créée", "Horaires acceptés : du lundi au vendredi, 5h-12h ?", `id="launch"`,
			`class="score"`, "Métier", "Distance", "Compétences", "Sollicitations", "Léa", "Marc", "Inès", "0 km",
			fmt.Sprintf(`name="exclure" value="%d"`, team.seekers["Marc"].id)} {
			if !contains(body, want) {
				t.Errorf("offer page without %q", want)
			}
		}
		if contains(body, `id="progress"`) {
			t.Error("progress shown before the launch")
		}
		status, body, _ = nora.get("/offres", "text/html")
		if status != http.StatusOK || !contains(body, offer) || !contains(body, "pas encore lancée") {
			t.Errorf("offers list: %d, offer listed %v", status, contains(body, offer))
		}
	})

	omar := signInOffersWeb(t, e, "omar@agence.example", offersPassword)
	zoe := signInOffersWeb(t, e, "zoe@agence.example", offersPassword)
	ada := signInOffersWeb(t, e, "ada@agence.example", offersPassword)
	t.Run("scope", func(t *testing.T) {
		for _, who := range []struct {
			name string
			w    *offersWeb
		}{{"another counsellor of the agency", omar}, {"the administrator of another agency", zoe}} {
			for _, path := range []string{offer, offer + "/progression"} {
				for _, accept := range []string{"text/html", "application/json"} {
					if status, body, _ := who.w.get(path, accept); status != http.StatusNotFound || contains(body, "Fournil") {
						t.Errorf("%s: GET %s (%s): %d, want a 404 telling nothing", who.name, path, accept, status)
					}
				}
			}
			if res := who.w.post(offer+"/lancer", url.Values{"limit": {"10"}}); res.status != http.StatusNotFound {
				t.Errorf("%s: launch: %d, want 404", who.name, res.status)
			}
			if _, body, _ := who.w.get("/offres", "text/html"); contains(body, offer) {
				t.Errorf("%s sees the offer in their list", who.name)
			}
			if status, _, _ := who.w.get(fmt.Sprintf("/tableau?offre=%d", offerID), "text/html"); status != http.StatusNotFound {
				t.Errorf("%s: the offer's dashboard: %d, want 404", who.name, status)
			}
		}
		if status, body, _ := ada.get(offer, "text/html"); status != http.StatusOK || !contains(body, "Fournil du Parc") {
			t.Errorf("the agency's administrator: offer page %d", status)
		}
		if _, body, _ := ada.get("/offres", "text/html"); !contains(body, offer) || !contains(body, "Nora") {
			t.Error("the agency's administrator does not see the offer and its counsellor in the list")
		}
		if status, _, _ := nora.get("/offres/999999", "text/html"); status != http.StatusNotFound {
			t.Errorf("unknown offer: %d", status)
		}
	})

	t.Run("launch without Marc", func(t *testing.T) {
		res := nora.post(offer+"/lancer", url.Values{"limit": {"0"}})
		if res.status != http.StatusUnprocessableEntity || !contains(res.body, `id="limit-erreur"`) {
			t.Errorf("limit 0: %d", res.status)
		}
		res = nora.post(offer+"/lancer", url.Values{"limit": {"10"}, "exclure": {itoa64(team.seekers["Marc"].id)}})
		if res.status != http.StatusSeeOther || res.location != offer+"?lancee=2" {
			t.Fatalf("launch: %d to %q, want 2 SMS queued", res.status, res.location)
		}
		for _, name := range []string{"Léa", "Inès"} {
			phone := team.seekers[name].phone
			eventually(t, name+"'s SMS", func() bool { return len(e.stack.sim.Messages(phone)) == 1 })
		}
		eventually(t, "the progress of 2 SMS delivered", func() bool {
			status, p := nora.progress(offerID)
			return status == http.StatusOK && p.Counts["sent"] == 2 && p.Counts["delivered"] == 2 && p.Counts["total"] == 2
		})
		if msgs := e.stack.sim.Messages(team.seekers["Marc"].phone); len(msgs) != 0 {
			t.Errorf("Marc, set aside, was texted: %+v", msgs)
		}
		if res := nora.post(offer+"/lancer", url.Values{"limit": {"10"}}); res.status != http.StatusSeeOther || res.location != offer+"?deja=1" {
			t.Errorf("second launch: %d to %q", res.status, res.location)
		}
		if msgs := e.stack.sim.Messages(team.seekers["Marc"].phone); len(msgs) != 0 {
			t.Errorf("Marc texted by the second launch: %+v", msgs)
		}
	})

	t.Run("progress", func(t *testing.T) {
		if _, err := e.stack.sim.Reply(context.Background(), team.seekers["Léa"].phone, "OUI"); err != nil {
			t.Fatal(err)
		}
		var p offersProgress
		eventually(t, "Léa's yes in the progress", func() bool {
			_, p = nora.progress(offerID)
			return p.Counts["replied"] == 1 && p.Counts["interested"] == 1
		})
		if p.Done || p.Counts["failed"] != 0 || p.Counts["pending"] != 0 {
			t.Errorf("progress %+v: the campaign runs, nothing failed nor waits", p)
		}
		status, body, _ := nora.get(offer, "text/html")
		if status != http.StatusOK || !contains(body, `id="progress" data-source="`+offer+`/progression"`) ||
			!contains(body, `data-count="interested">1<`) || contains(body, `id="launch"`) {
			t.Errorf("offer page after the launch: %d; want the live progress and no launch form", status)
		}
		if _, body, _ := nora.get("/offres", "text/html"); !contains(body, "en cours") {
			t.Error("the list does not show the campaign running")
		}
	})

	t.Run("dashboard", func(t *testing.T) {
		status, body, _ := nora.get("/tableau", "text/html")
		if status != http.StatusOK {
			t.Fatalf("dashboard: %d", status)
		}
		for _, want := range []string{"<svg", `role="img"`, "Taux de réponse", "Taux d'intérêt", "Échecs de remise",
			"Délai médian de première réponse", "Référence du pilote : 19 min", "Pré-sélection terminée en moins de 5 h",
			"90\u00a0%", "Mise en relation en moins de 24 h", "50\u00a0%", "Répartition des SMS", "SMS reçus par personne suivie",
			"Délai de première réponse", `<table class="chart-table">`, `id="per-offer"`, `id="per-agency"`, offer} {
			if !contains(body, want) {
				t.Errorf("dashboard without %q", want)
			}
		}
		if !regexp.MustCompile(`Taux de réponse</span>\s*<span class="value">50 %</span>`).MatchString(body) {
			t.Error("reply rate: want 50 % (1 reply, 2 SMS delivered)")
		}
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().In(paris).Format(time.DateOnly)
		for _, tt := range []struct {
			query  string
			status int
			says   string
		}{
			{fmt.Sprintf("du=%s&au=%s&offre=%d", today, today, offerID), http.StatusOK, fmt.Sprintf(`<option value="%d" selected>`, offerID)},
			{"du=hier", http.StatusBadRequest, "« du »"},
			{"au=2026-13-01", http.StatusBadRequest, "« au »"},
			{"du=2026-03-10&au=2026-03-01", http.StatusBadRequest, "« au »"},
			{"offre=abc", http.StatusBadRequest, "« offre »"},
			{"offre=999999", http.StatusNotFound, "« offre »"},
		} {
			status, body, _ := nora.get("/tableau?"+tt.query, "text/html")
			if status != tt.status || !contains(body, tt.says) {
				t.Errorf("dashboard ?%s: %d, want %d saying %q", tt.query, status, tt.status, tt.says)
			}
		}
		if _, body, _ := omar.get("/tableau", "text/html"); contains(body, offer) {
			t.Error("another counsellor's dashboard shows the offer")
		}
	})
}

// TestWebOffersBrowser, in Chromium: a counsellor creates an offer by
// choosing its job title in the list proposed while typing, previews the
// matches, sets one aside, launches, and sees the progress move without
// reloading; then the list of offers and the dashboard.
func TestWebOffersBrowser(t *testing.T) {
	e := startE2E(t)
	team := newOffersTeam(t, e)
	ctx := browser(t)
	e.signIn(ctx, "nora@agence.example", offersPassword)

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.cfg.PublicURL+"/offres"),
		chromedp.Click(chromedp.CSS(`#new-offer`)),
		chromedp.WaitVisible(chromedp.CSS(`#title`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "boulang"),
	)
	if err != nil {
		t.Fatalf("open the offer form: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#metiers option").length > 0`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no job title proposed while typing: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#title`), "er / Boulangère"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("rome_code").value === "D1102"`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("title").value + " | " + Array.from(document.querySelectorAll("#metiers option")).map(o => o.value).join(";") + " | " + document.getElementById("metier-choisi").textContent`))
		t.Fatalf("choosing the job title did not fill the ROME code: %v: %s", err, v)
	}
	said, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#metier-choisi`)))
	if !strings.Contains(said, "D1102") {
		t.Errorf("job title chosen announced as %q", said)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#employer_name`), "Fournil du Parc"),
		chromedp.SendKeys(chromedp.CSS(`#employer_email`), "recrutement@fournil.example"),
		chromedp.SendKeys(chromedp.CSS(`#commune_code`), "69123"),
		chromedp.SetValue(chromedp.CSS(`#q0_kind`), "accepts_hours"),
		chromedp.SendKeys(chromedp.CSS(`#q0_param`), "du lundi au vendredi, 5h-12h"),
		chromedp.Click(chromedp.CSS(`#create-offer`)),
		chromedp.WaitVisible(chromedp.CSS(`#matches`)),
	)
	if err != nil {
		t.Fatalf("create the offer: %v", err)
	}
	flash, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.flash`)))
	if !strings.Contains(flash, "Offre créée") {
		t.Errorf("after creation: %q", flash)
	}
	marc := itoa64(team.seekers["Marc"].id)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#exclure-`+marc)),
		chromedp.ScrollIntoView(chromedp.CSS(`#matches`)),
	)
	if err != nil {
		t.Fatalf("set Marc aside: %v", err)
	}
	screenshot(t, ctx, "offre-apercu")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#launch-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#progress`)),
	)
	if err != nil {
		t.Fatalf("launch: %v", err)
	}
	// The page is not reloaded from here: app.js polls the progress.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#progress [data-count="delivered"]').textContent === "2"`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the progress did not show the 2 SMS delivered: %v", err)
	}
	if _, err := e.stack.sim.Reply(context.Background(), team.seekers["Inès"].phone, "OUI"); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#progress [data-count="interested"]').textContent === "1"`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the progress did not show Inès's yes: %v", err)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Errorf("the page was reloaded (%v)", err)
	}
	if msgs := e.stack.sim.Messages(team.seekers["Marc"].phone); len(msgs) != 0 {
		t.Errorf("Marc, set aside, was texted: %+v", msgs)
	}
	screenshot(t, ctx, "offre-progression")

	err = chromedp.Do(ctx,
		chromedp.Navigate(e.cfg.PublicURL+"/offres"),
		chromedp.WaitVisible(chromedp.CSS(`#offers`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "offres")
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.cfg.PublicURL+"/tableau"),
		chromedp.WaitVisible(chromedp.CSS(`#figures`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
	)
	if err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	screenshot(t, ctx, "tableau")
}
