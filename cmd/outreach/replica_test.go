package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/webhooks"
)

// TestMatchesFromReplica points DATABASE_REPLICA_URL at a read-only copy
// of the database, taken before a new job seeker arrives and another says
// STOP: a replica lagging behind. Matches and insight come from the copy
// (they show the job seeker who said STOP, not the newcomer, and never
// learn of the contacts); the outreach start ranks on the primary, so it
// texts the newcomer, not the job seeker who said STOP, and a second start
// texts nobody twice.
func TestMatchesFromReplica(t *testing.T) {
	ctx := context.Background()
	seed := testenv.Service(t, nil, outreach.ServiceConfig{})
	ids := map[string]int64{}
	phones := map[string]string{}
	for i, name := range []string{"Anne", "Basile", "Wassim", "Xavier"} {
		c, _, err := seed.Service.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: "REPLICA-" + name, FirstName: name,
			Phone: fmt.Sprintf("06399860%02d", i), CommuneCode: "69259", ROMECodes: []string{"N1103"}, SMSConsent: true,
			CounsellorID: seed.Counsellor.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids[name], phones[name] = c.ID, c.Phone
	}
	offer, err := seed.Service.CreateOffer(ctx, outreach.OfferInput{Title: "Préparateur de commandes", ROMECode: "N1103",
		CommuneCode: "69259", ContractType: "CDI", RadiusKM: 25, CounsellorID: seed.Counsellor.ID,
		Employer: outreach.Employer{Name: "Entrepôt", Email: "rh@entrepot.example"}, Questions: &[]outreach.Question{}})
	if err != nil {
		t.Fatal(err)
	}
	primaryURL := seed.Pool.Config().ConnString()
	seed.Pool.Close() // a database being copied must have no session
	replicaURL := copyDatabase(t, primaryURL)

	e := startE2E(t, withEnv(map[string]string{"DATABASE_URL": primaryURL, "DATABASE_REPLICA_URL": replicaURL}))
	if e.stack.replica == nil {
		t.Fatal("the stack opened no replica pool")
	}
	// What the replica has not received yet: a newcomer, and a STOP.
	var zoe struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/candidates", map[string]any{"external_id": "REPLICA-Zoé", "first_name": "Zoé",
		"phone": "0639986009", "commune_code": "69259", "rome_codes": []string{"N1103"}, "sms_consent": true,
		"counsellor_id": seed.Counsellor.ID}, &zoe, http.StatusCreated)
	ids["Zoé"] = zoe.ID
	stop := url.Values{"MessageSid": {"SMreplica" + strings.Repeat("0", 25)}, "From": {phones["Wassim"]},
		"To": {simulatorNumber}, "Body": {"STOP"}}
	if code, body := e.signedPost(webhooks.InboundPath, stop, e.cfg.TwilioAuthToken); code != http.StatusOK {
		t.Fatalf("STOP: %d %s", code, body)
	}
	var optedOut bool
	if err := e.stack.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM opt_outs WHERE phone = $1)`, phones["Wassim"]).Scan(&optedOut); err != nil || !optedOut {
		t.Fatalf("Wassim's STOP is not on the primary (%v)", err)
	}

	stale := []string{"Anne", "Basile", "Wassim", "Xavier"}
	if got := matchNames(t, e, offer.ID, ids); !slices.Equal(got, stale) {
		t.Fatalf("matches %v, want the replica's %v", got, stale)
	}
	var started struct{ Queued, Matched int }
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	texted := func() []string {
		var names []string
		for _, c := range e.outreach(offer.ID).Contacts {
			names = append(names, strings.TrimPrefix(c.ExternalID, "REPLICA-"))
		}
		slices.Sort(names)
		return names
	}
	if got := texted(); started.Queued != 4 || !slices.Equal(got, []string{"Anne", "Basile", "Xavier", "Zoé"}) {
		t.Fatalf("outreach queued %d: %v, want the primary's four without Wassim", started.Queued, got)
	}
	eventually(t, "the four SMS sent", func() bool {
		c := e.outreach(offer.ID).Counts
		return c["delivered"]+c["sent"] == 4
	})

	// The replica still knows of no contact: it proposes them all again,
	// and its insight counts them eligible; the primary texts nobody twice.
	if got := matchNames(t, e, offer.ID, ids); !slices.Equal(got, stale) {
		t.Errorf("matches after the outreach %v, want the replica's %v", got, stale)
	}
	var insight struct {
		AtRadius struct{ Candidates int } `json:"at_offer_radius"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/insight", offer.ID), nil, &insight, http.StatusOK)
	if insight.AtRadius.Candidates != 4 {
		t.Errorf("insight counts %d eligible, want the replica's 4", insight.AtRadius.Candidates)
	}
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", offer.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
	if started.Queued != 0 {
		t.Errorf("a second outreach queued %d contacts, want none", started.Queued)
	}
	if n := len(e.stack.sim.Messages("")); n != 4 {
		t.Errorf("the simulator got %d SMS, want 4", n)
	}
	if len(e.stack.sim.Messages(phones["Wassim"])) != 0 {
		t.Error("Wassim, who said STOP, was texted")
	}
	replica, err := pgx.Connect(ctx, replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close(ctx)
	var contacts int
	if err := replica.QueryRow(ctx, `SELECT count(*) FROM contacts`).Scan(&contacts); err != nil || contacts != 0 {
		t.Errorf("the replica holds %d contacts (%v): writes must go to the primary", contacts, err)
	}
}

// matchNames lists the first names of the offer's matches, sorted.
func matchNames(t *testing.T, e *e2e, offerID int64, ids map[string]int64) []string {
	t.Helper()
	var res struct {
		Matches []struct {
			CandidateID int64 `json:"candidate_id"`
		} `json:"matches"`
	}
	e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/matches?limit=10", offerID), nil, &res, http.StatusOK)
	var names []string
	for _, m := range res.Matches {
		for name, id := range ids {
			if id == m.CandidateID {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// copyDatabase copies the database at dbURL (which must have no session)
// into a new one that refuses writes, like a hot standby, dropped when the
// test ends, and returns its URL.
func copyDatabase(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	source := cfg.ConnConfig.Database
	copyName := source + "_replica"
	admin, err := pgx.Connect(ctx, testenv.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for attempt := range 20 {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+copyName+" TEMPLATE "+source)
		if err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("copy database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), testenv.ServerURL())
		if err != nil {
			t.Errorf("drop replica copy: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+copyName+" WITH (FORCE)"); err != nil {
			t.Errorf("drop replica copy: %v", err)
		}
	})
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+copyName+" SET default_transaction_read_only = on"); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(dbURL, "/"+source+"?", "/"+copyName+"?", 1)
}
