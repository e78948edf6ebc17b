package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/franceoutreach/outreach/outreach"
)

// Account is a counsellor who may sign in.
type Account struct {
	outreach.Counsellor
	Admin        bool   // sees every counsellor of the agency
	PasswordHash string // "" when no password is set: no sign-in
}

// Viewer is what the account may see.
func (a Account) Viewer() outreach.Viewer {
	return outreach.Viewer{CounsellorID: a.ID, Agency: a.Agency, Admin: a.Admin}
}

// Session is a signed-in browser.
type Session struct {
	TokenHash    []byte // SHA-256 of the cookie's token
	CounsellorID int64
	CSRFToken    string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// Store keeps accounts and sessions. Unknown ones are outreach.ErrNotFound.
type Store interface {
	AccountByEmail(ctx context.Context, email string) (Account, error)
	// SetPassword stores a counsellor's password hash and whether they
	// are an administrator.
	SetPassword(ctx context.Context, counsellorID int64, hash string, admin bool) error
	CreateSession(ctx context.Context, s Session) error
	// SessionAccount returns the session with that token hash, unexpired
	// at now, and its account.
	SessionAccount(ctx context.Context, tokenHash []byte, now time.Time) (Session, Account, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
}

// Throttle counts failed sign-ins per key over a window.
type Throttle interface {
	// Failures returns the failures counted for key in the current
	// window, and how long until it ends.
	Failures(ctx context.Context, key string) (n int, resetIn time.Duration, err error)
	// Fail counts a failure for key; the window starts at the first.
	Fail(ctx context.Context, key string, window time.Duration) error
	Clear(ctx context.Context, key string) error
}

// Sign-in limits: a few tries per address per window, more per client
// address (an agency shares one), and a day-long session.
const (
	MaxFailuresPerEmail = 5
	MaxFailuresPerIP    = 50
	FailureWindow       = 15 * time.Minute
	SessionTTL          = 12 * time.Hour
)

// Errors of sign-in.
var (
	ErrBadCredentials = errors.New("e-mail ou mot de passe incorrect")
	ErrNoSession      = errors.New("no valid session")
)

// ThrottledError says sign-in is refused for a while after too many
// failures.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again in %s", e.RetryAfter.Round(time.Second))
}

// Service signs counsellors in and out.
type Service struct {
	store    Store
	throttle Throttle
	now      func() time.Time
}

// NewService returns the sign-in service; now may be nil (time.Now).
func NewService(store Store, throttle Throttle, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, throttle: throttle, now: now}
}

// SignIn checks an e-mail and password and opens a session; it returns the
// cookie token (its hash only is stored). Unknown e-mail and wrong
// password are the same ErrBadCredentials, after the same work. Too many
// failures for the e-mail or the client address give a ThrottledError,
// whatever the password.
func (s *Service) SignIn(ctx context.Context, email, password, clientIP string) (string, Session, Account, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []struct {
		key string
		max int
	}{{"email:" + email, MaxFailuresPerEmail}, {"ip:" + clientIP, MaxFailuresPerIP}}
	for _, k := range keys {
		n, resetIn, err := s.throttle.Failures(ctx, k.key)
		if err != nil {
			return "", Session{}, Account{}, fmt.Errorf("sign-in throttle: %w", err)
		}
		if n >= k.max {
			return "", Session{}, Account{}, &ThrottledError{RetryAfter: resetIn}
		}
	}
	var acc Account
	var err error
	// No account has an e-mail PostgreSQL cannot even compare.
	if utf8.ValidString(email) && !strings.ContainsRune(email, 0) {
		acc, err = s.store.AccountByEmail(ctx, email)
	}
	if err != nil && !errors.Is(err, outreach.ErrNotFound) {
		return "", Session{}, Account{}, fmt.Errorf("find account: %w", err)
	}
	hash := acc.PasswordHash
	if hash == "" {
		hash = dummyHash()
	}
	ok, err := checkPassword(hash, password)
	if err != nil {
		return "", Session{}, Account{}, fmt.Errorf("check password of counsellor %d: %w", acc.ID, err)
	}
	if !ok || acc.PasswordHash == "" {
		for _, k := range keys {
			if err := s.throttle.Fail(ctx, k.key, FailureWindow); err != nil {
				return "", Session{}, Account{}, fmt.Errorf("sign-in throttle: %w", err)
			}
		}
		return "", Session{}, Account{}, ErrBadCredentials
	}
	if err := s.throttle.Clear(ctx, keys[0].key); err != nil {
		return "", Session{}, Account{}, fmt.Errorf("sign-in throttle: %w", err)
	}
	token, sess, err := s.OpenSession(ctx, acc.ID)
	if err != nil {
		return "", Session{}, Account{}, err
	}
	return token, sess, acc, nil
}

// OpenSession opens a session for a counsellor whose identity the caller
// has already established: SignIn after the password check, or operator
// tooling that holds the database anyway (the webhook bench opens the
// inboxes of hundreds of counsellors). It returns the cookie token; only
// its hash is stored. The counsellor must have a password for the session
// to authenticate.
func (s *Service) OpenSession(ctx context.Context, counsellorID int64) (string, Session, error) {
	token, csrf := randomToken(), randomToken()
	now := s.now()
	sess := Session{TokenHash: hashToken(token), CounsellorID: counsellorID, CSRFToken: csrf, CreatedAt: now,
		ExpiresAt: now.Add(SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	return token, sess, nil
}

// Authenticate returns the open session of a cookie token and its account;
// ErrNoSession when there is none (unknown, expired, signed out).
func (s *Service) Authenticate(ctx context.Context, token string) (Session, Account, error) {
	if token == "" || len(token) > 100 {
		return Session{}, Account{}, ErrNoSession
	}
	sess, acc, err := s.store.SessionAccount(ctx, hashToken(token), s.now())
	if errors.Is(err, outreach.ErrNotFound) {
		return Session{}, Account{}, ErrNoSession
	}
	return sess, acc, err
}

// SignOut closes the session of a cookie token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, hashToken(token))
}

// SetPassword sets a counsellor's password (and administrator flag) after
// checking the password rules.
func (s *Service) SetPassword(ctx context.Context, counsellorID int64, password string, admin bool) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, counsellorID, hash, admin)
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("random token: %v", err)) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
