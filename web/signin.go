package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/accounts"
)

type signInForm struct {
	Email string
	Next  string
	CSRF  string
	Error string
}

// signInPage shows the sign-in form, with a CSRF token of its own (in a
// cookie and the form: there is no session yet).
func (s *Server) signInPage(c echo.Context) error {
	return s.showSignIn(c, http.StatusOK, signInForm{Next: safeNext(c.QueryParam("suite"))})
}

func (s *Server) showSignIn(c echo.Context, status int, f signInForm) error {
	// One token per browser, kept across loads: two tabs, or a favicon
	// request bounced here, must not invalidate the form shown.
	token := randomState()
	if cookie, err := c.Cookie(signInCookie); err == nil && len(cookie.Value) == len(token) {
		token = cookie.Value
	}
	s.setCookie(c, signInCookie, token, time.Time{}, 3600)
	f.CSRF = token
	return s.render(c, status, "signin", page{Title: "Connexion", Data: f})
}

// signIn checks the form, opens a session and goes where the counsellor
// was going.
func (s *Server) signIn(c echo.Context) error {
	f := signInForm{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNext(c.FormValue("suite"))}
	cookie, err := c.Cookie(signInCookie)
	if err != nil || !sameToken(c.FormValue(csrfField), cookie.Value) {
		f.Error = "Le formulaire a expiré : saisissez à nouveau vos identifiants."
		return s.showSignIn(c, http.StatusForbidden, f)
	}
	token, sess, acc, err := s.accounts.SignIn(c.Request().Context(), f.Email, c.FormValue("password"), c.RealIP())
	var throttled *accounts.ThrottledError
	switch {
	case errors.As(err, &throttled):
		f.Error = fmt.Sprintf("Trop de tentatives : réessayez dans %d minutes.", int(throttled.RetryAfter.Minutes())+1)
		return s.showSignIn(c, http.StatusTooManyRequests, f)
	case errors.Is(err, accounts.ErrBadCredentials):
		f.Error = "E-mail ou mot de passe incorrect."
		return s.showSignIn(c, http.StatusUnauthorized, f)
	case err != nil:
		return err
	}
	s.log.InfoContext(c.Request().Context(), "signed in", "counsellor_id", acc.ID)
	s.setCookie(c, signInCookie, "", time.Time{}, -1)
	s.setCookie(c, sessionCookie, token, sess.ExpiresAt, int(time.Until(sess.ExpiresAt).Seconds()))
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// signOut closes the session.
func (s *Server) signOut(c echo.Context) error {
	if err := s.accounts.SignOut(c.Request().Context(), current(c).token); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, "", time.Time{}, -1)
	return c.Redirect(http.StatusSeeOther, "/connexion")
}

// safeNext keeps a redirect after sign-in on this site. Browsers drop
// tabs and line breaks from a URL ("/\t/evil.example" is "//evil.example")
// and read a backslash as a slash: a path with either goes to the inbox.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") || next == "/connexion" ||
		strings.ContainsFunc(next, unicode.IsControl) {
		return "/boite"
	}
	return next
}

// randomState is a fresh random token for a form.
func randomState() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("random token: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
