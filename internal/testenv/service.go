package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
)

// Stack is the real service on a fresh database and Redis namespace, with
// one counsellor.
type Stack struct {
	Service    *outreach.Service
	Store      *postgres.Store
	Pool       *pgxpool.Pool
	Redis      *redis.Client
	Namespace  string // asynq queue and pub/sub prefix
	Counsellor outreach.Counsellor
}

// Service wires the real service for a test. cfg may set the sender and
// the clock; quiet hours are off unless cfg sets them.
func Service(t testing.TB, sender outreach.Sender, cfg outreach.ServiceConfig) Stack {
	t.Helper()
	pool, _ := Pool(t)
	rdb, ns := Redis(t)
	if cfg.QuietHours == (outreach.QuietHours{}) {
		cfg.QuietHours, _ = outreach.ParseQuietHours("off", time.UTC)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	store := postgres.NewStore(pool)
	svc := outreach.NewService(store, sender, queue.NewClient(rdb, ns), live.NewHub(rdb, ns), cfg)
	co, err := svc.CreateCounsellor(context.Background(), outreach.CounsellorInput{
		Email: "conseiller@agence.example", Name: "Camille Conseil", Agency: "Agence de test"})
	if err != nil {
		t.Fatal(err)
	}
	return Stack{Service: svc, Store: store, Pool: pool, Redis: rdb, Namespace: ns, Counsellor: co}
}

// Bakery creates one job seeker who looks for bakery work (D1102) in Lyon,
// with the given phone, and one bakery offer (CDI) there that asks no
// pre-screening questions.
func (s Stack) Bakery(t testing.TB, phone string) (outreach.Candidate, outreach.Offer) {
	t.Helper()
	ctx := context.Background()
	cand, _, err := s.Service.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: "BAKER-" + phone, FirstName: "Léa",
		Phone: phone, CommuneCode: "69123", ROMECodes: []string{"D1102"}, SMSConsent: true, CounsellorID: s.Counsellor.ID})
	if err != nil {
		t.Fatal(err)
	}
	offer, err := s.Service.CreateOffer(ctx, outreach.OfferInput{Title: "Boulanger", ROMECode: "D1102", CommuneCode: "69123",
		ContractType: "CDI", Employer: outreach.Employer{Name: "Fournil", Email: "rh@fournil.example"}, CounsellorID: s.Counsellor.ID,
		Questions: &[]outreach.Question{}}) // no pre-screening: a yes is just a yes
	if err != nil {
		t.Fatal(err)
	}
	return cand, offer
}

// SentBakeryContact makes a Bakery job seeker and offer with the given
// phone, and one contact between them whose SMS was sent: claimed, then
// recorded with the SID "SM" followed by its id on 32 digits.
func (s Stack) SentBakeryContact(t testing.TB, phone string) (id int64, sid string) {
	t.Helper()
	ctx := context.Background()
	cand, offer := s.Bakery(t, phone)
	created, err := s.Store.CreateContacts(ctx, []outreach.Contact{{OfferID: offer.ID, CandidateID: cand.ID,
		Phone: cand.Phone, Status: outreach.StatusQueued, Body: "Offre"}})
	if err != nil {
		t.Fatal(err)
	}
	id = created[0].ID
	sid = fmt.Sprintf("SM%032d", id)
	if _, ok, err := s.Store.ClaimSend(ctx, id); err != nil || !ok {
		t.Fatalf("claim contact %d: %v %v", id, ok, err)
	}
	if _, err := s.Store.RecordSent(ctx, id, sid, time.Now()); err != nil {
		t.Fatal(err)
	}
	return id, sid
}
