// Package migrations holds the database schema as numbered SQL files,
// embedded in the binary and applied in order by jackc/tern.
package migrations

import "embed"

// Files are the migration files, named NNN_description.sql.
//
//go:embed *.sql
var Files embed.FS
