package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type romeSkillJSON struct {
	ID    int    `json:"id"`
	Label string `json:"label"`
	Core  bool   `json:"core"`
}

// romeSkills lists the skills the ROME referential gives an occupation,
// core skills first, so that clients can offer its labels to choose from.
func (s *Server) romeSkills(c echo.Context) error {
	occ, err := s.svc.OccupationSkills(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	skills := make([]romeSkillJSON, len(occ.Skills))
	for i, sk := range occ.Skills {
		skills[i] = romeSkillJSON(sk)
	}
	return c.JSON(http.StatusOK, map[string]any{"rome_code": occ.ROMECode, "label": occ.Label, "skills": skills})
}
