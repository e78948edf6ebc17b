package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/postgres"
)

// unknownPasswordHash is the hash of a random password nobody knows,
// computed once per process: argon2id takes tens of milliseconds, and the
// webhook bench opens sessions for hundreds of counsellors.
var unknownPasswordHash = sync.OnceValues(func() (string, error) {
	return accounts.HashPassword(rand.Text())
})

// operatorSession opens a web app session for a counsellor without their
// password, for tooling that holds the database anyway (the webhook bench
// reads every counsellor's live inbox) and for tests. A counsellor
// without a password gets one nobody knows, since only counsellors with a
// password have sessions; an existing password is kept. It returns the
// session cookie's value and the session's CSRF token.
func operatorSession(ctx context.Context, store *postgres.Store, counsellorID int64) (cookie, csrf string, err error) {
	hash, err := unknownPasswordHash()
	if err != nil {
		return "", "", err
	}
	if err := store.Accounts().SetPasswordIfNone(ctx, counsellorID, hash); err != nil {
		return "", "", fmt.Errorf("session of counsellor %d: %w", counsellorID, err)
	}
	token, sess, err := accounts.NewService(store.Accounts(), nil, nil).OpenSession(ctx, counsellorID)
	if err != nil {
		return "", "", fmt.Errorf("session of counsellor %d: %w", counsellorID, err)
	}
	return token, sess.CSRFToken, nil
}
