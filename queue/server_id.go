package queue

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// serverID is the run ID of the Redis server holding the queue's keys: a
// new one at every start of redis-server, so it changes with a failover
// (Sentinel's or a Cluster's) as with a restart. A failover may lose the
// tasks the old master took just before it (replication is asynchronous)
// while keeping the queue's mark, older; the mark's run ID tells. It is
// "" when the server does not say (INFO refused): then only a missing mark
// counts.
func (c *Client) serverID(ctx context.Context) string {
	var node redis.Cmdable = c.rdb
	if cluster, ok := c.rdb.(*redis.ClusterClient); ok {
		master, err := cluster.MasterForKey(ctx, c.wholeKey())
		if err != nil {
			return ""
		}
		node = master
	}
	info, err := node.Info(ctx, "server").Result()
	if err != nil {
		return ""
	}
	for line := range strings.Lines(info) {
		if id, ok := strings.CutPrefix(strings.TrimSpace(line), "run_id:"); ok {
			return id
		}
	}
	return ""
}
