package ratelimit_test

import (
	"context"
	"errors"
	"math"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/ratelimit"
)

// TestWaitHonoursRateAcrossProcesses runs two limiters on one key, standing
// for two worker processes, each used by several goroutines, and checks
// the pace seen by the callers: at most rate×1.05+burst in any one-second
// window, and a total within 5% of rate×duration.
func TestWaitHonoursRateAcrossProcesses(t *testing.T) {
	t.Parallel()
	const run = 6 * time.Second
	tests := []struct {
		name       string
		perSecond  float64
		burst      int
		goroutines int // per limiter
	}{
		{"50 per second", 50, 1, 4},
		{"50 per second, burst 10", 50, 10, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rdb, ns := testenv.Redis(t)
			key := ns + ":ratelimit:+33700000000"
			limiters := []*ratelimit.Limiter{
				ratelimit.New(rdb, key, tt.perSecond, tt.burst),
				ratelimit.New(rdb, key, tt.perSecond, tt.burst),
			}
			sent := sendFor(t, limiters, tt.goroutines, run)

			maxWindow := busiestWindow(sent, time.Second)
			if limit := tt.perSecond*1.05 + float64(tt.burst); float64(maxWindow) > limit {
				t.Errorf("%d messages in one second, want at most %.1f", maxWindow, limit)
			}
			want := tt.perSecond * run.Seconds()
			if n := float64(len(sent)); n < want*0.95 || n > want*1.05+float64(tt.burst) {
				t.Errorf("%v messages in %v, want %.0f ±5%% (+ burst %d)", n, run, want, tt.burst)
			}
			steady := sent[len(sent)-1] - sent[tt.burst-1]
			t.Logf("%d messages in %v (%.2f/s), busiest second %d, steady pace %.3f/s",
				len(sent), run, float64(len(sent))/run.Seconds(), maxWindow,
				float64(len(sent)-tt.burst)/steady.Seconds())
		})
	}
}

// sendFor calls Wait in a loop from goroutines on each limiter until run
// has passed, and returns, sorted, the times since the start at which Wait
// let a message go.
func sendFor(t *testing.T, limiters []*ratelimit.Limiter, goroutines int, run time.Duration) []time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(run))
	defer cancel()
	var (
		mu   sync.Mutex
		sent []time.Duration
		wg   sync.WaitGroup
	)
	for _, l := range limiters {
		for range goroutines {
			wg.Go(func() {
				for {
					if err := l.Wait(ctx); err != nil {
						if ctx.Err() == nil {
							t.Errorf("wait: %v", err)
						}
						return
					}
					at := time.Since(start)
					mu.Lock()
					sent = append(sent, at)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	slices.Sort(sent)
	return sent
}

// busiestWindow returns the largest number of times within any window of
// the given width (times sorted).
func busiestWindow(times []time.Duration, width time.Duration) int {
	most, first := 0, 0
	for last, at := range times {
		for at-times[first] >= width {
			first++
		}
		most = max(most, last-first+1)
	}
	return most
}

func TestReserveSpacesSlots(t *testing.T) {
	t.Parallel()
	const slack = 60 * time.Millisecond // time taken by the calls themselves
	ms := time.Millisecond
	tests := []struct {
		name      string
		perSecond float64
		burst     int
		want      []time.Duration
	}{
		{"no burst", 10, 1, []time.Duration{0, 100 * ms, 200 * ms, 300 * ms}},
		{"burst 0 means 1", 10, 0, []time.Duration{0, 100 * ms, 200 * ms}},
		{"burst 3", 10, 3, []time.Duration{0, 0, 0, 100 * ms, 200 * ms}},
		{"fractional rate", 2.5, 1, []time.Duration{0, 400 * ms, 800 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rdb, ns := testenv.Redis(t)
			l := ratelimit.New(rdb, ns+":ratelimit:sender", tt.perSecond, tt.burst)
			for i, want := range tt.want {
				got, err := l.Reserve(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if got > want || got < want-slack {
					t.Errorf("reservation %d: wait %v, want %v (less at most %v)", i, got, want, slack)
				}
			}
		})
	}
}

func TestKeyExpiresWhenIdle(t *testing.T) {
	t.Parallel()
	rdb, ns := testenv.Redis(t)
	ctx := context.Background()
	key := ns + ":ratelimit:sender"
	l := ratelimit.New(rdb, key, 10, 1)
	for range 2 {
		if _, err := l.Reserve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ttl, err := rdb.PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > 200*time.Millisecond {
		t.Fatalf("key TTL %v, want in (0, 200ms]", ttl)
	}
	time.Sleep(ttl + 50*time.Millisecond)
	if n, err := rdb.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Fatalf("key still exists after its TTL (%d, %v)", n, err)
	}
}

func TestKeysAreIndependent(t *testing.T) {
	t.Parallel()
	rdb, ns := testenv.Redis(t)
	ctx := context.Background()
	a := ratelimit.New(rdb, ns+":ratelimit:+33700000001", 1, 1)
	b := ratelimit.New(rdb, ns+":ratelimit:+33700000002", 1, 1)
	for i, tt := range []struct {
		l       *ratelimit.Limiter
		waiting bool
	}{{a, false}, {b, false}, {a, true}, {b, true}} {
		wait, err := tt.l.Reserve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := wait > 500*time.Millisecond; got != tt.waiting {
			t.Errorf("reservation %d: wait %v, want waiting %v", i, wait, tt.waiting)
		}
	}
}

// commandCounter counts the commands a Redis client sends and the
// connections it opens.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.n.Add(1)
		return next(ctx, network, addr)
	}
}

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

func TestUnlimitedNeverCallsRedis(t *testing.T) {
	t.Parallel()
	for _, perSecond := range []float64{0, -1, math.Inf(1)} {
		// Nothing listens on port 1: any command would fail.
		rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
		t.Cleanup(func() { rdb.Close() })
		var counter commandCounter
		rdb.AddHook(&counter)
		l := ratelimit.New(rdb, "", perSecond, 1)
		for range 100 {
			if wait, err := l.Reserve(context.Background()); wait != 0 || err != nil {
				t.Fatalf("%v per second: Reserve = %v, %v, want 0, nil", perSecond, wait, err)
			}
			if err := l.Wait(context.Background()); err != nil {
				t.Fatalf("%v per second: Wait: %v", perSecond, err)
			}
		}
		if n := counter.n.Load(); n != 0 {
			t.Errorf("%v per second: %d Redis commands, want none", perSecond, n)
		}
	}
	if err := ratelimit.New(nil, "", 0, 1).Wait(context.Background()); err != nil {
		t.Errorf("unlimited with no client: %v", err)
	}
}

func TestWaitReturnsWhenContextDone(t *testing.T) {
	t.Parallel()
	const prompt = 3 * time.Second // the slot waited for is 10 s away
	cancelled := func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel
	}
	cancelledLater := func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		return ctx, cancel
	}
	timingOut := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 100*time.Millisecond)
	}
	tests := []struct {
		name      string
		ctx       func() (context.Context, context.CancelFunc)
		want      error
		takesSlot bool
	}{
		{"already cancelled", cancelled, context.Canceled, false},
		{"cancelled while waiting", cancelledLater, context.Canceled, true},
		{"deadline while waiting", timingOut, context.DeadlineExceeded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rdb, ns := testenv.Redis(t)
			l := ratelimit.New(rdb, ns+":ratelimit:sender", 0.1, 1)
			if _, err := l.Reserve(context.Background()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			err := l.Wait(ctx)
			if elapsed := time.Since(start); !errors.Is(err, tt.want) || elapsed > prompt {
				t.Fatalf("Wait = %v after %v, want %v within %v", err, elapsed, tt.want, prompt)
			}
			// The next slot is 10 s after the first, 20 s if Wait took one.
			next, err := l.Reserve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if took := next > 15*time.Second; took != tt.takesSlot {
				t.Errorf("next wait %v: Wait took a slot = %v, want %v", next, took, tt.takesSlot)
			}
		})
	}
}

func BenchmarkReserve(b *testing.B) {
	rdb, ns := testenv.Redis(b)
	l := ratelimit.New(rdb, ns+":ratelimit:sender", 1e6, 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := l.Reserve(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
