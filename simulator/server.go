// Package simulator is a Twilio-compatible SMS API that runs inside the
// service. It lets the real twilio-go client send messages, posts signed
// status callbacks and inbound SMS webhooks like Twilio does, and plays the
// job seeker's side, so the whole SMS flow works without Twilio credentials
// and in tests.
package simulator

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// DefaultPhoneNumber is the service's number when Config.PhoneNumber is empty.
const DefaultPhoneNumber = "+33700000000"

// Config describes the simulated Twilio account.
type Config struct {
	AccountSID  string        // AC + 32 alphanumeric characters
	AuthToken   string        // checked by Basic auth and used to sign the webhooks the simulator posts
	PhoneNumber string        // the service's number, To of inbound SMS (default DefaultPhoneNumber)
	InboundURL  string        // where inbound SMS webhooks are posted; see SetInboundURL
	StatusDelay time.Duration // delay before each status callback (default 50ms)
	HTTPClient  *http.Client  // posts callbacks and webhooks (default: 10s timeout)
	Logger      *slog.Logger  // default: discard
}

// Server is a simulated Twilio account. It is safe for concurrent use.
// Call Close to stop the status callbacks still pending.
type Server struct {
	cfg  Config
	log  *slog.Logger
	http *http.Client

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	inboundURL string
	messages   []*Message
	bySID      map[string]*Message
	behaviours map[string]Behaviour
	outage     outage
	flaky      flakiness
	inbound    map[string]postedInbound // by MessageSid, for ReplayInbound
	changed    chan struct{}            // closed and replaced whenever messages change
}

// New returns a simulator for the account described by cfg, with defaults
// filled in.
func New(cfg Config) *Server {
	if cfg.PhoneNumber == "" {
		cfg.PhoneNumber = DefaultPhoneNumber
	}
	if cfg.StatusDelay <= 0 {
		cfg.StatusDelay = 50 * time.Millisecond
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg:        cfg,
		log:        cfg.Logger.With("component", "simulator"),
		http:       cfg.HTTPClient,
		ctx:        ctx,
		cancel:     cancel,
		inboundURL: cfg.InboundURL,
		bySID:      make(map[string]*Message),
		behaviours: make(map[string]Behaviour),
		inbound:    make(map[string]postedInbound),
		changed:    make(chan struct{}),
	}
}

// Handler serves the Twilio Messages API and the simulator's control API,
// relative to the root. Mount it under a prefix with http.StripPrefix.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{AccountSid}/Messages.json", s.handleCreateMessage)
	mux.HandleFunc("GET /2010-04-01/Accounts/{AccountSid}/Messages.json", s.handleReadMessages)
	mux.HandleFunc("GET /messages", s.requireAuth(s.handleListMessages))
	mux.HandleFunc("POST /inbound", s.requireAuth(s.handleInbound))
	mux.HandleFunc("POST /numbers", s.requireAuth(s.handleNumbers))
	mux.HandleFunc("POST /outage", s.requireAuth(s.handleOutage))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 20404,
			"The requested resource "+r.URL.Path+" was not found")
	})
	return mux
}

// SetInboundURL sets the URL inbound SMS webhooks are posted to: the
// service's public URL is often known only once it listens.
func (s *Server) SetInboundURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inboundURL = u
}

// Close stops pending status callbacks and waits for them to return.
// Messages sent after Close are accepted but get no callbacks.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// goBackground runs f in a goroutine that Close waits for, unless the
// server is closed.
func (s *Server) goBackground(f func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f(s.ctx)
	}()
}

// authorized reports whether r carries the account's Basic credentials.
func (s *Server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.AccountSID)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.AuthToken)) == 1
	return userOK && passOK
}

func (s *Server) requireAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			writeAuthError(w)
			return
		}
		next(w, r)
	}
}

// apiError is the body of Twilio's REST API errors.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info,omitempty"`
	Status   int    `json:"status"`
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	e := apiError{Code: code, Message: message, Status: status}
	if code != 0 {
		e.MoreInfo = "https://www.twilio.com/docs/errors/" + strconv.Itoa(code)
	}
	writeJSON(w, status, e)
}

func writeAuthError(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
	writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

// newSID returns a Twilio-style SID: prefix and 32 lowercase hex digits.
func newSID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails, see crypto/rand
	return prefix + hex.EncodeToString(b)
}

// maskPhone hides a phone number in logs, keeping the country prefix and
// the last two digits: +33*******78.
func maskPhone(phone string) string {
	if len(phone) <= 5 {
		return "***"
	}
	masked := []byte(phone)
	for i := 3; i < len(masked)-2; i++ {
		masked[i] = '*'
	}
	return string(masked)
}

// redactURL drops the query and credentials of a URL for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "invalid URL"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}
