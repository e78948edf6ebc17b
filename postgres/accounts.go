package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/outreach"
)

// Accounts implements accounts.Store (migration 015).
type Accounts struct{ s *Store }

// Accounts returns the accounts and sessions store on the same pool.
func (s *Store) Accounts() Accounts { return Accounts{s} }

var _ accounts.Store = Accounts{}

const accountColumns = `c.id, c.email, c.name, c.agency, c.created_at, c.admin, coalesce(c.password_hash, '')`

// AccountByEmail implements accounts.Store; e-mails compare without case.
func (a Accounts) AccountByEmail(ctx context.Context, email string) (accounts.Account, error) {
	const q = `SELECT ` + accountColumns + ` FROM counsellors c WHERE lower(c.email) = lower($1)`
	var acc accounts.Account
	err := a.s.db.QueryRow(ctx, q, email).Scan(&acc.ID, &acc.Email, &acc.Name, &acc.Agency, &acc.CreatedAt,
		&acc.Admin, &acc.PasswordHash)
	return acc, translate(err, "account")
}

// SetPasswordIfNone gives a counsellor a password hash unless they have
// one already (operator tooling opening sessions; see
// accounts.Service.OpenSession): an existing password is never replaced.
func (a Accounts) SetPasswordIfNone(ctx context.Context, counsellorID int64, hash string) error {
	_, err := a.s.db.Exec(ctx, `UPDATE counsellors SET password_hash = $2 WHERE id = $1 AND password_hash IS NULL`,
		counsellorID, hash)
	return translate(err, "set password")
}

// SetPassword implements accounts.Store.
func (a Accounts) SetPassword(ctx context.Context, counsellorID int64, hash string, admin bool) error {
	tag, err := a.s.db.Exec(ctx, `UPDATE counsellors SET password_hash = $2, admin = $3 WHERE id = $1`,
		counsellorID, hash, admin)
	if err != nil {
		return translate(err, "set password")
	}
	if tag.RowsAffected() == 0 {
		return &outreach.NotFoundError{What: fmt.Sprintf("counsellor %d", counsellorID)}
	}
	return nil
}

// CreateSession implements accounts.Store. Expired sessions of the same
// counsellor are dropped on the way.
func (a Accounts) CreateSession(ctx context.Context, sess accounts.Session) error {
	const q = `WITH gone AS (DELETE FROM sessions WHERE counsellor_id = $2 AND expires_at < $4)
INSERT INTO sessions (token_hash, counsellor_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`
	_, err := a.s.db.Exec(ctx, q, sess.TokenHash, sess.CounsellorID, sess.CSRFToken, sess.CreatedAt, sess.ExpiresAt)
	return translate(err, "create session")
}

// SessionAccount implements accounts.Store.
func (a Accounts) SessionAccount(ctx context.Context, tokenHash []byte, now time.Time) (accounts.Session, accounts.Account, error) {
	const q = `SELECT s.token_hash, s.counsellor_id, s.csrf_token, s.created_at, s.expires_at, ` + accountColumns + `
FROM sessions s JOIN counsellors c ON c.id = s.counsellor_id
WHERE s.token_hash = $1 AND s.expires_at > $2 AND c.password_hash IS NOT NULL`
	var sess accounts.Session
	var acc accounts.Account
	err := a.s.db.QueryRow(ctx, q, tokenHash, now).Scan(&sess.TokenHash, &sess.CounsellorID, &sess.CSRFToken,
		&sess.CreatedAt, &sess.ExpiresAt, &acc.ID, &acc.Email, &acc.Name, &acc.Agency, &acc.CreatedAt, &acc.Admin,
		&acc.PasswordHash)
	return sess, acc, translate(err, "session")
}

// DeleteSession implements accounts.Store.
func (a Accounts) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := a.s.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return translate(err, "delete session")
}
