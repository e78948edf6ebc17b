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

// Replies is the use case the webhooks drive.
type Replies interface {
	HandleInbound(ctx context.Context, in outreach.Inbound) (outreach.InboundOutcome, error)
	HandleStatus(ctx context.Context, r outreach.StatusReport) (bool, error)
}

// Handler serves the Twilio webhooks.
type Handler struct {
	replies   Replies
	validator client.RequestValidator
	publicURL string
	log       *slog.Logger
}

// New returns a Handler verifying signatures with the auth token against
// publicURL, the externally visible base URL of the service.
func New(replies Replies, authToken, publicURL string, log *slog.Logger) *Handler {
	return &Handler{
		replies:   replies,
		validator: client.NewRequestValidator(authToken),
		publicURL: strings.TrimRight(publicURL, "/"),
		log:       log.With("component", "webhooks"),
	}
}

// Register mounts the webhooks on e.
func (h *Handler) Register(e *echo.Echo) {
	e.POST(InboundPath, h.inbound, h.verify)
	e.POST(StatusPath, h.status, h.verify)
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
			h.log.Warn("webhook refused: bad signature", "path", req.URL.Path)
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
	out, err := h.replies.HandleInbound(c.Request().Context(), in)
	if err != nil {
		// 503 makes Twilio retry; nothing was committed.
		h.log.Error("inbound sms not handled", "err", err, "phone", outreach.MaskPhone(in.From))
		return c.String(http.StatusServiceUnavailable, "temporarily unavailable")
	}
	return twiml(c, out.Reply)
}

func (h *Handler) status(c echo.Context) error {
	f := c.Request().PostForm
	r := outreach.StatusReport{MessageSID: f.Get("MessageSid"), Status: f.Get("MessageStatus")}
	if r.MessageSID == "" || r.Status == "" {
		return c.String(http.StatusBadRequest, "MessageSid and MessageStatus are required")
	}
	if code := f.Get("ErrorCode"); code != "" {
		n, err := strconv.Atoi(code)
		if err != nil {
			return c.String(http.StatusBadRequest, "ErrorCode must be a number")
		}
		r.ErrorCode = n
	}
	if _, err := h.replies.HandleStatus(c.Request().Context(), r); err != nil {
		h.log.Error("status callback not handled", "err", err, "sid", r.MessageSID)
		return c.String(http.StatusServiceUnavailable, "temporarily unavailable")
	}
	return c.NoContent(http.StatusNoContent)
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
