package testenv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// TestPrivateServers stops and starts the private servers: PostgreSQL
// keeps its committed data across a crash, Redis comes back empty.
func TestPrivateServers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own servers")
	}
	ctx := context.Background()
	pg := PrivatePostgres(t)
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, pg.URL())
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(`INSERT INTO opt_outs (phone, source) VALUES ('+33600000001', 'test')`); err != nil {
		t.Fatal(err)
	}
	pg.Stop()
	if err := exec(`SELECT 1`); err == nil {
		t.Fatal("PostgreSQL answers while stopped")
	}
	pg.Start()
	if err := exec(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM opt_outs WHERE phone = '+33600000001') THEN RAISE 'lost'; END IF; END $$`); err != nil {
		t.Fatalf("after a restart: %v", err)
	}

	r := PrivateRedis(t)
	opts, _ := redis.ParseURL(r.URL())
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	if err := rdb.Ping(ctx).Err(); err == nil {
		t.Fatal("Redis answers while stopped")
	}
	r.Start()
	if n, err := rdb.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("after a restart: %d keys, %v; want empty", n, err)
	}
}
