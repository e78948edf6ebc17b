package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// TestEmployerSeesOnlyYes: the employer never receives the data of a job
// seeker who did not say yes. Those who said NON, were unclear, never
// answered, said yes then STOP, or said yes then were corrected to no
// cannot be proposed (the API and the web app refuse it, 422), are not
// referred, and are not on the employer's page; those referred who then
// send STOP or are corrected to no leave it, and the employer can no
// longer set their status.
func TestEmployerSeesOnlyYes(t *testing.T) {
	w := newGDPRWorld(t)
	ctx := w.ctx
	names := map[string]string{"E-YES": "Yvonne", "E-NO": "Noé", "E-UNCLEAR": "Ugo", "E-SILENT": "Sacha",
		"E-YES-STOP": "Stella", "E-YES-NO": "Corentin", "E-LATE-STOP": "Léon", "E-LATE-NO": "Lina"}
	order := []string{"E-YES", "E-NO", "E-UNCLEAR", "E-SILENT", "E-YES-STOP", "E-YES-NO", "E-LATE-STOP", "E-LATE-NO"}
	for i, ext := range order {
		w.person(ext, names[ext], fmt.Sprintf("06399851%02d", i))
	}
	offerID, ref := w.offer("OF-EMPLOYER", nil)
	w.launch(offerID, len(order))
	replies := map[string][]string{"E-YES": {"OUI " + ref}, "E-NO": {"NON " + ref}, "E-UNCLEAR": {"je ne sais pas encore"},
		"E-YES-STOP": {"OUI " + ref, "STOP"}, "E-YES-NO": {"OUI " + ref}, "E-LATE-STOP": {"OUI " + ref}, "E-LATE-NO": {"OUI " + ref}}
	for _, ext := range order {
		for _, body := range replies[ext] {
			w.reply(w.people[ext].phone, body)
		}
	}
	correct := func(ext string) {
		t.Helper()
		if _, err := w.stack.svc.CorrectInterest(ctx, w.viewer(), w.latestItem(w.people[ext]), outreach.InterestDeclined); err != nil {
			t.Fatalf("correct %s to no: %v", ext, err)
		}
	}
	correct("E-YES-NO")

	// A counsellor tries to propose each of those who did not say yes.
	cookie, csrf, err := operatorSession(ctx, postgres.NewStore(w.stack.pool), w.counsellor)
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"E-NO", "E-UNCLEAR", "E-SILENT", "E-YES-STOP", "E-YES-NO"} {
		p := w.people[ext]
		code, body := w.raw(http.MethodPut, fmt.Sprintf("/api/v1/offers/%d/shortlist/%d", offerID, p.id), "application/json",
			fmt.Sprintf(`{"counsellor_id":%d,"proposed":true,"reason":"Je le connais bien"}`, w.counsellor), w.auth())
		t.Run("API refuses "+ext, func(t *testing.T) { checkAPIError(t, code, body, 422, "invalid_field", "candidate_id") })
		form := url.Values{"csrf": {csrf}, "proposed": {"1"}, "reason": {"Je le connais bien"}}
		code, body = w.raw(http.MethodPost, fmt.Sprintf("/offres/%d/liste/%d", offerID, p.id), "application/x-www-form-urlencoded",
			form.Encode(), map[string]string{"Cookie": "outreach_session=" + cookie})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Seul un candidat qui a répondu OUI") {
			t.Errorf("web app proposing %s: %d, want 422 saying only a yes can be proposed", ext, code)
		}
	}
	var referred struct {
		Referred []shortlistEntry `json:"referred"`
	}
	w.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/referral", offerID), map[string]any{"counsellor_id": w.counsellor},
		&referred, http.StatusOK)
	var got []string
	for _, c := range referred.Referred {
		got = append(got, c.FirstName)
	}
	slices.Sort(got)
	if want := []string{"Lina", "Léon", "Yvonne"}; !slices.Equal(got, want) {
		t.Errorf("referred %v, want Yvonne, Léon and Lina", got)
	}
	w.onEmployerPage(offerID, "Yvonne", "Léon", "Lina")

	// Léon sends STOP and Lina is corrected to no, after the referral.
	w.reply(w.people["E-LATE-STOP"].phone, "STOP")
	correct("E-LATE-NO")
	w.onEmployerPage(offerID, "Yvonne")
	for _, ext := range []string{"E-LATE-STOP", "E-LATE-NO"} {
		err := w.stack.svc.SetEmployerStatus(ctx, offerID, w.contactID(offerID, ext), outreach.EmployerInterviewed)
		if !errors.Is(err, outreach.ErrNotFound) {
			t.Errorf("employer status of %s after they left the list: %v, want not found", ext, err)
		}
	}
	if err := w.stack.svc.SetEmployerStatus(ctx, offerID, w.contactID(offerID, "E-YES"), outreach.EmployerInterviewed); err != nil {
		t.Errorf("employer status of Yvonne: %v", err)
	}
}

// onEmployerPage checks that the employer's page of the offer shows the
// first names want, and no other job seeker of the world.
func (w *gdprWorld) onEmployerPage(offerID int64, want ...string) {
	w.t.Helper()
	page := w.employerPage(offerID)
	shown := map[string]bool{}
	for _, p := range w.people {
		if strings.Contains(page, p.name) {
			shown[p.name] = true
		}
		if strings.Contains(page, p.phone[1:]) != shown[p.name] { // html/template writes the + as &#43;
			w.t.Errorf("employer page: %s's name shown %v, number shown %v", p.name, shown[p.name], !shown[p.name])
		}
	}
	for _, name := range want {
		if !shown[name] {
			w.t.Errorf("employer page lacks %s", name)
		}
		delete(shown, name)
	}
	for name := range shown {
		w.t.Errorf("employer page shows %s, who did not say yes (or no longer does)", name)
	}
}
