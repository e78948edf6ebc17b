package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/api"
	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/ratelimit"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/sms"
	"github.com/franceoutreach/outreach/web"
	"github.com/franceoutreach/outreach/webhooks"
)

// stack is one running process: the HTTP side, the worker side, or both
// (demo and end-to-end tests), wired explicitly.
type stack struct {
	cfg    Config
	log    *slog.Logger
	pool   *pgxpool.Pool
	rdb    redis.UniversalClient
	svc    *outreach.Service
	sim    *simulator.Server
	http   *http.Server
	echo   *echo.Echo // the router, kept for tests to list its routes
	worker *queue.Worker
	done   chan error
	// replica is DATABASE_REPLICA_URL's pool (serve only), or nil.
	replica *pgxpool.Pool
	// stopIndex ends the loading of the candidate index, if it runs.
	stopIndex context.CancelFunc
	// stopBatching ends the statement batching, after HTTP and the worker.
	stopBatching context.CancelFunc
	// obs is the process's metrics and readiness (observability.go);
	// metricsHTTP serves them on METRICS_ADDR (metricsAddr) in a worker.
	obs         *observability
	metricsHTTP *http.Server
	metricsAddr string
}

type stackOptions struct {
	serve    bool
	work     bool
	listener net.Listener // for serve; nil: listen on cfg.HTTPAddr
	log      *slog.Logger // replaces startStack's (tests reading the logs)
	now      func() time.Time
}

func startStack(ctx context.Context, cfg Config, log *slog.Logger, opts stackOptions) (_ *stack, err error) {
	if opts.log != nil {
		log = opts.log
	}
	s := &stack{cfg: cfg, log: log, done: make(chan error, 1)}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.pool, err = openPostgres(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns); err != nil {
		return nil, err
	}
	if pending, err := postgres.PendingMigrations(ctx, cfg.DatabaseURL); err != nil {
		return nil, fmt.Errorf("check migrations: %w", err)
	} else if pending > 0 {
		return nil, fmt.Errorf("%d migration(s) pending: run 'outreach migrate' first", pending)
	}
	if s.rdb, err = openRedis(ctx, cfg); err != nil {
		return nil, err
	}
	if opts.serve && cfg.DatabaseReplicaURL != "" {
		if s.replica, err = openPostgres(ctx, cfg.DatabaseReplicaURL, cfg.DatabaseMaxConns); err != nil {
			return nil, fmt.Errorf("replica: %w", err)
		}
	}
	if s.obs, err = newObservability(cfg, log, s.pool, s.rdb); err != nil {
		return nil, err
	}
	store := postgres.NewStore(s.pool, postgres.WithReplica(s.replica))
	hub := live.NewHub(s.rdb, cfg.QueueName)
	var sender outreach.Sender
	if opts.work {
		if sender, err = sms.NewTwilioSender(sms.Config{
			AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken, From: cfg.TwilioFrom,
			MessagingServiceSID: cfg.TwilioMessagingServiceSID, APIURL: cfg.TwilioAPIURL,
		}); err != nil {
			return nil, fmt.Errorf("twilio sender: %w", err)
		}
	}
	s.svc = outreach.NewService(store, sender, queue.NewClient(s.rdb, cfg.QueueName), hub, outreach.ServiceConfig{
		AgencyName:        cfg.AgencyName,
		StatusCallbackURL: cfg.PublicURL + webhooks.StatusPath,
		QuietHours:        cfg.QuietHours,
		SMSTemplates:      cfg.SMSTemplates,
		SendLease:         cfg.SendLease,
		FollowUpAfter:     cfg.FollowUpAfter,
		CampaignWindow:    cfg.CampaignWindow,
		Screening:         outreach.ScreeningConfig{RemindAfter: cfg.ScreeningRemindAfter, ExpireAfter: cfg.ScreeningExpireAfter},
		RetentionAfter:    cfg.RetentionAfter,
		Now:               opts.now,
		// The service reads 0 as its default and a negative value as no cap.
		MaxOfferSMSPer7Days: cmp.Or(cfg.MaxSMSPer7, -1),
		Logger:              log,
	})
	s.svc.UseObserver(s.obs.metrics)
	s.svc.UseTaskCanceller(queue.NewClient(s.rdb, cfg.QueueName)) // erasure removes queued tasks
	if cfg.APIToken != "" {
		links, err := outreach.NewEmployerLinks([]byte(deriveSecret(cfg.APIToken, "employer links")))
		if err != nil {
			return nil, err
		}
		s.svc.UseEmployerLinks(links)
	}
	if opts.serve && cfg.MatchIndex {
		// On the replica, if any: see postgres.WithReplica.
		s.loadIndex(ctx, postgres.NewLiveIndex(cmp.Or(s.replica, s.pool), log))
	}
	// Statements of concurrent webhooks and sends share transactions (see
	// postgres.Store.StartBatching); stopped after HTTP and the worker.
	var batchCtx context.Context
	batchCtx, s.stopBatching = context.WithCancel(context.WithoutCancel(ctx))
	store.StartBatching(batchCtx)
	if opts.serve {
		signIn := accounts.NewService(store.Accounts(), accounts.NewRedisThrottle(s.rdb, cfg.QueueName), opts.now)
		if err := s.startHTTP(hub, signIn, opts.listener); err != nil {
			return nil, err
		}
	}
	if opts.work {
		s.svc.UsePacer(ratelimit.New(s.rdb, rateKey(cfg), cfg.SMSRate, 1))
		s.worker = queue.NewWorker(s.rdb, queue.WorkerConfig{Queue: cfg.QueueName, Concurrency: cfg.WorkerConcurrency,
			SweepEvery: cfg.SweepEvery, RetryBase: cfg.RetryBase, Logger: log, Observer: s.obs.metrics,
			Retention: retainer(cfg, s.svc)}, s.svc)
		if err := s.worker.Start(); err != nil {
			return nil, err
		}
		if cfg.MetricsAddr != "" {
			if err := s.startMetricsHTTP(); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// loadIndex fills the candidate index in the background: until it is
// loaded (about a minute for 6 million job seekers), shortlists read
// PostgreSQL alone.
func (s *stack) loadIndex(ctx context.Context, ix *postgres.LiveIndex) {
	ctx, s.stopIndex = context.WithCancel(context.WithoutCancel(ctx))
	s.svc.UseIndex(ix)
	go func() {
		if err := ix.Load(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("candidate index not loaded; shortlists read PostgreSQL alone", "err", err)
		}
	}()
}

func (s *stack) startHTTP(hub *live.Hub, signIn *accounts.Service, ln net.Listener) error {
	e := echo.New()
	s.echo = e
	e.HideBanner, e.HidePort = true, true
	// The client address throttles sign-ins: read from the connection, not
	// from headers anyone can set, unless a proxy in front is trusted.
	e.IPExtractor = echo.ExtractIPDirect()
	if s.cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Use(s.obs.httpMetrics(e), middleware.Recover(), requestID(), accessLog(s.log))
	api.New(s.svc, s.cfg.APIToken, s.log).WithClients(accounts.NewAPIClients(postgres.NewStore(s.pool).APIClients())).Register(e)
	hooks := webhooks.New(s.svc, s.cfg.TwilioAuthToken, s.cfg.PublicURL, s.log)
	hooks.UseObserver(s.obs.metrics)
	hooks.Register(e)
	s.obs.register(e)
	mountQueueMonitor(e, s.rdb, s.cfg.APIToken)
	web.New(s.svc, signIn, hub, web.Config{SecureCookies: strings.HasPrefix(s.cfg.PublicURL, "https://"),
		PublicURL: s.cfg.PublicURL, Logger: s.log}).Register(e)
	if s.cfg.Simulator {
		s.sim = simulator.New(simulator.Config{
			AccountSID:  s.cfg.TwilioAccountSID,
			AuthToken:   s.cfg.TwilioAuthToken,
			PhoneNumber: s.cfg.TwilioFrom,
			InboundURL:  s.cfg.PublicURL + webhooks.InboundPath,
			Logger:      s.log,
		})
		e.Any("/simulator/*", echo.WrapHandler(http.StripPrefix("/simulator", s.sim.Handler())))
	}
	var err error
	if ln == nil {
		if ln, err = net.Listen("tcp", s.cfg.HTTPAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", s.cfg.HTTPAddr, err)
		}
	}
	s.http = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	// Shutdown waits for requests to end, and a live inbox stream never
	// does: end them when it starts.
	s.http.RegisterOnShutdown(hub.EndStreams)
	go func() {
		if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.done <- fmt.Errorf("http server: %w", err)
		}
	}()
	s.log.Info("http listening", "addr", ln.Addr().String(), "public_url", s.cfg.PublicURL, "simulator", s.cfg.Simulator)
	return nil
}

// close shuts down in reverse order of start: simulator, HTTP (draining
// requests), worker (in-flight tasks finish or go back to the queue),
// then Redis and PostgreSQL.
func (s *stack) close() {
	if s.stopIndex != nil {
		s.stopIndex()
	}
	if s.sim != nil {
		s.sim.Close() // first: its callbacks target the HTTP server
	}
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		_ = s.http.Shutdown(ctx)
		cancel()
	}
	if s.worker != nil {
		s.worker.Shutdown()
	}
	s.stopMetricsHTTP()
	if s.stopBatching != nil {
		s.stopBatching()
	}
	if s.rdb != nil {
		_ = s.rdb.Close()
	}
	if s.pool != nil {
		s.pool.Close()
	}
	if s.replica != nil {
		s.replica.Close()
	}
}

// wait blocks until ctx ends or the HTTP server fails.
func (s *stack) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.done:
		return err
	}
}

// openPostgres opens a pool of at most maxConns connections (0: pgxpool's
// default, the number of cores but at least 4).
func openPostgres(ctx context.Context, url string, maxConns int) (*pgxpool.Pool, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if maxConns > 0 {
		pcfg.MaxConns = int32(maxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres at %s: %w", redactURL(url), err)
	}
	return pool, nil
}

// accessLog logs one line per request: the route pattern rather than the
// URL, so signed links and query strings never reach the logs.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	log = log.With("component", "http")
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogRoutePath: true, LogStatus: true, LogLatency: true, LogRequestID: true, HandleError: true,
		LogValuesFunc: func(_ echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(context.Background(), level, "request", slog.String("method", v.Method),
				slog.String("route", v.RoutePath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

// rateKey is the Redis key of the sender's pace: one per messaging service
// or sender number, shared by every worker that sends from it.
func rateKey(cfg Config) string {
	return "outreach:" + cfg.QueueName + ":rate:" + cmp.Or(cfg.TwilioMessagingServiceSID, cfg.TwilioFrom)
}
