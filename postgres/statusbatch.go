package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Delivery reports are the busiest webhook: two or more per SMS, arriving
// together from Twilio for a whole campaign. Each is two small statements,
// so a commit (and its WAL flush) per report would be most of the work.
// With StartBatching, reports that arrive while one batch is being applied
// go together in the next: one transaction for the batch, each webhook
// answered only once that transaction committed (a group commit). A
// report's effects never span two transactions.

type statusRequest struct {
	report   outreach.StatusReport
	to       outreach.ContactStatus
	from     []outreach.ContactStatus
	at       time.Time
	deadline time.Time // the webhook's; zero: none
	out      chan statusResult
}

type statusResult struct {
	fresh, moved bool
	err          error
}

// statusBatchRecord takes the SIDs' locks (see messageLock) in one order
// whatever the batch, so that two batches never wait on each other in a
// circle, then stores the reports not stored before.
const statusBatchRecord = `WITH lock AS (
	SELECT pg_advisory_xact_lock(7, h) FROM (SELECT DISTINCT hashtext(sid) AS h FROM unnest($1::text[]) AS sid ORDER BY 1) AS l
)
INSERT INTO status_events (message_sid, status, error_code)
SELECT sid, status, nullif(code, 0) FROM unnest($1::text[], $2::text[], $3::int[]) AS v(sid, status, code)
WHERE (SELECT count(*) FROM lock) >= 0
ON CONFLICT DO NOTHING
RETURNING message_sid, status`

// statusBatchMove moves each SID's contact, in a second statement whose
// snapshot comes after the locks (see ApplyStatusReport). from lists, comma
// separated, the statuses each move is allowed from.
const statusBatchMove = `UPDATE contacts k SET status = v.status, error_code = coalesce(nullif(v.code, 0), k.error_code),
	delivered_at = CASE WHEN v.status = 'delivered' THEN v.at ELSE k.delivered_at END, updated_at = now()
FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::text[]) AS v(sid, status, code, at, from_statuses)
WHERE k.message_sid = v.sid AND k.status = ANY (string_to_array(v.from_statuses, ','))
RETURNING k.message_sid`

// applyStatusBatch applies the reports of a batch in one transaction of one
// round trip. Several reports for one SMS (sent and delivered, a retry)
// make one move: the furthest one, as applying them one after the other
// would have left it.
func (s *Store) applyStatusBatch(ctx context.Context, batch []statusRequest) {
	n := len(batch)
	sids, statuses, codes := make([]string, n), make([]string, n), make([]int32, n)
	for i, r := range batch {
		sids[i], statuses[i], codes[i] = r.report.MessageSID, r.report.Status, int32(r.report.ErrorCode)
	}
	furthest := map[string]int{} // SID → index in batch of its furthest move
	var order []string
	for i, r := range batch {
		j, seen := furthest[r.report.MessageSID]
		switch {
		case !seen:
			furthest[r.report.MessageSID] = i
			order = append(order, r.report.MessageSID)
		case outreach.CanAdvance(batch[j].to, r.to):
			furthest[r.report.MessageSID] = i
		}
	}
	var moveSIDs, moveTo, moveFrom []string
	var moveCodes []int32
	var moveAt []time.Time
	for _, sid := range order {
		r := batch[furthest[sid]]
		from := make([]string, len(r.from))
		for k, f := range r.from {
			from[k] = string(f)
		}
		moveSIDs, moveTo, moveFrom = append(moveSIDs, sid), append(moveTo, string(r.to)), append(moveFrom, strings.Join(from, ","))
		moveCodes, moveAt = append(moveCodes, int32(r.report.ErrorCode)), append(moveAt, r.at)
	}

	// The batch gives up at its earliest webhook's deadline: then every
	// webhook of the batch gets the error (503, Twilio retries) and, the
	// transaction rolled back, nothing of it is stored.
	if d, ok := earliestDeadline(batch); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		defer cancel()
	}
	fresh, moved := map[[2]string]bool{}, map[string]bool{}
	err := retryDeadlock(func() error {
		clear(fresh) // rows of an attempt rolled back
		clear(moved)
		b := &pgx.Batch{}
		b.Queue(statusBatchRecord, sids, statuses, codes)
		b.Queue(statusBatchMove, moveSIDs, moveTo, moveCodes, moveAt, moveFrom)
		res := s.db.SendBatch(ctx, b)
		defer res.Close()
		rows, err := res.Query()
		if err != nil {
			return err
		}
		recorded, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([2]string, error) {
			var k [2]string
			err := row.Scan(&k[0], &k[1])
			return k, err
		})
		if err != nil {
			return err
		}
		for _, k := range recorded {
			fresh[k] = true
		}
		if rows, err = res.Query(); err != nil {
			return err
		}
		movedSIDs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, sid := range movedSIDs {
			moved[sid] = true
		}
		return res.Close()
	})
	err = translate(err, "apply status events")
	for _, r := range batch {
		key := [2]string{r.report.MessageSID, r.report.Status}
		r.out <- statusResult{fresh: fresh[key], moved: moved[r.report.MessageSID], err: err}
		delete(fresh, key) // a retry in the same batch is not fresh
	}
}

func earliestDeadline(batch []statusRequest) (time.Time, bool) {
	var first time.Time
	for _, r := range batch {
		if !r.deadline.IsZero() && (first.IsZero() || r.deadline.Before(first)) {
			first = r.deadline
		}
	}
	return first, !first.IsZero()
}

func (b *sendBatcher) applyStatus(ctx context.Context, r statusRequest) (fresh, moved bool, err error) {
	r.out = make(chan statusResult, 1)
	r.deadline, _ = ctx.Deadline()
	select {
	case b.statuses <- r:
	case <-ctx.Done():
		return false, false, ctx.Err()
	}
	res := <-r.out // always answered: the batcher finishes what it took
	return res.fresh, res.moved, res.err
}
