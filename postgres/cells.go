package postgres

import (
	"math"
	"strconv"
)

// Grid of the occupation_cells column: the sizes must match the SQL
// function occupation_cells of migration 005.
const (
	cellLatDeg = 0.25
	cellLonDeg = 0.35
)

// cellTokens lists the occupation_cells tokens of every code in every grid
// cell overlapping the box.
func cellTokens(codes []string, minLat, maxLat, minLon, maxLon float64) []string {
	lat0, lat1 := cellIndex(minLat, cellLatDeg), cellIndex(maxLat, cellLatDeg)
	lon0, lon1 := cellIndex(minLon, cellLonDeg), cellIndex(maxLon, cellLonDeg)
	tokens := make([]string, 0, len(codes)*(lat1-lat0+1)*(lon1-lon0+1))
	for _, code := range codes {
		for i := lat0; i <= lat1; i++ {
			for j := lon0; j <= lon1; j++ {
				tokens = append(tokens, code+":"+strconv.Itoa(i)+":"+strconv.Itoa(j))
			}
		}
	}
	return tokens
}

func cellIndex(deg, size float64) int {
	return int(math.Floor(deg / size))
}
