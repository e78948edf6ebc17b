package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/franceoutreach/outreach/outreach"
)

// The two statements of every SMS (the claim, and the record of its SID)
// are what PostgreSQL spends its time on in a campaign. A worker runs
// dozens of sends at once, so StartBatching lets their statements share:
// while one statement runs, the requests that arrive wait and then go
// together in the next one (as a group commit does). Nothing waits on
// purpose: alone, a request goes at once; under load, up to maxBatch go
// in one statement. Each request keeps its own answer: a contact claimed
// twice in one batch is claimed by the first request only.

const maxBatch = 256

type claimRequest struct {
	id  int64
	out chan claimResult
}

type claimResult struct {
	claim outreach.SendClaim
	ok    bool
	err   error
}

type sentRequest struct {
	id  int64
	sid string
	at  time.Time
	out chan sentResult
}

type sentResult struct {
	early bool // delivery reports for the SID arrived before it was stored
	err   error
}

// sendBatcher gathers claims, records of SIDs and delivery reports into
// batches.
type sendBatcher struct {
	claims   chan claimRequest
	sents    chan sentRequest
	statuses chan statusRequest
}

// StartBatching makes ClaimSend, RecordSent and ApplyStatusReport share
// statements with the concurrent calls of this Store until ctx ends (see
// sendBatcher and statusbatch.go). Worker and API processes call it;
// without it each call is its own statement. Stop it only once no call is
// in flight.
func (s *Store) StartBatching(ctx context.Context) {
	b := &sendBatcher{claims: make(chan claimRequest), sents: make(chan sentRequest), statuses: make(chan statusRequest)}
	go runBatches(ctx, b.claims, func(batch []claimRequest) { s.claimBatch(ctx, batch) })
	go runBatches(ctx, b.sents, func(batch []sentRequest) { s.recordSentBatch(ctx, batch) })
	go runBatches(ctx, b.statuses, func(batch []statusRequest) { s.applyStatusBatch(ctx, batch) })
	s.batch = b
}

// runBatches hands run the requests of ch in batches until ctx ends: the
// first request that comes, and those already waiting behind it.
func runBatches[T any](ctx context.Context, ch <-chan T, run func([]T)) {
	for {
		var first T
		select {
		case <-ctx.Done():
			return
		case first = <-ch:
		}
		batch := []T{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-ch:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		run(batch)
	}
}

const claimQuery = `UPDATE contacts k SET status = 'sending', send_claimed_at = now(), updated_at = now()
WHERE k.id = ANY($1) AND k.status IN ('planned', 'queued') AND k.message_sid IS NULL
RETURNING k.id, k.phone, k.body, k.send_claimed_at, EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = k.phone)`

func (s *Store) claimBatch(ctx context.Context, batch []claimRequest) {
	ids := make([]int64, len(batch))
	for i, r := range batch {
		ids[i] = r.id
	}
	claimed := map[int64]outreach.SendClaim{}
	err := retryDeadlock(func() error {
		clear(claimed) // rows of an attempt rolled back
		rows, err := s.db.Query(ctx, claimQuery, ids)
		if err != nil {
			return err
		}
		claims, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.SendClaim, error) {
			var c outreach.SendClaim
			err := row.Scan(&c.ContactID, &c.Phone, &c.Body, &c.ClaimedAt, &c.OptedOut)
			return c, err
		})
		for _, c := range claims {
			claimed[c.ContactID] = c
		}
		return err
	})
	err = translate(err, "claim contacts")
	for _, r := range batch {
		c, ok := claimed[r.id]
		delete(claimed, r.id) // a second request for the same contact gets false
		r.out <- claimResult{claim: c, ok: ok && err == nil, err: err}
	}
}

// recordSentQuery takes the SIDs' locks (see messageLock) before the
// update: the scalar subquery runs once, first.
const recordSentQuery = `WITH lock AS (SELECT pg_advisory_xact_lock(7, hashtext(sid)) FROM unnest($2::text[]) AS sid),
v AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS v(id, sid, at))
UPDATE contacts k SET message_sid = v.sid, status = 'sent', sent_at = v.at, updated_at = now()
FROM v WHERE k.id = v.id AND k.status = 'sending' AND k.message_sid IS NULL AND (SELECT count(*) FROM lock) >= 0
RETURNING k.id`

func (s *Store) recordSentBatch(ctx context.Context, batch []sentRequest) {
	ids, sids, ats := make([]int64, len(batch)), make([]string, len(batch)), make([]time.Time, len(batch))
	for i, r := range batch {
		ids[i], sids[i], ats[i] = r.id, r.sid, r.at
	}
	done := map[int64]bool{}
	err := retryDeadlock(func() error {
		clear(done) // rows of an attempt rolled back
		rows, err := s.db.Query(ctx, recordSentQuery, ids, sids, ats)
		if err != nil {
			return err
		}
		updated, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		for _, id := range updated {
			done[id] = true
		}
		return err
	})
	early := map[string]bool{}
	if err == nil {
		var rows pgx.Rows
		// After the update committed: see earlyReports.
		rows, err = s.db.Query(ctx, `SELECT DISTINCT message_sid FROM status_events WHERE message_sid = ANY($1)`, sids)
		if err == nil {
			var found []string
			found, err = pgx.CollectRows(rows, pgx.RowTo[string])
			for _, sid := range found {
				early[sid] = true
			}
		}
	}
	err = translate(err, "record sent")
	for _, r := range batch {
		switch {
		case err != nil:
			r.out <- sentResult{err: err}
		case done[r.id]:
			delete(done, r.id)
			r.out <- sentResult{early: early[r.sid]}
		default:
			r.out <- sentResult{err: fmt.Errorf("record sent: contact %d is not being sent, or has a message sid", r.id)}
		}
	}
}

// batchClaim hands a claim to the batcher and waits for its answer.
func (b *sendBatcher) claim(ctx context.Context, id int64) (outreach.SendClaim, bool, error) {
	out := make(chan claimResult, 1)
	select {
	case b.claims <- claimRequest{id: id, out: out}:
	case <-ctx.Done():
		return outreach.SendClaim{}, false, ctx.Err()
	}
	r := <-out // always answered: the batcher finishes what it took
	return r.claim, r.ok, r.err
}

func (b *sendBatcher) recordSent(ctx context.Context, id int64, sid string, at time.Time) (bool, error) {
	out := make(chan sentResult, 1)
	select {
	case b.sents <- sentRequest{id: id, sid: sid, at: at, out: out}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	r := <-out
	return r.early, r.err
}

// retryDeadlock runs a batch statement again, up to three times, when
// PostgreSQL chose it as the victim of a deadlock: the statement is a
// whole transaction, so it left nothing behind, and failing it would fail
// a whole batch of sends.
func retryDeadlock(run func() error) error {
	var err error
	for range 3 {
		var pgErr *pgconn.PgError
		if err = run(); !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			return err
		}
	}
	return err
}
