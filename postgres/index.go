package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
)

// LiveIndex is a matcher.Index of the candidates who gave SMS consent,
// loaded from PostgreSQL and kept current: before each search it reads the
// rows written since its previous read (see migration 007), so a search
// sees every change committed before it started, by any process.
type LiveIndex struct {
	pool *pgxpool.Pool
	ix   *matcher.Index
	log  *slog.Logger

	mu     sync.Mutex // one reader of changes at a time
	since  uint64     // xmin of the previous read's snapshot
	loaded atomic.Bool
}

// NewLiveIndex returns an index that Load must fill.
func NewLiveIndex(pool *pgxpool.Pool, log *slog.Logger) *LiveIndex {
	return &LiveIndex{pool: pool, ix: matcher.NewIndex(), log: log}
}

// indexColumns are what the index keeps of a candidate.
const indexColumns = `c.id, c.rome_codes, c.lat, c.lon, c.mobility_km, c.contract_types, c.skills, c.sms_consent`

// Load reads every candidate into the index, logging progress every
// million. Searches made meanwhile return outreach.ErrIndexNotReady.
func (l *LiveIndex) Load(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := time.Now()
	n := 0
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, l.pool, opts, func(tx pgx.Tx) error {
		// The first statement fixes the snapshot the whole load reads.
		if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&l.since); err != nil {
			return fmt.Errorf("read snapshot: %w", err)
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM candidates WHERE sms_consent`).Scan(&count); err != nil {
			return fmt.Errorf("count candidates: %w", err)
		}
		l.ix.Grow(count)
		// In id order, so that the index finds slots by binary search.
		rows, err := tx.Query(ctx, `SELECT `+indexColumns+` FROM candidates c WHERE c.sms_consent ORDER BY c.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		batch := make([]matcher.IndexEntry, 0, 4096)
		for rows.Next() {
			e, _, err := scanIndexEntry(rows)
			if err != nil {
				return err
			}
			if batch = append(batch, e); len(batch) == cap(batch) {
				l.ix.Apply(batch, nil)
				batch = batch[:0]
			}
			if n++; n%1_000_000 == 0 {
				l.log.Info("loading candidate index", "candidates", n, "elapsed", time.Since(start).Round(time.Millisecond))
			}
		}
		l.ix.Apply(batch, nil)
		return rows.Err()
	})
	if err != nil {
		return translate(err, "load candidate index")
	}
	l.ix.Compact()
	l.loaded.Store(true)
	l.log.Info("candidate index loaded", "candidates", l.ix.Len(), "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

func scanIndexEntry(row pgx.Row) (matcher.IndexEntry, bool, error) {
	var e matcher.IndexEntry
	var consent bool
	err := row.Scan(&e.ID, &e.ROMECodes, &e.Location.Lat, &e.Location.Lon, &e.MobilityKM, &e.ContractTypes, &e.Skills, &consent)
	return e, consent, err
}

// CatchUp applies the changes committed since the previous read.
func (l *LiveIndex) CatchUp(ctx context.Context) error {
	if !l.loaded.Load() {
		return outreach.ErrIndexNotReady
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.catchUp(ctx)
}

// One statement, so one snapshot: its xmin, then the candidates written
// and deleted by transactions that the previous read may not have seen.
const changesQuery = `
SELECT 0, pg_snapshot_xmin(pg_current_snapshot())::text::bigint, NULL::text[], 0::float8, 0::float8, 0::float8,
	NULL::text[], NULL::text[], false
UNION ALL
SELECT 1, ` + indexColumns + ` FROM candidates c WHERE c.changed_xid >= $1::bigint::text::xid8
UNION ALL
SELECT 2, r.candidate_id, NULL, 0, 0, 0, NULL, NULL, false
FROM candidate_removals r WHERE r.removed_xid >= $1::bigint::text::xid8`

func (l *LiveIndex) catchUp(ctx context.Context) error {
	rows, err := l.pool.Query(ctx, changesQuery, l.since)
	if err != nil {
		return translate(err, "read candidate changes")
	}
	defer rows.Close()
	var put []matcher.IndexEntry
	var remove []int64
	var since uint64
	for rows.Next() {
		var kind int
		var e matcher.IndexEntry
		var consent bool
		if err := rows.Scan(&kind, &e.ID, &e.ROMECodes, &e.Location.Lat, &e.Location.Lon, &e.MobilityKM,
			&e.ContractTypes, &e.Skills, &consent); err != nil {
			return translate(err, "scan candidate change")
		}
		switch {
		case kind == 0:
			since = uint64(e.ID)
		case kind == 1 && consent:
			put = append(put, e)
		default: // deleted, or consent withdrawn
			remove = append(remove, e.ID)
		}
	}
	if err := rows.Err(); err != nil {
		return translate(err, "read candidate changes")
	}
	l.ix.Apply(put, remove)
	l.since = since
	return nil
}

// Search catches up with committed changes, then proposes candidates for
// the offer (see matcher.Index.Search).
func (l *LiveIndex) Search(ctx context.Context, offer matcher.Offer, floor float64) (*matcher.Proposals, error) {
	if err := l.CatchUp(ctx); err != nil {
		return nil, err
	}
	return l.ix.Search(offer, floor), nil
}

// Len returns the number of candidates in the index.
func (l *LiveIndex) Len() int { return l.ix.Len() }
