package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// maxFormBody bounds the body of a page's request: the largest form, an
// offer's, takes a few kilobytes.
const maxFormBody = "64K"

// limitForm answers a 413 page to a body larger than maxFormBody, before
// anything reads it when its Content-Length says so: the form parser
// would otherwise read up to 10 MB, or spool a multipart body of any size
// to disk, even before the session and CSRF token are checked.
func limitForm(next echo.HandlerFunc) echo.HandlerFunc {
	limited := middleware.BodyLimit(maxFormBody)(next)
	return func(c echo.Context) error {
		err := limited(c)
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "Formulaire trop volumineux : 64 Ko au plus.")
		}
		return err
	}
}
