package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/postgres"
)

// readyTimeout bounds each readiness check: a load balancer probing
// /readyz wants an answer, not a hung connection.
const readyTimeout = 3 * time.Second

// migrationsTTL is how long the answer about migrations is kept: it
// opens a connection of its own, and changes only at a deployment.
const migrationsTTL = 5 * time.Second

// readiness answers /readyz: whether PostgreSQL and Redis answer and the
// schema is current, that is whether this process can do its work.
type readiness struct {
	pingPostgres func(ctx context.Context) error
	pingRedis    func(ctx context.Context) error
	pending      func(ctx context.Context) (int, error)

	mu           sync.Mutex
	checkedAt    time.Time
	migrationsOK string // the last answer about migrations: "ok" or why not
}

func newReadiness(pingPostgres func(context.Context) error, rdb redis.UniversalClient, databaseURL string) *readiness {
	return &readiness{
		pingPostgres: pingPostgres,
		pingRedis:    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		pending: func(ctx context.Context) (int, error) {
			return postgres.PendingMigrations(ctx, databaseURL)
		},
	}
}

// readyAnswer is the body of /readyz: "ok" or a short reason per check.
type readyAnswer struct {
	Status string            `json:"status"` // ready or unavailable
	Checks map[string]string `json:"checks"`
}

// ServeHTTP answers 200 when every check passes, else 503 with the
// reason of each failing one. The reasons never hold a URL or secret.
func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ans := r.check(req.Context())
	status := http.StatusOK
	if ans.Status != "ready" {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, ans)
}

// check runs the three checks at once.
func (r *readiness) check(ctx context.Context) readyAnswer {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var pg, rd, mig string
	var wg sync.WaitGroup
	wg.Go(func() { pg = reason(r.pingPostgres(ctx)) })
	wg.Go(func() { rd = reason(r.pingRedis(ctx)) })
	wg.Go(func() { mig = r.migrations(ctx) })
	wg.Wait()
	ans := readyAnswer{Status: "ready", Checks: map[string]string{"postgres": pg, "redis": rd, "migrations": mig}}
	for _, v := range ans.Checks {
		if v != "ok" {
			ans.Status = "unavailable"
		}
	}
	return ans
}

// migrations tells whether the schema is current, asking PostgreSQL at
// most every migrationsTTL while it is; a failing answer is asked again at
// the next probe, so the process turns ready as soon as it can.
func (r *readiness) migrations(ctx context.Context) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.migrationsOK == "ok" && time.Since(r.checkedAt) < migrationsTTL {
		return r.migrationsOK
	}
	n, err := r.pending(ctx)
	switch {
	case err != nil:
		r.migrationsOK = "not checked: " + reason(err)
	case n > 0:
		r.migrationsOK = fmt.Sprintf("%d pending: run 'outreach migrate'", n)
	default:
		// n < 0: a newer binary migrated further; this one still works.
		r.migrationsOK = "ok"
	}
	r.checkedAt = time.Now()
	return r.migrationsOK
}

// reason says in a few words why a check failed, "ok" when it did not,
// without the addresses, URLs or credentials the error may hold.
func reason(err error) string {
	var (
		pgErr    *pgconn.PgError
		redisErr redis.Error
		opErr    *net.OpError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &pgErr):
		return pgErr.Message // e.g. the database system is shutting down
	case errors.As(err, &opErr):
		return "unreachable: " + opErr.Err.Error() // e.g. connect: connection refused
	case errors.As(err, &redisErr):
		return redisErr.Error() // e.g. LOADING, NOAUTH
	}
	return "failed"
}
