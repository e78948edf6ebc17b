package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// importPath is the route of the import of job seekers, whose bodies are
// larger than the others'.
const importPath = "/api/v1/candidates/import"

// limitBodies bounds the body of every /api/v1 route: maxImportBody for an
// import of job seekers, maxJSONBody for the others (see limitBody).
func limitBodies(next echo.HandlerFunc) echo.HandlerFunc {
	json, imports := limitBody(maxJSONBody, next), limitBody(maxImportBody, next)
	return func(c echo.Context) error {
		if c.Path() == importPath {
			return imports(c)
		}
		return json(c)
	}
}

// limitBody refuses a body larger than max bytes with a 413: before the
// handler reads it when its Content-Length says so, and as soon as the
// handler reads past max otherwise. A route that reads no body, or reads
// it with a decoder that sets no limit of its own, still takes no more.
func limitBody(max int64, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > max {
			return apiError(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("body larger than %d bytes", max), "")
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, max)
		return next(c)
	}
}
