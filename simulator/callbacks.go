package simulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	callbackRetries = 3                      // retries after the first attempt
	callbackBackoff = 100 * time.Millisecond // doubled after each retry
	maxAnswerBytes  = 64 << 10               // of a webhook's answer
)

// step is one status a message goes through.
type step struct {
	status    string
	errorCode int
}

// deliver moves message sid to "sent", then to its final status, waiting
// StatusDelay before each and posting a status callback for each when the
// message asked for one.
func (s *Server) deliver(ctx context.Context, sid string) {
	for _, st := range s.steps(sid) {
		if !sleep(ctx, s.cfg.StatusDelay) {
			return
		}
		callback, form := s.advance(sid, st)
		if callback != "" {
			s.postCallback(ctx, callback, form)
		}
	}
}

// steps returns the statuses message sid will go through, as programmed
// by SetBehaviour for its recipient.
func (s *Server) steps(sid string) []step {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.bySID[sid]
	if !ok {
		return nil
	}
	b := s.behaviours[m.To]
	final := step{status: "delivered"}
	switch b.FinalStatus {
	case "undelivered":
		final = step{status: "undelivered", errorCode: orDefault(b.ErrorCode, 30003)}
	case "failed":
		final = step{status: "failed", errorCode: orDefault(b.ErrorCode, 30008)}
	}
	// Like Twilio with a StatusCallback: queued, then sent, then the outcome.
	return []step{{status: "queued"}, {status: "sent"}, final}
}

// advance records the new status of message sid and returns its status
// callback URL and form ("" when it has none).
func (s *Server) advance(sid string, st step) (string, url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.bySID[sid]
	m.Status = st.status
	m.ErrorCode = st.errorCode
	s.notifyLocked()
	if m.StatusCallback == "" {
		return "", nil
	}
	form := url.Values{
		"MessageSid":    {m.SID},
		"SmsSid":        {m.SID},
		"AccountSid":    {m.AccountSID},
		"From":          {m.From},
		"To":            {m.To},
		"MessageStatus": {m.Status},
		"SmsStatus":     {m.Status},
		"ApiVersion":    {"2010-04-01"},
	}
	if m.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	if m.ErrorCode != 0 {
		form.Set("ErrorCode", strconv.Itoa(m.ErrorCode))
	}
	return m.StatusCallback, form
}

// postCallback posts a signed status callback, retrying on network errors
// and 5xx answers.
func (s *Server) postCallback(ctx context.Context, target string, form url.Values) {
	signature := Sign(s.cfg.AuthToken, target, form)
	log := s.log.With("sid", form.Get("MessageSid"), "status", form.Get("MessageStatus"), "url", redactURL(target))
	backoff := callbackBackoff
	for attempt := 0; ; attempt++ {
		status, _, err := s.postSigned(ctx, target, form, signature)
		if err == nil && status < 500 {
			if status >= 400 {
				log.Warn("status callback refused", "http_status", status)
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
		if attempt == callbackRetries {
			log.Error("status callback abandoned", "attempts", attempt+1, "http_status", status, "err", err)
			return
		}
		log.Warn("status callback failed, retrying", "http_status", status, "err", err)
		if !sleep(ctx, backoff) {
			return
		}
		backoff *= 2
	}
}

// postSigned posts form to target with an X-Twilio-Signature header, like
// Twilio's webhooks, and returns the answer's status and body.
func (s *Server) postSigned(ctx context.Context, target string, form url.Values, signature string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", signature)
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read webhook answer: %w", err)
	}
	return resp.StatusCode, body, nil
}

// sleep waits for d, or returns false if ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
