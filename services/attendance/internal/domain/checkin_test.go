package domain_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/geo"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

var serverNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func goodCheckIn() domain.CheckIn {
	return domain.CheckIn{
		EmployeeID: "e1", Kind: domain.CheckInVisit,
		Point: geo.Point{Latitude: 31.2304, Longitude: 121.4737}, AccuracyM: 12.5,
		DeviceTime: serverNow.Add(-30 * time.Second), PhotoSHA256: strings.Repeat("AB", 32), PhotoBytes: 120_000,
		CustomerID: "c1", Purpose: "  quarterly visit ",
	}
}

func TestNormalizeCheckIn(t *testing.T) {
	t.Parallel()
	got, err := domain.NormalizeCheckIn(goodCheckIn(), serverNow)
	if err != nil {
		t.Fatalf("a good check-in: %v", err)
	}
	if got.Purpose != "quarterly visit" || got.PhotoSHA256 != strings.Repeat("ab", 32) {
		t.Errorf("normalised = %q, %q", got.Purpose, got.PhotoSHA256)
	}
	tests := []struct {
		name   string
		change func(*domain.CheckIn)
		fields []string
	}{
		{"no kind", func(c *domain.CheckIn) { c.Kind = 0 }, []string{"kind"}},
		{"latitude out of range", func(c *domain.CheckIn) { c.Point.Latitude = 91 }, []string{"latitude"}},
		{"longitude NaN", func(c *domain.CheckIn) { c.Point.Longitude = math.NaN() }, []string{"longitude"}},
		{"zero accuracy", func(c *domain.CheckIn) { c.AccuracyM = 0 }, []string{"accuracy_m"}},
		{"negative accuracy", func(c *domain.CheckIn) { c.AccuracyM = -3 }, []string{"accuracy_m"}},
		{"NaN accuracy", func(c *domain.CheckIn) { c.AccuracyM = math.NaN() }, []string{"accuracy_m"}},
		{"no device time", func(c *domain.CheckIn) { c.DeviceTime = time.Time{} }, []string{"device_time"}},
		{"device an hour behind", func(c *domain.CheckIn) { c.DeviceTime = serverNow.Add(-time.Hour) }, []string{"device_time"}},
		{"device in the future", func(c *domain.CheckIn) { c.DeviceTime = serverNow.Add(11 * time.Minute) }, []string{"device_time"}},
		{"bad photo hash", func(c *domain.CheckIn) { c.PhotoSHA256 = "xyz" }, []string{"photo_sha256"}},
		{"photo without size", func(c *domain.CheckIn) { c.PhotoBytes = 0 }, []string{"photo_size_bytes"}},
		{"size without photo", func(c *domain.CheckIn) { c.PhotoSHA256 = "" }, []string{"photo_sha256"}},
		{"long purpose", func(c *domain.CheckIn) { c.Purpose = strings.Repeat("访", 501) }, []string{"purpose"}},
		{"everything wrong", func(c *domain.CheckIn) {
			c.Kind, c.Point, c.AccuracyM, c.DeviceTime = 7, geo.Point{Latitude: -100, Longitude: 200}, 0, time.Time{}
		}, []string{"kind", "latitude", "longitude", "accuracy_m", "device_time"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := goodCheckIn()
			tc.change(&c)
			_, err := domain.NormalizeCheckIn(c, serverNow)
			var ve *domain.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			var got []string
			for _, v := range ve.Violations {
				got = append(got, v.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("violated fields = %v, want %v", got, tc.fields)
			}
		})
	}
	// Photos are optional.
	c := goodCheckIn()
	c.PhotoSHA256, c.PhotoBytes = "", 0
	if _, err := domain.NormalizeCheckIn(c, serverNow); err != nil {
		t.Errorf("a check-in without a photo: %v", err)
	}
}

func TestObserve(t *testing.T) {
	t.Parallel()
	c := goodCheckIn()
	c.ID = "k2"
	customer := geo.Point{Latitude: 31.2304, Longitude: 121.4837} // ~950 m east
	previous := domain.CheckIn{ID: "k1", Point: geo.Point{Latitude: 39.9042, Longitude: 116.4074}, DeviceTime: c.DeviceTime.Add(-2 * time.Hour)}
	repeat := domain.CheckIn{ID: "k0"}

	got := domain.Observe(c, &customer, &previous, &repeat)
	f := got.Facts
	if !f.CustomerLocated || math.Abs(f.DistanceToCustomerM-950) > 10 {
		t.Errorf("customer distance = %v (located %v), want about 950 m", f.DistanceToCustomerM, f.CustomerLocated)
	}
	if f.PreviousID != "k1" || f.SecondsSincePrevious != 7200 {
		t.Errorf("previous = %q after %ds, want k1 after 7200s", f.PreviousID, f.SecondsSincePrevious)
	}
	// Beijing to Shanghai (~1,067 km) in two hours is over 500 km/h: impossible travel.
	if f.SpeedFromPreviousKmh < 500 || f.SpeedFromPreviousKmh > 560 {
		t.Errorf("speed = %.0f km/h, want about 533", f.SpeedFromPreviousKmh)
	}
	if f.RepeatsID != "k0" {
		t.Errorf("repeats = %q, want k0", f.RepeatsID)
	}

	// A clock set back before the previous check-in cannot hide a jump:
	// the interval counts as one second.
	backwards := c
	backwards.DeviceTime = previous.DeviceTime.Add(-time.Minute)
	if f := domain.Observe(backwards, nil, &previous, nil).Facts; f.SecondsSincePrevious != -60 || f.SpeedFromPreviousKmh < 1_000_000 {
		t.Errorf("backwards clock: %ds, %.0f km/h; want -60 s and a huge speed", f.SecondsSincePrevious, f.SpeedFromPreviousKmh)
	}
	// Jitter within both accuracy radii is no travel at all.
	near := previous
	near.Point, near.AccuracyM = geo.Point{Latitude: c.Point.Latitude + 0.0002, Longitude: c.Point.Longitude}, 15 // ~22 m away
	if f := domain.Observe(c, nil, &near, nil).Facts; f.SpeedFromPreviousKmh != 0 || f.DistanceFromPreviousM < 20 {
		t.Errorf("jitter: %.0f m at %.1f km/h; want the distance kept and no speed", f.DistanceFromPreviousM, f.SpeedFromPreviousKmh)
	}

	alone := domain.Observe(c, nil, nil, nil)
	if alone.Facts != (domain.CheckInFacts{}) {
		t.Errorf("no customer, no previous: facts = %+v, want none", alone.Facts)
	}
}

func TestSameFix(t *testing.T) {
	t.Parallel()
	a := goodCheckIn()
	b := a
	if !domain.SameFix(a, b) {
		t.Error("identical fixes differ")
	}
	b.AccuracyM += 0.1
	if domain.SameFix(a, b) {
		t.Error("different accuracy is the same fix")
	}
}

func TestCheckInable(t *testing.T) {
	t.Parallel()
	if err := domain.CheckInable(employeeIn(domain.StatusOnNotice)); err != nil {
		t.Errorf("on notice: %v", err)
	}
	if err := domain.CheckInable(employeeIn(domain.StatusDeparted)); !errors.Is(err, domain.ErrPrecondition) {
		t.Errorf("departed: err = %v, want ErrPrecondition", err)
	}
}
