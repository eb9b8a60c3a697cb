package consolesvc

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// checkInTime is when the check-in happened: the device's time, which the
// rules judge, or when it was recorded if the device gave none.
func checkInTime(c *attendancev1.CheckIn) time.Time {
	if c.GetDeviceTime() != nil {
		return c.GetDeviceTime().AsTime()
	}
	return c.GetRecordedAt().AsTime()
}

// Size of the check-in map, in SVG units.
const (
	mapWidth, mapHeight, mapMargin = 360.0, 240.0, 12.0
)

// checkInMap draws the check-ins as a scatter on a local flat projection
// (longitude scaled by the cosine of the mean latitude, so distances look
// right over a city), evidence in red. It is an image from a data: URL:
// the CSP forbids scripts but allows such images, and the SVG is built
// here from numbers only, so nothing a user typed is in it.
func checkInMap(rows []checkInRow) template.URL {
	if len(rows) == 0 {
		return ""
	}
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		minLat, maxLat = math.Min(minLat, r.GetLatitude()), math.Max(maxLat, r.GetLatitude())
		minLon, maxLon = math.Min(minLon, r.GetLongitude()), math.Max(maxLon, r.GetLongitude())
	}
	k := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	spanX, spanY := (maxLon-minLon)*k, maxLat-minLat
	// One scale for both axes, fitted to the larger span; a single point
	// (or all at one place) sits in the middle.
	scale := 0.0
	if spanX > 0 || spanY > 0 {
		scale = math.Min((mapWidth-2*mapMargin)/math.Max(spanX, 1e-12), (mapHeight-2*mapMargin)/math.Max(spanY, 1e-12))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g">`, mapWidth, mapHeight, mapWidth, mapHeight)
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="#f6f6f2" stroke="#999"/>`, mapWidth, mapHeight)
	// Evidence last, so it is drawn on top.
	for _, evidence := range []bool{false, true} {
		for _, r := range rows {
			if r.Evidence != evidence {
				continue
			}
			x := mapWidth/2 + ((r.GetLongitude()-minLon)*k-spanX/2)*scale
			y := mapHeight/2 - ((r.GetLatitude()-minLat)-spanY/2)*scale
			fill := "#2a5db0"
			if evidence {
				fill = "#c0392b"
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="5" fill="%s" fill-opacity="0.8"/>`, x, y, fill)
		}
	}
	b.WriteString(`</svg>`)
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(b.String()))) //nolint:gosec // built from numbers above
}
