package domain

import (
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/holdfast/holdfast/pkg/geo"
)

// CheckInKind is why an employee checked in; the values match the wire's.
type CheckInKind int

// Check-in kinds.
const (
	CheckInUnspecified CheckInKind = iota
	CheckInVisit
	CheckInOffice
)

// Limits on what a device may send.
const (
	// MaxClockSkew is how far a device's clock may be from the server's.
	// Phones keep network time; a larger gap means a queued, replayed or
	// forged check-in, which the employee should redo rather than backdate.
	MaxClockSkew = 10 * time.Minute
	// MaxAccuracyMeters bounds the reported accuracy: beyond it the fix is
	// not a location at all.
	MaxAccuracyMeters = 50_000
	// MaxPhotoBytes bounds a photo's declared size.
	MaxPhotoBytes   = 32 << 20
	maxPurposeRunes = 500
)

// CheckIn is one geolocated check-in and the facts recorded with it.
type CheckIn struct {
	Tenant      string
	ID          string
	EmployeeID  string
	Kind        CheckInKind
	Point       geo.Point
	AccuracyM   float64
	DeviceTime  time.Time
	PhotoSHA256 string
	PhotoBytes  int64
	CustomerID  string
	Purpose     string
	Facts       CheckInFacts
	// RecordedAt is when the server wrote it; Sequence where (ATTENDANCE).
	RecordedAt time.Time
	Sequence   uint64
}

// CheckInFacts are what the risk rules judge a check-in by, computed once
// when it is written so that replay never recomputes them differently.
type CheckInFacts struct {
	// CustomerLocated: the linked customer has a registered geo point, and
	// DistanceToCustomerM is the distance to it.
	CustomerLocated     bool
	DistanceToCustomerM float64
	// PreviousID is the employee's previous check-in ("" for the first).
	PreviousID            string
	DistanceFromPreviousM float64
	// SecondsSincePrevious is the device-time interval, as the devices
	// said: zero or negative when the clock went backwards.
	SecondsSincePrevious int64
	// SpeedFromPreviousKmh is the slowest speed both fixes allow: the
	// distance less both accuracy radii, over the interval but at least
	// one second, so a backwards clock cannot hide a jump and GPS jitter
	// does not look like travel.
	SpeedFromPreviousKmh float64
	// RepeatsID is an earlier check-in with exactly the same coordinates
	// and accuracy: real GPS fixes do not repeat to the last digit.
	RepeatsID string
}

// NormalizeCheckIn trims a check-in as the device sent it and reports every
// bad field. now is the server's clock, against which the device time is
// judged. Ids are the caller's to check.
func NormalizeCheckIn(c CheckIn, now time.Time) (CheckIn, error) {
	var v violations
	if c.Kind != CheckInVisit && c.Kind != CheckInOffice {
		v.Add("kind", "must be VISIT or OFFICE")
	}
	if math.IsNaN(c.Point.Latitude) || c.Point.Latitude < -90 || c.Point.Latitude > 90 {
		v.Add("latitude", "must be between -90 and 90")
	}
	if math.IsNaN(c.Point.Longitude) || c.Point.Longitude < -180 || c.Point.Longitude > 180 {
		v.Add("longitude", "must be between -180 and 180")
	}
	if !(c.AccuracyM > 0 && c.AccuracyM <= MaxAccuracyMeters) { // also refuses NaN
		v.Add("accuracy_m", "must be more than 0 and at most %d metres", MaxAccuracyMeters)
	}
	switch {
	case c.DeviceTime.IsZero():
		v.Add("device_time", "required")
	case c.DeviceTime.Sub(now).Abs() > MaxClockSkew:
		v.Add("device_time", "is %s from the server's clock; at most %s is accepted", c.DeviceTime.Sub(now).Round(time.Second).Abs(), MaxClockSkew)
	}
	c.PhotoSHA256 = strings.ToLower(strings.TrimSpace(c.PhotoSHA256))
	switch {
	case c.PhotoSHA256 == "" && c.PhotoBytes != 0:
		v.Add("photo_sha256", "required when photo_size_bytes is set")
	case c.PhotoSHA256 != "" && !isSHA256Hex(c.PhotoSHA256):
		v.Add("photo_sha256", "must be 64 hexadecimal characters")
	case c.PhotoSHA256 != "" && (c.PhotoBytes <= 0 || c.PhotoBytes > MaxPhotoBytes):
		v.Add("photo_size_bytes", "must be between 1 and %d with a photo", MaxPhotoBytes)
	}
	c.Purpose = strings.TrimSpace(c.Purpose)
	if len([]rune(c.Purpose)) > maxPurposeRunes {
		v.Add("purpose", "at most %d characters", maxPurposeRunes)
	}
	return c, v.Err()
}

func isSHA256Hex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

// CanCheckIn: employees check themselves in; a device gateway (service)
// checks in for them.
func (a Actor) CanCheckIn(employeeID string) bool {
	return a.EmployeeID == employeeID || a.has("service")
}

// CheckInable decides whether an employee may check in at all: not after
// they left.
func CheckInable(e Employee) error {
	if e.Status == StatusDeparted {
		return fmt.Errorf("%w: employee %s has departed", ErrPrecondition, e.ID)
	}
	return nil
}

// Observe computes c's facts from the linked customer's registered point
// (nil when none is linked or the customer has no point), the employee's
// previous check-in (nil for the first) and an earlier check-in at exactly
// the same fix (nil when none).
func Observe(c CheckIn, customerPoint *geo.Point, previous, repeat *CheckIn) CheckIn {
	c.Facts = CheckInFacts{}
	if customerPoint != nil {
		c.Facts.CustomerLocated = true
		c.Facts.DistanceToCustomerM = geo.DistanceMeters(c.Point, *customerPoint)
	}
	if previous != nil {
		c.Facts.PreviousID = previous.ID
		c.Facts.DistanceFromPreviousM = geo.DistanceMeters(previous.Point, c.Point)
		c.Facts.SecondsSincePrevious = int64(c.DeviceTime.Sub(previous.DeviceTime) / time.Second)
		beyondJitter := math.Max(0, c.Facts.DistanceFromPreviousM-c.AccuracyM-previous.AccuracyM)
		c.Facts.SpeedFromPreviousKmh = geo.SpeedKmh(beyondJitter, max(1, c.Facts.SecondsSincePrevious))
	}
	if repeat != nil {
		c.Facts.RepeatsID = repeat.ID
	}
	return c
}

// SameFix reports whether two check-ins carry exactly the same coordinates
// and accuracy.
func SameFix(a, b CheckIn) bool {
	return a.Point == b.Point && a.AccuracyM == b.AccuracyM
}
