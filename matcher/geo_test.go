package matcher_test

import (
	"math"
	"testing"

	"github.com/franceoutreach/outreach/matcher"
)

const earthRadiusKM = 6371.0088

var (
	paris = matcher.Point{Lat: 48.8566, Lon: 2.3522}
	lyon  = matcher.Point{Lat: 45.7640, Lon: 4.8357}
)

// destination returns the point km away from p along the great circle
// leaving at bearing (degrees clockwise from north).
func destination(p matcher.Point, bearing, km float64) matcher.Point {
	d := km / earthRadiusKM
	lat, lon, b := p.Lat*math.Pi/180, p.Lon*math.Pi/180, bearing*math.Pi/180
	lat2 := math.Asin(math.Sin(lat)*math.Cos(d) + math.Cos(lat)*math.Sin(d)*math.Cos(b))
	lon2 := lon + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(lat), math.Cos(d)-math.Sin(lat)*math.Sin(lat2))
	return matcher.Point{Lat: lat2 * 180 / math.Pi, Lon: lon2 * 180 / math.Pi}
}

func TestDistanceKM(t *testing.T) {
	tests := []struct {
		name      string
		a, b      matcher.Point
		want, tol float64
	}{
		{"Paris to Lyon", paris, lyon, 392, 1},
		{"Lyon to Paris", lyon, paris, 392, 1},
		{"same point", lyon, lyon, 0, 1e-9},
		{"one degree of meridian", matcher.Point{Lat: 45, Lon: 3}, matcher.Point{Lat: 46, Lon: 3}, earthRadiusKM * math.Pi / 180, 1e-6},
		{"one degree of equator", matcher.Point{Lat: 0, Lon: 0}, matcher.Point{Lat: 0, Lon: 1}, earthRadiusKM * math.Pi / 180, 1e-6},
		{"antipodes", matcher.Point{Lat: 0, Lon: 0}, matcher.Point{Lat: 0, Lon: 180}, earthRadiusKM * math.Pi, 1e-6},
		{"pole to pole", matcher.Point{Lat: 90, Lon: 0}, matcher.Point{Lat: -90, Lon: 0}, earthRadiusKM * math.Pi, 1e-6},
		{"12.3 km north", lyon, destination(lyon, 0, 12.3), 12.3, 1e-9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := matcher.DistanceKM(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("DistanceKM(%v, %v) = %.6f, want %.6f ± %g", tt.a, tt.b, got, tt.want, tt.tol)
			}
		})
	}
}

func TestBoundingBoxContainsCircle(t *testing.T) {
	tests := []struct {
		name     string
		center   matcher.Point
		radiusKM float64
	}{
		{"Lyon 30 km", lyon, 30},
		{"Paris 100 km", paris, 100},
		{"Dunkerque 10 km", matcher.Point{Lat: 51.0344, Lon: 2.3768}, 10},
		{"Saint-Denis de La Réunion 50 km", matcher.Point{Lat: -20.8821, Lon: 55.4504}, 50},
		{"Cayenne 30 km", matcher.Point{Lat: 4.9224, Lon: -52.3135}, 30},
		{"equator 1 km", matcher.Point{Lat: 0, Lon: 0}, 1},
		{"far north 500 km", matcher.Point{Lat: 80, Lon: 15}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			minLat, maxLat, minLon, maxLon := matcher.BoundingBox(tt.center, tt.radiusKM)
			inside := func(p matcher.Point) bool {
				return minLat <= p.Lat && p.Lat <= maxLat && minLon <= p.Lon && p.Lon <= maxLon
			}
			for _, dir := range []struct {
				name    string
				bearing float64
			}{{"north", 0}, {"east", 90}, {"south", 180}, {"west", 270}} {
				if p := destination(tt.center, dir.bearing, tt.radiusKM); !inside(p) {
					t.Errorf("%s point %v at %g km outside box lat [%v, %v] lon [%v, %v]",
						dir.name, p, tt.radiusKM, minLat, maxLat, minLon, maxLon)
				}
			}
			// The widest longitude is not due east or west: check all around.
			for bearing := 0.0; bearing < 360; bearing += 0.5 {
				if p := destination(tt.center, bearing, tt.radiusKM); !inside(p) {
					t.Errorf("point at bearing %g, %g km, %v outside box", bearing, tt.radiusKM, p)
				}
			}
			// And the box stays tight: its latitude span is the diameter.
			wantSpan := 2 * tt.radiusKM / earthRadiusKM * 180 / math.Pi
			if span := maxLat - minLat; math.Abs(span-wantSpan) > 1e-6 {
				t.Errorf("latitude span %v, want %v", span, wantSpan)
			}
		})
	}
}

func TestBoundingBoxEdges(t *testing.T) {
	tests := []struct {
		name                           string
		center                         matcher.Point
		radiusKM                       float64
		minLat, maxLat, minLon, maxLon float64
	}{
		{"north pole inside", matcher.Point{Lat: 89.9, Lon: 10}, 50, 89.9 - 50/earthRadiusKM*180/math.Pi, 90, -180, 180},
		{"at the north pole", matcher.Point{Lat: 90, Lon: 0}, 1, 90 - 1/earthRadiusKM*180/math.Pi, 90, -180, 180},
		{"south pole inside", matcher.Point{Lat: -89.95, Lon: 0}, 10, -90, -89.95 + 10/earthRadiusKM*180/math.Pi, -180, 180},
		{"zero radius", lyon, 0, lyon.Lat, lyon.Lat, lyon.Lon, lyon.Lon},
		{"negative radius", lyon, -5, lyon.Lat, lyon.Lat, lyon.Lon, lyon.Lon},
	}
	const tol = 1e-6
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			minLat, maxLat, minLon, maxLon := matcher.BoundingBox(tt.center, tt.radiusKM)
			got := []float64{minLat, maxLat, minLon, maxLon}
			want := []float64{tt.minLat, tt.maxLat, tt.minLon, tt.maxLon}
			for i := range got {
				if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol {
					t.Fatalf("BoundingBox(%v, %g) = %v, want %v", tt.center, tt.radiusKM, got, want)
				}
			}
		})
	}
}
