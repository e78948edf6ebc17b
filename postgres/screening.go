package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/outreach"
)

// Pre-screening storage (migration 012): the questions each offer asks,
// and one conversation per contact whose every change is a conditional
// update on its step.

// SaveOfferQuestions replaces the questions the offer asks, in order;
// ErrNotFound when the offer does not exist. The offer's row is locked (in
// a mode that lets contacts still reference it) so that two saves of the
// same offer follow each other.
func (s *Store) SaveOfferQuestions(ctx context.Context, offerID int64, qs []outreach.Question) error {
	const (
		lock = `SELECT id FROM offers WHERE id = $1 FOR NO KEY UPDATE`
		del  = `DELETE FROM offer_questions WHERE offer_id = $1`
		ins  = `INSERT INTO offer_questions (offer_id, position, kind, date, hours, town, salary, licence, free_text, qualifying)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	)
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, lock, offerID).Scan(&offerID); err != nil {
			return translate(err, fmt.Sprintf("offer %d", offerID))
		}
		b := &pgx.Batch{}
		b.Queue(del, offerID)
		for i, q := range qs {
			b.Queue(ins, offerID, i, q.Kind, dateOrNull(q.Date), q.Hours, q.Town, q.Salary, q.Licence, q.Text, qualifying(q))
		}
		return tx.SendBatch(ctx, b).Close()
	})
	return translate(err, "save offer questions")
}

// OfferQuestions returns the questions the offer asks, in order; none
// (nil) for an offer without questions.
func (s *Store) OfferQuestions(ctx context.Context, offerID int64) ([]outreach.Question, error) {
	const q = `SELECT kind, date, hours, town, salary, licence, free_text, qualifying
FROM offer_questions WHERE offer_id = $1 ORDER BY position`
	rows, err := s.db.Query(ctx, q, offerID)
	if err != nil {
		return nil, translate(err, "offer questions")
	}
	qs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outreach.Question, error) {
		var q outreach.Question
		var date *time.Time
		err := row.Scan(&q.Kind, &date, &q.Hours, &q.Town, &q.Salary, &q.Licence, &q.Text, &q.Qualifying)
		if date != nil {
			q.Date = *date
		}
		return q, err
	})
	if len(qs) == 0 {
		qs = nil
	}
	return qs, translate(err, "offer questions")
}

// StartScreening stores the conversation s of a contact who said yes,
// started at startedAt and expiring at expiresAt. It stores one per
// contact: ok is false when the contact has one already (a replayed yes).
func (s *Store) StartScreening(ctx context.Context, contactID int64, phone string, sc outreach.Screening,
	startedAt, expiresAt time.Time) (ok bool, err error) {
	const q = `INSERT INTO screenings (contact_id, phone, offer_ref, questions, status, question_index, answers, step,
	reminded, handed_over, started_at, updated_at, last_asked_at, ended_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11,
	CASE WHEN $5::text IN ('asking', 'awaiting_reask') THEN NULL ELSE $11::timestamptz END, $12)
ON CONFLICT (contact_id) DO NOTHING`
	tag, err := s.db.Exec(ctx, q, contactID, phone, sc.OfferRef, snapshot(sc.Questions), sc.Status, sc.Question,
		answerTexts(sc.Answers), sc.Step, sc.Reminded, sc.HandedOver, startedAt, expiresAt)
	if err != nil {
		return false, translate(err, "start screening")
	}
	return tag.RowsAffected() == 1, nil
}

// screeningColumns are read by scanScreening, in this order.
const screeningColumns = `s.offer_ref, s.questions, s.status, s.question_index, s.answers, s.step, s.reminded, s.handed_over`

func scanScreening(row pgx.Row) (outreach.Screening, error) {
	var sc outreach.Screening
	var qs []questionJSON
	var answers []string
	err := row.Scan(&sc.OfferRef, &qs, &sc.Status, &sc.Question, &answers, &sc.Step, &sc.Reminded, &sc.HandedOver)
	if err != nil {
		return sc, err
	}
	for _, a := range answers {
		sc.Answers = append(sc.Answers, outreach.Answer(a))
	}
	sc.Questions, err = fromSnapshot(qs)
	return sc, err
}

// Screening returns the contact's conversation; ErrNotFound when it has
// none.
func (s *Store) Screening(ctx context.Context, contactID int64) (outreach.Screening, error) {
	const q = `SELECT ` + screeningColumns + ` FROM screenings s WHERE s.contact_id = $1`
	sc, err := scanScreening(s.db.QueryRow(ctx, q, contactID))
	return sc, translate(err, fmt.Sprintf("screening of contact %d", contactID))
}

// advanceScreeningQuery stores the next state of an open conversation
// still at step fromStep ($2) when it is a transition from there: the step
// goes up by one, or the one reminder is recorded. Anything else (a stale
// step, a replayed reminder, an ended conversation) changes nothing.
const advanceScreeningQuery = `UPDATE screenings SET status = $3, question_index = $4, answers = $5, step = $6,
	reminded = $7, handed_over = $8, updated_at = $9,
	last_asked_at = CASE WHEN $3::text IN ('asking', 'awaiting_reask') THEN $9 ELSE last_asked_at END,
	ended_at = CASE WHEN $3::text IN ('asking', 'awaiting_reask') THEN NULL ELSE $9::timestamptz END
WHERE contact_id = $1 AND step = $2 AND status IN ('asking', 'awaiting_reask')
	AND ($6::integer = $2::integer + 1 OR ($6 = $2 AND $7::boolean AND NOT reminded))`

// AdvanceScreening stores next, the state after a transition at step
// fromStep, made at at. ok is false when the conversation moved on already
// (another worker, a replayed webhook): the caller then runs no action.
func (s *Store) AdvanceScreening(ctx context.Context, contactID int64, fromStep int, next outreach.Screening,
	at time.Time) (ok bool, err error) {
	tag, err := s.db.Exec(ctx, advanceScreeningQuery, contactID, fromStep, next.Status, next.Question,
		answerTexts(next.Answers), next.Step, next.Reminded, next.HandedOver, at)
	if err != nil {
		return false, translate(err, "advance screening")
	}
	return tag.RowsAffected() == 1, nil
}

// openScreeningColumns are read by scanOpenScreening, after
// screeningColumns: the conversation's contact and whether the provider
// took the SMS of its current step.
const openScreeningColumns = screeningColumns + `, s.contact_id, k.offer_id, k.candidate_id, c.counsellor_id, s.phone, s.expires_at,
	(SELECT max(m.sent_at) FROM screening_messages m WHERE m.contact_id = s.contact_id AND m.step = s.step
		AND m.kind IN ('question', 'reask') AND m.status = 'sent')`

// openScreeningFrom joins a conversation (s) to its contact (k) and
// candidate (c).
const openScreeningFrom = ` FROM screenings s JOIN contacts k ON k.id = s.contact_id JOIN candidates c ON c.id = k.candidate_id`

func scanOpenScreening(row pgx.Row) (outreach.OpenScreening, error) {
	var o outreach.OpenScreening
	var err error
	o.Screening, err = scanScreening(withColumns(row, &o.ContactID, &o.OfferID, &o.CandidateID, &o.CounsellorID,
		&o.Phone, &o.ExpiresAt, &o.AskedAt))
	return o, err
}

// OpenScreeningForPhone finds the open conversation an answer from phone
// is for, and locks it until the transaction ends: the one for the offer
// with reference ref when ref is set (none otherwise: the reply may be a
// yes to another offer's SMS), else the one that asked last, unless an
// offer SMS or its reminder went to the phone after it asked (the answer
// is then to that SMS). ErrNotFound when there is none.
func (s *Store) OpenScreeningForPhone(ctx context.Context, phone, ref string) (outreach.OpenScreening, error) {
	const q = `SELECT ` + openScreeningColumns + openScreeningFrom + `
WHERE s.phone = $1 AND s.status IN ('asking', 'awaiting_reask') AND ($2 = '' OR s.offer_ref = $2)
	AND ($2 <> '' OR NOT EXISTS (SELECT 1 FROM contacts o WHERE o.phone = $1 AND o.message_sid IS NOT NULL
		AND greatest(o.sent_at, o.reminded_at) > s.last_asked_at))
ORDER BY s.last_asked_at DESC, s.contact_id DESC LIMIT 1
FOR UPDATE OF s`
	o, err := scanOpenScreening(s.db.QueryRow(ctx, q, phone, ref))
	return o, translate(err, "open screening")
}

// LockScreening reads the contact's conversation, open or ended, and
// locks it until the transaction ends; ErrNotFound when it has none.
func (s *Store) LockScreening(ctx context.Context, contactID int64) (outreach.OpenScreening, error) {
	const q = `SELECT ` + openScreeningColumns + openScreeningFrom + ` WHERE s.contact_id = $1 FOR UPDATE OF s`
	o, err := scanOpenScreening(s.db.QueryRow(ctx, q, contactID))
	return o, translate(err, fmt.Sprintf("screening of contact %d", contactID))
}

// EndScreeningsOptedOut ends every open conversation of the phone as opted
// out, at at: a STOP stops them all.
func (s *Store) EndScreeningsOptedOut(ctx context.Context, phone string, at time.Time) (int, error) {
	const q = `UPDATE screenings SET status = 'opted_out', step = step + 1, updated_at = $2, ended_at = $2
WHERE phone = $1 AND status IN ('asking', 'awaiting_reask')`
	tag, err := s.db.Exec(ctx, q, phone, at)
	return int(tag.RowsAffected()), translate(err, "end screenings on opt-out")
}

// ExpiredScreenings lists up to limit open conversations that expired by
// now, the oldest expiry first.
func (s *Store) ExpiredScreenings(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	const q = `SELECT contact_id FROM screenings
WHERE status IN ('asking', 'awaiting_reask') AND expires_at <= $1
ORDER BY expires_at, contact_id LIMIT $2`
	return s.contactIDs(ctx, "expired screenings", q, now, limit)
}

// DueScreeningReminders lists up to limit open conversations without their
// reminder whose current question the provider took before askedBefore
// (not when it was decided: quiet hours may hold it), the oldest first.
func (s *Store) DueScreeningReminders(ctx context.Context, askedBefore time.Time, limit int) ([]int64, error) {
	const q = `SELECT s.contact_id FROM screenings s
JOIN screening_messages m ON m.contact_id = s.contact_id AND m.step = s.step AND m.kind IN ('question', 'reask')
WHERE s.status IN ('asking', 'awaiting_reask') AND NOT s.reminded AND m.status = 'sent' AND m.sent_at <= $1
ORDER BY m.sent_at, s.contact_id LIMIT $2`
	return s.contactIDs(ctx, "due screening reminders", q, askedBefore, limit)
}

// questionJSON is a question in a conversation's snapshot. The names are
// the stored format: they do not follow renames of outreach.Question.
type questionJSON struct {
	Kind       outreach.QuestionKind `json:"kind"`
	Date       string                `json:"date,omitempty"` // YYYY-MM-DD
	Hours      string                `json:"hours,omitempty"`
	Town       string                `json:"town,omitempty"`
	DistanceKM float64               `json:"distance_km,omitempty"`
	Salary     string                `json:"salary,omitempty"`
	Licence    string                `json:"licence,omitempty"`
	Text       string                `json:"text,omitempty"`
	Qualifying outreach.Answer       `json:"qualifying"`
}

const snapshotDate = "2006-01-02"

func snapshot(qs []outreach.Question) []questionJSON {
	out := make([]questionJSON, len(qs)) // never nil: [] in the database
	for i, q := range qs {
		out[i] = questionJSON{Kind: q.Kind, Hours: q.Hours, Town: q.Town, DistanceKM: q.DistanceKM,
			Salary: q.Salary, Licence: q.Licence, Text: q.Text, Qualifying: qualifying(q)}
		if !q.Date.IsZero() {
			out[i].Date = q.Date.Format(snapshotDate)
		}
	}
	return out
}

func fromSnapshot(qs []questionJSON) ([]outreach.Question, error) {
	var out []outreach.Question
	for _, j := range qs {
		q := outreach.Question{Kind: j.Kind, Hours: j.Hours, Town: j.Town, DistanceKM: j.DistanceKM,
			Salary: j.Salary, Licence: j.Licence, Text: j.Text, Qualifying: j.Qualifying}
		if j.Date != "" {
			d, err := time.Parse(snapshotDate, j.Date)
			if err != nil {
				return nil, fmt.Errorf("question date: %w", err)
			}
			q.Date = d
		}
		out = append(out, q)
	}
	return out, nil
}

// qualifying is the answer that keeps the candidate in, "" meaning yes.
func qualifying(q outreach.Question) outreach.Answer {
	if q.Qualifying == "" {
		return outreach.AnswerYes
	}
	return q.Qualifying
}

func dateOrNull(d time.Time) *time.Time {
	if d.IsZero() {
		return nil
	}
	return &d
}

// answerTexts is never nil: answers are NOT NULL.
func answerTexts(as []outreach.Answer) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}
