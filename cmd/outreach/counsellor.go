package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// runCounsellor manages counsellor accounts: `outreach counsellor add
// --email E --name N --agency A [--admin]` creates one (or sets the
// password of an existing e-mail), reading the password from the first
// line of standard input so that it never shows in the process list or
// the shell history.
func runCounsellor(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("usage: outreach counsellor add --email E --name N --agency A [--admin] < password: %w", errUsage)
	}
	fs := flag.NewFlagSet("counsellor add", flag.ContinueOnError)
	email := fs.String("email", "", "the counsellor's e-mail address, used to sign in")
	name := fs.String("name", "", "first name and name")
	agency := fs.String("agency", "", "the agency they work at")
	admin := fs.Bool("admin", false, "an administrator sees every counsellor of the agency")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the password from standard input: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	if _, err := accounts.HashPassword(password); err != nil {
		return fmt.Errorf("password (first line of standard input): %w", err)
	}
	pool, err := openPostgres(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := postgres.NewStore(pool)
	id, created, err := ensureCounsellor(ctx, store, outreach.CounsellorInput{Email: *email, Name: *name, Agency: *agency})
	if err != nil {
		return err
	}
	if err := accounts.NewService(store.Accounts(), nil, nil).SetPassword(ctx, id, password, *admin); err != nil {
		return err
	}
	verb := "password set for"
	if created {
		verb = "created"
	}
	role := "counsellor"
	if *admin {
		role = "administrator of " + strings.TrimSpace(*agency)
	}
	fmt.Fprintf(stdout, "%s %s (id %d, %s)\n", verb, strings.TrimSpace(*email), id, role)
	return nil
}

// ensureCounsellor creates the counsellor, or finds the one with that
// e-mail.
func ensureCounsellor(ctx context.Context, store *postgres.Store, in outreach.CounsellorInput) (int64, bool, error) {
	if acc, err := store.Accounts().AccountByEmail(ctx, strings.TrimSpace(in.Email)); err == nil {
		return acc.ID, false, nil
	} else if !errors.Is(err, outreach.ErrNotFound) {
		return 0, false, err
	}
	svc := outreach.NewService(store, nil, nil, nil, outreach.ServiceConfig{})
	c, err := svc.CreateCounsellor(ctx, in)
	if err != nil {
		return 0, false, err
	}
	return c.ID, true, nil
}
