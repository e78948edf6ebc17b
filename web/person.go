package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// personPage shows the SMS exchanged with one job seeker the viewer
// follows, oldest first.
func (s *Server) personPage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound, "Personne introuvable.")
	}
	thread, err := s.svc.Thread(c.Request().Context(), viewer(c), id)
	if errors.Is(err, outreach.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "Personne introuvable.")
	}
	if err != nil {
		return err
	}
	if err := s.audit(c, []int64{id}); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "person", page{Title: "Conversation", Nav: "boite", Data: thread})
}
