// Package web is the counsellors' web app and the employers' shortlist
// page: server-rendered HTML in French (html/template), a little vanilla
// JavaScript served from the binary, sessions and CSRF tokens from the
// accounts package, and every page scoped to what the signed-in
// counsellor may see (outreach.Viewer).
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config sets up the web app.
type Config struct {
	// SecureCookies marks the session cookie Secure: on whenever the
	// public URL is https.
	SecureCookies bool
	// PublicURL is where the app is reached, for the links it hands out
	// (the employer's).
	PublicURL string
	Logger    *slog.Logger
}

// Server serves the web app.
type Server struct {
	svc      *outreach.Service
	accounts *accounts.Service
	hub      *live.Hub
	cfg      Config
	log      *slog.Logger
	pages    map[string]*template.Template
}

// New returns the web app on the service, the sign-in service and the
// live inbox hub.
func New(svc *outreach.Service, acc *accounts.Service, hub *live.Hub, cfg Config) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Server{svc: svc, accounts: acc, hub: hub, cfg: cfg, log: log.With("component", "web"), pages: parsePages()}
}

// Register mounts the pages on e. Every page but sign-in, the employer's
// page and the static files requires a session; every write requires the
// session's CSRF token and a same-origin request.
func (s *Server) Register(e *echo.Echo) {
	static, _ := fs.Sub(staticFiles, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static))))

	s.wrapErrors(e)
	public := e.Group("", markPage, limitForm, securityHeaders, sameOrigin)
	public.GET("/connexion", s.signInPage)
	public.POST("/connexion", s.signIn)

	app := e.Group("", markPage, limitForm, securityHeaders, sameOrigin, s.requireSession, s.requireCSRF)
	app.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/boite") })
	app.POST("/deconnexion", s.signOut)
	s.registerApp(app)
	s.registerEmployer(public)
}

// staticHandler serves the embedded assets, cached for an hour.
func staticHandler(files fs.FS) http.Handler {
	h := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}
