package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/postgres"
)

// TestCellTokensMatchSQL checks that Go and the SQL function of migration
// 005 cut the grid the same way, including on cell edges and west of
// Greenwich, and that the tokens of a box cover a point inside it.
func TestCellTokensMatchSQL(t *testing.T) {
	pool, _ := testenv.Pool(t)
	points := []struct{ lat, lon float64 }{
		{45.7640, 4.8357}, {48.8566, 2.3522}, {43.2965, 5.3698}, {47.2184, -1.5536},
		{45.25, 4.9}, {45.0, -0.35}, {-21.1151, 55.5364}, {16.2411, -61.5331},
	}
	for _, p := range points {
		var fromSQL []string
		if err := pool.QueryRow(context.Background(), `SELECT occupation_cells(ARRAY['D1102', 'N1103'], $1, $2)`, p.lat, p.lon).Scan(&fromSQL); err != nil {
			t.Fatal(err)
		}
		fromGo := postgres.CellTokens([]string{"D1102", "N1103"}, p.lat, p.lat, p.lon, p.lon)
		if !slices.Equal(fromSQL, fromGo) {
			t.Errorf("%v: SQL %v, Go %v", p, fromSQL, fromGo)
		}
		box := postgres.CellTokens([]string{"N1103"}, p.lat-0.3, p.lat+0.3, p.lon-0.4, p.lon+0.4)
		if !slices.Contains(box, fromGo[1]) || len(box) < 9 {
			t.Errorf("%v: box tokens %v miss %s", p, box, fromGo[1])
		}
	}
}
