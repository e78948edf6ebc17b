// Package ratelimit paces SMS sending to the provider's limit for a sender
// number or messaging service (so many messages per second), one limit
// shared by every worker process through Redis.
//
// It uses the generic cell rate algorithm (GCRA): Redis keeps, per key, a
// single timestamp, the theoretical arrival time of the next message, and
// one Lua script reads and advances it atomically against the Redis
// server's clock, so worker processes on machines whose clocks disagree
// still share one pace. The key expires as soon as it no longer holds
// anything back, so idle senders leave nothing behind in Redis.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"
)

// reserveScript takes the next slot on KEYS[1] and returns how many
// microseconds the caller must wait before using it.
//
// KEYS[1] holds the theoretical arrival time (TAT): the server time, in
// microseconds since the epoch, from which the next slot would be free if
// no burst were allowed. ARGV[1] is the emission interval in microseconds
// (maybe fractional), ARGV[2] the burst. A slot may be used burst-1
// intervals before the TAT, so after an idle spell burst messages go at
// once, then one per interval.
//
// The TAT is stored with %.17g so that it round-trips exactly (Lua's
// tostring keeps only 14 digits, too few for microseconds since 1970).
// TIME is allowed in a writing script since Redis 5 (effects replication).
const reserveScript = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then
  tat = now
end
local wait = tat - (burst - 1) * interval - now
if wait < 0 then
  wait = 0
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.17g', tat), 'PX', math.ceil((tat - now) / 1000))
return math.ceil(wait)
`

var reserve = redis.NewScript(reserveScript)

// Limiter paces the use of one key (a sender number or messaging service)
// to a rate shared by every Limiter on that key, in any process using the
// same Redis. It is safe for concurrent use.
type Limiter struct {
	rdb      redis.UniversalClient
	key      string
	interval float64 // microseconds between slots; 0 means unlimited
	burst    int
}

// New returns a limiter allowing perSecond messages a second on key (for
// example "<namespace>:ratelimit:<sender>"), with bursts of up to burst
// messages after an idle spell; burst < 1 means 1, the provider's steady
// pace with no burst.
//
// perSecond <= 0 or +Inf means unlimited: the limiter then never calls
// Redis and rdb may be nil. New panics if perSecond is NaN or if key is
// empty for a limited rate, as both are programming errors that would
// otherwise send at the wrong pace.
func New(rdb redis.UniversalClient, key string, perSecond float64, burst int) *Limiter {
	if math.IsNaN(perSecond) {
		panic("ratelimit: rate is NaN")
	}
	if burst < 1 {
		burst = 1
	}
	l := &Limiter{rdb: rdb, key: key, burst: burst}
	if perSecond > 0 && !math.IsInf(perSecond, 1) {
		if key == "" {
			panic("ratelimit: empty key")
		}
		l.interval = float64(time.Second/time.Microsecond) / perSecond
	}
	return l
}

// Reserve takes the next slot at once and returns how long the caller must
// wait before sending in it, so that callers never retry in a loop. The
// slot is consumed whatever the caller does next. A context already done
// takes no slot.
func (l *Limiter) Reserve(ctx context.Context) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if l.interval == 0 {
		return 0, nil
	}
	us, err := reserve.Run(ctx, l.rdb, []string{l.key}, l.interval, l.burst).Int64()
	if err != nil {
		return 0, fmt.Errorf("reserve rate limit slot: %w", err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// Wait reserves the next slot and sleeps until it comes. If ctx is done
// first, Wait returns ctx.Err() at once, but the slot it reserved stays
// consumed: the pace over all limiters on the key is then a little below
// the rate until the slot's time has passed.
func (l *Limiter) Wait(ctx context.Context) error {
	wait, err := l.Reserve(ctx)
	if err != nil || wait == 0 {
		return err
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
