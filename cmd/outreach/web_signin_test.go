package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWebSignIn, in Chromium: a page asks for sign-in; a wrong password is
// refused with a message; the right one opens the inbox; signing out
// closes the session.
func TestWebSignIn(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "nora@agence.example", "name": "Nora", "agency": "Lyon"}, &co, http.StatusCreated)
	e.withPassword(co.ID, "un mot de passe solide", false)
	ctx := browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.cfg.PublicURL+"/offres"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "nora@agence.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "pas le bon mot de passe"),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`[role=alert]`)),
	)
	alert, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[role=alert]`)))
	if err != nil || !strings.Contains(alert, "incorrect") {
		t.Fatalf("wrong password: %q (%v), want a refusal", alert, err)
	}
	screenshot(t, ctx, "connexion")
	e.signIn(ctx, "nora@agence.example", "un mot de passe solide")
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "Boîte de réception") || path != "/boite" {
		t.Fatalf("after sign-in: %q at %s", title, path)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.signout button`)),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.Navigate(e.cfg.PublicURL+"/boite"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
	)
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
}

// TestWebSessionSecurity, over plain HTTP: the session cookie is HttpOnly
// and SameSite; writes without the session's CSRF token, or from another
// site, are refused; the sign-in form has its own CSRF token; after 5
// failures the right password is refused too.
func TestWebSessionSecurity(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "omar@agence.example", "name": "Omar", "agency": "Lyon"}, &co, http.StatusCreated)
	const password = "un autre mot de passe"
	e.withPassword(co.ID, password, false)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := e.cfg.PublicURL
	csrfIn := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	get := func(path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Accept", "text/html")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, string(b)
	}
	post := func(path string, form url.Values, header map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	signIn := func(pw string) *http.Response {
		t.Helper()
		_, body := get("/connexion")
		m := csrfIn.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no CSRF token in the sign-in form")
		}
		return post("/connexion", url.Values{"csrf": {m[1]}, "email": {"omar@agence.example"}, "password": {pw}}, nil)
	}

	if status, _ := get("/boite"); status != http.StatusSeeOther {
		t.Fatalf("inbox without session: %d, want a redirect to sign-in", status)
	}
	if res := post("/connexion", url.Values{"email": {"omar@agence.example"}, "password": {password}}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without the form's CSRF token: %d, want 403", res.StatusCode)
	}
	res := signIn(password)
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "outreach_session" {
			session = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("sign-in: %d, cookie %+v; want a redirect and an HttpOnly SameSite=Lax session cookie", res.StatusCode, session)
	}
	status, page := get("/boite")
	m := csrfIn.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("inbox: %d, CSRF token found %v", status, m != nil)
	}
	csrf := m[1]
	for _, tt := range []struct {
		name   string
		form   url.Values
		header map[string]string
	}{
		{"no token", url.Values{}, nil},
		{"wrong token", url.Values{"csrf": {"x" + csrf}}, nil},
		{"right token from another site", url.Values{"csrf": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		if res := post("/deconnexion", tt.form, tt.header); res.StatusCode != http.StatusForbidden {
			t.Errorf("sign-out with %s: %d, want 403", tt.name, res.StatusCode)
		}
	}
	if status, _ := get("/boite"); status != http.StatusOK {
		t.Fatalf("the refused sign-outs closed the session: %d", status)
	}
	if res := post("/deconnexion", url.Values{"csrf": {csrf}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", res.StatusCode)
	}
	if status, _ := get("/boite"); status != http.StatusSeeOther {
		t.Fatalf("inbox after sign-out: %d, want a redirect to sign-in", status)
	}

	for range 5 {
		if res := signIn("mauvais mot de passe"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d, want 401", res.StatusCode)
		}
	}
	if res := signIn(password); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right password after 5 failures: %d, want 429", res.StatusCode)
	}
}
