package web

import "github.com/labstack/echo/v4"

// registerApp mounts the counsellor's pages (inbox, offers, shortlist,
// dashboard) on the signed-in group.
func (s *Server) registerApp(app *echo.Group) {
	app.GET("/boite", s.inboxPage)
	app.GET("/boite/flux", s.inboxEvents)
	app.POST("/boite/:id/traitement", s.markHandled)
	app.POST("/boite/:id/interpretation", s.correctInterest)
	app.POST("/boite/:id/reponse", s.answerBySMS)
	app.GET("/personnes/:id", s.personPage)
	app.GET("/offres/:id/liste", s.shortlistPage)
	app.POST("/offres/:id/liste/:candidate", s.decide)
	app.POST("/offres/:id/transmettre", s.refer)
	s.registerOffers(app)
}
