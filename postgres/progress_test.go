package postgres_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// campaignRow is one contact of the test campaign, as stored.
type campaignRow struct {
	candidate int64
	status    string
	reply     string // "" for none
	errorCode int    // 0 for none
	sentAt    *time.Time
}

// campaign spreads contacts over the seven statuses, with replies on the
// delivered ones, error codes on the failures and a send time on those
// the provider took; it returns the rows and the summary they must give.
func campaign(candidates []int64, start time.Time) ([]campaignRow, outreach.OutreachSummary) {
	statuses := []string{"planned", "queued", "sending", "sent", "delivered", "undelivered", "failed"}
	replies := []string{"interested", "declined", "unclear", "opted_out", ""}
	want := outreach.OutreachSummary{Statuses: map[outreach.ContactStatus]int{}, Replies: map[outreach.Interest]int{},
		Failures: map[int]int{}}
	for _, r := range replies[:4] {
		want.Replies[outreach.Interest(r)] = 0
	}
	rows := make([]campaignRow, len(candidates))
	for i, id := range candidates {
		r := campaignRow{candidate: id, status: statuses[i%7]}
		switch r.status {
		case "delivered":
			r.reply = replies[(i/7)%5]
		case "undelivered":
			r.errorCode = []int{30003, 30005, 0}[(i/7)%3]
		case "failed":
			r.errorCode = []int{21610, 0}[(i/7)%2]
		}
		if r.status == "sent" || r.status == "delivered" || r.status == "undelivered" {
			at := start.Add(time.Duration(i) * time.Second)
			r.sentAt = &at
			if want.FirstSentAt == nil {
				want.FirstSentAt = &at
			}
			want.LastSentAt = &at
		}
		rows[i] = r
		want.Total++
		want.Statuses[outreach.ContactStatus(r.status)]++
		if r.reply != "" {
			want.Replies[outreach.Interest(r.reply)]++
			want.Replied++
		}
		if r.status == "undelivered" || r.status == "failed" {
			want.Failures[r.errorCode]++
		}
	}
	return rows, want
}

func insertCandidates(t *testing.T, pool *pgxpool.Pool, counsellorID int64, n int) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
INSERT INTO candidates (external_id, first_name, phone, lat, lon, mobility_km, rome_codes, sms_consent, counsellor_id)
SELECT 'TALLY-' || i, 'Léa', '+3361' || lpad(i::text, 7, '0'), 45.76, 4.83, 30, '{D1102}', true, $1
FROM generate_series(1, $2) AS i
RETURNING id`, counsellorID, n)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func insertCampaign(t *testing.T, pool *pgxpool.Pool, offerID int64, rows []campaignRow) {
	t.Helper()
	n := len(rows)
	cands, statuses, replies := make([]int64, n), make([]string, n), make([]string, n)
	codes, sent := make([]int32, n), make([]*time.Time, n)
	for i, r := range rows {
		cands[i], statuses[i], replies[i], codes[i], sent[i] = r.candidate, r.status, r.reply, int32(r.errorCode), r.sentAt
	}
	_, err := pool.Exec(context.Background(), `
INSERT INTO contacts (offer_id, candidate_id, phone, status, score, distance_km, reasons, body, reply, error_code, sent_at)
SELECT $1, c, '+33600000000', st, 50, 1, '[]', 'Offre', nullif(r, ''), nullif(e, 0), s
FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::timestamptz[]) AS t(c, st, r, e, s)`,
		offerID, cands, statuses, replies, codes, sent)
	if err != nil {
		t.Fatal(err)
	}
}

// TestOutreachSummaryCountsACampaign runs the summary on an offer with a
// few thousand contacts among other offers' contacts, as a campaign in
// progress, then once the last SMS are out.
func TestOutreachSummaryCountsACampaign(t *testing.T) {
	const n = 3000
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	_, offer := st.Bakery(t, "+33639980001")
	candidates := insertCandidates(t, st.Pool, st.Counsellor.ID, n)
	rows, want := campaign(candidates, time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC))
	insertCampaign(t, st.Pool, offer.ID, rows)
	for range 9 { // other offers, each texting everybody: 90% of the table
		other, err := st.Service.CreateOffer(ctx, outreach.OfferInput{Title: "Vendeur", ROMECode: "D1102", CommuneCode: "69123",
			ContractType: "CDD", Employer: outreach.Employer{Name: "Fournil", Email: "rh@fournil.example"}, CounsellorID: st.Counsellor.ID})
		if err != nil {
			t.Fatal(err)
		}
		queued := make([]campaignRow, n)
		for i, id := range candidates {
			queued[i] = campaignRow{candidate: id, status: "queued"}
		}
		insertCampaign(t, st.Pool, other.ID, queued)
	}
	if _, err := st.Pool.Exec(ctx, "ANALYZE contacts"); err != nil {
		t.Fatal(err)
	}

	got, err := st.Service.OutreachSummary(ctx, offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, got, want)
	if got.Done || want.Failures[0] == 0 || len(want.Failures) != 4 {
		t.Errorf("done %v with contacts in flight; failures %v should hold 4 codes including 0", got.Done, want.Failures)
	}

	// The rest of the campaign goes out: nothing is left in flight.
	tag, err := st.Pool.Exec(ctx, `UPDATE contacts SET status = 'delivered' WHERE offer_id = $1
AND status IN ('planned', 'queued', 'sending')`, offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	moved := int(tag.RowsAffected())
	for _, s := range []outreach.ContactStatus{"planned", "queued", "sending"} {
		want.Statuses[s] = 0
	}
	want.Statuses["delivered"] += moved
	if got, err = st.Service.OutreachSummary(ctx, offer.ID); err != nil {
		t.Fatal(err)
	}
	checkSummary(t, got, want)
	if !got.Done {
		t.Error("not done once every contact is past sending")
	}
}

func checkSummary(t *testing.T, got, want outreach.OutreachSummary) {
	t.Helper()
	if got.Total != want.Total || got.Replied != want.Replied || !maps.Equal(got.Statuses, want.Statuses) ||
		!maps.Equal(got.Replies, want.Replies) || !maps.Equal(got.Failures, want.Failures) {
		t.Errorf("got total %d replied %d\n statuses %v\n replies %v\n failures %v\nwant total %d replied %d\n statuses %v\n replies %v\n failures %v",
			got.Total, got.Replied, got.Statuses, got.Replies, got.Failures,
			want.Total, want.Replied, want.Statuses, want.Replies, want.Failures)
	}
	if got.FirstSentAt == nil || got.LastSentAt == nil ||
		!got.FirstSentAt.Equal(*want.FirstSentAt) || !got.LastSentAt.Equal(*want.LastSentAt) {
		t.Errorf("sent from %v to %v, want %v to %v", got.FirstSentAt, got.LastSentAt, *want.FirstSentAt, *want.LastSentAt)
	}
}

// TestOutreachSummaryBeforeOutreach gives every count at zero for an
// offer nobody was texted about, and not found for an unknown offer.
func TestOutreachSummaryBeforeOutreach(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	_, offer := st.Bakery(t, "+33639980001")
	got, err := st.Service.OutreachSummary(ctx, offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	zero := map[outreach.ContactStatus]int{"planned": 0, "queued": 0, "sending": 0, "sent": 0, "delivered": 0,
		"undelivered": 0, "failed": 0}
	replies := map[outreach.Interest]int{"interested": 0, "declined": 0, "unclear": 0, "opted_out": 0}
	if got.Total != 0 || !maps.Equal(got.Statuses, zero) || !maps.Equal(got.Replies, replies) || len(got.Failures) != 0 ||
		got.FirstSentAt != nil || got.LastSentAt != nil || !got.Done {
		t.Errorf("got %+v, want zero counts, no send time, done", got)
	}
	if _, err := st.Service.OutreachSummary(ctx, offer.ID+1000); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("unknown offer: err %v, want ErrNotFound", err)
	}
}

// TestContactTalliesReadTheOfferIndex checks the plan of the query the
// store really sends: it must reach the offer's contacts through an
// index, not read the whole table.
func TestContactTalliesReadTheOfferIndex(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	candidates := insertCandidates(t, st.Pool, st.Counsellor.ID, 2000)
	var offers []int64
	for range 20 {
		_, o := st.Bakery(t, "+33639980001")
		offers = append(offers, o.ID)
		rows, _ := campaign(candidates, time.Now())
		insertCampaign(t, st.Pool, o.ID, rows)
	}
	if _, err := st.Pool.Exec(ctx, "ANALYZE contacts"); err != nil {
		t.Fatal(err)
	}

	cfg := st.Pool.Config()
	rec := &sqlRecorder{}
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tallies, err := postgres.NewStore(pool).OfferContactTallies(ctx, offers[7])
	if err != nil || len(tallies) == 0 {
		t.Fatalf("tallies %v, err %v", tallies, err)
	}
	rows, err := st.Pool.Query(ctx, "EXPLAIN "+rec.sql, offers[7])
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if strings.Contains(plan, "Seq Scan on contacts") || !strings.Contains(plan, "contacts_offer_id_candidate_id_key") {
		t.Errorf("the tallies do not read the offer's index:\n%s", plan)
	}
	t.Logf("plan for %d contacts of 20 offers:\n%s", 20*len(candidates), plan)
}

// sqlRecorder keeps the text of the last query a pool sent.
type sqlRecorder struct{ sql string }

func (r *sqlRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	r.sql = data.SQL
	return ctx
}

func (r *sqlRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
