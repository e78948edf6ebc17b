package main

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestRedisAndReplicaConfig checks the Sentinel, Cluster and replica
// variables: each mistake names its variable, and the client built
// carries REDIS_URL's credentials, database, TLS and pool options over.
func TestRedisAndReplicaConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
		check   func(t *testing.T, c Config)
	}{
		{"single server by default", nil, nil, func(t *testing.T, c Config) {
			rdb, err := newRedisClient(c)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			if _, ok := rdb.(*redis.Client); !ok || c.DatabaseReplicaURL != "" {
				t.Errorf("client %T, replica %q", rdb, c.DatabaseReplicaURL)
			}
		}},
		{"sentinel", map[string]string{"REDIS_URL": "redis://:master-secret@ignored:6379/3?pool_size=7",
			"REDIS_SENTINEL_ADDRS": "10.0.0.1:26379, 10.0.0.2:26379,", "REDIS_SENTINEL_MASTER": "outreach",
			"REDIS_SENTINEL_PASSWORD": "sentinel-secret"}, nil, func(t *testing.T, c Config) {
			if len(c.RedisSentinelAddrs) != 2 || c.RedisSentinelMaster != "outreach" {
				t.Errorf("sentinels %q, master %q", c.RedisSentinelAddrs, c.RedisSentinelMaster)
			}
			if s := c.String(); !strings.Contains(s, "redis=sentinel:outreach@10.0.0.1:26379,10.0.0.2:26379") || strings.Contains(s, "secret") {
				t.Errorf("printed %s", s)
			}
			rdb, err := newRedisClient(c)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			client, ok := rdb.(*redis.Client)
			if !ok {
				t.Fatalf("client %T, want a failover *redis.Client", rdb)
			}
			if o := client.Options(); o.DB != 3 || o.Password != "master-secret" || o.PoolSize != 7 {
				t.Errorf("db %d, password %q, pool %d", o.DB, o.Password, o.PoolSize)
			}
		}},
		{"cluster over TLS", map[string]string{"REDIS_URL": "rediss://app:pw@ignored:6380/0?dial_timeout=3s",
			"REDIS_CLUSTER_ADDRS": "r1.example:6379,r2.example:6379,r3.example:6379"}, nil, func(t *testing.T, c Config) {
			rdb, err := newRedisClient(c)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			cluster, ok := rdb.(*redis.ClusterClient)
			if !ok {
				t.Fatalf("client %T, want *redis.ClusterClient", rdb)
			}
			o := cluster.Options()
			if len(o.Addrs) != 3 || o.Username != "app" || o.Password != "pw" || o.DialTimeout.Seconds() != 3 {
				t.Errorf("addrs %q, user %q, password %q, dial timeout %s", o.Addrs, o.Username, o.Password, o.DialTimeout)
			}
			if o.TLSConfig == nil || o.TLSConfig.ServerName != "" {
				t.Errorf("TLS %+v: want TLS naming each node dialled", o.TLSConfig)
			}
		}},
		{"replica", map[string]string{"DATABASE_REPLICA_URL": "postgres://reader@replica:5432/outreach"}, nil, func(t *testing.T, c Config) {
			if c.DatabaseReplicaURL != "postgres://reader@replica:5432/outreach" {
				t.Errorf("replica %q", c.DatabaseReplicaURL)
			}
		}},
		{"both sentinel and cluster", map[string]string{"REDIS_SENTINEL_ADDRS": "a:26379", "REDIS_SENTINEL_MASTER": "m",
			"REDIS_CLUSTER_ADDRS": "b:6379"}, []string{"REDIS_SENTINEL_ADDRS and REDIS_CLUSTER_ADDRS"}, nil},
		{"sentinel without master", map[string]string{"REDIS_SENTINEL_ADDRS": "a:26379"}, []string{"REDIS_SENTINEL_MASTER: required"}, nil},
		{"master without sentinels", map[string]string{"REDIS_SENTINEL_MASTER": "m"}, []string{"REDIS_SENTINEL_ADDRS: required"}, nil},
		{"sentinel password alone", map[string]string{"REDIS_SENTINEL_PASSWORD": "x"}, []string{"REDIS_SENTINEL_PASSWORD"}, nil},
		{"bad addresses", map[string]string{"REDIS_CLUSTER_ADDRS": "nohost,h:0,h:x,:6379"},
			[]string{`REDIS_CLUSTER_ADDRS: "nohost"`, `"h:0"`, `"h:x"`, `":6379"`}, nil},
		{"cluster on database 2", map[string]string{"REDIS_URL": "redis://h:6379/2", "REDIS_CLUSTER_ADDRS": "a:6379"},
			[]string{"REDIS_URL: database 2"}, nil},
		{"unknown redis option", map[string]string{"REDIS_URL": "redis://h:6379/0?pool_sizes=3"}, []string{"REDIS_URL:"}, nil},
		{"replica not postgres", map[string]string{"DATABASE_REPLICA_URL": "mysql://x"}, []string{"DATABASE_REPLICA_URL"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"API_TOKEN": "0123456789abcdef"}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := loadConfig(func(k string) string { return env[k] })
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v, want it to say %q", err, want)
				}
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}
