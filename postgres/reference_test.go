package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"github.com/franceoutreach/outreach/migrations"
	"github.com/franceoutreach/outreach/postgres"
)

var wantReference = postgres.ReferenceCounts{
	ROMECodes:     1584,
	Appellations:  13120,
	MobilityLinks: 14912,
	Communes:      35014,
	Skills:        33671,
	SkillLinks:    90556,
}

func TestLoadReference(t *testing.T) {
	ctx := context.Background()
	pool := newRefTestDB(t)

	got, err := postgres.LoadReference(ctx, pool)
	if err != nil {
		t.Fatalf("first load: %v", err)
	}
	if got != wantReference {
		t.Fatalf("first load = %+v, want %+v", got, wantReference)
	}

	start := time.Now()
	got, err = postgres.LoadReference(ctx, pool)
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	want := wantReference
	want.Skipped = true
	if got != want {
		t.Fatalf("second load = %+v, want %+v", got, want)
	}
	t.Logf("second load skipped in %v", time.Since(start))

	checkReferenceRows(t, pool)
}

// TestLoadReferenceRepairs checks that a drifted database is reloaded without
// breaking the offers that reference ROME codes.
func TestLoadReferenceRepairs(t *testing.T) {
	ctx := context.Background()
	pool := newRefTestDB(t)
	if _, err := postgres.LoadReference(ctx, pool); err != nil {
		t.Fatalf("first load: %v", err)
	}

	mustExec(t, pool, `INSERT INTO counsellors (id, email, name, agency) VALUES (1, 'c@example.org', 'C', 'Lyon')`)
	mustExec(t, pool, `INSERT INTO offers (reference, title, rome_code, employer_name, employer_email,
		lat, lon, contract_type, radius_km, positions, counsellor_id)
		VALUES ('K4P8M2', 'Boulanger', 'D1102', 'Fournil', 'f@example.org', 45.76, 4.83, 'CDI', 30, 1, 1)`)
	mustExec(t, pool, `UPDATE rome_codes SET label = 'stale' WHERE code = 'D1102'`)
	mustExec(t, pool, `DELETE FROM communes WHERE insee = '69123'`)
	mustExec(t, pool, `DELETE FROM rome_mobility WHERE from_code = 'D1102'`)
	mustExec(t, pool, `DELETE FROM rome_code_skills WHERE rome_code = 'D1102'`)

	got, err := postgres.LoadReference(ctx, pool)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if got != wantReference {
		t.Fatalf("reload = %+v, want %+v", got, wantReference)
	}
	var offers int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM offers WHERE rome_code = 'D1102'`).Scan(&offers); err != nil || offers != 1 {
		t.Fatalf("offers on D1102 after reload = %d, %v; want 1", offers, err)
	}
	checkReferenceRows(t, pool)
}

func checkReferenceRows(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()

	var label, parent string
	err := pool.QueryRow(ctx, `SELECT label, parent_code FROM rome_codes WHERE code = 'D1108'`).Scan(&label, &parent)
	if err != nil || label != "Chef boulanger / Cheffe boulangère" || parent != "D1102" {
		t.Errorf("D1108 = %q parent %q, %v", label, parent, err)
	}
	err = pool.QueryRow(ctx, `SELECT label FROM rome_codes WHERE code = 'D1102'`).Scan(&label)
	if err != nil || label != "Boulanger / Boulangère" {
		t.Errorf("D1102 label = %q, %v", label, err)
	}

	var lat, lon *float64
	var former []string
	var postal string
	err = pool.QueryRow(ctx, `SELECT lat, lon, postal_code FROM communes WHERE insee = '69123'`).Scan(&lat, &lon, &postal)
	if err != nil || lat == nil || lon == nil || *lat < 45.7 || *lat > 45.8 || *lon < 4.78 || *lon > 4.88 || postal != "69001" {
		t.Errorf("Lyon = %v,%v %q, %v; want near 45.76,4.83", lat, lon, postal, err)
	}
	err = pool.QueryRow(ctx, `SELECT lat, former_insee FROM communes WHERE insee = '15031'`).Scan(&lat, &former)
	if err != nil || lat != nil || former == nil {
		t.Errorf("15031 lat = %v former = %v, %v; want NULL lat and an empty array", lat, former, err)
	}
	err = pool.QueryRow(ctx, `SELECT former_insee FROM communes WHERE insee = '85223'`).Scan(&former)
	if err != nil || !slices.Contains(former, "85233") {
		t.Errorf("85223 former_insee = %v, %v; want 85233 among them", former, err)
	}
	var resolved string
	err = pool.QueryRow(ctx, `SELECT insee FROM communes WHERE former_insee @> ARRAY['85233']`).Scan(&resolved)
	if err != nil || resolved != "85223" {
		t.Errorf("old code 85233 resolves to %q, %v; want 85223", resolved, err)
	}

	var arm, links int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM communes WHERE insee LIKE '6938_'`).Scan(&arm); err != nil || arm != 9 {
		t.Errorf("Lyon arrondissements = %d, %v; want 9", arm, err)
	}
	err = pool.QueryRow(ctx, `SELECT count(*) FROM rome_mobility WHERE from_code = 'D1102' AND rank = 1`).Scan(&links)
	if err != nil || links != 1 {
		t.Errorf("D1102 rank-1 links = %d, %v; want 1", links, err)
	}
	var core bool
	err = pool.QueryRow(ctx, `SELECT l.core FROM rome_code_skills l JOIN rome_skills s ON s.id = l.skill_id
		WHERE l.rome_code = 'D1102' AND s.label = 'Pétrir manuellement ou mécaniquement des pâtes'`).Scan(&core)
	if err != nil || !core {
		t.Errorf("D1102 kneading core = %v, %v; want a core skill", core, err)
	}
}

func mustExec(t *testing.T, pool *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// newRefTestDB creates a fresh, migrated database for one test and drops it
// when the test ends.
func newRefTestDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	baseURL := os.Getenv("TEST_DATABASE_URL")
	if baseURL == "" {
		baseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	admin, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", baseURL, err)
	}
	defer admin.Close(ctx)

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "outreach_test_ref_" + hex.EncodeToString(suffix)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), baseURL)
		if err != nil {
			t.Errorf("connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatalf("parse %s: %v", baseURL, err)
	}
	u.Path = "/" + name
	dbURL := u.String()

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", name, err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, "schema_version")
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if err := m.LoadMigrations(migrations.Files); err != nil {
		t.Fatalf("load migrations: %v", err)
	}
	if err := m.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatalf("pool for %s: %v", name, err)
	}
	t.Cleanup(pool.Close) // runs before the drop: cleanups are LIFO
	return pool
}
