package api

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
)

type inboxItemJSON struct {
	ID        int64      `json:"id"`
	CreatedAt time.Time  `json:"created_at"`
	HandledAt *time.Time `json:"handled_at"`
	Candidate struct {
		ID          int64  `json:"id,omitempty"`
		ExternalID  string `json:"external_id,omitempty"`
		FirstName   string `json:"first_name,omitempty"`
		PhoneMasked string `json:"phone_masked"`
	} `json:"candidate"`
	Offer *struct {
		ID        int64  `json:"id"`
		Title     string `json:"title"`
		Reference string `json:"reference"`
	} `json:"offer"`
	Body     string  `json:"body"`
	Intent   string  `json:"intent"`
	Interest *string `json:"interest"`
	Link     string  `json:"link"`
	Late     bool    `json:"late"` // came once the campaign closed: changed no interest
	// Screening is set on an answer to a pre-screening question.
	Screening *inboxScreeningJSON `json:"screening,omitempty"`
}

func inboxItemView(it outreach.InboxItem) inboxItemJSON {
	var v inboxItemJSON
	v.ID, v.CreatedAt, v.HandledAt = it.ID, it.CreatedAt, it.HandledAt
	v.Candidate.ID, v.Candidate.ExternalID, v.Candidate.FirstName = it.CandidateID, it.ExternalID, it.FirstName
	v.Candidate.PhoneMasked = it.PhoneMasked
	if it.OfferID != 0 {
		v.Offer = &struct {
			ID        int64  `json:"id"`
			Title     string `json:"title"`
			Reference string `json:"reference"`
		}{it.OfferID, it.OfferTitle, it.OfferRef}
	}
	v.Body, v.Intent, v.Link, v.Late = it.Body, string(it.Intent), string(it.Link), it.Late
	v.Screening = inboxScreeningView(it)
	if it.Interest != "" {
		in := string(it.Interest)
		v.Interest = &in
	}
	return v
}

func (s *Server) inbox(c echo.Context) error {
	id, err := queryInt(c, "counsellor_id", 0)
	if err != nil {
		return err
	}
	if id <= 0 {
		return apiError(http.StatusBadRequest, "invalid_query", "counsellor_id is required", "counsellor_id")
	}
	limit, err := queryInt(c, "limit", 100)
	if err != nil {
		return err
	}
	items, err := s.svc.Inbox(c.Request().Context(), int64(id), limit)
	if err != nil {
		return err
	}
	out := make([]inboxItemJSON, len(items))
	for i, it := range items {
		out[i] = inboxItemView(it)
	}
	return c.JSON(http.StatusOK, map[string]any{"counsellor_id": id, "items": out})
}

// requireInboxLink lets through only a correctly signed inbox link.
func (s *Server) requireInboxLink(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "counsellor")
		if err != nil {
			return err
		}
		if !s.links.Valid(id, c.QueryParam("sig")) {
			return c.HTML(http.StatusForbidden, "<!doctype html><meta charset=utf-8><title>Accès refusé</title><p>Ce lien de boîte de réception n'est pas valide.</p>")
		}
		c.Set("counsellor", id)
		return next(c)
	}
}

//go:embed templates/*.html
var templateFiles embed.FS

var inboxTemplate = template.Must(template.New("inbox.html").Funcs(template.FuncMap{
	"label":     intentLabel,
	"screening": screeningLabel,
	"when":      func(t time.Time) string { return t.In(paris).Format("02/01 15:04") },
}).ParseFS(templateFiles, "templates/inbox.html"))

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func intentLabel(i outreach.Intent) string {
	switch i {
	case outreach.IntentYes:
		return "Intéressé(e)"
	case outreach.IntentNo:
		return "Pas intéressé(e)"
	case outreach.IntentStop:
		return "Désinscrit(e)"
	case outreach.IntentStart:
		return "Réinscrit(e)"
	case outreach.IntentHelp:
		return "Demande d'aide"
	}
	return "À lire"
}

func (s *Server) inboxPage(c echo.Context) error {
	id := c.Get("counsellor").(int64)
	ctx := c.Request().Context()
	co, err := s.svc.Counsellor(ctx, id)
	if err != nil {
		return err
	}
	items, err := s.svc.Inbox(ctx, id, 200)
	if err != nil {
		return err
	}
	failures, err := s.svc.DeliveryFailures(ctx, id, 50)
	if err != nil {
		return err
	}
	unread := 0
	for _, it := range items {
		if it.HandledAt == nil {
			unread++
		}
	}
	fragment := c.QueryParam("fragment") == "1"
	var delays []delayLine
	if !fragment { // the list alone, refreshed on each new item
		t, err := s.svc.Timings(ctx, outreach.TimingsFilter{CounsellorID: id})
		if err != nil {
			return err
		}
		delays = delayLines(t)
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return inboxTemplate.Execute(c.Response(), map[string]any{
		"Counsellor": co, "Items": items, "Unread": unread, "Failures": failures, "Delays": delays,
		"Fragment": fragment, "Sig": c.QueryParam("sig"),
	})
}

// inboxEvents streams Server-Sent Events: one "inbox" event per new item.
func (s *Server) inboxEvents(c echo.Context) error {
	id := c.Get("counsellor").(int64)
	ctx := c.Request().Context()
	events, err := s.hub.Subscribe(ctx, id)
	if err != nil {
		return err
	}
	live.WriteEvents(ctx, c.Response(), events)
	return nil
}
