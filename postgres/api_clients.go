package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/outreach"
)

// APIClients implements accounts.APIClientStore (migration 018).
type APIClients struct{ s *Store }

// APIClients returns the API clients' store on the same pool.
func (s *Store) APIClients() APIClients { return APIClients{s} }

var _ accounts.APIClientStore = APIClients{}

const apiClientColumns = `id, name, agency, created_at, revoked_at`

func scanAPIClient(row pgx.Row) (accounts.APIClient, error) {
	var c accounts.APIClient
	err := row.Scan(&c.ID, &c.Name, &c.Agency, &c.CreatedAt, &c.RevokedAt)
	return c, err
}

// CreateAPIClient implements accounts.APIClientStore.
func (a APIClients) CreateAPIClient(ctx context.Context, name, agency string, tokenHash []byte) (accounts.APIClient, error) {
	const q = `INSERT INTO api_clients (name, agency, token_hash) VALUES ($1, $2, $3) RETURNING ` + apiClientColumns
	c, err := scanAPIClient(a.s.db.QueryRow(ctx, q, name, agency, tokenHash))
	return c, translate(err, "create API client")
}

// APIClientByToken implements accounts.APIClientStore.
func (a APIClients) APIClientByToken(ctx context.Context, tokenHash []byte) (accounts.APIClient, error) {
	const q = `SELECT ` + apiClientColumns + ` FROM api_clients WHERE token_hash = $1 AND revoked_at IS NULL`
	c, err := scanAPIClient(a.s.db.QueryRow(ctx, q, tokenHash))
	return c, translate(err, "API client")
}

// RevokeAPIClient implements accounts.APIClientStore.
func (a APIClients) RevokeAPIClient(ctx context.Context, id int64) error {
	tag, err := a.s.db.Exec(ctx, `UPDATE api_clients SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err != nil {
		return translate(err, "revoke API client")
	}
	if tag.RowsAffected() == 0 {
		return &outreach.NotFoundError{What: fmt.Sprintf("API client %d", id)}
	}
	return nil
}

// APIClients implements accounts.APIClientStore.
func (a APIClients) APIClients(ctx context.Context) ([]accounts.APIClient, error) {
	rows, err := a.s.db.Query(ctx, `SELECT `+apiClientColumns+` FROM api_clients ORDER BY id`)
	if err != nil {
		return nil, translate(err, "API clients")
	}
	defer rows.Close()
	var out []accounts.APIClient
	for rows.Next() {
		c, err := scanAPIClient(rows)
		if err != nil {
			return nil, translate(err, "API clients")
		}
		out = append(out, c)
	}
	return out, translate(rows.Err(), "API clients")
}
