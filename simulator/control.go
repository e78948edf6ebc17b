package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The control API lets a demo or a test drive the simulator over HTTP,
// with the account's Basic credentials.

type inboundRequest struct {
	From string `json:"from"`
	Body string `json:"body"`
}

type inboundResponse struct {
	MessageSid string   `json:"message_sid"`
	StatusCode int      `json:"status_code"`
	Replies    []string `json:"replies"`
}

type numberRequest struct {
	Phone       string `json:"phone"`
	RejectCode  int    `json:"reject_code"`
	FinalStatus string `json:"final_status"`
	ErrorCode   int    `json:"error_code"`
}

type outageRequest struct {
	Status int `json:"status"`
	Count  int `json:"count"`
}

// handleListMessages serves GET /messages?to=+33...
func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if strings.HasPrefix(to, " ") { // an unescaped "+" in the query reads as a space
		to = "+" + to[1:]
	}
	writeJSON(w, http.StatusOK, map[string][]Message{"messages": s.Messages(to)})
}

// handleInbound serves POST /inbound: the job seeker replies.
func (s *Server) handleInbound(w http.ResponseWriter, r *http.Request) {
	var req inboundRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if !e164.MatchString(req.From) {
		writeError(w, http.StatusBadRequest, 0, "from must be in E.164 format")
		return
	}
	res, err := s.Reply(r.Context(), req.From, req.Body)
	if err != nil {
		writeError(w, http.StatusBadGateway, 0, err.Error())
		return
	}
	if res.Replies == nil {
		res.Replies = []string{}
	}
	writeJSON(w, http.StatusOK, inboundResponse{
		MessageSid: res.MessageSid,
		StatusCode: res.StatusCode,
		Replies:    res.Replies,
	})
}

// handleNumbers serves POST /numbers: program a recipient's outcome.
func (s *Server) handleNumbers(w http.ResponseWriter, r *http.Request) {
	var req numberRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if !e164.MatchString(req.Phone) {
		writeError(w, http.StatusBadRequest, 0, "phone must be in E.164 format")
		return
	}
	switch req.FinalStatus {
	case "", "delivered", "undelivered", "failed":
	default:
		writeError(w, http.StatusBadRequest, 0, "final_status must be delivered, undelivered or failed")
		return
	}
	s.SetBehaviour(req.Phone, Behaviour{
		RejectCode:  req.RejectCode,
		FinalStatus: req.FinalStatus,
		ErrorCode:   req.ErrorCode,
	})
	w.WriteHeader(http.StatusNoContent)
}

// handleOutage serves POST /outage.
func (s *Server) handleOutage(w http.ResponseWriter, r *http.Request) {
	var req outageRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Status != 0 && (req.Status < 400 || req.Status > 599) {
		writeError(w, http.StatusBadRequest, 0, "status must be an HTTP error status, or 0 to clear")
		return
	}
	s.SetOutage(req.Status, req.Count)
	w.WriteHeader(http.StatusNoContent)
}

// decodeJSON reads r's JSON body into v, or answers 400 and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, 0, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}
