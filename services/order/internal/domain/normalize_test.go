package domain

import (
	"strings"
	"testing"
	"unicode"
)

func TestAddressesMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"上海市浦东新区世纪大道100号", "上海市 浦东新区 世纪大道１００号", true},
		{"Room 5, 88 Nanjing Rd.", "room 5 88 NANJING RD", true},
		{"上海市浦东新区世纪大道100号", "上海市浦东新区世纪大道101号", false},
		{"", "", false},
		{"，。", "!!", false},
	}
	for _, tt := range tests {
		if got := AddressesMatch(tt.a, tt.b); got != tt.want {
			t.Errorf("AddressesMatch(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNormalizeAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"6222 0210-0112 3456", "6222021001123456", true},
		{"cn12 ab34", "CN12AB34", true},
		{"６２２２０２１０", "62220210", true},
		{"123", "", false},
		{"工行 6222", "", false},
		{strings.Repeat("1", 65), "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeAccount(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeAccount(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, currency string
		want         int64
		wantErr      bool
	}{
		{"1234.5", "CNY", 123450, false},
		{"1,234.50", "CNY", 123450, false},
		{"８８.００", "CNY", 8800, false},
		{"100", "JPY", 100, false},
		{"1.5", "JPY", 0, true},
		{"1.234", "CNY", 0, true},
		{"-1", "CNY", 0, true},
		{"1e3", "CNY", 0, true},
		{"1.", "CNY", 0, true},
		{"", "CNY", 0, true},
		{"99999999999999999999", "CNY", 0, true},
		{"1", "XYZ", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in, tt.currency)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d, error %v", tt.in, tt.currency, got, err, tt.want, tt.wantErr)
		}
	}
	if got := FormatAmount(123405, "CNY"); got != "1234.05" {
		t.Errorf("FormatAmount = %q", got)
	}
	if got := FormatAmount(5, "CNY"); got != "0.05" {
		t.Errorf("FormatAmount(5) = %q", got)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1234.5", "1,234.50", "８８.００", "0.01", "-1", "1e3", "", "9223372036854775807"} {
		f.Add(s, "CNY")
		f.Add(s, "JPY")
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		v, err := ParseAmount(s, currency)
		if err != nil {
			if v != 0 {
				t.Fatalf("ParseAmount(%q) = %d with error %v", s, v, err)
			}
			return
		}
		if v < 0 || v > MaxAmountMinor {
			t.Fatalf("ParseAmount(%q) = %d out of range", s, v)
		}
		// What FormatAmount writes, ParseAmount reads back exactly.
		back, err := ParseAmount(FormatAmount(v, currency), currency)
		if err != nil || back != v {
			t.Fatalf("round trip of %d (%q): %d, %v", v, FormatAmount(v, currency), back, err)
		}
	})
}

func FuzzNormalizeAddress(f *testing.F) {
	for _, s := range []string{"上海市浦东新区世纪大道１００号", "Room 5, 88 Nanjing Rd.", "", "\xff\xfe", "ＡＢＣ　ｄｅｆ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeAddress(s)
		if NormalizeAddress(n) != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, NormalizeAddress(n))
		}
		for _, r := range n {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				t.Fatalf("NormalizeAddress(%q) kept %q", s, r)
			}
		}
		if n != "" && !AddressesMatch(s, n) {
			t.Fatalf("%q does not match its own normal form", s)
		}
	})
}

func FuzzNormalizeAccount(f *testing.F) {
	for _, s := range []string{"6222 0210-0112 3456", "cn12 ab34", "６２２２０２１０", "123", "工行"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeAccount(s)
		if !ok {
			if n != "" {
				t.Fatalf("NormalizeAccount(%q) = %q, false", s, n)
			}
			return
		}
		again, ok2 := NormalizeAccount(n)
		if !ok2 || again != n {
			t.Fatalf("not idempotent: %q → %q → %q, %v", s, n, again, ok2)
		}
		if len(n) < 4 || len(n) > 64 || strings.ToUpper(n) != n {
			t.Fatalf("NormalizeAccount(%q) = %q", s, n)
		}
	})
}
