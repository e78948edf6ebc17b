package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisThrottle counts failed sign-ins in Redis, shared by every serve
// process: one counter per key that expires with its window.
type RedisThrottle struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisThrottle returns a throttle whose keys start with prefix.
func NewRedisThrottle(rdb redis.UniversalClient, prefix string) *RedisThrottle {
	return &RedisThrottle{rdb: rdb, prefix: prefix + ":signin:"}
}

// Failures implements Throttle.
func (t *RedisThrottle) Failures(ctx context.Context, key string) (int, time.Duration, error) {
	k := t.prefix + key
	n, err := t.rdb.Get(ctx, k).Int()
	if err == redis.Nil {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read sign-in failures: %w", err)
	}
	ttl, err := t.rdb.PTTL(ctx, k).Result()
	if err != nil {
		return 0, 0, fmt.Errorf("read sign-in window: %w", err)
	}
	return n, max(ttl, 0), nil
}

// Fail implements Throttle: the window starts at the first failure and is
// not extended by the next ones.
func (t *RedisThrottle) Fail(ctx context.Context, key string, window time.Duration) error {
	k := t.prefix + key
	pipe := t.rdb.TxPipeline()
	pipe.Incr(ctx, k)
	pipe.ExpireNX(ctx, k, window)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("count sign-in failure: %w", err)
	}
	return nil
}

// Clear implements Throttle.
func (t *RedisThrottle) Clear(ctx context.Context, key string) error {
	if err := t.rdb.Del(ctx, t.prefix+key).Err(); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}
