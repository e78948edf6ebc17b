package accounts_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

type clock struct{ ahead atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *clock) Advance(d time.Duration) { c.ahead.Add(int64(d)) }

const password = "correct horse battery"

func setup(t *testing.T) (*accounts.Service, *clock, outreach.Counsellor) {
	t.Helper()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	c := &clock{}
	svc := accounts.NewService(st.Store.Accounts(), accounts.NewRedisThrottle(st.Redis, st.Namespace), c.Now)
	if err := svc.SetPassword(context.Background(), st.Counsellor.ID, password, false); err != nil {
		t.Fatal(err)
	}
	return svc, c, st.Counsellor
}

// TestSignIn: the right password opens a session that authenticates its
// token until it expires or is signed out; wrong ones, unknown e-mails and
// accounts without password are the same refusal.
func TestSignIn(t *testing.T) {
	ctx := context.Background()
	svc, clk, co := setup(t)
	for _, tt := range []struct{ name, email, password string }{
		{"wrong password", co.Email, "correct horse battery!"},
		{"unknown e-mail", "personne@agence.example", password},
		{"empty password", co.Email, ""},
	} {
		if _, _, _, err := svc.SignIn(ctx, tt.email, tt.password, "10.0.0.1"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Errorf("%s: %v, want ErrBadCredentials", tt.name, err)
		}
	}
	token, sess, acc, err := svc.SignIn(ctx, "  "+strings.ToUpper(co.Email)+" ", password, "10.0.0.1")
	if err != nil || acc.ID != co.ID || len(sess.CSRFToken) < 40 || len(token) < 40 {
		t.Fatalf("sign in: %v %+v", err, acc)
	}
	got, gotAcc, err := svc.Authenticate(ctx, token)
	if err != nil || gotAcc.ID != co.ID || got.CSRFToken != sess.CSRFToken || gotAcc.Viewer().CounsellorID != co.ID {
		t.Fatalf("authenticate: %v %+v", err, gotAcc)
	}
	for _, bad := range []string{"", token + "x", strings.Repeat("a", 43), strings.Repeat("a", 500)} {
		if _, _, err := svc.Authenticate(ctx, bad); !errors.Is(err, accounts.ErrNoSession) {
			t.Errorf("authenticate %.10q…: %v, want ErrNoSession", bad, err)
		}
	}
	clk.Advance(accounts.SessionTTL + time.Second)
	if _, _, err := svc.Authenticate(ctx, token); !errors.Is(err, accounts.ErrNoSession) {
		t.Errorf("expired session: %v", err)
	}
	token, _, _, err = svc.SignIn(ctx, co.Email, password, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Authenticate(ctx, token); !errors.Is(err, accounts.ErrNoSession) {
		t.Errorf("signed out session: %v", err)
	}
}

// TestSignInThrottle: after 5 failures for one e-mail, even the right
// password is refused until the window ends; other addresses still sign
// in; a success clears the count.
func TestSignInThrottle(t *testing.T) {
	ctx := context.Background()
	svc, _, co := setup(t)
	for range accounts.MaxFailuresPerEmail {
		if _, _, _, err := svc.SignIn(ctx, co.Email, "wrong password 123", "10.0.0.2"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	var throttled *accounts.ThrottledError
	if _, _, _, err := svc.SignIn(ctx, co.Email, password, "10.0.0.3"); !errors.As(err, &throttled) ||
		throttled.RetryAfter <= 0 || throttled.RetryAfter > accounts.FailureWindow {
		t.Fatalf("sixth try with the right password: %v, want throttled", err)
	}
	if _, _, _, err := svc.SignIn(ctx, "autre@agence.example", "x", "10.0.0.2"); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("another e-mail from the same address: %v, want a plain refusal", err)
	}
}

// TestPasswordRules: short and long passwords are refused.
func TestPasswordRules(t *testing.T) {
	for _, pw := range []string{"", "short", strings.Repeat("é", accounts.MinPasswordLength-1), strings.Repeat("a", accounts.MaxPasswordLength+1)} {
		if _, err := accounts.HashPassword(pw); !errors.Is(err, accounts.ErrWeakPassword) {
			t.Errorf("password of %d bytes: %v, want ErrWeakPassword", len(pw), err)
		}
	}
	h1, err1 := accounts.HashPassword(password)
	h2, err2 := accounts.HashPassword(password)
	if err1 != nil || err2 != nil || h1 == h2 || !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hashes %q %q (%v %v): want salted argon2id", h1, h2, err1, err2)
	}
}
