package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/outreach"
)

// sessionCookie holds the session token; signInCookie the CSRF token of
// the sign-in form, before there is a session.
const (
	sessionCookie = "outreach_session"
	signInCookie  = "outreach_signin"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// signedIn is what requireSession puts in the request's context.
type signedIn struct {
	session accounts.Session
	account accounts.Account
	token   string
}

const signedInKey = "web.signedIn"

func current(c echo.Context) signedIn { return c.Get(signedInKey).(signedIn) }

// viewer is who the request is for.
func viewer(c echo.Context) outreach.Viewer { return current(c).account.Viewer() }

// requireSession lets through requests with an open session; others go to
// the sign-in page (pages) or get a 401 (scripts).
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cookie, err := c.Cookie(sessionCookie)
		if err == nil {
			sess, acc, err := s.accounts.Authenticate(c.Request().Context(), cookie.Value)
			switch {
			case err == nil:
				c.Set(signedInKey, signedIn{session: sess, account: acc, token: cookie.Value})
				return next(c)
			case !errors.Is(err, accounts.ErrNoSession):
				return err
			}
		}
		if c.Request().Method != http.MethodGet || !strings.Contains(c.Request().Header.Get("Accept"), "text/html") {
			return echo.NewHTTPError(http.StatusUnauthorized, "session expirée : reconnectez-vous")
		}
		return c.Redirect(http.StatusSeeOther, "/connexion?suite="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
}

// requireCSRF checks the session's CSRF token on every write, from the
// form field or the X-CSRF-Token header.
func (s *Server) requireCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isSafe(c.Request().Method) {
			return next(c)
		}
		want := current(c).session.CSRFToken
		got := c.Request().Header.Get(csrfHeader)
		if got == "" {
			got = c.FormValue(csrfField)
		}
		if !sameToken(got, want) {
			return echo.NewHTTPError(http.StatusForbidden, "jeton de sécurité (CSRF) absent ou invalide : rechargez la page")
		}
		return next(c)
	}
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin refuses cross-site writes (Sec-Fetch-Site, Origin), a second
// wall behind the CSRF tokens.
func sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	protect := http.NewCrossOriginProtection()
	return func(c echo.Context) error {
		if err := protect.Check(c.Request()); err != nil {
			return echo.NewHTTPError(http.StatusForbidden, "requête d'un autre site refusée")
		}
		return next(c)
	}
}

// securityHeaders forbids framing, inline scripts and referrers (the
// employer's link carries its token).
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site;
// maxAge < 0 deletes it.
func (s *Server) setCookie(c echo.Context, name, value string, expires time.Time, maxAge int) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", Expires: expires, MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}
