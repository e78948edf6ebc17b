package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// paris is the time zone the pages show times in.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// funcs are the helpers every template may use.
var funcs = template.FuncMap{
	"when":      func(t time.Time) string { return t.In(paris).Format("02/01/2006 15:04") },
	"iso":       func(t time.Time) string { return t.Format(time.RFC3339) },
	"percent":   percent,
	"intent":    intentLabel,
	"interest":  interestLabel,
	"screening": screeningLabel,
	"employer":  employerStatusLabel,
	"interests": func() []outreach.Interest { return correctableInterests },
	"itemsData": itemsOf,
	"kind":      threadKindLabel,
	"inc":       func(i int) int { return i + 1 },
}

func percent(share *float64) string {
	if share == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f %%", *share*100)
}

// parsePages parses each page template (every templates/*.html but
// layout.html and the partials starting with "_") with the layout and
// the partials.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	var shared []string
	for _, n := range names {
		if base := path.Base(n); base == "layout.html" || strings.HasPrefix(base, "_") {
			shared = append(shared, n)
		}
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		files := append([]string{n}, shared...)
		pages[strings.TrimSuffix(base, ".html")] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFiles, files...))
	}
	return pages
}

// page is what the layout needs besides the page's own data.
type page struct {
	Title     string
	Nav       string // the current section: boite, offres, tableau
	Signed    bool
	Name      string
	Agency    string
	Admin     bool
	CSRF      string
	Unread    int // shown in the title
	Flash     string
	FlashKind string // "ok" or "error"
	Data      any
}

// render writes a page inside the layout. Pages of a signed-in counsellor
// carry their CSRF token and name.
func (s *Server) render(c echo.Context, status int, name string, p page) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if si, ok := c.Get(signedInKey).(signedIn); ok {
		p.Signed, p.Name, p.Agency, p.Admin, p.CSRF = true, si.account.Name, si.account.Agency, si.account.Admin, si.session.CSRFToken
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// renderPartial writes one partial template (templates/_NAME.html) of a
// page alone, for the live updates.
func (s *Server) renderPartial(c echo.Context, name string, data any) error {
	t, ok := s.pages["inbox"]
	if !ok {
		return fmt.Errorf("no page template %q", "inbox")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// renderError shows a plain error page, e.g. a bad employer link.
func (s *Server) renderError(c echo.Context, status int, title, message string) error {
	return s.render(c, status, "error", page{Title: title, Data: message})
}

// webPageKey marks requests served by the web app's routes.
const webPageKey = "web.page"

func markPage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(webPageKey, true)
		return next(c)
	}
}

// wrapErrors renders the errors of the web app's routes as pages, and
// leaves the others (the JSON API, the webhooks) to the handler before.
func (s *Server) wrapErrors(e *echo.Echo) {
	next := e.HTTPErrorHandler
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if marked, _ := c.Get(webPageKey).(bool); !marked || c.Response().Committed {
			next(err, c)
			return
		}
		status, msg := http.StatusInternalServerError, "Une erreur est survenue. Réessayez dans un instant."
		var he *echo.HTTPError
		switch {
		case errors.As(err, &he):
			status, msg = he.Code, fmt.Sprint(he.Message)
		case errors.Is(err, outreach.ErrUnavailable), errors.As(err, new(net.Error)):
			// The database or Redis is down or restarting.
			s.log.WarnContext(c.Request().Context(), "web page: a service is unavailable", "path", c.Path(), "err", err)
			status, msg = http.StatusServiceUnavailable, "Le service est momentanément indisponible. Réessayez dans un instant."
		default:
			s.log.ErrorContext(c.Request().Context(), "web page failed", "path", c.Path(), "err", err)
		}
		if strings.Contains(c.Request().Header.Get("Accept"), "application/json") {
			_ = c.JSON(status, map[string]any{"error": map[string]string{"message": msg}})
			return
		}
		if rerr := s.renderError(c, status, statusTitle(status), msg); rerr != nil {
			s.log.ErrorContext(c.Request().Context(), "render error page", "err", rerr)
		}
	}
}

// statusTitle names an error page in French.
func statusTitle(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Demande incorrecte"
	case http.StatusUnauthorized:
		return "Connexion requise"
	case http.StatusForbidden:
		return "Action refusée"
	case http.StatusNotFound:
		return "Page introuvable"
	case http.StatusGone:
		return "Lien expiré"
	case http.StatusUnprocessableEntity:
		return "Données à corriger"
	case http.StatusTooManyRequests:
		return "Trop de tentatives"
	}
	if status >= 500 {
		return "Erreur du service"
	}
	return "Erreur"
}
