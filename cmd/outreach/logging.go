package main

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// newLogHandler is the handler of every command's logs: JSON lines, with
// the request ID of the request being handled (see requestID) on the
// records logged with a context, and a last net for phone numbers (see
// maskPhones) under the masking each log call already does.
func newLogHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: maskPhoneAttr})}
}

// requestIDKey keys the request ID in a request's context.
type requestIDKey struct{}

// withRequestID returns ctx carrying the request ID id.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// requestIDFrom returns the request ID ctx carries, "" when none.
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID is Echo's RequestID middleware (the X-Request-Id of the
// request, from a proxy in front, or a new one, echoed in the answer) that
// also puts the ID in the request's context, so that every log line
// written with that context names it.
func requestID() echo.MiddlewareFunc {
	withID := middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			c.SetRequest(c.Request().WithContext(withRequestID(c.Request().Context(), id)))
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := withID(next)
		return func(c echo.Context) error {
			// The ID goes to the logs and the audit log: one a client sends
			// is kept only if it looks like one, else a new one is made.
			if !validRequestID(c.Request().Header.Get(echo.HeaderXRequestID)) {
				c.Request().Header.Del(echo.HeaderXRequestID)
			}
			return h(c)
		}
	}
}

// validRequestID accepts 1 to 64 letters, digits, '-', '_' and '.'.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// requestIDHandler adds request_id to the records logged with a context
// that carries one (the *Context methods of slog.Logger).
type requestIDHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// maskPhoneAttr masks the phone numbers in the message and in every text
// attribute, errors included, of a record.
func maskPhoneAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); mayHoldPhone(s) {
			a.Value = slog.StringValue(maskPhones(s))
		}
	case slog.KindAny:
		switch v := a.Value.Any().(type) {
		case error:
			a.Value = slog.StringValue(maskPhones(v.Error()))
		default:
			// Named string types (outreach.Intent, ...) are not KindString.
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.String && mayHoldPhone(rv.String()) {
				a.Value = slog.StringValue(maskPhones(rv.String()))
			}
		}
	}
	return a
}

// phonePattern finds phone numbers as they can reach a log line: E.164
// (+33612345678, +44...), French international with separators (+33 6 12
// 34 56 78, 0033...), URL-encoded (%2B33...) and French national (06 12 34
// 56 78, 06.12.34.56.78, 0612345678).
var phonePattern = regexp.MustCompile(
	`(?:\+|%2[Bb]|00)33[ .]?[1-9](?:[ .-]?\d{2}){4}` +
		`|(?:\+|%2[Bb])[1-9]\d{7,14}` +
		`|0[1-9](?:[ .-]?\d{2}){4}`)

// mayHoldPhone is a quick test before the pattern: a phone number has at
// least 9 digits.
func mayHoldPhone(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if n++; n >= 9 {
				return true
			}
		}
	}
	return false
}

// maskPhones replaces every digit but the last two of each phone number
// in s by "*", keeping its separators: "+33612345678" becomes
// "+*********78". A run of digits that is part of a longer word or
// number (an ID, a SID) is left alone.
func maskPhones(s string) string {
	if !mayHoldPhone(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range phonePattern.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if (start > 0 && isWordByte(s[start-1])) || (end < len(s) && isWordByte(s[end])) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(maskDigits(s[start:end]))
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskDigits replaces every digit of a phone number but the last two by
// "*". The "2" of a URL-encoded "+" (%2B) is kept.
func maskDigits(phone string) string {
	b := []byte(phone)
	keep := 2
	from := 0
	if strings.HasPrefix(phone, "%2") {
		from = 2
	}
	for i := len(b) - 1; i >= from; i-- {
		if b[i] < '0' || b[i] > '9' {
			continue
		}
		if keep > 0 {
			keep--
			continue
		}
		b[i] = '*'
	}
	return string(b)
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
