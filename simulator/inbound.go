package simulator

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// InboundResult is the service's answer to a simulated inbound SMS.
type InboundResult struct {
	MessageSid string   // SID of the inbound SMS
	StatusCode int      // HTTP status of the webhook's answer
	TwiML      string   // body of the answer
	Replies    []string // bodies of the <Message> elements in the TwiML answer
}

// postedInbound is an inbound webhook as first posted, kept for ReplayInbound.
type postedInbound struct {
	url       string
	form      url.Values
	signature string
}

// twimlResponse is the part of a TwiML answer the simulator acts on.
type twimlResponse struct {
	XMLName  xml.Name       `xml:"Response"`
	Messages []twimlMessage `xml:"Message"`
}

type twimlMessage struct {
	To   string `xml:"to,attr"`
	Body string `xml:"Body"`
	Text string `xml:",chardata"`
}

// Reply plays the job seeker at phone number from sending body to the
// service: it posts a signed inbound SMS webhook to the inbound URL, like
// Twilio, and records each <Message> of the TwiML answer as an
// "outbound-reply" message. Any HTTP answer gives a nil error: check
// StatusCode.
func (s *Server) Reply(ctx context.Context, from, body string) (InboundResult, error) {
	s.mu.Lock()
	target := s.inboundURL
	s.mu.Unlock()
	if target == "" {
		return InboundResult{}, errors.New("simulator: no inbound URL set")
	}
	if !e164.MatchString(from) {
		return InboundResult{}, fmt.Errorf("simulator: %q is not an E.164 phone number", from)
	}
	sid := newSID("SM")
	form := url.Values{
		"MessageSid":    {sid},
		"SmsSid":        {sid},
		"SmsMessageSid": {sid},
		"AccountSid":    {s.cfg.AccountSID},
		"From":          {from},
		"To":            {s.cfg.PhoneNumber},
		"Body":          {body},
		"NumMedia":      {"0"},
		"NumSegments":   {strconv.Itoa(max(countSegments(body), 1))},
		"SmsStatus":     {"received"},
		"ApiVersion":    {"2010-04-01"},
		"FromCountry":   {"FR"},
		"ToCountry":     {"FR"},
	}
	posted := postedInbound{url: target, form: form, signature: Sign(s.cfg.AuthToken, target, form)}
	s.mu.Lock()
	s.inbound[sid] = posted
	s.mu.Unlock()
	s.log.Info("inbound sms", "sid", sid, "from", maskPhone(from), "url", redactURL(target))
	return s.postInbound(ctx, sid, posted)
}

// ReplayInbound posts the inbound SMS messageSid again, with the same form
// and signature, as Twilio does when it retries a webhook.
func (s *Server) ReplayInbound(ctx context.Context, messageSid string) (InboundResult, error) {
	s.mu.Lock()
	posted, ok := s.inbound[messageSid]
	s.mu.Unlock()
	if !ok {
		return InboundResult{}, fmt.Errorf("simulator: no inbound SMS %s", messageSid)
	}
	s.log.Info("inbound sms replayed", "sid", messageSid)
	return s.postInbound(ctx, messageSid, posted)
}

func (s *Server) postInbound(ctx context.Context, sid string, p postedInbound) (InboundResult, error) {
	status, answer, err := s.postSigned(ctx, p.url, p.form, p.signature)
	res := InboundResult{MessageSid: sid, StatusCode: status, TwiML: string(answer)}
	if err != nil {
		return res, fmt.Errorf("simulator: inbound sms %s: %w", sid, err)
	}
	if status < 200 || status > 299 {
		s.log.Warn("inbound webhook refused", "sid", sid, "http_status", status)
		return res, nil
	}
	replies, err := parseTwiML(answer)
	if err != nil {
		return res, fmt.Errorf("simulator: inbound sms %s: %w", sid, err)
	}
	for _, r := range replies {
		to := r.To
		if to == "" {
			to = p.form.Get("From")
		}
		s.record(&Message{
			SID:        newSID("SM"),
			AccountSID: s.cfg.AccountSID,
			From:       s.cfg.PhoneNumber,
			To:         to,
			Body:       r.Body,
			Status:     "delivered",
			Segments:   countSegments(r.Body),
			Direction:  DirectionOutboundReply,
			CreatedAt:  time.Now().UTC(),
		})
		res.Replies = append(res.Replies, r.Body)
	}
	return res, nil
}

// parseTwiML returns the messages of a TwiML answer, their text in Body.
// An empty answer has none.
func parseTwiML(answer []byte) ([]twimlMessage, error) {
	if len(bytes.TrimSpace(answer)) == 0 {
		return nil, nil
	}
	var resp twimlResponse
	if err := xml.Unmarshal(answer, &resp); err != nil {
		return nil, fmt.Errorf("parse TwiML: %w", err)
	}
	msgs := make([]twimlMessage, 0, len(resp.Messages))
	for _, m := range resp.Messages {
		if m.Body == "" {
			m.Body = strings.TrimSpace(m.Text)
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}
