// Package metrics is the Prometheus adapter: the service's counters and
// histograms, fed by the domain's and the adapters' observer interfaces,
// and the handler that exposes them. Each process has its own registry
// (never Prometheus's global one), so that several can run in one test.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/franceoutreach/outreach/outreach"
)

// Registry holds a process's metrics. It implements outreach.Observer,
// webhooks.Observer and queue.TaskObserver.
type Registry struct {
	reg             *prometheus.Registry
	httpRequests    *prometheus.CounterVec
	httpDuration    *prometheus.HistogramVec
	webhooks        *prometheus.CounterVec
	smsSends        *prometheus.CounterVec
	deliveryReports *prometheus.CounterVec
	taskDuration    *prometheus.HistogramVec
	replyLatency    prometheus.Histogram
	matcherLatency  *prometheus.HistogramVec
}

// Buckets of the histograms, in seconds.
var (
	// taskBuckets reach the one-minute timeout of a task.
	taskBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	// replyBuckets go from a second to the three days of a campaign:
	// the pilot's median reply came after about 19 minutes.
	replyBuckets = []float64{1, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 259200}
	// matcherBuckets: a shortlist from the index takes milliseconds, a
	// national one from PostgreSQL alone seconds.
	matcherBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
)

// New returns a registry with the service's metrics and the Go runtime's
// and the process's.
func New() *Registry {
	r := &Registry{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outreach_http_requests_total",
			Help: "HTTP requests answered, by route pattern (unmatched: no route), method and status.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "outreach_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outreach_webhooks_total",
			Help: "Twilio webhooks by kind (inbound, status) and outcome (accepted, duplicate, bad_signature, bad_request, unavailable, error).",
		}, []string{"kind", "outcome"}),
		smsSends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outreach_sms_sends_total",
			Help: "Attempts to hand an SMS to the provider, by SMS (offer, reminder, screening, answer), outcome (sent, failed, retried, abandoned) and provider error code.",
		}, []string{"sms", "outcome", "error_code"}),
		deliveryReports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outreach_sms_delivery_reports_total",
			Help: "Provider delivery reports of the offer SMS, each counted once, by status (sent, delivered, undelivered, failed...) and provider error code.",
		}, []string{"status", "error_code"}),
		taskDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "outreach_task_duration_seconds",
			Help:    "Time to run a queue task, by task type and result (ok, retry, failed).",
			Buckets: taskBuckets,
		}, []string{"type", "result"}),
		replyLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "outreach_reply_latency_seconds",
			Help:    "Time from an offer SMS being sent to the reply that answers it.",
			Buckets: replyBuckets,
		}),
		matcherLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "outreach_matcher_duration_seconds",
			Help:    "Time to rank the candidates of an offer, by what served them (index, postgres).",
			Buckets: matcherBuckets,
		}, []string{"source"}),
	}
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.httpRequests, r.httpDuration, r.webhooks, r.smsSends, r.deliveryReports,
		r.taskDuration, r.replyLatency, r.matcherLatency,
	)
	return r
}

// Handler serves the metrics in Prometheus's text format. A collector
// that fails is logged to log; the others are still served.
func (r *Registry) Handler(log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{
		ErrorLog:      errorLog{log},
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// errorLog gives promhttp a slog logger.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) { l.log.Error("metrics", "err", slog.AnyValue(v).String()) }

// HTTPRequest counts an answered HTTP request and times it. route is the
// pattern that matched (a bounded set), never the URL.
func (r *Registry) HTTPRequest(route, method string, status int, d time.Duration) {
	r.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	r.httpDuration.WithLabelValues(route).Observe(d.Seconds())
}

// Webhook counts a webhook's outcome (webhooks.Observer).
func (r *Registry) Webhook(kind, outcome string) {
	r.webhooks.WithLabelValues(kind, outcome).Inc()
}

// SMSSend counts an attempt to send an SMS (outreach.Observer).
func (r *Registry) SMSSend(kind outreach.SMSKind, outcome outreach.SendOutcome, errorCode int) {
	r.smsSends.WithLabelValues(string(kind), string(outcome), codeLabel(errorCode)).Inc()
}

// DeliveryReport counts a new delivery report (outreach.Observer).
func (r *Registry) DeliveryReport(status string, errorCode int) {
	r.deliveryReports.WithLabelValues(statusLabel(status), codeLabel(errorCode)).Inc()
}

// ReplyLatency records how long a job seeker took to answer
// (outreach.Observer).
func (r *Registry) ReplyLatency(d time.Duration) { r.replyLatency.Observe(d.Seconds()) }

// MatcherLatency records how long a shortlist took (outreach.Observer).
func (r *Registry) MatcherLatency(source outreach.MatchSource, d time.Duration) {
	r.matcherLatency.WithLabelValues(string(source)).Observe(d.Seconds())
}

// TaskDone records how long a queue task ran (queue.TaskObserver).
func (r *Registry) TaskDone(taskType, result string, d time.Duration) {
	r.taskDuration.WithLabelValues(taskType, result).Observe(d.Seconds())
}

// codeLabel is the label of a provider error code: "none" for 0.
func codeLabel(code int) string {
	if code == 0 {
		return "none"
	}
	return strconv.Itoa(code)
}

// providerStatuses are Twilio's message statuses. Any other is counted as
// "other", so that a label never takes unbounded values.
var providerStatuses = map[string]bool{
	"accepted": true, "scheduled": true, "canceled": true, "queued": true, "sending": true, "sent": true,
	"failed": true, "delivered": true, "undelivered": true, "receiving": true, "received": true, "read": true,
	"partially_delivered": true,
}

func statusLabel(status string) string {
	if providerStatuses[status] {
		return status
	}
	return "other"
}
