// Package webhooks receives Twilio's form-encoded webhooks: inbound SMS
// and delivery status callbacks. Every request must carry a valid
// X-Twilio-Signature computed on the public URL; anything else is refused
// with 403 before it touches the database.
package webhooks

import (
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/twilio/twilio-go/client"

	"github.com/franceoutreach/outreach/outreach"
)

// Paths of the webhooks, relative to PUBLIC_URL.
const (
	InboundPath = "/webhooks/twilio/sms"
	StatusPath  = "/webhooks/twilio/status"
)

// maxBody bounds a webhook body: Twilio's are a few kilobytes.
const maxBody = 64 << 10

// Timeout bounds the handling of one webhook. Twilio gives up after 15 s;
// answering 503 before that makes it retry rather than log a timeout, and
// frees the connection and the database session a stuck request holds.
const Timeout = 10 * time.Second

// Replies is the use case the webhooks drive.
type Replies interface {
	HandleInbound(ctx context.Context, in outreach.Inbound) (outreach.InboundOutcome, error)
	HandleStatus(ctx context.Context, r outreach.StatusReport) (outreach.StatusOutcome, error)
}

// Handler serves the Twilio webhooks.
type Handler struct {
	replies   Replies
	validator client.RequestValidator
	publicURL string
	timeout   time.Duration
	log       *slog.Logger
	observer  Observer
}

// New returns a Handler verifying signatures with the auth token against
// publicURL, the externally visible base URL of the service.
func New(replies Replies, authToken, publicURL string, log *slog.Logger) *Handler {
	return &Handler{
		replies:   replies,
		validator: client.NewRequestValidator(authToken),
		publicURL: strings.TrimRight(publicURL, "/"),
		timeout:   Timeout,
		log:       log.With("component", "webhooks"),
		observer:  noObserver{},
	}
}

// SetTimeout changes the deadline of each webhook (Timeout by default);
// tests shorten it.
func (h *Handler) SetTimeout(d time.Duration) { h.timeout = d }

// Register mounts the webhooks on e.
func (h *Handler) Register(e *echo.Echo) {
	e.POST(InboundPath, h.inbound, h.observe(KindInbound), h.deadline, h.verify)
	e.POST(StatusPath, h.status, h.observe(KindStatus), h.deadline, h.verify)
}

// deadline gives the request's context the handler's timeout: a statement
// still waiting on the database then fails, and the handler answers 503.
func (h *Handler) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// verify checks the body size, parses the form and checks the signature.
func (h *Handler) verify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		req.Body = http.MaxBytesReader(c.Response(), req.Body, maxBody)
		if err := req.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return c.String(http.StatusRequestEntityTooLarge, "body too large")
			}
			return c.String(http.StatusBadRequest, "malformed form body")
		}
		params := make(map[string]string, len(req.PostForm))
		for k, v := range req.PostForm {
			params[k] = v[0]
		}
		url := h.publicURL + req.URL.RequestURI()
		if !h.validator.Validate(url, params, req.Header.Get("X-Twilio-Signature")) {
			h.log.WarnContext(req.Context(), "webhook refused: bad signature", "path", req.URL.Path)
			return c.String(http.StatusForbidden, "invalid Twilio signature")
		}
		return next(c)
	}
}

func (h *Handler) inbound(c echo.Context) error {
	f := c.Request().PostForm
	in := outreach.Inbound{
		MessageSID: f.Get("MessageSid"),
		From:       f.Get("From"),
		To:         f.Get("To"),
		Body:       f.Get("Body"),
	}
	if in.MessageSID == "" || in.From == "" {
		return c.String(http.StatusBadRequest, "MessageSid and From are required")
	}
	if !isIdentifier(in.MessageSID) || !isIdentifier(in.From) || !isIdentifier(in.To) {
		return c.String(http.StatusBadRequest, "MessageSid, From and To must be short UTF-8 text")
	}
	in.Body = storableText(in.Body)
	out, err := h.replies.HandleInbound(c.Request().Context(), in)
	if err != nil {
		// 503 makes Twilio retry; nothing was committed.
		h.log.ErrorContext(c.Request().Context(), "inbound sms not handled", "err", err, "phone", outreach.MaskPhone(in.From))
		return c.String(http.StatusServiceUnavailable, "temporarily unavailable")
	}
	if out.Duplicate {
		markDuplicate(c)
	}
	return twiml(c, out.Reply)
}

func (h *Handler) status(c echo.Context) error {
	f := c.Request().PostForm
	r := outreach.StatusReport{MessageSID: f.Get("MessageSid"), Status: f.Get("MessageStatus")}
	if r.MessageSID == "" || r.Status == "" {
		return c.String(http.StatusBadRequest, "MessageSid and MessageStatus are required")
	}
	if !isIdentifier(r.MessageSID) || !isIdentifier(r.Status) {
		return c.String(http.StatusBadRequest, "MessageSid and MessageStatus must be short UTF-8 text")
	}
	if code := f.Get("ErrorCode"); code != "" {
		n, err := strconv.Atoi(code)
		if err != nil {
			return c.String(http.StatusBadRequest, "ErrorCode must be a number")
		}
		r.ErrorCode = n
	}
	out, err := h.replies.HandleStatus(c.Request().Context(), r)
	if err != nil {
		h.log.ErrorContext(c.Request().Context(), "status callback not handled", "err", err, "sid", r.MessageSID)
		return c.String(http.StatusServiceUnavailable, "temporarily unavailable")
	}
	if out.Duplicate {
		markDuplicate(c)
	}
	return c.NoContent(http.StatusNoContent)
}

// maxIdentifier bounds the identifiers of a webhook (SIDs, numbers,
// statuses): Twilio's are a few dozen characters.
const maxIdentifier = 100

// isIdentifier reports whether s can be a SID, a number or a status:
// short UTF-8 text without NUL. Anything else could never be stored, and
// answering 503 would only make Twilio retry it.
func isIdentifier(s string) bool {
	return len(s) <= maxIdentifier && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// storableText keeps what a job seeker wrote even if it was garbled on
// the way: invalid UTF-8 becomes U+FFFD and NUL characters, which
// PostgreSQL cannot store, are dropped.
func storableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// twiml answers with a TwiML document, with one <Message> when reply is set.
func twiml(c echo.Context, reply string) error {
	type message struct {
		Body string `xml:",chardata"`
	}
	doc := struct {
		XMLName  xml.Name  `xml:"Response"`
		Messages []message `xml:"Message"`
	}{}
	if reply != "" {
		doc.Messages = append(doc.Messages, message{Body: reply})
	}
	b, err := xml.Marshal(doc)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/xml; charset=utf-8", append([]byte(xml.Header), b...))
}
