package simulator

import (
	"context"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Message directions recorded by the simulator.
const (
	DirectionOutboundAPI   = "outbound-api"   // sent through Messages.json
	DirectionOutboundReply = "outbound-reply" // a TwiML <Message> answering an inbound SMS
)

// Message is an SMS the service sent to a job seeker, as the simulator
// recorded it.
type Message struct {
	SID                 string    `json:"sid"`
	AccountSID          string    `json:"account_sid"`
	MessagingServiceSID string    `json:"messaging_service_sid,omitempty"`
	From                string    `json:"from"`
	To                  string    `json:"to"`
	Body                string    `json:"body"`
	Status              string    `json:"status"`
	ErrorCode           int       `json:"error_code,omitempty"`
	StatusCallback      string    `json:"status_callback,omitempty"`
	Segments            int       `json:"segments"`
	Direction           string    `json:"direction"`
	CreatedAt           time.Time `json:"created_at"`
}

// Behaviour programs what happens to messages sent to one phone number.
type Behaviour struct {
	RejectCode  int    // Twilio error code Messages.json answers with (400), e.g. 21211, 21610, 21614; 0 accepts
	FinalStatus string // "delivered" (default), "undelivered" or "failed"
	ErrorCode   int    // error code of the final status callback (default 30003 when undelivered, 30008 when failed)
}

// rejectMessages are the texts Twilio gives with the error codes tests use.
var rejectMessages = map[int]string{
	21211: "The 'To' number is not a valid phone number.",
	21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
	21610: "Attempt to send to unsubscribed recipient",
	21612: "The 'To' phone number is not currently reachable via SMS",
	21614: "'To' number is not a valid mobile number",
}

// outage makes the next Messages.json posts fail.
type outage struct {
	status int
	left   int // < 0: until cleared
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// Messages returns the messages recorded for phone number to, or all of
// them when to is empty, oldest first.
func (s *Server) Messages(to string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(to)
}

func (s *Server) messagesLocked(to string) []Message {
	out := []Message{}
	for _, m := range s.messages {
		if to == "" || m.To == to {
			out = append(out, *m)
		}
	}
	return out
}

// WaitForMessages blocks until at least n messages were recorded for to
// (all numbers when to is empty) and returns them, or returns ctx's error.
func (s *Server) WaitForMessages(ctx context.Context, to string, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		msgs := s.messagesLocked(to)
		changed := s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-ctx.Done():
			return msgs, ctx.Err()
		case <-changed:
		}
	}
}

// SetBehaviour programs the outcome of messages to phone. The zero
// Behaviour restores the default: accepted, then delivered.
func (s *Server) SetBehaviour(phone string, b Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b == (Behaviour{}) {
		delete(s.behaviours, phone)
		return
	}
	s.behaviours[phone] = b
}

// SetOutage makes the next count Messages.json posts answer status with a
// Twilio JSON error (e.g. 503 or 429). A negative count lasts until
// SetOutage(0, 0).
func (s *Server) SetOutage(status int, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = outage{status: status, left: count}
}

// flakiness makes a share of Messages.json posts fail at random.
type flakiness struct {
	share    float64
	statuses []int
}

// SetFlakiness makes each Messages.json post fail with probability share,
// answering one of statuses (e.g. 429 and 500) at random; share 0 stops it.
// Failed posts record nothing, as at Twilio.
func (s *Server) SetFlakiness(share float64, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flaky = flakiness{share: share, statuses: statuses}
}

// takeOutage returns the status to fail the current post with, or 0.
func (s *Server) takeOutage() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flaky; f.share > 0 && len(f.statuses) > 0 && rand.Float64() < f.share {
		return f.statuses[rand.IntN(len(f.statuses))]
	}
	if s.outage.status == 0 || s.outage.left == 0 {
		return 0
	}
	if s.outage.left > 0 {
		s.outage.left--
	}
	return s.outage.status
}

func (s *Server) behaviour(phone string) Behaviour {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.behaviours[phone]
}

// record stores m and wakes up WaitForMessages.
func (s *Server) record(m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	s.bySID[m.SID] = m
	s.notifyLocked()
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// handleCreateMessage serves Twilio's "create a Message" endpoint.
func (s *Server) handleCreateMessage(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) || r.PathValue("AccountSid") != s.cfg.AccountSID {
		writeAuthError(w)
		return
	}
	if status := s.takeOutage(); status != 0 {
		s.log.Warn("simulated outage", "status", status)
		writeError(w, status, 20000+status, http.StatusText(status))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Could not parse the request body")
		return
	}
	to, from, service := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("MessagingServiceSid")
	body := r.PostForm.Get("Body")
	if code, msg := s.refusal(to, from, service, body); code != 0 {
		s.log.Info("sms refused", "to", maskPhone(to), "code", code)
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}

	m := &Message{
		SID:                 newSID("SM"),
		AccountSID:          s.cfg.AccountSID,
		MessagingServiceSID: service,
		From:                from,
		To:                  to,
		Body:                body,
		Status:              "queued",
		StatusCallback:      r.PostForm.Get("StatusCallback"),
		Segments:            countSegments(body),
		Direction:           DirectionOutboundAPI,
		CreatedAt:           time.Now().UTC(),
	}
	if service != "" {
		m.Status = "accepted"
	}
	if from == "" {
		m.From = s.cfg.PhoneNumber
	}
	accepted := *m // m changes under s.mu once recorded
	s.record(m)
	s.log.Info("sms accepted", "sid", m.SID, "to", maskPhone(to), "segments", m.Segments)
	writeJSON(w, http.StatusCreated, resourceOf(accepted))
	s.goBackground(func(ctx context.Context) { s.deliver(ctx, m.SID) })
}

// refusal returns the Twilio error code and message Messages.json refuses
// a message with, or 0 when it accepts it.
func (s *Server) refusal(to, from, service, body string) (int, string) {
	switch {
	case !e164.MatchString(to):
		return 21211, "The 'To' number " + to + " is not a valid phone number."
	case from == "" && service == "":
		return 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message"
	case body == "":
		return 21602, "Message body is required."
	}
	code := s.behaviour(to).RejectCode
	if code == 0 {
		return 0, ""
	}
	msg, ok := rejectMessages[code]
	if !ok {
		msg = "Message rejected by the simulator"
	}
	return code, msg
}

// messageResource is a Message as Twilio's REST API represents it.
type messageResource struct {
	SID                 string            `json:"sid"`
	AccountSID          string            `json:"account_sid"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	From                string            `json:"from"`
	To                  string            `json:"to"`
	Body                string            `json:"body"`
	Status              string            `json:"status"`
	NumSegments         string            `json:"num_segments"`
	NumMedia            string            `json:"num_media"`
	Direction           string            `json:"direction"`
	APIVersion          string            `json:"api_version"`
	DateCreated         string            `json:"date_created"`
	DateUpdated         string            `json:"date_updated"`
	DateSent            *string           `json:"date_sent"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	URI                 string            `json:"uri"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
}

func resourceOf(m Message) messageResource {
	uri := "/2010-04-01/Accounts/" + m.AccountSID + "/Messages/" + m.SID
	created := m.CreatedAt.Format(time.RFC1123Z)
	res := messageResource{
		SID:             m.SID,
		AccountSID:      m.AccountSID,
		From:            m.From,
		To:              m.To,
		Body:            m.Body,
		Status:          m.Status,
		NumSegments:     strconv.Itoa(m.Segments),
		NumMedia:        "0",
		Direction:       m.Direction,
		APIVersion:      "2010-04-01",
		DateCreated:     created,
		DateUpdated:     created,
		PriceUnit:       "USD",
		URI:             uri + ".json",
		SubresourceURIs: map[string]string{"media": uri + "/Media.json"},
	}
	if m.MessagingServiceSID != "" {
		res.MessagingServiceSID = &m.MessagingServiceSID
	}
	return res
}

// handleReadMessages serves Twilio's message list: the account's messages,
// newest first, filtered by To and From, one page of PageSize (default 50,
// at most 1000), in Twilio's list envelope. Enough for twilio-go's
// ListMessage, which the outbox sweep uses to find an SMS whose SID was
// never recorded.
func (s *Server) handleReadMessages(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) || r.PathValue("AccountSid") != s.cfg.AccountSID {
		writeAuthError(w)
		return
	}
	q := r.URL.Query()
	size := 50
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, 20001, "Invalid PageSize")
			return
		}
		size = min(n, 1000)
	}
	to, from := q.Get("To"), q.Get("From")
	s.mu.Lock()
	page := []messageResource{}
	for i := len(s.messages) - 1; i >= 0 && len(page) < size; i-- {
		m := s.messages[i]
		if (to == "" || m.To == to) && (from == "" || m.From == from) {
			page = append(page, resourceOf(*m))
		}
	}
	s.mu.Unlock()
	uri := r.URL.RequestURI()
	writeJSON(w, http.StatusOK, map[string]any{
		"messages":          page,
		"first_page_uri":    uri,
		"next_page_uri":     nil,
		"previous_page_uri": nil,
		"page":              0,
		"page_size":         size,
		"start":             0,
		"end":               max(len(page)-1, 0),
		"uri":               uri,
	})
}
