package main

// The Redis deployments the service runs on: one server (REDIS_URL), a
// master watched by Redis Sentinel (REDIS_SENTINEL_*) or a Redis Cluster
// (REDIS_CLUSTER_ADDRS). Every package takes a redis.UniversalClient, so
// only this file knows which. Under Cluster, each multi-key command and
// script keeps its keys in one hash slot: asynq's keys share the {queue}
// hash tag, and ours (rate limit, sign-in throttle, queue mark) are one
// key each; live updates use classic pub/sub, which a cluster broadcasts
// to every node.

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// loadRedis reads the Sentinel and Cluster variables and checks them
// against REDIS_URL, which still gives the credentials, the database, TLS
// (rediss://) and go-redis's pool and timeout options (query parameters
// such as ?pool_size=20&dial_timeout=3s) in every mode.
func (c *Config) loadRedis(get func(key, def string) string, bad func(string, ...any)) {
	c.RedisSentinelAddrs = splitAddrs(get("REDIS_SENTINEL_ADDRS", ""))
	c.RedisSentinelMaster = get("REDIS_SENTINEL_MASTER", "")
	c.RedisSentinelPassword = get("REDIS_SENTINEL_PASSWORD", "")
	c.RedisClusterAddrs = splitAddrs(get("REDIS_CLUSTER_ADDRS", ""))
	for _, list := range []struct {
		name  string
		addrs []string
	}{{"REDIS_SENTINEL_ADDRS", c.RedisSentinelAddrs}, {"REDIS_CLUSTER_ADDRS", c.RedisClusterAddrs}} {
		for _, a := range list.addrs {
			if !isHostPort(a) {
				bad("%s: %q is not host:port", list.name, a)
			}
		}
	}
	sentinel, cluster := len(c.RedisSentinelAddrs) > 0, len(c.RedisClusterAddrs) > 0
	switch {
	case sentinel && cluster:
		bad("REDIS_SENTINEL_ADDRS and REDIS_CLUSTER_ADDRS: set one, not both")
	case sentinel && c.RedisSentinelMaster == "":
		bad("REDIS_SENTINEL_MASTER: required with REDIS_SENTINEL_ADDRS (the name given to 'sentinel monitor')")
	case !sentinel && c.RedisSentinelMaster != "":
		bad("REDIS_SENTINEL_ADDRS: required with REDIS_SENTINEL_MASTER")
	case !sentinel && c.RedisSentinelPassword != "":
		bad("REDIS_SENTINEL_PASSWORD: only used with REDIS_SENTINEL_ADDRS")
	}
	if !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return // reported by loadConfig
	}
	opts, err := redis.ParseURL(c.RedisURL)
	switch {
	case err != nil:
		bad("REDIS_URL: %v", err)
	case cluster && opts.DB != 0:
		bad("REDIS_URL: database %d is not available on a Redis Cluster, which only has database 0", opts.DB)
	}
}

// splitAddrs splits a comma-separated list, dropping blanks.
func splitAddrs(s string) []string {
	var out []string
	for a := range strings.SplitSeq(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func isHostPort(a string) bool {
	host, port, err := net.SplitHostPort(a)
	n, perr := strconv.Atoi(port)
	return err == nil && host != "" && perr == nil && n > 0 && n < 65536
}

// redisString describes the Redis deployment, credentials masked.
func (c Config) redisString() string {
	switch {
	case len(c.RedisSentinelAddrs) > 0:
		return fmt.Sprintf("sentinel:%s@%s(%s)", c.RedisSentinelMaster, strings.Join(c.RedisSentinelAddrs, ","), redactURL(c.RedisURL))
	case len(c.RedisClusterAddrs) > 0:
		return fmt.Sprintf("cluster:%s(%s)", strings.Join(c.RedisClusterAddrs, ","), redactURL(c.RedisURL))
	}
	return redactURL(c.RedisURL)
}

// newRedisClient builds the client of the configured deployment: a
// *redis.Client on one server, or on the master Sentinel names (following
// failovers), or a *redis.ClusterClient.
func newRedisClient(c Config) (redis.UniversalClient, error) {
	opts, err := redis.ParseURL(c.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	switch {
	case len(c.RedisSentinelAddrs) > 0:
		u := universalOptions(opts, c.RedisSentinelAddrs)
		u.MasterName, u.SentinelPassword = c.RedisSentinelMaster, c.RedisSentinelPassword
		return redis.NewFailoverClient(u.Failover()), nil
	case len(c.RedisClusterAddrs) > 0:
		return redis.NewClusterClient(universalOptions(opts, c.RedisClusterAddrs).Cluster()), nil
	}
	return redis.NewClient(opts), nil
}

// universalOptions carries what REDIS_URL says over to several servers.
func universalOptions(o *redis.Options, addrs []string) *redis.UniversalOptions {
	u := &redis.UniversalOptions{
		Addrs: addrs, ClientName: o.ClientName, DB: o.DB, Protocol: o.Protocol,
		Username: o.Username, Password: o.Password,
		MaxRetries: o.MaxRetries, MinRetryBackoff: o.MinRetryBackoff, MaxRetryBackoff: o.MaxRetryBackoff,
		DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		PoolFIFO: o.PoolFIFO, PoolSize: o.PoolSize, PoolTimeout: o.PoolTimeout,
		MinIdleConns: o.MinIdleConns, MaxIdleConns: o.MaxIdleConns, MaxActiveConns: o.MaxActiveConns,
		ConnMaxIdleTime: o.ConnMaxIdleTime, ConnMaxLifetime: o.ConnMaxLifetime,
	}
	if o.TLSConfig != nil {
		// ParseURL names REDIS_URL's host as the server; here each
		// connection checks the certificate of the address it dials.
		u.TLSConfig = o.TLSConfig.Clone()
		u.TLSConfig.ServerName = ""
	}
	return u
}

// openRedis connects to the configured Redis and checks it answers.
func openRedis(ctx context.Context, c Config) (redis.UniversalClient, error) {
	rdb, err := newRedisClient(c)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis at %s: %w", c.redisString(), err)
	}
	return rdb, nil
}
