package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// TestCounsellorRecordsConsentAfterStop: a STOP takes the job seeker out
// of every offer; only START or the counsellor re-recording consent (with
// its source) brings them back, and re-posting their record does not.
func TestCounsellorRecordsConsentAfterStop(t *testing.T) {
	e := startE2E(t)
	var co struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "rc@agence.example", "name": "RC", "agency": "Lyon"}, &co, http.StatusCreated)
	p := loopPeople(co.ID)[0]
	var cand struct {
		ID    int64
		Phone string
	}
	e.must(http.MethodPost, "/api/v1/candidates", p.body, &cand, http.StatusCreated)
	var offer struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/offers", offerBody(co.ID, "OF-RC"), &offer, http.StatusCreated)
	matched := func() int {
		var m struct{ Matches []any }
		e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/matches", offer.ID), nil, &m, http.StatusOK)
		return len(m.Matches)
	}
	if matched() != 1 {
		t.Fatal("candidate not matched before STOP")
	}
	if res, err := e.stack.sim.Reply(context.Background(), cand.Phone, "Stop SMS"); err != nil || len(res.Replies) != 1 {
		t.Fatalf("STOP: %v %+v", err, res)
	}
	e.must(http.MethodPost, "/api/v1/candidates", p.body, nil, http.StatusOK) // a nightly sync re-posts the record
	if n := matched(); n != 0 {
		t.Fatalf("after STOP and a re-post, %d matches, want 0", n)
	}
	consent := fmt.Sprintf("/api/v1/candidates/%d/consent", cand.ID)
	auth := map[string]string{"Authorization": "Bearer " + e.cfg.APIToken}
	if code, body := e.raw("POST", consent, "application/json", `{}`, auth); code != 422 || !contains(body, `"field":"source"`) {
		t.Errorf("consent without source: %d %s", code, body)
	}
	e.must(http.MethodPost, consent, map[string]string{"source": "entretien du 23/11, accord oral"}, nil, http.StatusNoContent)
	if n := matched(); n != 1 {
		t.Errorf("after consent re-recorded, %d matches, want 1", n)
	}
	var events []string
	rows, err := e.stack.pool.Query(context.Background(), `SELECT action || ' ' || source FROM consent_events WHERE phone = $1 ORDER BY id`, cand.Phone)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ev string
		_ = rows.Scan(&ev)
		events = append(events, ev)
	}
	if fmt.Sprint(events) != "[opt_out sms opt_in counsellor: entretien du 23/11, accord oral]" {
		t.Errorf("consent history %q", events)
	}
}
