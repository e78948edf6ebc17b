// Package sms sends the service's text messages through Twilio, or through
// any Twilio-compatible API such as the built-in simulator.
package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/franceoutreach/outreach/outreach"
)

// DefaultAPIURL is Twilio's REST API.
const DefaultAPIURL = "https://api.twilio.com"

// DefaultTimeout bounds one Send when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// Config holds the Twilio account and sender to send SMS with.
type Config struct {
	AccountSID          string        // AC...
	AuthToken           string        // secret
	From                string        // sending number; used when MessagingServiceSID is empty
	MessagingServiceSID string        // MG..., preferred over From when set
	APIURL              string        // base of a Twilio-compatible API, e.g. "http://127.0.0.1:8080/simulator" (default DefaultAPIURL)
	Timeout             time.Duration // per Send (default DefaultTimeout)
}

// TwilioSender sends SMS with Twilio's REST API. It is safe for concurrent
// use.
type TwilioSender struct {
	cfg       Config
	apiURL    *url.URL
	rewrite   bool            // send Twilio's requests to apiURL instead of *.twilio.com
	transport *http.Transport // shared by all calls, for connection reuse
}

var _ interface {
	Send(context.Context, outreach.OutboundSMS) (outreach.SentSMS, error)
} = (*TwilioSender)(nil)

// twilio-go refuses credentials with other characters before sending.
var alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// NewTwilioSender checks cfg and returns a sender for it.
func NewTwilioSender(cfg Config) (*TwilioSender, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("sms: account SID and auth token are required")
	}
	if !alphanumeric.MatchString(cfg.AccountSID) || !alphanumeric.MatchString(cfg.AuthToken) {
		return nil, errors.New("sms: account SID and auth token must be alphanumeric")
	}
	if cfg.From == "" && cfg.MessagingServiceSID == "" {
		return nil, errors.New("sms: a From number or a messaging service SID is required")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sms: API URL %q is not an http(s) URL", cfg.APIURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if cfg.Timeout < 0 {
		return nil, errors.New("sms: timeout must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	// A worker sends dozens of SMS at once to one host: keep that many
	// connections open (Go's default keeps 2 per host, so every other call
	// would pay a new TCP and TLS handshake).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns, transport.MaxIdleConnsPerHost = idleConns, idleConns
	return &TwilioSender{
		cfg:       cfg,
		apiURL:    u,
		rewrite:   u.String() != DefaultAPIURL,
		transport: transport,
	}, nil
}

// idleConns bounds the connections kept open to the provider.
const idleConns = 512

// restClient returns twilio-go's Messages API bound to ctx, and the
// transport that carries its requests. Only the API service is built (not
// twilio.RestClient and its fifty services): cheap enough per call.
func (s *TwilioSender) restClient(ctx context.Context) (*api.ApiService, *callTransport) {
	rt := &callTransport{ctx: ctx, sender: s}
	httpClient := &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // like twilio-go's default client
		},
	}
	c := &client.Client{
		Credentials: client.NewCredentials(s.cfg.AccountSID, s.cfg.AuthToken),
		HTTPClient:  httpClient,
	}
	c.SetAccountSid(s.cfg.AccountSID)
	return api.NewApiServiceWithClient(c), rt
}

// Send hands m to Twilio. A refusal or failure is a *outreach.SendError
// that tells whether retrying can help.
func (s *TwilioSender) Send(ctx context.Context, m outreach.OutboundSMS) (outreach.SentSMS, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	rest, rt := s.restClient(ctx)
	params := &api.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetBody(m.Body)
	if s.cfg.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(s.cfg.MessagingServiceSID)
	} else {
		params.SetFrom(s.cfg.From)
	}
	if m.StatusCallback != "" {
		params.SetStatusCallback(m.StatusCallback)
	}

	msg, err := rest.CreateMessage(params)
	if err != nil {
		return outreach.SentSMS{}, classify(ctx, err, rt.lastStatus())
	}
	if msg.Sid == nil || *msg.Sid == "" {
		return outreach.SentSMS{}, &outreach.SendError{
			HTTPStatus: rt.lastStatus(),
			Message:    "provider answered without a message SID",
		}
	}
	sent := outreach.SentSMS{SID: *msg.Sid}
	if msg.Status != nil {
		sent.Status = *msg.Status
	}
	return sent, nil
}

// findPageSize bounds the messages FindSent reads: a job seeker receives a
// few offer SMS a week, so the latest 50 to them cover days.
const findPageSize = 50

// FindSent looks among the latest messages Twilio holds for the phone
// number for one with that body, created at or after since: how the outbox
// sweep learns whether an SMS whose SID was never recorded went out.
func (s *TwilioSender) FindSent(ctx context.Context, to, body string, since time.Time) (outreach.SentSMS, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	rest, rt := s.restClient(ctx)
	params := &api.ListMessageParams{}
	params.SetTo(to)
	params.SetPageSize(findPageSize)
	params.SetLimit(findPageSize)
	msgs, err := rest.ListMessage(params)
	if err != nil {
		return outreach.SentSMS{}, false, classify(ctx, err, rt.lastStatus())
	}
	for _, m := range msgs {
		if m.Sid == nil || m.Body == nil || *m.Body != body || m.DateCreated == nil {
			continue
		}
		created, err := time.Parse(time.RFC1123Z, *m.DateCreated)
		if err != nil || created.Before(since.Truncate(time.Second)) {
			continue
		}
		sent := outreach.SentSMS{SID: *m.Sid}
		if m.Status != nil {
			sent.Status = *m.Status
		}
		return sent, true, nil
	}
	return outreach.SentSMS{}, false, nil
}
