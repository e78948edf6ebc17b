package matcher

import "math"

// earthRadiusKM is the mean Earth radius (IUGG), in kilometres.
const earthRadiusKM = 6371.0088

// boxSlack widens bounding boxes by about 0.1 mm, so that a point exactly at
// the radius is not lost to floating-point rounding.
const boxSlack = 1e-9 // degrees

// Point is a WGS84 position in decimal degrees.
type Point struct{ Lat, Lon float64 }

// DistanceKM returns the great-circle distance between a and b, in
// kilometres, on a sphere of mean Earth radius (haversine formula).
func DistanceKM(a, b Point) float64 {
	lat1, lat2 := radians(a.Lat), radians(b.Lat)
	sinLat := math.Sin((lat2 - lat1) / 2)
	sinLon := math.Sin(radians(b.Lon-a.Lon) / 2)
	h := sinLat*sinLat + math.Cos(lat1)*math.Cos(lat2)*sinLon*sinLon
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(min(h, 1)))
}

// BoundingBox returns a latitude/longitude box that contains every point
// within radiusKM of center, for a cheap, indexable pre-filter in SQL before
// the exact DistanceKM check. Its longitude span is the circle's widest (which
// lies slightly poleward of the centre), not the span at the centre's
// latitude, which would be too narrow. When the circle reaches a pole, the box
// spans every longitude. Longitudes are clamped to [-180, 180], not wrapped
// around the antimeridian: near that line (Wallis-et-Futuna) the box would
// miss points on the far side; mainland France and the overseas departments
// are far from it.
func BoundingBox(center Point, radiusKM float64) (minLat, maxLat, minLon, maxLon float64) {
	r := max(radiusKM, 0) / earthRadiusKM // angular radius
	lat := radians(center.Lat)
	minLat = degrees(lat-r) - boxSlack
	maxLat = degrees(lat+r) + boxSlack
	if minLat <= -90 || maxLat >= 90 {
		return max(minLat, -90), min(maxLat, 90), -180, 180
	}
	// Widest longitude offset of a small circle (J. P. Matuschek, "Finding
	// points within a distance of a latitude/longitude"). Away from the
	// poles, cos(lat) > sin(r), so the ratio stays below 1.
	dLon := degrees(math.Asin(min(math.Sin(r)/math.Cos(lat), 1)))
	minLon = max(center.Lon-dLon-boxSlack, -180)
	maxLon = min(center.Lon+dLon+boxSlack, 180)
	return minLat, maxLat, minLon, maxLon
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

func degrees(rad float64) float64 { return rad * 180 / math.Pi }
