package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/refdata"
	"github.com/franceoutreach/outreach/seed"
)

// demoCounsellors follow the demo job seekers: one per area of seed.DefaultAreas.
var demoCounsellors = []outreach.CounsellorInput{
	{Email: "claire.martin@lyon.agence.example", Name: "Claire Martin", Agency: "Agence Lyon Part-Dieu"},
	{Email: "karim.benali@lille.agence.example", Name: "Karim Benali", Agency: "Agence Lille Centre"},
	{Email: "sophie.leroux@nantes.agence.example", Name: "Sophie Le Roux", Agency: "Agence Nantes Île de Nantes"},
	{Email: "thomas.garcia@toulouse.agence.example", Name: "Thomas Garcia", Agency: "Agence Toulouse Compans"},
	{Email: "nolwenn.guillou@rennes.agence.example", Name: "Nolwenn Guillou", Agency: "Agence Rennes Colombier"},
	{Email: "julien.dupuy@bordeaux.agence.example", Name: "Julien Dupuy", Agency: "Agence Bordeaux Bastide"},
}

func runSeed(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	n := fs.Int("candidates", seed.DefaultCandidates, "number of demo job seekers (at most 10000)")
	seedValue := fs.Int64("seed", 1, "random seed: the same seed gives the same population")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *n < 1 || *n > seed.FictionalPhones {
		return fmt.Errorf("-candidates must be between 1 and %d", seed.FictionalPhones)
	}
	pool, err := openPostgres(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := postgres.NewStore(pool)
	svc := outreach.NewService(store, nil, nil, nil, outreach.ServiceConfig{Logger: slog.New(slog.DiscardHandler)})
	counsellors, candidates, err := seedDemo(ctx, svc, store, *n, *seedValue)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d counsellors and %d job seekers\n", len(counsellors), candidates)
	return nil
}

// seedDemo creates (or finds) the demo counsellors and upserts the demo
// job seekers through the service, so they pass the same validation as
// the API's.
func seedDemo(ctx context.Context, svc *outreach.Service, store *postgres.Store, n int, seedValue int64) ([]outreach.Counsellor, int, error) {
	counsellors := make([]outreach.Counsellor, 0, len(demoCounsellors))
	ids := make([]int64, 0, len(demoCounsellors))
	for _, in := range demoCounsellors {
		c, err := svc.CreateCounsellor(ctx, in)
		var v *outreach.ValidationError
		if errors.As(err, &v) && v.Field == "email" {
			c, err = store.CounsellorByEmail(ctx, in.Email)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("demo counsellor %s: %w", in.Email, err)
		}
		counsellors = append(counsellors, c)
		ids = append(ids, c.ID)
	}
	communes, err := refdata.Communes()
	if err != nil {
		return nil, 0, err
	}
	codes, err := refdata.ROMECodes()
	if err != nil {
		return nil, 0, err
	}
	people, err := seed.Candidates(seed.Config{Candidates: n, Seed: seedValue, Counsellors: ids}, communes, codes)
	if err != nil {
		return nil, 0, err
	}
	assignByArea(people, communes, ids)
	if err := upsertAll(ctx, svc, people); err != nil {
		return nil, 0, err
	}
	return counsellors, len(people), nil
}

func upsertAll(ctx context.Context, svc *outreach.Service, people []outreach.Candidate) error {
	g, ctx := errgroup.WithContext(ctx)
	work := make(chan outreach.Candidate)
	g.Go(func() error {
		defer close(work)
		for _, p := range people {
			select {
			case work <- p:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for range 8 {
		g.Go(func() error {
			for p := range work {
				loc := p.Location
				_, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{
					ExternalID: p.ExternalID, FirstName: p.FirstName, Phone: p.Phone, Location: &loc,
					CommuneCode: p.CommuneCode, MobilityKM: p.MobilityKM, ROMECodes: p.ROMECodes, Skills: p.Skills,
					ContractTypes: p.ContractTypes, SMSConsent: p.SMSConsent, CounsellorID: p.CounsellorID,
				})
				if err != nil {
					return fmt.Errorf("seed %s: %w", p.ExternalID, err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// assignByArea gives each job seeker the counsellor of the nearest area
// centre, as an agency follows the people of its own territory.
func assignByArea(people []outreach.Candidate, communes []refdata.Commune, counsellors []int64) {
	centres := make([]matcher.Point, 0, len(seed.DefaultAreas))
	for _, code := range seed.DefaultAreas {
		for _, c := range communes {
			if c.INSEE == code {
				centres = append(centres, matcher.Point{Lat: c.Lat, Lon: c.Lon})
				break
			}
		}
	}
	for i := range people {
		p := matcher.Point{Lat: people[i].Location.Lat, Lon: people[i].Location.Lon}
		best := 0
		for j, c := range centres {
			if matcher.DistanceKM(p, c) < matcher.DistanceKM(p, centres[best]) {
				best = j
			}
		}
		people[i].CounsellorID = counsellors[best%len(counsellors)]
	}
}
