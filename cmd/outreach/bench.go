package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/refdata"
	"github.com/franceoutreach/outreach/seed"
)

// The benchmark's fixed seeds: the same population and offers every run.
const (
	benchPopulationSeed = 2026
	benchOffersSeed     = 2027
	benchShortlist      = 50 // the top-N the issue asks to time
)

// benchOptions are the flags of `outreach bench match`.
type benchOptions struct {
	candidates  int
	offers      int
	warmup      int
	naive       bool
	naiveOffers int
	reuse       bool
	index       bool
	cpuProfile  string
}

func parseBenchFlags(args []string) (benchOptions, error) {
	var o benchOptions
	fs := flag.NewFlagSet("bench match", flag.ContinueOnError)
	fs.IntVar(&o.candidates, "candidates", 1_000_000, "national population size")
	fs.IntVar(&o.offers, "offers", 1000, "random offers to shortlist, timed")
	fs.IntVar(&o.warmup, "warmup", 0, "offers shortlisted before timing; 0: a tenth of -offers, 10 to 100")
	fs.BoolVar(&o.naive, "naive", true, "also time the naive baseline query")
	fs.IntVar(&o.naiveOffers, "naive-offers", 100, "time the naive baseline on at most this many of the offers")
	fs.BoolVar(&o.reuse, "reuse", true, "reuse the bench database when it already holds the population; false reloads it")
	fs.BoolVar(&o.index, "index", true, "shortlist from the in-memory candidate index, as serve does with MATCH_INDEX=on; false: PostgreSQL alone")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed shortlists to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	switch {
	case o.candidates < 1 || o.candidates > 99_999_999:
		return o, errors.New("bench: -candidates must be between 1 and 99,999,999")
	case o.offers < 1 || o.naiveOffers < 1 || o.warmup < 0:
		return o, errors.New("bench: -offers and -naive-offers must be positive, -warmup not negative")
	}
	if o.warmup == 0 {
		o.warmup = min(max(o.offers/10, 10), 100)
	}
	return o, nil
}

// runBench runs `outreach bench match`: top-50 shortlists of random offers
// against a national population in a database of its own, through the
// service as the API calls it, then the naive baseline, and a summary line.
func runBench(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "send" {
		return runBenchSend(ctx, cfg, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "webhooks" {
		return runBenchWebhooks(ctx, cfg, args[1:], stdout)
	}
	if len(args) == 0 || args[0] != "match" {
		return fmt.Errorf("bench: the benchmarks are 'bench match', 'bench send' and 'bench webhooks': %w", errUsage)
	}
	opts, err := parseBenchFlags(args[1:])
	if err != nil {
		return err
	}
	b, err := openBench(ctx, cfg, opts, stdout)
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.ensurePopulation(ctx); err != nil {
		return err
	}
	if opts.index {
		if err := b.loadIndex(ctx); err != nil {
			return err
		}
	}
	warm, offers, err := b.createOffers(ctx)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(opts.cpuProfile)
	if err != nil {
		return err
	}
	fast, err := b.timeShortlists(ctx, warm, offers)
	stopProfile()
	if err != nil {
		return err
	}
	var naive *benchTiming
	if opts.naive {
		if naive, err = b.timeNaive(ctx, warm, offers); err != nil {
			return err
		}
	}
	sp, err := b.spread(ctx)
	if err != nil {
		return err
	}
	b.report(fast, naive, sp)
	return nil
}

// bench is the benchmark's database, Redis and service.
type bench struct {
	opts        benchOptions
	out         io.Writer
	name        string // database name
	pool        *pgxpool.Pool
	rdb         redis.UniversalClient
	store       *postgres.Store
	svc         *outreach.Service
	communes    []refdata.Commune
	codes       []refdata.ROMECode
	counsellors map[string]int64 // department code → counsellor id
}

func openBench(ctx context.Context, cfg Config, opts benchOptions, out io.Writer) (_ *bench, err error) {
	dbURL, name, err := benchDatabaseURL(cfg.DatabaseURL, opts.candidates)
	if err != nil {
		return nil, err
	}
	b := &bench{opts: opts, out: out, name: name}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	if b.communes, err = refdata.Communes(); err != nil {
		return nil, err
	}
	if b.codes, err = refdata.ROMECodes(); err != nil {
		return nil, err
	}
	var version int32
	if b.pool, version, err = openBenchDatabase(ctx, dbURL); err != nil {
		return nil, err
	}
	if b.rdb, err = openRedis(ctx, cfg); err != nil {
		return nil, err
	}
	b.store = postgres.NewStore(b.pool)
	b.svc = outreach.NewService(b.store, nil, queue.NewClient(b.rdb, cfg.QueueName), live.NewHub(b.rdb, cfg.QueueName),
		outreach.ServiceConfig{AgencyName: cfg.AgencyName, QuietHours: cfg.QuietHours, Logger: slog.New(slog.DiscardHandler)})
	fmt.Fprintf(out, "bench database %s (schema version %d, reference data loaded)\n", name, version)
	return b, nil
}

// openBenchDatabase creates a bench command's database if needed, brings
// its schema and reference data up to date, and connects to it.
func openBenchDatabase(ctx context.Context, dbURL string) (*pgxpool.Pool, int32, error) {
	if err := postgres.EnsureDatabase(ctx, dbURL); err != nil {
		return nil, 0, err
	}
	version, err := postgres.Migrate(ctx, dbURL)
	if err != nil {
		return nil, 0, err
	}
	pool, err := openPostgres(ctx, dbURL, 0)
	if err != nil {
		return nil, 0, err
	}
	if _, err := postgres.LoadReference(ctx, pool); err != nil {
		pool.Close()
		return nil, 0, fmt.Errorf("load reference data: %w", err)
	}
	return pool, version, nil
}

// startCPUProfile profiles the CPU into path until the returned function
// is called; with no path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// loadIndex loads the candidate index as serve does at start, and has the
// service shortlist from it.
func (b *bench) loadIndex(ctx context.Context) error {
	start := time.Now()
	ix := postgres.NewLiveIndex(b.pool, slog.New(slog.DiscardHandler))
	if err := ix.Load(ctx); err != nil {
		return err
	}
	elapsed := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(b.out, "candidate index: %s candidates with consent loaded in %s; Go heap in use %.0f MB\n",
		thousands(ix.Len()), elapsed.Round(time.Millisecond), float64(ms.HeapInuse)/(1<<20))
	b.svc.UseIndex(ix)
	return nil
}

func (b *bench) close() {
	if b.rdb != nil {
		_ = b.rdb.Close()
	}
	if b.pool != nil {
		b.pool.Close()
	}
}

// benchDatabaseURL is DATABASE_URL with "_bench_<candidates>" appended to
// the database name, so the benchmark never touches the service's data.
func benchDatabaseURL(databaseURL string, candidates int) (benchURL, name string, err error) {
	return benchDatabaseNamed(databaseURL, strconv.Itoa(candidates))
}

// benchDatabaseNamed is DATABASE_URL with "_bench_<suffix>" appended to
// the database name.
func benchDatabaseNamed(databaseURL, suffix string) (benchURL, name string, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", errors.New("bench: DATABASE_URL must be a postgres:// URL")
	}
	base := strings.TrimPrefix(u.Path, "/")
	if base == "" {
		base = "outreach"
	}
	name = base + "_bench_" + suffix
	u.Path, u.RawPath = "/"+name, ""
	return u.String(), name, nil
}

// ensurePopulation reuses the national population when the database holds
// exactly it, and (re)loads it otherwise.
func (b *bench) ensurePopulation(ctx context.Context) error {
	total, bench, err := b.store.CandidateCounts(ctx, seed.NationalIDPrefix)
	if err != nil {
		return err
	}
	n := b.opts.candidates
	if b.opts.reuse && total == n && bench == n {
		fmt.Fprintf(b.out, "reusing the %s candidates already in %s (-reuse=false reloads them)\n", thousands(n), b.name)
		if b.counsellors, err = b.ensureCounsellors(ctx); err != nil {
			return err
		}
		return b.finishLoad(ctx)
	}
	if total > 0 {
		fmt.Fprintf(b.out, "emptying %s (it held %s candidates)\n", b.name, thousands(total))
	}
	if err := b.store.ResetOutreach(ctx); err != nil {
		return err
	}
	if b.counsellors, err = b.ensureCounsellors(ctx); err != nil {
		return err
	}
	if err := b.load(ctx); err != nil {
		return err
	}
	return b.finishLoad(ctx)
}

// ensureCounsellors finds or creates one counsellor per department.
func (b *bench) ensureCounsellors(ctx context.Context) (map[string]int64, error) {
	names := map[string]string{}
	for _, c := range b.communes {
		names[c.Department] = c.DepartmentName
	}
	ids := make(map[string]int64, len(names))
	for dept, deptName := range names {
		email := "bench." + strings.ToLower(dept) + "@agence.example"
		c, err := b.store.CounsellorByEmail(ctx, email)
		if errors.Is(err, outreach.ErrNotFound) {
			c = outreach.Counsellor{Email: email, Name: "Conseiller " + dept, Agency: "Agence " + deptName}
			err = b.store.CreateCounsellor(ctx, &c)
		}
		if err != nil {
			return nil, fmt.Errorf("bench counsellor %s: %w", dept, err)
		}
		ids[dept] = c.ID
	}
	return ids, nil
}

// load copies the national population in, printing progress.
func (b *bench) load(ctx context.Context) error {
	n := b.opts.candidates
	src, err := seed.National(seed.NationalConfig{Candidates: n, Seed: benchPopulationSeed, Counsellors: b.counsellors},
		b.communes, b.codes)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "loading %s candidates with COPY (%d departments, one counsellor each)\n",
		thousands(n), len(b.counsellors))
	start := time.Now()
	progress := func(done int) {
		fmt.Fprintf(b.out, "loaded %s / %s candidates (%s/s)\n", thousands(done), thousands(n), rate(done, time.Since(start)))
	}
	copied, err := b.store.CopyCandidates(ctx, src, progress)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "loaded %s candidates in %s\n", thousands(copied), time.Since(start).Round(time.Millisecond))
	return nil
}

// finishLoad records the opt-outs and refreshes the planner's view; both
// are idempotent, so an interrupted load is completed on reuse.
func (b *bench) finishLoad(ctx context.Context) error {
	phones := seed.OptedOutPhones(seed.DefaultOptOutShare)
	added, err := b.store.OptOutPhones(ctx, phones, "bench")
	if err != nil {
		return err
	}
	if added > 0 {
		fmt.Fprintf(b.out, "opted out %d of the %s fictional numbers, so %.0f%% of candidates\n",
			len(phones), thousands(seed.FictionalPhones), 100*seed.DefaultOptOutShare)
	}
	start := time.Now()
	if err := b.store.VacuumCandidates(ctx); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "VACUUM (ANALYZE) candidates, opt_outs: %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// createOffers replaces the database's offers (and so its contacts) with
// the warm-up and timed random offers, created through the service.
func (b *bench) createOffers(ctx context.Context) (warm, timed []outreach.Offer, err error) {
	if err := b.store.ResetOffers(ctx); err != nil {
		return nil, nil, err
	}
	specs, err := seed.Offers(b.opts.warmup+b.opts.offers, benchOffersSeed, b.communes, b.codes)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	all := make([]outreach.Offer, len(specs))
	for i, s := range specs {
		loc := s.Location
		all[i], err = b.svc.CreateOffer(ctx, outreach.OfferInput{
			Title: s.Title, ROMECode: s.ROMECode, Location: &loc, CommuneCode: s.CommuneCode, Town: s.Town,
			Employer:     outreach.Employer{Name: "Employeur de test", Email: "recrutement@entreprise.example"},
			ContractType: s.ContractType, Skills: s.Skills, RadiusKM: s.RadiusKM, CounsellorID: b.counsellors[s.Department],
			Questions: &[]outreach.Question{},
		})
		if err != nil {
			return nil, nil, fmt.Errorf("bench offer %d (%s in %s): %w", i, s.ROMECode, s.CommuneCode, err)
		}
	}
	fmt.Fprintf(b.out, "created %s random offers (+%d for warm-up) in %s: ROME codes weighted like the population, places by population, CDI/CDD/MIS 45/35/20, radius 10/20/30/50 km\n",
		thousands(b.opts.offers), b.opts.warmup, time.Since(start).Round(time.Millisecond))
	return all[:b.opts.warmup], all[b.opts.warmup:], nil
}
