package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
)

// TestEraseCandidateEverywhere runs the whole loop for a job seeker with a
// distinctive name, number and external id (offer SMS, yes, pre-screening,
// a counsellor's answer, a shortlist decision with a reason, the referral,
// the employer's status, a consent record, an SMS sent from her number
// before she was registered, a task waiting in the queue), erases her
// through the API, and then finds none of it in any text column of any
// table, nor in Redis; the offer's counts stay, the pages no longer show
// her, the candidate index dropped her, the audit log kept who saw her
// under her internal id only; a second erasure finds nobody.
func TestEraseCandidateEverywhere(t *testing.T) {
	w := newGDPRWorld(t)
	ctx := w.ctx
	const ext = "GDPR-ZEPH-4242"
	needles := []string{"phyrine", "639984242", "06 39 98 42 42", ext}

	// Before she is registered, an SMS from her number: unknown sender.
	w.reply("+33639984242", "Bonjour, ici Zéphyrine, j'ai un nouveau numéro")
	zeph := w.person(ext, "Zéphyrine", "06 39 98 42 42")
	other := w.person("GDPR-ANATOLE", "Anatole", "0639984343")
	offerID, ref := w.offer("OF-GDPR", []map[string]any{{"kind": "free", "text": "Avez-vous le permis B ?"}})
	w.launch(offerID, 2)
	for _, p := range []gdprPerson{zeph, other} {
		w.reply(p.phone, "OUI "+ref)
		w.settled(p.phone) // the question went
		w.reply(p.phone, "oui")
		w.settled(p.phone) // the thanks went
	}
	contact := w.contactID(offerID, ext)
	sc, err := postgres.NewStore(w.stack.pool).Screening(ctx, contact)
	if err != nil || sc.Status != outreach.ScreeningQualified {
		t.Fatalf("her pre-screening: %+v %v, want qualified", sc, err)
	}
	if _, err := w.stack.svc.AnswerBySMS(ctx, w.viewer(), w.latestItem(zeph), "Bonjour Zéphyrine, je vous appelle demain."); err != nil {
		t.Fatal(err)
	}
	w.settled(zeph.phone)
	w.must(http.MethodPut, fmt.Sprintf("/api/v1/offers/%d/shortlist/%d", offerID, zeph.id),
		map[string]any{"counsellor_id": w.counsellor, "proposed": true, "reason": "Zéphyrine connaît déjà l'entrepôt"}, nil, http.StatusOK)
	w.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/referral", offerID), map[string]any{"counsellor_id": w.counsellor}, nil, http.StatusOK)
	if err := w.stack.svc.SetEmployerStatus(ctx, offerID, contact, outreach.EmployerContacted); err != nil {
		t.Fatal(err)
	}
	w.must(http.MethodPost, fmt.Sprintf("/api/v1/candidates/%d/consent", zeph.id), map[string]string{"source": "entretien"}, nil,
		http.StatusNoContent)
	// A task of hers waiting in the queue.
	if err := queue.NewClient(w.stack.rdb, w.cfg.QueueName).EnqueueReminder(ctx, contact, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The candidate index holds her; a second offer would match her.
	ix := postgres.NewLiveIndex(w.stack.pool, slog.New(slog.DiscardHandler))
	if err := ix.Load(ctx); err != nil {
		t.Fatal(err)
	}
	indexed := ix.Len()
	second, _ := w.offer("OF-GDPR-2", nil)
	if !slices.Contains(w.matchIDs(second), zeph.id) {
		t.Fatalf("the second offer does not match her: the test proves nothing")
	}

	// Everything about her is there, and seen: the pages, the API.
	employerBefore := w.employerPage(offerID)
	shortlistBefore := w.page(w.counsellor, fmt.Sprintf("/offres/%d/liste", offerID))
	inboxBefore := w.page(w.counsellor, "/boite")
	w.page(w.counsellor, fmt.Sprintf("/personnes/%d", zeph.id))
	for name, page := range map[string]string{"employer page": employerBefore, "shortlist page": shortlistBefore, "inbox": inboxBefore} {
		if !strings.Contains(page, "Zéphyrine") || !strings.Contains(page, "Anatole") {
			t.Fatalf("%s before the erasure lacks Zéphyrine or Anatole", name)
		}
	}
	if hits := scanDatabase(t, w, needles); len(hits) == 0 {
		t.Fatal("her data is nowhere before the erasure: the scan proves nothing")
	}
	var listBefore shortlistView
	w.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/shortlist", offerID), nil, &listBefore, http.StatusOK)
	var audit struct {
		CandidateID int64 `json:"candidate_id"`
		Accesses    []struct {
			Action string `json:"action"`
			What   string `json:"what"`
			Actor  struct {
				Kind string `json:"kind"`
				ID   *int64 `json:"id"`
			} `json:"actor"`
			Candidates int `json:"candidates"`
		} `json:"accesses"`
	}
	w.must(http.MethodGet, "/api/v1/candidates/"+ext+"/audit", nil, &audit, http.StatusOK)
	seen := map[string]bool{}
	for _, a := range audit.Accesses {
		who := a.Actor.Kind
		if a.Actor.ID != nil {
			who += " " + itoa64(*a.Actor.ID)
		}
		seen[a.Action+" by "+who+": "+a.What] = true
	}
	for _, want := range []string{"view by employer " + itoa64(offerID) + ": GET /employeur/:token",
		"view by counsellor " + itoa64(w.counsellor) + ": GET /boite", "export by api: GET /api/v1/offers/:id/shortlist"} {
		if !seen[want] {
			t.Errorf("audit through the API lacks %q: %v", want, seen)
		}
	}
	if audit.CandidateID != zeph.id {
		t.Errorf("audit of candidate %d, want %d", audit.CandidateID, zeph.id)
	}
	summary := func() string {
		_, body := w.raw(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/outreach/summary", offerID), "", "", w.auth())
		return body
	}
	before := summary()

	// The erasure.
	var erased struct {
		Erased      bool           `json:"erased"`
		CandidateID int64          `json:"candidate_id"`
		Counts      map[string]int `json:"counts"`
	}
	w.must(http.MethodDelete, "/api/v1/candidates/"+ext, nil, &erased, http.StatusOK)
	if !erased.Erased || erased.CandidateID != zeph.id || erased.Counts["contacts"] != 1 || erased.Counts["queued_tasks"] < 1 ||
		erased.Counts["inbound_messages"] < 2 || erased.Counts["unlinked_messages_deleted"] != 1 ||
		erased.Counts["counsellor_messages"] != 1 || erased.Counts["decision_reasons"] != 1 || erased.Counts["screenings"] != 1 {
		t.Errorf("erasure answered %+v", erased)
	}

	if hits := scanDatabase(t, w, needles); len(hits) > 0 {
		t.Errorf("her data is still in PostgreSQL: %v", hits)
	}
	if hits := scanRedis(t, w, needles); len(hits) > 0 {
		t.Errorf("her data is still in Redis: %v", hits)
	}
	insp := asynq.NewInspectorFromRedisClient(w.stack.rdb)
	if info, err := insp.GetTaskInfo(w.cfg.QueueName, queue.RemindSMSTaskID(contact)); err == nil {
		t.Errorf("her reminder task is still queued: %+v", info)
	}
	var unsettled int
	if err := w.stack.pool.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE candidate_id = $1
	AND (reminder_status IS NULL OR status IN ('planned', 'queued', 'sending'))`, zeph.id).Scan(&unsettled); err != nil || unsettled != 0 {
		t.Errorf("%d of her contacts could still send an SMS or a reminder (%v)", unsettled, err)
	}
	if after := summary(); after != before {
		t.Errorf("outreach summary changed by the erasure:\nbefore %s\nafter  %s", before, after)
	}

	// The pages and exports no longer show her; Anatole stays.
	for name, page := range map[string]string{"employer page": w.employerPage(offerID),
		"shortlist page": w.page(w.counsellor, fmt.Sprintf("/offres/%d/liste", offerID)), "inbox": w.page(w.counsellor, "/boite")} {
		if strings.Contains(page, "phyrine") || !strings.Contains(page, "Anatole") {
			t.Errorf("%s after the erasure: Zéphyrine %v, Anatole %v; want only Anatole", name,
				strings.Contains(page, "phyrine"), strings.Contains(page, "Anatole"))
		}
	}
	if code, _ := w.webStatus(fmt.Sprintf("/personnes/%d", zeph.id)); code != http.StatusNotFound {
		t.Errorf("her conversation page after the erasure: %d, want 404", code)
	}
	var list shortlistView
	w.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/shortlist", offerID), nil, &list, http.StatusOK)
	if len(list.Candidates) != 1 || list.Candidates[0].CandidateID != other.id {
		t.Errorf("API shortlist after the erasure: %+v, want Anatole alone", list.Candidates)
	}
	if slices.Contains(w.matchIDs(second), zeph.id) {
		t.Error("the second offer still matches her")
	}
	if err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if ix.Len() != indexed-1 {
		t.Errorf("candidate index holds %d after the erasure, want %d", ix.Len(), indexed-1)
	}

	// Who saw her stays on record, under her internal id.
	out, err := w.cli("audit", "--id", itoa64(zeph.id))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"view by employer " + itoa64(offerID) + ": GET /employeur/:token",
		"view by counsellor " + itoa64(w.counsellor) + ": GET /offres/:id/liste", "view by counsellor " + itoa64(w.counsellor) + ": GET /personnes/:id",
		"export by api: GET /api/v1/offers/:id/shortlist (2 job seekers)", "erase by api: DELETE /api/v1/candidates/:external_id"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); !strings.Contains(lines[len(lines)-1], "erase by api") {
		t.Errorf("audit's last line %q, want the erasure", lines[len(lines)-1])
	}

	// A second erasure finds nobody: through the API, and the command.
	code, body := w.raw(http.MethodDelete, "/api/v1/candidates/"+ext, "", "", w.auth())
	checkAPIError(t, code, body, http.StatusNotFound, "not_found", "")
	if _, err := w.cli("erase", "--candidate", ext); err == nil || !strings.Contains(err.Error(), "not found") ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("second erasure by the command: %v, want one line saying not found", err)
	}
	code, body = w.raw(http.MethodGet, "/api/v1/candidates/"+ext+"/audit", "", "", w.auth())
	checkAPIError(t, code, body, http.StatusNotFound, "not_found", "")
}

// matchIDs are the candidates the API matches for the offer.
func (w *gdprWorld) matchIDs(offerID int64) []int64 {
	w.t.Helper()
	var m struct {
		Matches []struct {
			CandidateID int64 `json:"candidate_id"`
		} `json:"matches"`
	}
	w.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/matches?limit=100", offerID), nil, &m, http.StatusOK)
	var ids []int64
	for _, c := range m.Matches {
		ids = append(ids, c.CandidateID)
	}
	return ids
}

// scanDatabase searches every text, varchar, jsonb and array column of
// every table for the needles, and returns "table.column" for each hit.
func scanDatabase(t *testing.T, w *gdprWorld, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := w.stack.pool.Query(ctx, `SELECT c.table_name, c.column_name FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
	AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY')
ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	columns, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([2]string, error) {
		var c [2]string
		return c, row.Scan(&c[0], &c[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(columns) < 50 {
		t.Fatalf("only %d text columns found: the scan is wrong", len(columns))
	}
	patterns := make([]string, len(needles))
	for i, n := range needles {
		patterns[i] = "%" + n + "%"
	}
	var hits []string
	for _, c := range columns {
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s::text ILIKE ANY ($1)`, pgx.Identifier{c[0]}.Sanitize(),
			pgx.Identifier{c[1]}.Sanitize())
		var n int
		if err := w.stack.pool.QueryRow(ctx, q, patterns).Scan(&n); err != nil {
			t.Fatalf("scan %s.%s: %v", c[0], c[1], err)
		}
		if n > 0 {
			hits = append(hits, fmt.Sprintf("%s.%s (%d rows)", c[0], c[1], n))
		}
	}
	return hits
}

// scanRedis searches every key of the test's namespace (asynq's queue and
// the service's own keys), and every value, for the needles.
func scanRedis(t *testing.T, w *gdprWorld, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	rdb, ns := w.stack.rdb, w.cfg.QueueName
	var hits []string
	keys := 0
	iter := rdb.Scan(ctx, 0, "*"+ns+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		keys++
		var values []string
		switch typ := rdb.Type(ctx, key).Val(); typ {
		case "string":
			values = []string{rdb.Get(ctx, key).Val()}
		case "hash":
			for k, v := range rdb.HGetAll(ctx, key).Val() {
				values = append(values, k, v)
			}
		case "list":
			values = rdb.LRange(ctx, key, 0, -1).Val()
		case "set":
			values = rdb.SMembers(ctx, key).Val()
		case "zset":
			values = rdb.ZRange(ctx, key, 0, -1).Val()
		default:
			t.Fatalf("redis key %s of type %s not scanned", key, typ)
		}
		for _, v := range append(values, key) {
			for _, n := range needles {
				if strings.Contains(strings.ToLower(v), strings.ToLower(n)) {
					hits = append(hits, key)
				}
			}
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if keys == 0 {
		t.Fatal("no Redis key in the namespace: the scan is wrong")
	}
	return hits
}
