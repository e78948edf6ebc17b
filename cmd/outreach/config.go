package main

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// Config is the whole configuration, read from environment variables.
type Config struct {
	DatabaseURL string // DATABASE_URL
	// DatabaseMaxConns (DATABASE_MAX_CONNS) bounds each process's
	// PostgreSQL connections. Webhooks commit one transaction each, and
	// commits that wait on the WAL flush together share it, so the API
	// wants more connections than it has cores.
	DatabaseMaxConns int
	RedisURL         string // REDIS_URL
	HTTPAddr         string // HTTP_ADDR
	PublicURL        string // PUBLIC_URL: externally visible base URL
	APIToken         string // API_TOKEN: Bearer token of /api/v1

	// METRICS_TOKEN (optional): Bearer token of /metrics, API_TOKEN when
	// unset. METRICS_ADDR (optional): where the worker serves /healthz,
	// /readyz and /metrics.
	MetricsToken string
	MetricsAddr  string

	// DatabaseReplicaURL (DATABASE_REPLICA_URL, optional) is a read replica
	// serving the matcher's read-heavy queries (see postgres.WithReplica).
	DatabaseReplicaURL string
	// Redis Sentinel or Cluster instead of REDIS_URL's host (see redis.go):
	// REDIS_SENTINEL_ADDRS, REDIS_SENTINEL_MASTER, REDIS_SENTINEL_PASSWORD,
	// REDIS_CLUSTER_ADDRS.
	RedisSentinelAddrs    []string
	RedisSentinelMaster   string
	RedisSentinelPassword string
	RedisClusterAddrs     []string

	TwilioAccountSID          string // TWILIO_ACCOUNT_SID
	TwilioAuthToken           string // TWILIO_AUTH_TOKEN
	TwilioFrom                string // TWILIO_FROM
	TwilioMessagingServiceSID string // TWILIO_MESSAGING_SERVICE_SID
	TwilioAPIURL              string // TWILIO_API_URL
	Simulator                 bool   // no Twilio credentials: use the built-in simulator

	QuietHours outreach.QuietHours // QUIET_HOURS in TIMEZONE
	Timezone   *time.Location      // TIMEZONE
	AgencyName string              // AGENCY_NAME, signs the SMS
	QueueName  string              // QUEUE_NAME, the asynq queue
	MaxSMSPer7 int                 // MAX_OFFER_SMS_PER_7_DAYS per job seeker; 0: no cap
	MatchIndex bool                // MATCH_INDEX: serve shortlists from an in-memory candidate index
	LogLevel   string              // LOG_LEVEL: debug, info, warn, error

	// The worker's sending (see README, "Sending").
	SMSRate           float64       // SMS_RATE_PER_SECOND for the sender, all workers together; 0: no limit
	WorkerConcurrency int           // WORKER_CONCURRENCY: SMS sent at once per worker process
	SendLease         time.Duration // SEND_LEASE: after it, a contact stuck in sending is settled with the provider
	SweepEvery        time.Duration // OUTBOX_SWEEP_EVERY: period of the outbox sweep
	RetryBase         time.Duration // SMS_RETRY_BASE: first delay after a transient provider error, then doubling

	// Follow-up (see README, "Follow-up and closing").
	FollowUpAfter  time.Duration // FOLLOW_UP_AFTER: one reminder this long after an unanswered SMS; 0: none
	CampaignWindow time.Duration // CAMPAIGN_WINDOW: an offer's campaign closes this long after its outreach started
	// SCREENING_REMIND_AFTER (4h, or off) and SCREENING_EXPIRE_AFTER (48h)
	// time the pre-screening conversations.
	ScreeningRemindAfter time.Duration // negative: no reminder
	// TRUST_PROXY (false): take the client address from X-Forwarded-For,
	// set by the load balancer in front.
	TrustProxy           bool
	ScreeningExpireAfter time.Duration
	// RetentionAfter (RETENTION_AFTER, 180d, or off: 0) is how long after
	// an offer's campaign closed its SMS texts and numbers are purged.
	RetentionAfter time.Duration

	// SMSTemplatesFile (SMS_TEMPLATES) is a JSON file of the SMS texts per
	// agency (docs/sms-templates.example.json), read into SMSTemplates;
	// unset: the built-in texts.
	SMSTemplatesFile string
	SMSTemplates     *outreach.SMSTemplates
}

// simulatorAccountSID is the account of the built-in simulator.
const simulatorAccountSID = "AC00000000000000000000000000000000"

// simulatorNumber is the service's number in the simulator.
const simulatorNumber = "+33700000000"

// loadConfig reads and validates the environment. Every problem is
// reported, one per line, naming the variable.
func loadConfig(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DatabaseURL:               get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outreach?sslmode=disable"),
		RedisURL:                  get("REDIS_URL", "redis://127.0.0.1:6379/0"),
		HTTPAddr:                  get("HTTP_ADDR", ":8080"),
		APIToken:                  get("API_TOKEN", ""),
		TwilioAccountSID:          get("TWILIO_ACCOUNT_SID", ""),
		TwilioAuthToken:           get("TWILIO_AUTH_TOKEN", ""),
		TwilioFrom:                get("TWILIO_FROM", ""),
		TwilioMessagingServiceSID: get("TWILIO_MESSAGING_SERVICE_SID", ""),
		AgencyName:                get("AGENCY_NAME", "France Travail"),
		SMSTemplatesFile:          get("SMS_TEMPLATES", ""),
		QueueName:                 get("QUEUE_NAME", "outreach"),
		LogLevel:                  get("LOG_LEVEL", "info"),
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	c.PublicURL = strings.TrimRight(get("PUBLIC_URL", defaultPublicURL(c.HTTPAddr)), "/")
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PUBLIC_URL: %q is not an absolute http(s) URL", c.PublicURL)
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL: must be a postgres:// URL")
	}
	if c.DatabaseReplicaURL = get("DATABASE_REPLICA_URL", ""); c.DatabaseReplicaURL != "" {
		if u, err := url.Parse(c.DatabaseReplicaURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("DATABASE_REPLICA_URL: must be a postgres:// URL")
		}
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		bad("REDIS_URL: must be a redis:// or rediss:// URL")
	}
	if c.APIToken != "" && len(c.APIToken) < 16 {
		bad("API_TOKEN: must be at least 16 characters")
	}
	tz, err := time.LoadLocation(get("TIMEZONE", "Europe/Paris"))
	if err != nil {
		bad("TIMEZONE: %v", err)
		tz = time.UTC
	}
	c.Timezone = tz
	if c.QuietHours, err = outreach.ParseQuietHours(get("QUIET_HOURS", "20:00-08:00"), tz); err != nil {
		bad("QUIET_HOURS: %v", err)
	}
	c.checkTwilio(get("TWILIO_API_URL", ""), bad)
	c.loadRedis(get, bad)
	c.loadSending(get, bad)
	c.loadFollowUp(get, bad)
	c.loadScreening(get, bad)
	c.loadRetention(get, bad)
	c.loadMetrics(get, bad)
	switch get("TRUST_PROXY", "false") {
	case "true":
		c.TrustProxy = true
	case "false":
	default:
		bad("TRUST_PROXY: must be true or false")
	}
	if c.DatabaseMaxConns, err = strconv.Atoi(get("DATABASE_MAX_CONNS", "16")); err != nil || c.DatabaseMaxConns < 1 || c.DatabaseMaxConns > 1000 {
		bad("DATABASE_MAX_CONNS: must be a whole number from 1 to 1000")
	}
	if c.MaxSMSPer7, err = strconv.Atoi(get("MAX_OFFER_SMS_PER_7_DAYS", "2")); err != nil || c.MaxSMSPer7 < 0 {
		bad("MAX_OFFER_SMS_PER_7_DAYS: must be a whole number, 0 for no cap")
	}
	switch v := get("MATCH_INDEX", "on"); v {
	case "on", "off":
		c.MatchIndex = v == "on"
	default:
		bad("MATCH_INDEX: %q is not on or off", v)
	}
	c.loadSMSTemplates(bad)
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if len(problems) > 0 {
		return c, errors.New("invalid configuration:\n  " + strings.Join(problems, "\n  "))
	}
	return c, nil
}

func (c *Config) checkTwilio(apiURL string, bad func(string, ...any)) {
	c.Simulator = c.TwilioAccountSID == "" && c.TwilioAuthToken == ""
	// Only a URL that was set is reported: one derived from a bad
	// PUBLIC_URL would name a variable nobody set.
	derived := apiURL == ""
	if c.Simulator {
		// The simulator signs its webhooks with a token derived from the
		// API token, so that nobody can forge them without it.
		c.TwilioAccountSID = simulatorAccountSID
		c.TwilioAuthToken = deriveSecret(c.APIToken, "simulator auth token")
		c.TwilioFrom = simulatorNumber
		c.TwilioMessagingServiceSID = ""
		if apiURL == "" {
			apiURL = c.PublicURL + "/simulator"
		}
	} else {
		if c.TwilioAccountSID == "" || c.TwilioAuthToken == "" {
			bad("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both, or neither to use the built-in simulator")
		}
		if !strings.HasPrefix(c.TwilioAccountSID, "AC") || len(c.TwilioAccountSID) != 34 {
			bad("TWILIO_ACCOUNT_SID: must be AC followed by 32 characters")
		}
		if c.TwilioFrom == "" && c.TwilioMessagingServiceSID == "" {
			bad("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: one is required to send SMS")
		}
	}
	if apiURL == "" {
		apiURL = "https://api.twilio.com"
	}
	if u, err := url.Parse(apiURL); !derived && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		bad("TWILIO_API_URL: %q is not an absolute http(s) URL", apiURL)
	}
	c.TwilioAPIURL = strings.TrimRight(apiURL, "/")
}

// loadSMSTemplates reads SMSTemplatesFile, naming each bad template.
func (c *Config) loadSMSTemplates(bad func(string, ...any)) {
	if c.SMSTemplatesFile == "" {
		return
	}
	data, err := os.ReadFile(c.SMSTemplatesFile)
	if err != nil {
		bad("SMS_TEMPLATES: %v", err)
		return
	}
	if c.SMSTemplates, err = outreach.ParseSMSTemplates(data); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			bad("SMS_TEMPLATES: %s: %s", c.SMSTemplatesFile, line)
		}
	}
}

// requireAPIToken is checked by the commands that serve the API.
func (c Config) requireAPIToken() error {
	if c.APIToken == "" {
		return errors.New("invalid configuration:\n  API_TOKEN: required (at least 16 characters) to protect /api/v1")
	}
	return nil
}

func defaultPublicURL(addr string) string {
	host, port, found := strings.Cut(addr, ":")
	if !found {
		return "http://127.0.0.1:8080"
	}
	if host == "" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return "http://" + host + ":" + port
}

func deriveSecret(secret, purpose string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(purpose))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

// String prints the configuration with secrets masked.
func (c Config) String() string {
	mask := func(s string) string {
		if s == "" {
			return "(unset)"
		}
		return "****"
	}
	mode := "twilio"
	if c.Simulator {
		mode = "simulator"
	}
	templates := cmp.Or(c.SMSTemplatesFile, "built-in")
	followUp, screeningReminder := "off", "off"
	if c.FollowUpAfter > 0 {
		followUp = c.FollowUpAfter.String()
	}
	if c.ScreeningRemindAfter > 0 {
		screeningReminder = c.ScreeningRemindAfter.String()
	}
	replica, retention := "(unset)", "off"
	if c.DatabaseReplicaURL != "" {
		replica = redactURL(c.DatabaseReplicaURL)
	}
	if c.RetentionAfter > 0 {
		retention = c.RetentionAfter.String()
	}
	return fmt.Sprintf("database=%s replica=%s redis=%s http=%s public=%s api_token=%s metrics_addr=%s metrics_token=%s sms=%s twilio_api=%s account=%s auth_token=%s quiet_hours=%s tz=%s queue=%s sms_templates=%s follow_up=%s campaign_window=%s screening_remind_after=%s screening_expire_after=%s retention_after=%s",
		redactURL(c.DatabaseURL), replica, c.redisString(), c.HTTPAddr, c.PublicURL, mask(c.APIToken),
		cmp.Or(c.MetricsAddr, "(unset)"), mask(c.MetricsToken), mode,
		c.TwilioAPIURL, c.TwilioAccountSID, mask(c.TwilioAuthToken), c.QuietHours, c.Timezone, c.QueueName, templates,
		followUp, c.CampaignWindow, screeningReminder, c.ScreeningExpireAfter, retention)
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid)"
	}
	return u.Redacted()
}

// loadSending reads the worker's sending settings.
func (c *Config) loadSending(get func(key, def string) string, bad func(string, ...any)) {
	var err error
	if c.SMSRate, err = strconv.ParseFloat(get("SMS_RATE_PER_SECOND", "0"), 64); err != nil || c.SMSRate < 0 || c.SMSRate > 10000 {
		bad("SMS_RATE_PER_SECOND: must be a number of SMS per second from 0 (no limit) to 10000")
	}
	if c.WorkerConcurrency, err = strconv.Atoi(get("WORKER_CONCURRENCY", "32")); err != nil || c.WorkerConcurrency < 1 || c.WorkerConcurrency > 1000 {
		bad("WORKER_CONCURRENCY: must be a whole number from 1 to 1000")
	}
	durations := []struct {
		key, def string
		min      time.Duration
		into     *time.Duration
	}{
		{"SEND_LEASE", "2m", time.Second, &c.SendLease},
		{"OUTBOX_SWEEP_EVERY", "5s", 100 * time.Millisecond, &c.SweepEvery},
		{"SMS_RETRY_BASE", "10s", 10 * time.Millisecond, &c.RetryBase},
	}
	for _, d := range durations {
		v, err := time.ParseDuration(get(d.key, d.def))
		if err != nil || v < d.min {
			bad("%s: must be a duration such as %s, at least %s", d.key, d.def, d.min)
			continue
		}
		*d.into = v
	}
}

// loadFollowUp reads the reminder delay and the campaign window: a reminder
// must fall inside the window it belongs to.
func (c *Config) loadFollowUp(get func(key, def string) string, bad func(string, ...any)) {
	window, err := time.ParseDuration(get("CAMPAIGN_WINDOW", "72h"))
	if err != nil || window <= 0 {
		bad("CAMPAIGN_WINDOW: must be a positive duration such as 72h")
	} else {
		c.CampaignWindow = window
	}
	v := get("FOLLOW_UP_AFTER", "off")
	if v == "off" || v == "0" {
		return
	}
	after, err := time.ParseDuration(v)
	switch {
	case err != nil || after <= 0:
		bad("FOLLOW_UP_AFTER: must be a positive duration such as 48h, or off (the default)")
	case c.CampaignWindow > 0 && after >= c.CampaignWindow:
		bad("FOLLOW_UP_AFTER: %s must be shorter than CAMPAIGN_WINDOW (%s)", after, c.CampaignWindow)
	default:
		c.FollowUpAfter = after
	}
}

// loadScreening reads the pre-screening timing: the one reminder must come
// before the expiry.
func (c *Config) loadScreening(get func(key, def string) string, bad func(string, ...any)) {
	expire, err := time.ParseDuration(get("SCREENING_EXPIRE_AFTER", "48h"))
	if err != nil || expire < time.Minute {
		bad("SCREENING_EXPIRE_AFTER: must be a duration such as 48h, at least 1m")
	} else {
		c.ScreeningExpireAfter = expire
	}
	v := get("SCREENING_REMIND_AFTER", "4h")
	if v == "off" {
		c.ScreeningRemindAfter = -1
		return
	}
	remind, err := time.ParseDuration(v)
	switch {
	case err != nil || remind < time.Second:
		bad("SCREENING_REMIND_AFTER: must be a duration such as 4h, at least 1s, or off")
	case c.ScreeningExpireAfter > 0 && remind >= c.ScreeningExpireAfter:
		bad("SCREENING_REMIND_AFTER: %s must be shorter than SCREENING_EXPIRE_AFTER (%s)", remind, c.ScreeningExpireAfter)
	default:
		c.ScreeningRemindAfter = remind
	}
}
