// Package geo is the small piece of geodesy Holdfast needs: a WGS-84 point,
// its validation, the great-circle (haversine) distance between two points,
// and parsing "latitude,longitude" as people type it.
package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EarthRadiusMeters is the mean Earth radius (IUGG). Haversine over a sphere
// is off by at most about 0.5 % against the ellipsoid, far below what a
// phone's GPS accuracy allows anyway.
const EarthRadiusMeters = 6_371_008.8

// Point is a WGS-84 coordinate in decimal degrees.
type Point struct {
	Latitude, Longitude float64
}

// Errors Validate reports.
var (
	ErrLatitude  = errors.New("latitude must be a number between -90 and 90")
	ErrLongitude = errors.New("longitude must be a number between -180 and 180")
)

// Validate reports the first coordinate that is out of range or not a
// finite number.
func (p Point) Validate() error {
	if math.IsNaN(p.Latitude) || p.Latitude < -90 || p.Latitude > 90 {
		return ErrLatitude
	}
	if math.IsNaN(p.Longitude) || p.Longitude < -180 || p.Longitude > 180 {
		return ErrLongitude
	}
	return nil
}

// IsZero reports whether p is (0, 0), which in Holdfast means "no point
// recorded": nobody's customer sits in the Gulf of Guinea.
func (p Point) IsZero() bool { return p.Latitude == 0 && p.Longitude == 0 }

// DistanceMeters is the haversine great-circle distance from p to q.
func DistanceMeters(p, q Point) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := p.Latitude*rad, q.Latitude*rad
	dLat := lat2 - lat1
	dLon := (q.Longitude - p.Longitude) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	// Rounding can push s a hair above 1 for antipodal points.
	s = math.Min(1, math.Max(0, s))
	return 2 * EarthRadiusMeters * math.Asin(math.Sqrt(s))
}

// SpeedKmh is the average speed that covering meters in seconds implies;
// 0 when no time passed (the caller still has the distance).
func SpeedKmh(meters float64, seconds int64) float64 {
	if seconds <= 0 {
		return 0
	}
	return meters / float64(seconds) * 3.6
}

// ParsePoint parses "latitude,longitude" in decimal degrees, e.g.
// "31.2304, 121.4737". Spaces around either number are allowed; a full-width
// comma (，) is accepted because Chinese keyboards type it.
func ParsePoint(s string) (Point, error) {
	s = strings.ReplaceAll(s, "，", ",")
	latText, lonText, ok := strings.Cut(s, ",")
	if !ok {
		return Point{}, fmt.Errorf("geo: %q: want LATITUDE,LONGITUDE", s)
	}
	lat, err := parseDegrees(latText)
	if err != nil {
		return Point{}, fmt.Errorf("geo: latitude %q: %w", strings.TrimSpace(latText), err)
	}
	lon, err := parseDegrees(lonText)
	if err != nil {
		return Point{}, fmt.Errorf("geo: longitude %q: %w", strings.TrimSpace(lonText), err)
	}
	p := Point{Latitude: lat, Longitude: lon}
	if err := p.Validate(); err != nil {
		return Point{}, fmt.Errorf("geo: %w", err)
	}
	return p, nil
}

// parseDegrees accepts a plain decimal number only: no hex, no exponent
// tricks beyond what a coordinate needs, no Inf or NaN.
func parseDegrees(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty")
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != '-' && r != '+' {
			return 0, errors.New("not a decimal number")
		}
	}
	return strconv.ParseFloat(s, 64)
}
