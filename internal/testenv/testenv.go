// Package testenv gives each test its own PostgreSQL database and its own
// Redis namespace on the real local servers, so that test runs never
// interfere. The databases are cloned from a template that is migrated
// and loaded with reference data once per schema version.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/migrations"
	"github.com/franceoutreach/outreach/postgres"
)

// ServerURL is the PostgreSQL server tests use (TEST_DATABASE_URL).
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis server tests use (TEST_REDIS_URL).
func RedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// DatabaseURL creates a fresh, migrated database holding the reference
// data, drops it when the test ends, and returns its URL.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := connect(t, ctx, ServerURL())
	defer admin.Close(ctx)
	tmpl := ensureTemplate(t, ctx, admin)
	name := "outreach_test_" + randomHex(6)
	var err error
	for attempt := range 20 {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		if err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, ServerURL())
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return withDatabase(t, ServerURL(), name)
}

// Pool opens a pool on a fresh test database (see DatabaseURL).
func Pool(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	url := DatabaseURL(t)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, url
}

// ensureTemplate builds the template database for the current migrations
// once, under an advisory lock so parallel test binaries wait for it.
func ensureTemplate(t testing.TB, ctx context.Context, admin *pgx.Conn) string {
	t.Helper()
	name := "outreach_tmpl_" + schemaHash(t)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		t.Fatalf("lock template: %v", err)
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(4242)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatalf("look up template: %v", err)
	}
	if exists {
		return name
	}
	building := name + "_build"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		t.Fatalf("drop stale template: %v", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		t.Fatalf("create template: %v", err)
	}
	url := withDatabase(t, ServerURL(), building)
	if _, err := postgres.Migrate(ctx, url); err != nil {
		t.Fatalf("migrate template: %v", err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatalf("open template: %v", err)
	}
	_, err = postgres.LoadReference(ctx, pool)
	pool.Close()
	if err != nil {
		t.Fatalf("load reference data into template: %v", err)
	}
	// Renamed only once complete, so a crash never leaves a half-built template.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		t.Fatalf("rename template: %v", err)
	}
	dropStaleTemplates(ctx, admin, name)
	return name
}

// dropStaleTemplates removes the templates of older schemas. One still
// being cloned by another test run is left alone (DROP fails, no FORCE).
func dropStaleTemplates(ctx context.Context, admin *pgx.Conn, keep string) {
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'outreach\_tmpl\_%' AND datname <> $1`, keep)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize())
	}
}

// schemaHash identifies the migrations (and the reference data loader's
// version), so a changed schema gets a new template.
func schemaHash(t testing.TB) string {
	h := sha256.New()
	h.Write([]byte("reference-v1"))
	err := fs.WalkDir(migrations.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Files, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatalf("hash migrations: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func connect(t testing.TB, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s (start it with: make services): %v", url, err)
	}
	return conn
}

func withDatabase(t testing.TB, serverURL, name string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(serverURL)
	if err != nil {
		t.Fatalf("parse %s: %v", serverURL, err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

// Redis returns a client on the test Redis server and a namespace unique
// to the test (use it as the asynq queue name and pub/sub prefix); the
// namespace's keys are deleted when the test ends.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("parse redis url: %v", err)
	}
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("connect to Redis at %s (start it with: make services): %v", RedisURL(), err)
	}
	ns := "test-" + randomHex(6)
	t.Cleanup(func() {
		ctx := context.Background()
		for _, pattern := range []string{"asynq:{" + ns + "}*", ns + ":*"} {
			iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
			for iter.Next(ctx) {
				rdb.Del(ctx, iter.Val())
			}
		}
		rdb.SRem(ctx, "asynq:queues", ns)
		rdb.Close()
	})
	return rdb, ns
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
