package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/franceoutreach/outreach/outreach"
)

// APIClient is one of an agency's systems calling /api/v1 with its own
// token: it sees only what the counsellors of its agency follow or own.
type APIClient struct {
	ID        int64
	Name      string
	Agency    string
	CreatedAt time.Time
	RevokedAt *time.Time // nil while the token is accepted
}

// Viewer is what the client may see: its agency, as an administrator of
// it with no counsellor of its own.
func (c APIClient) Viewer() outreach.Viewer { return outreach.AgencyViewer(c.Agency) }

// APIClientStore keeps API clients. Unknown ones are outreach.ErrNotFound.
type APIClientStore interface {
	CreateAPIClient(ctx context.Context, name, agency string, tokenHash []byte) (APIClient, error)
	// APIClientByToken returns the client, not revoked, with that token hash.
	APIClientByToken(ctx context.Context, tokenHash []byte) (APIClient, error)
	// RevokeAPIClient revokes the client; revoking it again changes nothing.
	RevokeAPIClient(ctx context.Context, id int64) error
	APIClients(ctx context.Context) ([]APIClient, error)
}

// ErrNoAPIClient says a token opens no API client (unknown or revoked).
var ErrNoAPIClient = errors.New("no valid API client")

// APIClients creates, authenticates and revokes API clients.
type APIClients struct{ store APIClientStore }

// NewAPIClients returns the API clients' service.
func NewAPIClients(store APIClientStore) *APIClients { return &APIClients{store: store} }

// Create makes a client for the agency and returns its token, which is
// shown once: only its hash is stored.
func (a *APIClients) Create(ctx context.Context, name, agency string) (string, APIClient, error) {
	name, agency = strings.TrimSpace(name), strings.TrimSpace(agency)
	for _, f := range []struct{ field, v string }{{"name", name}, {"agency", agency}} {
		if f.v == "" || len(f.v) > 200 || !utf8.ValidString(f.v) || strings.ContainsRune(f.v, 0) {
			return "", APIClient{}, &outreach.ValidationError{Field: f.field, Message: "is required: 1 to 200 characters of text"}
		}
	}
	token := randomToken()
	c, err := a.store.CreateAPIClient(ctx, name, agency, hashToken(token))
	if err != nil {
		return "", APIClient{}, fmt.Errorf("create API client: %w", err)
	}
	return token, c, nil
}

// Authenticate returns the client of a Bearer token; ErrNoAPIClient when
// there is none, or it was revoked.
func (a *APIClients) Authenticate(ctx context.Context, token string) (APIClient, error) {
	if token == "" || len(token) > 100 {
		return APIClient{}, ErrNoAPIClient
	}
	c, err := a.store.APIClientByToken(ctx, hashToken(token))
	if errors.Is(err, outreach.ErrNotFound) {
		return APIClient{}, ErrNoAPIClient
	}
	return c, err
}

// Revoke refuses the client's token from now on.
func (a *APIClients) Revoke(ctx context.Context, id int64) error {
	return a.store.RevokeAPIClient(ctx, id)
}

// List returns every client, revoked ones included, oldest first.
func (a *APIClients) List(ctx context.Context) ([]APIClient, error) {
	return a.store.APIClients(ctx)
}
