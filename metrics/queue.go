package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueDepth is how many tasks of a queue are in each state, and how long
// the oldest pending one has waited.
type QueueDepth struct {
	Pending, Active, Scheduled, Retry, Archived int
	Latency                                     time.Duration
}

// QueueReader reads a queue's depth; it must return by ctx's end.
type QueueReader func(ctx context.Context) (QueueDepth, error)

// queueReadTimeout bounds the reading of the queue at each scrape, well
// within Prometheus's default scrape timeout (10 s).
const queueReadTimeout = 3 * time.Second

// WatchQueue reports the depth and latency of the named queue, read by
// read at each scrape (asynq keeps them in Redis, shared by every
// process). A failed reading is logged and reported as
// outreach_queue_up 0, the other metrics still served.
func (r *Registry) WatchQueue(queue string, read QueueReader, log *slog.Logger) error {
	c := &queueCollector{
		read: read,
		log:  log,
		tasks: prometheus.NewDesc("outreach_queue_tasks",
			"Tasks in the queue, by state (pending, active, scheduled, retry, archived).",
			[]string{"state"}, prometheus.Labels{"queue": queue}),
		latency: prometheus.NewDesc("outreach_queue_latency_seconds",
			"How long the oldest pending task of the queue has waited.", nil, prometheus.Labels{"queue": queue}),
		up: prometheus.NewDesc("outreach_queue_up",
			"1 when the queue's depth could be read at this scrape, 0 when not (Redis unreachable).",
			nil, prometheus.Labels{"queue": queue}),
	}
	if err := r.reg.Register(c); err != nil {
		return fmt.Errorf("watch queue %s: %w", queue, err)
	}
	return nil
}

// queueCollector reads a queue's depth at scrape time.
type queueCollector struct {
	read               QueueReader
	log                *slog.Logger
	tasks, latency, up *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.tasks
	ch <- c.latency
	ch <- c.up
}

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueReadTimeout)
	defer cancel()
	d, err := c.read(ctx)
	if err != nil {
		c.log.Warn("queue depth not read", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, s := range []struct {
		state string
		n     int
	}{{"pending", d.Pending}, {"active", d.Active}, {"scheduled", d.Scheduled}, {"retry", d.Retry}, {"archived", d.Archived}} {
		ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(s.n), s.state)
	}
	ch <- prometheus.MustNewConstMetric(c.latency, prometheus.GaugeValue, d.Latency.Seconds())
}
