package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/postgres"
)

const apikeyUsage = "usage: outreach apikey add --name N --agency A | list | revoke --id N"

// runAPIKey manages the agencies' API clients: `outreach apikey add
// --name N --agency A` prints the new client's token, once (only its hash
// is kept); `list` prints the clients, never a token; `revoke --id N`
// refuses a client's token from now on.
func runAPIKey(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: %w", apikeyUsage, errUsage)
	}
	fs := flag.NewFlagSet("apikey "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the error says it in one line
	name := fs.String("name", "", "what the client is, e.g. the agency's information system")
	agency := fs.String("agency", "", "the agency whose data the client sees")
	id := fs.Int64("id", 0, "the client to revoke")
	err := fs.Parse(args[1:])
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case err != nil || fs.NArg() > 0:
	case args[0] == "add" && !set["id"] && strings.TrimSpace(*name) != "" && strings.TrimSpace(*agency) != "":
	case args[0] == "list" && len(set) == 0:
	case args[0] == "revoke" && len(set) == 1 && *id > 0:
	default:
		err = errUsage
	}
	if err != nil {
		return fmt.Errorf("%s: %w", apikeyUsage, errUsage)
	}
	pool, err := openPostgres(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	clients := accounts.NewAPIClients(postgres.NewStore(pool).APIClients())
	switch args[0] {
	case "add":
		token, _, err := clients.Create(ctx, *name, *agency)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, token)
	case "list":
		list, err := clients.List(ctx)
		if err != nil {
			return err
		}
		for _, c := range list {
			fmt.Fprintln(stdout, apiClientLine(c))
		}
	case "revoke":
		if err := clients.Revoke(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked API client %d\n", *id)
	}
	return nil
}

// apiClientLine writes a client on one line: id, name, agency, created,
// revoked (or "active").
func apiClientLine(c accounts.APIClient) string {
	revoked := "active"
	if c.RevokedAt != nil {
		revoked = "revoked " + c.RevokedAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("%d\t%s\t%s\tcreated %s\t%s", c.ID, c.Name, c.Agency, c.CreatedAt.UTC().Format(time.RFC3339), revoked)
}
