package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// Error is the body of every 4xx and 5xx answer: {"error":{...}}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Message }

func apiError(status int, code, message, field string) *Error {
	return &Error{Status: status, Code: code, Message: message, Field: field}
}

// handleError maps every error to its HTTP answer, in one place.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := s.toAPIError(err, c)
	if e.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(e.Status)
		return
	}
	_ = c.JSON(e.Status, map[string]*Error{"error": e})
}

func (s *Server) toAPIError(err error, c echo.Context) *Error {
	var (
		apiErr   *Error
		invalid  *outreach.ValidationError
		notFound *outreach.NotFoundError
		httpErr  *echo.HTTPError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &invalid):
		return apiError(http.StatusUnprocessableEntity, "invalid_field", invalid.Error(), invalid.Field)
	case errors.As(err, &notFound):
		return apiError(http.StatusNotFound, "not_found", notFound.Error(), "")
	case errors.Is(err, outreach.ErrNotFound):
		return apiError(http.StatusNotFound, "not_found", "not found", "")
	case errors.Is(err, outreach.ErrUnavailable), errors.As(err, new(net.Error)):
		// The database or Redis is down or restarting: try again shortly.
		c.Response().Header().Set("Retry-After", "5")
		return apiError(http.StatusServiceUnavailable, "unavailable", "temporarily unavailable, try again shortly", "")
	case errors.As(err, &httpErr):
		msg := http.StatusText(httpErr.Code)
		if m, ok := httpErr.Message.(string); ok {
			msg = m
		}
		return apiError(httpErr.Code, strings.ReplaceAll(strings.ToLower(http.StatusText(httpErr.Code)), " ", "_"), msg, "")
	}
	return apiError(http.StatusInternalServerError, "internal", "internal error", "")
}

// decodeJSON reads a JSON body strictly: unknown fields, wrong types and
// trailing data are 400 errors naming the field. A body that is not UTF-8
// is refused too, rather than stored with its bad bytes replaced.
func decodeJSON(c echo.Context, maxBytes int64, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBytes))
	if err != nil {
		return jsonError(err)
	}
	if !utf8.Valid(body) {
		return apiError(http.StatusBadRequest, "malformed_json", "body must be UTF-8 text", "")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apiError(http.StatusBadRequest, "malformed_json", "body must hold a single JSON object", "")
	}
	return nil
}

func jsonError(err error) *Error {
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
		maxErr    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &typeErr):
		return apiError(http.StatusBadRequest, "malformed_json",
			fmt.Sprintf("%s must be of type %s", typeErr.Field, typeErr.Type), typeErr.Field)
	case errors.As(err, &syntaxErr):
		return apiError(http.StatusBadRequest, "malformed_json", fmt.Sprintf("invalid JSON at byte %d", syntaxErr.Offset), "")
	case errors.As(err, &maxErr):
		return apiError(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body larger than %d bytes", maxErr.Limit), "")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return apiError(http.StatusBadRequest, "malformed_json", "body is empty or truncated", "")
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(field, `"`)
		return apiError(http.StatusBadRequest, "unknown_field", "unknown field "+field, field)
	}
	return apiError(http.StatusBadRequest, "malformed_json", err.Error(), "")
}
