package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/postgres"
)

// chromiumPath is Debian's Chromium, or $CHROMIUM. scripts/services.sh
// (run by make test and .ci/run) installs it when missing: a browser test
// without a browser fails, it does not skip.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("Chromium not found: run scripts/services.sh (it installs Debian's chromium) or set CHROMIUM: %v", err)
	}
	return p
}

// browser starts a headless Chromium of its own (its own profile: no
// cookie shared with another browser of the test) and returns a tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// screenshot saves the page as a test artefact:
// $TEST_ARTIFACTS (default artifacts/ at the repository root)/screenshots/name.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// withPassword gives a counsellor of the e2e stack a password.
func (e *e2e) withPassword(counsellorID int64, password string, admin bool) {
	e.t.Helper()
	acc := accounts.NewService(postgres.NewStore(e.stack.pool).Accounts(), nil, nil)
	if err := acc.SetPassword(context.Background(), counsellorID, password, admin); err != nil {
		e.t.Fatal(err)
	}
}

// signIn signs in through the sign-in page.
func (e *e2e) signIn(ctx context.Context, email, password string) {
	e.t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.cfg.PublicURL+"/boite"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`#items`)),
	)
	if err != nil {
		e.t.Fatalf("sign in as %s: %v", email, err)
	}
}
