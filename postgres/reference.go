package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/refdata"
)

// ReferenceCounts reports the rows of each reference table after
// LoadReference, and whether the load was skipped because the tables
// already held the embedded data.
type ReferenceCounts struct {
	ROMECodes     int
	Appellations  int
	MobilityLinks int
	Communes      int
	Skills        int
	SkillLinks    int
	Skipped       bool
}

// referenceLockKey serialises concurrent LoadReference calls (two instances
// starting at once) through a transaction-scoped advisory lock.
const referenceLockKey = 7_245_301_117

const countReferenceSQL = `
SELECT (SELECT count(*) FROM rome_codes),
       (SELECT count(*) FROM rome_appellations),
       (SELECT count(*) FROM rome_mobility),
       (SELECT count(*) FROM communes),
       (SELECT count(*) FROM rome_skills),
       (SELECT count(*) FROM rome_code_skills)`

// referenceData is the embedded reference data, read once per load.
type referenceData struct {
	codes      []refdata.ROMECode
	apps       []refdata.Appellation
	links      []refdata.Mobility
	communes   []refdata.Commune
	skills     []refdata.Skill
	skillLinks []refdata.SkillLink
}

func (d referenceData) counts() ReferenceCounts {
	return ReferenceCounts{
		ROMECodes:     len(d.codes),
		Appellations:  len(d.apps),
		MobilityLinks: len(d.links),
		Communes:      len(d.communes),
		Skills:        len(d.skills),
		SkillLinks:    len(d.skillLinks),
	}
}

// LoadReference loads the embedded ROME referential and communes into the
// reference tables, so that offers and candidates can be checked and located
// against them, and offers given their occupation's skills. It is
// idempotent and safe to run at every start: when the tables already hold
// exactly the embedded row counts it does nothing and reports Skipped.
// Otherwise it reloads all the tables in one transaction. ROME codes are
// upserted rather than truncated because offers reference them; a code
// dropped from the referential but still used by an offer is kept (the
// counts then differ and the next call reloads again).
func LoadReference(ctx context.Context, pool *pgxpool.Pool) (ReferenceCounts, error) {
	data, err := readReferenceData()
	if err != nil {
		return ReferenceCounts{}, err
	}
	want := data.counts()
	have, err := countReference(ctx, pool)
	if err != nil {
		return ReferenceCounts{}, err
	}
	if have == want {
		have.Skipped = true
		return have, nil
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		return ReferenceCounts{}, fmt.Errorf("begin reference load: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit

	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", referenceLockKey); err != nil {
		return ReferenceCounts{}, fmt.Errorf("lock reference tables: %w", err)
	}
	// Another instance may have loaded the data while we waited for the lock.
	if have, err = countReference(ctx, tx); err != nil {
		return ReferenceCounts{}, err
	}
	if have == want {
		have.Skipped = true
		return have, nil
	}
	if err := reloadReference(ctx, tx, data); err != nil {
		return ReferenceCounts{}, err
	}
	if have, err = countReference(ctx, tx); err != nil {
		return ReferenceCounts{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return ReferenceCounts{}, fmt.Errorf("commit reference load: %w", err)
	}
	return have, nil
}

func readReferenceData() (referenceData, error) {
	var d referenceData
	var err error
	if d.codes, err = refdata.ROMECodes(); err != nil {
		return d, fmt.Errorf("read reference: %w", err)
	}
	if d.apps, err = refdata.Appellations(); err != nil {
		return d, fmt.Errorf("read reference: %w", err)
	}
	if d.links, err = refdata.MobilityLinks(); err != nil {
		return d, fmt.Errorf("read reference: %w", err)
	}
	if d.communes, err = refdata.Communes(); err != nil {
		return d, fmt.Errorf("read reference: %w", err)
	}
	if d.skills, err = refdata.Skills(); err != nil {
		return d, fmt.Errorf("read reference: %w", err)
	}
	if d.skillLinks, err = refdata.SkillLinks(); err != nil {
		return d, fmt.Errorf("read reference: %w", err)
	}
	return d, nil
}

// referenceQuerier is what countReference needs from a pool or a transaction.
type referenceQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func countReference(ctx context.Context, q referenceQuerier) (ReferenceCounts, error) {
	var c ReferenceCounts
	err := q.QueryRow(ctx, countReferenceSQL).Scan(&c.ROMECodes, &c.Appellations, &c.MobilityLinks, &c.Communes,
		&c.Skills, &c.SkillLinks)
	if err != nil {
		return ReferenceCounts{}, fmt.Errorf("count reference rows: %w", err)
	}
	return c, nil
}

// reloadReference empties the tables that reference rome_codes, upserts the
// codes, then copies the job titles, mobility links, skills and communes
// back in.
func reloadReference(ctx context.Context, tx pgx.Tx, d referenceData) error {
	if _, err := tx.Exec(ctx, "TRUNCATE rome_mobility, rome_appellations, rome_code_skills, rome_skills, communes"); err != nil {
		return fmt.Errorf("truncate reference tables: %w", err)
	}
	if err := upsertROMECodes(ctx, tx, d.codes); err != nil {
		return err
	}
	apps := pgx.CopyFromSlice(len(d.apps), func(i int) ([]any, error) {
		a := d.apps[i]
		return []any{a.ID, a.Label, a.ShortLabel, a.ROMECode}, nil
	})
	if err := copyReferenceRows(ctx, tx, "rome_appellations", []string{"id", "label", "short_label", "rome_code"}, apps); err != nil {
		return err
	}
	links := pgx.CopyFromSlice(len(d.links), func(i int) ([]any, error) {
		l := d.links[i]
		return []any{l.From, l.To, l.Rank}, nil
	})
	if err := copyReferenceRows(ctx, tx, "rome_mobility", []string{"from_code", "to_code", "rank"}, links); err != nil {
		return err
	}
	if err := copySkills(ctx, tx, d); err != nil {
		return err
	}
	communeColumns := []string{"insee", "name", "postal_code", "department", "population", "lat", "lon", "former_insee"}
	return copyReferenceRows(ctx, tx, "communes", communeColumns, pgx.CopyFromSlice(len(d.communes), func(i int) ([]any, error) {
		return communeCopyRow(d.communes[i]), nil
	}))
}

// copySkills copies the ROME skills, then the skills of each occupation.
func copySkills(ctx context.Context, tx pgx.Tx, d referenceData) error {
	skills := pgx.CopyFromSlice(len(d.skills), func(i int) ([]any, error) {
		return []any{d.skills[i].ID, d.skills[i].Label}, nil
	})
	if err := copyReferenceRows(ctx, tx, "rome_skills", []string{"id", "label"}, skills); err != nil {
		return err
	}
	links := pgx.CopyFromSlice(len(d.skillLinks), func(i int) ([]any, error) {
		l := d.skillLinks[i]
		return []any{l.ROMECode, l.SkillID, l.Core}, nil
	})
	return copyReferenceRows(ctx, tx, "rome_code_skills", []string{"rome_code", "skill_id", "core"}, links)
}

func communeCopyRow(c refdata.Commune) []any {
	var lat, lon *float64
	if c.HasCoordinates {
		lat, lon = &c.Lat, &c.Lon
	}
	former := c.FormerINSEE
	if former == nil {
		former = []string{} // the column is NOT NULL
	}
	return []any{c.INSEE, c.Name, c.PostalCode, c.Department, c.Population, lat, lon, former}
}

const (
	createROMELoadSQL = `CREATE TEMP TABLE rome_codes_load
    (code text PRIMARY KEY, label text NOT NULL, parent_code text NOT NULL) ON COMMIT DROP`
	upsertROMESQL = `INSERT INTO rome_codes (code, label, parent_code)
SELECT code, label, parent_code FROM rome_codes_load
ON CONFLICT (code) DO UPDATE
SET label = EXCLUDED.label, parent_code = EXCLUDED.parent_code
WHERE (rome_codes.label, rome_codes.parent_code) IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.parent_code)`
	// Codes dropped from the referential go, unless an offer still uses one.
	deleteStaleROMESQL = `DELETE FROM rome_codes r
WHERE NOT EXISTS (SELECT 1 FROM rome_codes_load l WHERE l.code = r.code)
  AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.rome_code = r.code)`
)

func upsertROMECodes(ctx context.Context, tx pgx.Tx, codes []refdata.ROMECode) error {
	if _, err := tx.Exec(ctx, createROMELoadSQL); err != nil {
		return fmt.Errorf("create rome codes load table: %w", err)
	}
	rows := pgx.CopyFromSlice(len(codes), func(i int) ([]any, error) {
		c := codes[i]
		return []any{c.Code, c.Label, c.ParentCode}, nil
	})
	if err := copyReferenceRows(ctx, tx, "rome_codes_load", []string{"code", "label", "parent_code"}, rows); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, upsertROMESQL); err != nil {
		return fmt.Errorf("upsert rome codes: %w", err)
	}
	if _, err := tx.Exec(ctx, deleteStaleROMESQL); err != nil {
		return fmt.Errorf("delete stale rome codes: %w", err)
	}
	return nil
}

func copyReferenceRows(ctx context.Context, tx pgx.Tx, table string, columns []string, rows pgx.CopyFromSource) error {
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, rows); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}
