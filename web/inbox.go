package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
)

// inboxLimit is how many replies the inbox shows; failuresLimit how many
// SMS that did not reach their job seeker.
const (
	inboxLimit    = 200
	failuresLimit = 50
)

// inboxView is the inbox page's data.
type inboxView struct {
	Items  []outreach.InboxItem
	Unread int
	// Failures are the offer SMS that did not reach the job seekers, for
	// the counsellor to reach them another way (the full page only).
	Failures []outreach.DeliveryFailure
}

// itemsPartial is what the items partial needs: the list and the CSRF
// token of its forms.
type itemsPartial struct {
	inboxView
	CSRF string
}

// itemsOf is the items partial of the inbox page p.
func itemsOf(p page) itemsPartial {
	v, _ := p.Data.(inboxView)
	return itemsPartial{inboxView: v, CSRF: p.CSRF}
}

// done maps the ?fait= codes of the redirects after an action to what
// the page then says.
var done = map[string]string{
	"traite":    "Réponse marquée comme traitée.",
	"rouvert":   "Réponse remise à traiter.",
	"corrige":   "Interprétation corrigée.",
	"sms":       "Votre SMS part dès que possible (hors heures calmes).",
	"transmise": "Liste transmise à l'employeur.",
}

// inboxPage shows the replies the viewer sees, newest first; with
// ?fragment=1, only the list (what the live update swaps in).
func (s *Server) inboxPage(c echo.Context) error {
	v, err := s.inbox(c)
	if err != nil {
		return err
	}
	if c.QueryParam("fragment") == "1" {
		return s.renderPartial(c, "items", itemsPartial{inboxView: v, CSRF: current(c).session.CSRFToken})
	}
	if v.Failures, err = s.svc.DeliveryFailures(c.Request().Context(), viewer(c), failuresLimit); err != nil {
		return err
	}
	p := page{Title: "Boîte de réception", Nav: "boite", Unread: v.Unread, Data: v}
	if msg, ok := done[c.QueryParam("fait")]; ok {
		p.Flash, p.FlashKind = msg, "ok"
	}
	return s.render(c, http.StatusOK, "inbox", p)
}

// inbox reads the replies the viewer sees, and records that they are
// shown.
func (s *Server) inbox(c echo.Context) (inboxView, error) {
	items, err := s.svc.InboxOf(c.Request().Context(), viewer(c), inboxLimit)
	if err != nil {
		return inboxView{}, err
	}
	if err := s.audit(c, inboxCandidates(items)); err != nil {
		return inboxView{}, err
	}
	v := inboxView{Items: items}
	for _, it := range items {
		if it.HandledAt == nil {
			v.Unread++
		}
	}
	return v, nil
}

// inboxEvents streams Server-Sent Events: one "inbox" event per new reply
// of the counsellors the viewer sees, whichever process took the webhook.
func (s *Server) inboxEvents(c echo.Context) error {
	ctx := c.Request().Context()
	ids, err := s.svc.InboxStreams(ctx, viewer(c))
	if err != nil {
		return err
	}
	events, err := s.hub.Subscribe(ctx, ids...)
	if err != nil {
		return err
	}
	// Its events carry ids only (the page then fetches the list, recorded
	// then): the connection is recorded, naming nobody.
	if err := s.audit(c, nil); err != nil {
		return err
	}
	live.WriteEvents(ctx, c.Response(), events)
	return nil
}

// itemID reads the :id of an inbox item route.
func itemID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "Réponse introuvable.")
	}
	return id, nil
}

// backToInbox redirects to the item in the inbox, saying what was done.
func backToInbox(c echo.Context, id int64, what string) error {
	return c.Redirect(http.StatusSeeOther, "/boite?fait="+what+"#item-"+strconv.FormatInt(id, 10))
}

// markHandled marks an item handled (handled=1) or to handle again.
func (s *Server) markHandled(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	handled := c.FormValue("handled") != "0"
	if err := s.svc.MarkHandled(c.Request().Context(), viewer(c), id, handled); err != nil {
		return s.inboxActionError(c, err)
	}
	if handled {
		return backToInbox(c, id, "traite")
	}
	return backToInbox(c, id, "rouvert")
}

// correctInterest records the counsellor's reading of a reply.
func (s *Server) correctInterest(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	interest := outreach.Interest(c.FormValue("interest"))
	if _, err := s.svc.CorrectInterest(c.Request().Context(), viewer(c), id, interest); err != nil {
		return s.inboxActionError(c, err)
	}
	return backToInbox(c, id, "corrige")
}

// answerBySMS sends the counsellor's answer to the job seeker.
func (s *Server) answerBySMS(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.AnswerBySMS(c.Request().Context(), viewer(c), id, c.FormValue("body")); err != nil {
		return s.inboxActionError(c, err)
	}
	return backToInbox(c, id, "sms")
}

// inboxActionError shows the inbox again with what was wrong (422), or a
// 404 for an item the viewer does not see.
func (s *Server) inboxActionError(c echo.Context, err error) error {
	var invalid *outreach.ValidationError
	switch {
	case errors.Is(err, outreach.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "Réponse introuvable.")
	case errors.As(err, &invalid):
		v, lerr := s.inbox(c)
		if lerr != nil {
			return lerr
		}
		return s.render(c, http.StatusUnprocessableEntity, "inbox", page{Title: "Boîte de réception", Nav: "boite",
			Unread: v.Unread, Data: v, Flash: frenchInvalid(invalid), FlashKind: "error"})
	}
	return err
}

// fieldMessages say in French what is wrong with a form field; other
// fields show the domain's message.
var fieldMessages = map[string]string{
	"body":     "Le SMS n'est pas parti : il doit contenir du texte et tenir en 2 SMS (306 caractères au plus), et le numéro ne doit pas s'être désinscrit.",
	"interest": "Choisissez « intéressé(e) », « pas intéressé(e) » ou « à préciser ».",
	"reason":   "Indiquez pourquoi vous allez contre la proposition par défaut.",
	// The employer never receives the data of a job seeker who did not say yes.
	"candidate_id": "Seul un candidat qui a répondu OUI peut être proposé à l'employeur.",
}

func frenchInvalid(e *outreach.ValidationError) string {
	if msg, ok := fieldMessages[e.Field]; ok {
		return msg + " (" + strings.TrimSpace(e.Message) + ")"
	}
	return e.Field + " : " + strings.TrimSpace(e.Message)
}
