// Package postgres is the PostgreSQL adapter of the outreach domain: it
// implements outreach.Store with pgx v5 and hand-written SQL, and applies
// the embedded migrations with jackc/tern.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/outreach"
)

// db is what both a pool and a transaction offer.
type db interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Store implements outreach.Store on PostgreSQL.
type Store struct {
	db    db
	batch *sendBatcher // nil: each send statement runs alone
	// replica serves the matcher's reads outside transactions (see
	// WithReplica); nil: the primary does.
	replica db
}

var _ outreach.Store = (*Store)(nil)

// NewStore returns a Store on the pool, with options (WithReplica).
func NewStore(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{db: pool}
	for _, o := range opts {
		o(s)
	}
	return s
}

// InTx runs fn in a transaction (a savepoint when already in one).
func (s *Store) InTx(ctx context.Context, fn func(outreach.Store) error) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		return fn(&Store{db: tx})
	})
	if isUnavailable(err) && !errors.Is(err, outreach.ErrUnavailable) {
		return fmt.Errorf("transaction: %w: %w", outreach.ErrUnavailable, err) // begin or commit
	}
	return err
}

// translate maps driver errors to the domain's sentinels.
func translate(err error, what string) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return &outreach.NotFoundError{What: what}
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return fmt.Errorf("%s: %w (%s)", what, outreach.ErrConflict, pgErr.ConstraintName)
	case isUnavailable(err) && !errors.Is(err, outreach.ErrUnavailable):
		return fmt.Errorf("%s: %w: %w", what, outreach.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func isNotFound(err error) bool {
	return errors.Is(err, outreach.ErrNotFound)
}
