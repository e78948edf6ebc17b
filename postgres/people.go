package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/franceoutreach/outreach/outreach"
)

// CreateCounsellor inserts a counsellor; a taken e-mail is ErrConflict.
func (s *Store) CreateCounsellor(ctx context.Context, c *outreach.Counsellor) error {
	const q = `INSERT INTO counsellors (email, name, agency) VALUES ($1, $2, $3) RETURNING id, created_at`
	err := s.db.QueryRow(ctx, q, c.Email, c.Name, c.Agency).Scan(&c.ID, &c.CreatedAt)
	return translate(err, "insert counsellor")
}

// Counsellor loads one counsellor.
func (s *Store) Counsellor(ctx context.Context, id int64) (outreach.Counsellor, error) {
	const q = `SELECT id, email, name, agency, created_at FROM counsellors WHERE id = $1`
	var c outreach.Counsellor
	err := s.db.QueryRow(ctx, q, id).Scan(&c.ID, &c.Email, &c.Name, &c.Agency, &c.CreatedAt)
	return c, translate(err, fmt.Sprintf("counsellor %d", id))
}

const candidateColumns = `c.id, c.external_id, c.first_name, c.phone, c.lat, c.lon, coalesce(c.commune_code, ''),
	c.mobility_km, c.rome_codes, c.appellation_ids, c.skills, c.contract_types, c.sms_consent,
	EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = c.phone), c.counsellor_id, c.created_at, c.updated_at,
	c.available_from`

func scanCandidate(row interface{ Scan(...any) error }) (outreach.Candidate, error) {
	var c outreach.Candidate
	var available *time.Time
	err := row.Scan(&c.ID, &c.ExternalID, &c.FirstName, &c.Phone, &c.Location.Lat, &c.Location.Lon, &c.CommuneCode,
		&c.MobilityKM, &c.ROMECodes, &c.Appellations, &c.Skills, &c.ContractTypes, &c.SMSConsent,
		&c.OptedOut, &c.CounsellorID, &c.CreatedAt, &c.UpdatedAt, &available)
	c.AvailableFrom = orZero(available)
	return c, err
}

// UpsertCandidate inserts or updates the candidate with the same external id.
func (s *Store) UpsertCandidate(ctx context.Context, c *outreach.Candidate) (bool, error) {
	const q = `
INSERT INTO candidates (external_id, first_name, phone, lat, lon, commune_code, mobility_km,
	rome_codes, skills, contract_types, sms_consent, counsellor_id, appellation_ids, available_from)
VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (external_id) DO UPDATE SET
	first_name = excluded.first_name, phone = excluded.phone, lat = excluded.lat, lon = excluded.lon,
	commune_code = excluded.commune_code, mobility_km = excluded.mobility_km,
	rome_codes = excluded.rome_codes, skills = excluded.skills,
	contract_types = excluded.contract_types, sms_consent = excluded.sms_consent,
	counsellor_id = excluded.counsellor_id, appellation_ids = excluded.appellation_ids,
	available_from = excluded.available_from, updated_at = now()
RETURNING id, created_at, updated_at, (xmax = 0) AS created`
	var created bool
	err := s.db.QueryRow(ctx, q, c.ExternalID, c.FirstName, c.Phone, c.Location.Lat, c.Location.Lon,
		c.CommuneCode, c.MobilityKM, c.ROMECodes, nonNil(c.Skills), nonNil(c.ContractTypes), c.SMSConsent, c.CounsellorID,
		nonNilInts(c.Appellations), nullDate(c.AvailableFrom)).Scan(&c.ID, &c.CreatedAt, &c.UpdatedAt, &created)
	return created, translate(err, "upsert candidate")
}

// Candidate loads one candidate; an erased one is not found.
func (s *Store) Candidate(ctx context.Context, id int64) (outreach.Candidate, error) {
	q := `SELECT ` + candidateColumns + ` FROM candidates c WHERE c.id = $1 AND c.erased_at IS NULL`
	c, err := scanCandidate(s.db.QueryRow(ctx, q, id))
	return c, translate(err, fmt.Sprintf("candidate %d", id))
}

// CandidateByPhone loads the most recently updated candidate with that phone.
func (s *Store) CandidateByPhone(ctx context.Context, phone string) (outreach.Candidate, error) {
	q := `SELECT ` + candidateColumns + ` FROM candidates c WHERE c.phone = $1 ORDER BY c.updated_at DESC, c.id DESC LIMIT 1`
	c, err := scanCandidate(s.db.QueryRow(ctx, q, phone))
	return c, translate(err, "candidate by phone")
}

// Commune resolves a current or former INSEE code.
func (s *Store) Commune(ctx context.Context, insee string) (outreach.Commune, error) {
	const q = `
SELECT insee, name, lat, lon FROM communes
WHERE (insee = $1 OR $1 = ANY (former_insee)) AND lat IS NOT NULL
ORDER BY insee = $1 DESC, population DESC LIMIT 1`
	var c outreach.Commune
	err := s.db.QueryRow(ctx, q, insee).Scan(&c.INSEE, &c.Name, &c.Location.Lat, &c.Location.Lon)
	return c, translate(err, "commune "+insee)
}

// IsOptedOut tells whether the phone sent STOP.
func (s *Store) IsOptedOut(ctx context.Context, phone string) (bool, error) {
	var out bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM opt_outs WHERE phone = $1)`, phone).Scan(&out)
	return out, translate(err, "opt-out")
}

// OptOut records that the phone must not be texted any more.
func (s *Store) OptOut(ctx context.Context, phone, source string) error {
	const q = `
WITH ins AS (INSERT INTO opt_outs (phone, source) VALUES ($1, $2) ON CONFLICT (phone) DO NOTHING RETURNING phone)
INSERT INTO consent_events (phone, action, source) SELECT phone, 'opt_out', $2 FROM ins`
	_, err := s.db.Exec(ctx, q, phone, source)
	return translate(err, "opt out")
}

// OptIn lifts an opt-out.
func (s *Store) OptIn(ctx context.Context, phone, source string) error {
	const q = `
WITH del AS (DELETE FROM opt_outs WHERE phone = $1 RETURNING phone)
INSERT INTO consent_events (phone, action, source) VALUES ($1, 'opt_in', $2)`
	_, err := s.db.Exec(ctx, q, phone, source)
	return translate(err, "opt in")
}

// nullDate is a day for a date column: NULL for the zero time.
func nullDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// orZero reads a nullable date or time column: the zero time for NULL.
func orZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func nonNilInts(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CounsellorByEmail loads the counsellor with that e-mail (case-insensitive).
func (s *Store) CounsellorByEmail(ctx context.Context, email string) (outreach.Counsellor, error) {
	const q = `SELECT id, email, name, agency, created_at FROM counsellors WHERE lower(email) = lower($1)`
	var c outreach.Counsellor
	err := s.db.QueryRow(ctx, q, email).Scan(&c.ID, &c.Email, &c.Name, &c.Agency, &c.CreatedAt)
	return c, translate(err, "counsellor "+email)
}
