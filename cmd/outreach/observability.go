package main

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/metrics"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/webhooks"
)

// The metrics registry is what the domain, the webhooks and the worker
// report to.
var (
	_ outreach.Observer  = (*metrics.Registry)(nil)
	_ webhooks.Observer  = (*metrics.Registry)(nil)
	_ queue.TaskObserver = (*metrics.Registry)(nil)
)

// Paths of the operators' endpoints. /healthz (the process is up) is the
// API's; on the worker's METRICS_ADDR, it is served here.
const (
	healthPath  = "/healthz"
	readyPath   = "/readyz"
	metricsPath = "/metrics"
)

// observability is how operators watch one process: its Prometheus
// metrics and its readiness.
type observability struct {
	metrics *metrics.Registry
	ready   *readiness
	token   string // Bearer token of /metrics
	log     *slog.Logger
}

func newObservability(cfg Config, log *slog.Logger, pool *pgxpool.Pool, rdb redis.UniversalClient) (*observability, error) {
	log = log.With("component", "observability")
	m := metrics.New()
	depth := queue.NewDepthReader(rdb, cfg.QueueName)
	read := func(ctx context.Context) (metrics.QueueDepth, error) {
		d, err := depth.Depth(ctx)
		return metrics.QueueDepth(d), err
	}
	if err := m.WatchQueue(depth.Queue(), read, log); err != nil {
		return nil, err
	}
	return &observability{
		metrics: m,
		ready:   newReadiness(pool.Ping, rdb, cfg.DatabaseURL),
		token:   cfg.metricsToken(),
		log:     log,
	}, nil
}

// register mounts /readyz and /metrics on the HTTP server of serve.
func (o *observability) register(e *echo.Echo) {
	e.GET(readyPath, echo.WrapHandler(o.ready))
	e.GET(metricsPath, echo.WrapHandler(o.metricsHandler()))
}

// handler serves /healthz, /readyz and /metrics on their own: the
// worker's METRICS_ADDR.
func (o *observability) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+healthPath, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET "+readyPath, o.ready)
	mux.Handle("GET "+metricsPath, o.metricsHandler())
	return mux
}

// metricsHandler serves the metrics to the holder of the token: they
// tell how busy the agency is, which is not for everyone to read.
func (o *observability) metricsHandler() http.Handler {
	h := o.metrics.Handler(o.log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if o.token == "" || !ok || subtle.ConstantTimeCompare([]byte(token), []byte(o.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="outreach metrics"`)
			writeJSON(w, http.StatusUnauthorized, map[string]map[string]string{
				"error": {"code": "unauthorized", "message": "a valid Bearer METRICS_TOKEN (or API_TOKEN) is required"}})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// httpMetrics counts and times every request by its route pattern. It
// goes first, so that it sees the status of errors and panics too.
func (o *observability) httpMetrics(e *echo.Echo) echo.MiddlewareFunc {
	// The patterns of the registered routes: anything else (c.Path() of
	// a request no route matched, or the pattern of a group's not-found
	// handler) is "unmatched", so that scanners trying URLs do not grow
	// the metrics.
	routes := sync.OnceValue(func() map[string]bool {
		set := map[string]bool{}
		for _, r := range e.Routes() {
			if r.Method != echo.RouteNotFound {
				set[r.Path] = true
			}
		}
		return set
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // sets the status; the error handler skips answered requests
			}
			route := c.Path()
			if !routes()[route] {
				route = "unmatched"
			}
			o.metrics.HTTPRequest(route, c.Request().Method, c.Response().Status, time.Since(start))
			return err
		}
	}
}

// startMetricsHTTP serves /healthz, /readyz and /metrics on METRICS_ADDR:
// the worker has no other HTTP server.
func (s *stack) startMetricsHTTP() error {
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen on METRICS_ADDR %s: %w", s.cfg.MetricsAddr, err)
	}
	s.metricsAddr = ln.Addr().String()
	s.metricsHTTP = &http.Server{Handler: s.obs.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.metricsHTTP.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.done <- fmt.Errorf("metrics server: %w", err)
		}
	}()
	s.log.Info("metrics listening", "addr", s.metricsAddr)
	return nil
}

// stopMetricsHTTP stops the server of startMetricsHTTP, if it runs.
func (s *stack) stopMetricsHTTP() {
	if s.metricsHTTP == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.metricsHTTP.Shutdown(ctx)
}

// loadMetrics reads METRICS_TOKEN and METRICS_ADDR.
func (c *Config) loadMetrics(get func(key, def string) string, bad func(string, ...any)) {
	c.MetricsToken, c.MetricsAddr = get("METRICS_TOKEN", ""), get("METRICS_ADDR", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		bad("METRICS_TOKEN: must be at least 16 characters")
	}
	if c.MetricsAddr == "" {
		return
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		bad("METRICS_ADDR: %q is not a listen address such as :9090", c.MetricsAddr)
	}
	if c.metricsToken() == "" {
		bad("METRICS_ADDR: set METRICS_TOKEN (or API_TOKEN) to protect /metrics")
	}
}

// metricsToken is the Bearer token of /metrics: METRICS_TOKEN, else
// API_TOKEN.
func (c Config) metricsToken() string { return cmp.Or(c.MetricsToken, c.APIToken) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
