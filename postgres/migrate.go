package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/franceoutreach/outreach/migrations"
)

const versionTable = "schema_version"

// withMigrator connects to the database, loads the embedded migrations
// and runs fn with the migrator.
func withMigrator(ctx context.Context, databaseURL string, fn func(*migrate.Migrator) error) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("new migrator: %w", err)
	}
	if err := m.LoadMigrations(migrations.Files); err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	return fn(m)
}

// Migrate applies every pending migration; running it again does nothing.
// It returns the schema version reached.
func Migrate(ctx context.Context, databaseURL string) (version int32, err error) {
	err = withMigrator(ctx, databaseURL, func(m *migrate.Migrator) error {
		if err := m.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		version, err = m.GetCurrentVersion(ctx)
		return err
	})
	return version, err
}

// PendingMigrations tells how many migrations are not applied yet.
func PendingMigrations(ctx context.Context, databaseURL string) (pending int, err error) {
	err = withMigrator(ctx, databaseURL, func(m *migrate.Migrator) error {
		current, err := m.GetCurrentVersion(ctx)
		if err != nil {
			return fmt.Errorf("current schema version: %w", err)
		}
		pending = len(m.Migrations) - int(current)
		return nil
	})
	return pending, err
}

// EnsureDatabase creates the database named in databaseURL when it does not
// exist.
func EnsureDatabase(ctx context.Context, databaseURL string) error {
	return withServer(ctx, databaseURL, func(conn *pgx.Conn, name string) error {
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
			return fmt.Errorf("look up database: %w", err)
		}
		if exists {
			return nil
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
		return nil
	})
}

// DropDatabase drops the database named in databaseURL, closing its
// connections; a missing database is not an error.
func DropDatabase(ctx context.Context, databaseURL string) error {
	return withServer(ctx, databaseURL, func(conn *pgx.Conn, name string) error {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	})
}

// withServer connects to the server's "postgres" database and runs fn
// with the name of the database databaseURL points to.
func withServer(ctx context.Context, databaseURL string, fn func(conn *pgx.Conn, name string) error) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to server: %w", err)
	}
	defer conn.Close(ctx)
	return fn(conn, name)
}
