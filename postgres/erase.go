package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Erasure (migration 017): a job seeker's personal data is blanked in one
// transaction, everywhere it is stored, while their contacts keep their
// statuses, replies and times for the offers' counts; their row stays as
// a tombstone (erased_at) that the lists leave out.

// ErasedText replaces what an erasure or a retention run blanked where a
// column must keep a value: a provider's error message (it may quote the
// number) and the reason of an SMS that was never sent.
const ErasedText = "effacé (RGPD)"

// pendingTasksQuery lists what of the job seeker $1's may wait in the
// queue, whatever its state: the contacts (offer SMS and reminders), the
// pre-screening SMS and conversations (their timers), the counsellors'
// answers. Settled ones too, since the queue keeps failed tasks with
// their error.
const pendingTasksQuery = `
SELECT 'contact', k.id, 0 FROM contacts k WHERE k.candidate_id = $1
UNION ALL
SELECT 'screening', s.contact_id, s.step FROM screenings s JOIN contacts k ON k.id = s.contact_id WHERE k.candidate_id = $1
UNION ALL
SELECT 'screening_message', m.id, 0 FROM screening_messages m JOIN contacts k ON k.id = m.contact_id WHERE k.candidate_id = $1
UNION ALL
SELECT 'counsellor_message', a.id, 0 FROM counsellor_messages a WHERE a.candidate_id = $1`

// CandidateTasks lists what of the job seeker's may wait in the queue.
func (s *Store) CandidateTasks(ctx context.Context, candidateID int64) (outreach.PendingTasks, error) {
	var p outreach.PendingTasks
	rows, err := s.db.Query(ctx, pendingTasksQuery, candidateID)
	if err != nil {
		return p, translate(err, "pending tasks")
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var id int64
		var step int
		if err := rows.Scan(&kind, &id, &step); err != nil {
			return p, translate(err, "pending tasks")
		}
		switch kind {
		case "contact":
			p.Contacts = append(p.Contacts, id)
		case "screening":
			p.Screenings = append(p.Screenings, outreach.ScreeningSteps{ContactID: id, Step: step})
		case "screening_message":
			p.ScreeningMessages = append(p.ScreeningMessages, id)
		case "counsellor_message":
			p.CounsellorMessages = append(p.CounsellorMessages, id)
		}
	}
	return p, translate(rows.Err(), "pending tasks")
}

// The erasure's statements, each on the job seeker $1; $2 is the time of
// the erasure, $3 ErasedText. SMS still to send are settled (failed,
// skipped), and reminders not sent skipped, so that nothing goes to a
// number that is no more; an open pre-screening conversation ends
// incomplete.
const (
	eraseContacts = `UPDATE contacts SET phone = '', body = '', reasons = '[]',
	reminder_body = CASE WHEN reminder_body IS NOT NULL THEN '' END,
	error_message = CASE WHEN status IN ('planned', 'queued', 'sending') OR error_message IS NOT NULL THEN $3 END,
	status = CASE WHEN status IN ('planned', 'queued', 'sending') THEN 'failed' ELSE status END,
	reminder_status = CASE WHEN reminder_status IS NULL OR reminder_status IN ('queued', 'sending') THEN 'skipped'
		ELSE reminder_status END,
	updated_at = $2
WHERE candidate_id = $1`
	eraseScreenings = `UPDATE screenings s SET phone = '',
	status = CASE WHEN s.status IN ('asking', 'awaiting_reask') THEN 'incomplete' ELSE s.status END,
	step = CASE WHEN s.status IN ('asking', 'awaiting_reask') THEN s.step + 1 ELSE s.step END,
	ended_at = coalesce(s.ended_at, $2), updated_at = $2
FROM contacts k WHERE k.id = s.contact_id AND k.candidate_id = $1`
	eraseScreeningMessages = `UPDATE screening_messages m SET phone = '', body = '',
	status = CASE WHEN m.status IN ('planned', 'queued', 'sending') THEN 'skipped' ELSE m.status END
FROM contacts k WHERE k.id = m.contact_id AND k.candidate_id = $1`
	eraseCounsellorMessages = `UPDATE counsellor_messages SET phone = '', body = '',
	status = CASE WHEN status IN ('planned', 'queued', 'sending') THEN 'skipped' ELSE status END
WHERE candidate_id = $1`
	eraseInbound = `UPDATE inbound_messages SET body = '', from_phone = ''
WHERE candidate_id = $1`
	// The trigger of shortlist_decisions lets the reason be blanked
	// inside an erasure only (outreach.erasing).
	eraseDecisionReasons = `UPDATE shortlist_decisions d SET reason = ''
FROM contacts k WHERE k.id = d.contact_id AND k.candidate_id = $1 AND d.reason <> ''`
	// The tombstone: an external id made of the internal one (reserved,
	// see outreach.ErasedExternalIDPrefix), no consent, nothing else.
	eraseCandidate = `UPDATE candidates SET external_id = '` + outreach.ErasedExternalIDPrefix + `' || id, first_name = '', phone = '',
	lat = 0, lon = 0, commune_code = NULL, mobility_km = 1, rome_codes = '{}', appellation_ids = '{}', skills = '{}',
	contract_types = '{}', available_from = NULL, sms_consent = false, erased_at = $2, updated_at = $2
WHERE id = $1`
)

// EraseCandidate erases the job seeker's personal data in one
// transaction that also appends a, with a.Counts completed.
func (s *Store) EraseCandidate(ctx context.Context, candidateID int64, a *outreach.Access) (outreach.Erasure, error) {
	e := outreach.Erasure{CandidateID: candidateID}
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		st := &Store{db: tx}
		if _, err := tx.Exec(ctx, `SELECT set_config('outreach.erasing', 'on', true)`); err != nil {
			return translate(err, "flag the erasure")
		}
		var phone string
		var shared bool
		const lock = `SELECT c.phone, EXISTS (SELECT 1 FROM candidates o WHERE o.phone = c.phone AND o.id <> c.id AND o.erased_at IS NULL)
FROM candidates c WHERE c.id = $1 AND c.erased_at IS NULL FOR UPDATE`
		if err := tx.QueryRow(ctx, lock, candidateID).Scan(&phone, &shared); err != nil {
			return translate(err, fmt.Sprintf("candidate %d", candidateID))
		}
		steps := []struct {
			sql   string
			args  []any
			count *int
		}{
			{eraseContacts, []any{candidateID, a.At, ErasedText}, &e.Contacts},
			{eraseScreenings, []any{candidateID, a.At}, &e.Screenings},
			{eraseScreeningMessages, []any{candidateID}, &e.ScreeningMessages},
			{eraseCounsellorMessages, []any{candidateID}, &e.CounsellorMessages},
			{eraseInbound, []any{candidateID}, &e.InboundMessages},
			{eraseDecisionReasons, []any{candidateID}, &e.DecisionReasons},
		}
		for _, step := range steps {
			tag, err := tx.Exec(ctx, step.sql, step.args...)
			if err != nil {
				return translate(err, "erase")
			}
			*step.count = int(tag.RowsAffected())
		}
		// Their number is theirs alone (else what it sent is another's too).
		if !shared {
			if err := st.eraseNumber(ctx, phone, &e); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, eraseCandidate, candidateID, a.At); err != nil {
			return translate(err, "erase candidate")
		}
		var err error
		if e.Pending, err = st.CandidateTasks(ctx, candidateID); err != nil {
			return err
		}
		if a.Counts == nil {
			a.Counts = map[string]int{}
		}
		for k, n := range e.Counts() {
			if k != "queued_tasks" { // the caller's: the queue is not in this transaction
				a.Counts[k] = n
			}
		}
		return st.RecordAccess(ctx, a)
	})
	return e, err
}

// eraseNumber removes what the number sent without being linked to a job
// seeker (deleted with its inbox item, unless a counsellor acted on it:
// then blanked), and forgets its consent history and opt-out.
func (s *Store) eraseNumber(ctx context.Context, phone string, e *outreach.Erasure) error {
	const items = `DELETE FROM inbox_items i USING inbound_messages m
WHERE m.candidate_id IS NULL AND m.from_phone = $1 AND i.inbound_id = m.id
	AND NOT EXISTS (SELECT 1 FROM counsellor_messages a WHERE a.inbox_item_id = i.id)
	AND NOT EXISTS (SELECT 1 FROM interest_corrections c WHERE c.inbox_item_id = i.id)
RETURNING i.inbound_id`
	ids, err := s.contactIDs(ctx, "delete unlinked inbox items", items, phone)
	if err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `DELETE FROM inbound_messages WHERE id = ANY($1)`, ids)
	if err != nil {
		return translate(err, "delete unlinked messages")
	}
	e.UnlinkedDeleted = int(tag.RowsAffected())
	if tag, err = s.db.Exec(ctx, `UPDATE inbound_messages SET body = '', from_phone = ''
WHERE candidate_id IS NULL AND from_phone = $1`, phone); err != nil {
		return translate(err, "erase unlinked messages")
	}
	e.InboundMessages += int(tag.RowsAffected())
	if tag, err = s.db.Exec(ctx, `UPDATE consent_events SET phone = '' WHERE phone = $1`, phone); err != nil {
		return translate(err, "erase consent events")
	}
	e.ConsentEvents = int(tag.RowsAffected())
	if _, err := s.db.Exec(ctx, `DELETE FROM opt_outs WHERE phone = $1`, phone); err != nil {
		return translate(err, "erase opt-out")
	}
	return nil
}
