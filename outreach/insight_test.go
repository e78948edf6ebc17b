package outreach_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

func TestOfferInsight(t *testing.T) {
	ctx := context.Background()
	env := testenv.Service(t, nil, outreach.ServiceConfig{})
	svc, co := env.Service, env.Counsellor
	// Order pickers due north of Vénissieux, every few km; one in three
	// only wants temp work (MIS), the others accept anything.
	venissieux := outreach.Point{Lat: 45.6975, Lon: 4.8867}
	for i, km := range []float64{1, 3, 5, 7, 9, 12, 15, 18, 22, 26, 32, 38, 44, 48} {
		contracts := []string{}
		if i%3 == 2 {
			contracts = []string{"MIS"}
		}
		p := outreach.Point{Lat: venissieux.Lat + km/111.2, Lon: venissieux.Lon}
		if _, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: fmt.Sprintf("I-%d", i), FirstName: "X",
			Phone: fmt.Sprintf("06399800%02d", i), Location: &p, MobilityKM: 60, ROMECodes: []string{"N1103"},
			ContractTypes: contracts, SMSConsent: true, CounsellorID: co.ID}); err != nil {
			t.Fatal(err)
		}
	}
	offer := func(ext string, radius float64, contract string, positions int) outreach.Offer {
		o, err := svc.CreateOffer(ctx, outreach.OfferInput{ExternalID: ext, Title: "Préparateur de commandes", ROMECode: "N1103",
			CommuneCode: "69259", Location: &venissieux, ContractType: contract, RadiusKM: radius, Positions: positions,
			Skills: []string{"caces 1"}, Employer: outreach.Employer{Name: "E", Email: "e@e.example"}, CounsellorID: co.ID})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	broad := offer("broad", 30, "MIS", 1)
	offer("peer-1", 30, "CDI", 1)
	offer("peer-2", 50, "CDI", 1)
	strict := offer("strict", 10, "CDD", 2)

	tests := []struct {
		name       string
		offer      outreach.Offer
		eligible   map[int]int
		atRadius   int
		hard       bool
		wantWiden  []string
		contractUp int
	}{
		// Within 10 km: 1,3,5,7,9 -> 5 people; 30 km: 10; 50 km: 14. All accept MIS.
		{"broad temp offer", broad, map[int]int{10: 5, 30: 10, 50: 14}, 10, false, []string{"radius", "skills"}, 0},
		// CDD excludes the MIS-only ones: at 10 km, 1,3,7,9 (5 km is MIS-only) -> 4 < 5 per position x 2.
		{"strict CDD offer", strict, map[int]int{10: 4, 30: 7, 50: 10}, 4, true, []string{"radius", "contract_type", "skills"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := svc.OfferInsight(ctx, tt.offer.ID)
			if err != nil {
				t.Fatal(err)
			}
			for r, n := range tt.eligible {
				if in.Eligible[r] != n {
					t.Errorf("eligible at %d km: %d, want %d", r, in.Eligible[r], n)
				}
			}
			if in.AtRadius != tt.atRadius || in.HardToFill != tt.hard || in.ContractFreed != tt.contractUp {
				t.Errorf("at radius %d hard %v contract freed %d (reasons %v), want %d %v %d",
					in.AtRadius, in.HardToFill, in.ContractFreed, in.Reasons, tt.atRadius, tt.hard, tt.contractUp)
			}
			var widen []string
			for _, w := range in.Widen {
				widen = append(widen, w.Criterion)
			}
			if fmt.Sprint(widen) != fmt.Sprint(tt.wantWiden) {
				t.Errorf("widen %v, want %v", widen, tt.wantWiden)
			}
			if in.Department != "69" || in.MarketOffers != 4 || in.MarketMedian == nil {
				t.Errorf("market %s %d %v, want department 69 with 4 offers and a median", in.Department, in.MarketOffers, in.MarketMedian)
			}
		})
	}
}
