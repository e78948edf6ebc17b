package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

type insightJSON struct {
	OfferID  int64          `json:"offer_id"`
	Eligible map[string]int `json:"eligible"` // "10km", "30km", "50km"
	AtRadius struct {
		RadiusKM   float64 `json:"radius_km"`
		Candidates int     `json:"candidates"`
	} `json:"at_offer_radius"`
	Market struct {
		Department string   `json:"department"`
		Offers     int      `json:"offers"`
		Median     *float64 `json:"median"`
	} `json:"market"`
	HardToFill bool                `json:"hard_to_fill"`
	Reasons    []string            `json:"reasons"`
	Widen      []outreach.Widening `json:"widen"`
}

func (s *Server) insight(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in, err := s.svc.OfferInsight(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := insightJSON{OfferID: id, Eligible: map[string]int{}, HardToFill: in.HardToFill,
		Reasons: append([]string{}, in.Reasons...), Widen: append([]outreach.Widening{}, in.Widen...)}
	for r, n := range in.Eligible {
		out.Eligible[fmt.Sprintf("%dkm", r)] = n
	}
	out.AtRadius.RadiusKM, out.AtRadius.Candidates = in.RadiusKM, in.AtRadius
	out.Market.Department, out.Market.Offers, out.Market.Median = in.Department, in.MarketOffers, in.MarketMedian
	return c.JSON(http.StatusOK, out)
}
