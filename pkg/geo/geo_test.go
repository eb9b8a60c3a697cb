package geo

import (
	"math"
	"testing"
)

func TestDistanceMeters(t *testing.T) {
	t.Parallel()
	shanghai := Point{31.2304, 121.4737}
	beijing := Point{39.9042, 116.4074}
	tests := []struct {
		name     string
		p, q     Point
		want     float64
		tolerate float64
	}{
		{"same point", shanghai, shanghai, 0, 1e-9},
		// Published great-circle distance Shanghai–Beijing is about 1,067 km.
		{"shanghai to beijing", shanghai, beijing, 1_067_000, 3_000},
		{"one degree of latitude", Point{0, 0}, Point{1, 0}, 111_195, 5},
		{"across the antimeridian", Point{0, 179.5}, Point{0, -179.5}, 111_195, 5},
		{"antipodes", Point{0, 0}, Point{0, 180}, math.Pi * EarthRadiusMeters, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := DistanceMeters(tc.p, tc.q)
			if math.Abs(got-tc.want) > tc.tolerate {
				t.Errorf("DistanceMeters(%v, %v) = %.1f, want %.1f ± %.1f", tc.p, tc.q, got, tc.want, tc.tolerate)
			}
			if back := DistanceMeters(tc.q, tc.p); math.Abs(back-got) > 1e-6 {
				t.Errorf("distance is not symmetric: %.3f vs %.3f", got, back)
			}
		})
	}
}

func TestSpeedKmh(t *testing.T) {
	t.Parallel()
	if got := SpeedKmh(150_000, 3600); math.Abs(got-150) > 1e-9 {
		t.Errorf("150 km in an hour = %v km/h, want 150", got)
	}
	if got := SpeedKmh(1000, 0); got != 0 {
		t.Errorf("no time passed: got %v, want 0", got)
	}
	if got := SpeedKmh(1000, -5); got != 0 {
		t.Errorf("negative time: got %v, want 0", got)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Point
		want error
	}{
		{Point{90, 180}, nil},
		{Point{-90, -180}, nil},
		{Point{90.0001, 0}, ErrLatitude},
		{Point{math.NaN(), 0}, ErrLatitude},
		{Point{0, math.Inf(1)}, ErrLongitude},
		{Point{0, -180.5}, ErrLongitude},
	}
	for _, tc := range tests {
		if got := tc.p.Validate(); got != tc.want { //nolint:errorlint // sentinels compared exactly
			t.Errorf("%v.Validate() = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestParsePoint(t *testing.T) {
	t.Parallel()
	good := map[string]Point{
		"31.2304,121.4737":     {31.2304, 121.4737},
		" 31.2304 , 121.4737 ": {31.2304, 121.4737},
		"31.2304，121.4737":     {31.2304, 121.4737},
		"-33.8688,151.2093":    {-33.8688, 151.2093},
	}
	for in, want := range good {
		got, err := ParsePoint(in)
		if err != nil || got != want {
			t.Errorf("ParsePoint(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "31.2", "a,b", "91,0", "0,181", "NaN,0", "Inf,0", "0x1p4,0", "1e2,0", "31.2,121.4,5", ","} {
		if p, err := ParsePoint(in); err == nil {
			t.Errorf("ParsePoint(%q) = %v, want an error", in, p)
		}
	}
}

func FuzzParsePoint(f *testing.F) {
	for _, s := range []string{"31.2304,121.4737", "-90,180", "1e400,0", "，", "+.5,-.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePoint(s)
		if err != nil {
			return
		}
		if verr := p.Validate(); verr != nil {
			t.Fatalf("ParsePoint(%q) accepted an invalid point %v: %v", s, p, verr)
		}
		if d := DistanceMeters(p, p); d != 0 {
			t.Fatalf("distance of %v to itself = %v", p, d)
		}
	})
}
