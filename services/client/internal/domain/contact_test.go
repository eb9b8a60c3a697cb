package domain_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr bool
	}{
		{name: "bare mobile", raw: "13800138000", want: "+8613800138000"},
		{name: "spaces", raw: "138 0013 8000", want: "+8613800138000"},
		{name: "dashes", raw: "138-0013-8000", want: "+8613800138000"},
		{name: "dots", raw: "138.0013.8000", want: "+8613800138000"},
		{name: "brackets", raw: "(138) 0013-8000", want: "+8613800138000"},
		{name: "surrounding whitespace", raw: "  13800138000\t", want: "+8613800138000"},
		{name: "full-width digits", raw: "１３８００１３８０００", want: "+8613800138000"},
		{name: "full-width plus and spaces", raw: "＋８６　１３８　００１３　８０００", want: "+8613800138000"},
		{name: "plus country code", raw: "+86 138 0013 8000", want: "+8613800138000"},
		{name: "00 international prefix", raw: "0086-138-0013-8000", want: "+8613800138000"},
		{name: "landline with trunk prefix", raw: "(010) 6552 9988", want: "+861065529988"},
		{name: "foreign number", raw: "+1 415 555 2671", want: "+14155552671"},
		{name: "bracketed trunk prefix after country code", raw: "+86 (0)10 6552 9988", want: "+861065529988"},
		{name: "empty", raw: "", wantErr: true},
		{name: "blank", raw: "   ", wantErr: true},
		{name: "letters", raw: "abc", wantErr: true},
		{name: "too short", raw: "123", wantErr: true},
		{name: "too long for its country", raw: "+86 1380013800012345", wantErr: true},
		{name: "longer than any number", raw: strings.Repeat("1", 41), wantErr: true},
		{name: "invalid UTF-8", raw: "138\xff00138000", wantErr: true},
		// Found by FuzzNormalizePhone: the trunk prefix was stripped once
		// per parse, so "+86000000000" normalised to "+8600000000".
		{name: "zeros that are no number", raw: "0000000000", wantErr: true},
		{name: "country code then zeros", raw: "+86000000000", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizePhone(tt.raw)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NormalizePhone(%q) = %q, want an error", tt.raw, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizePhone(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e164 string
		want string
	}{
		{name: "chinese mobile", e164: "+8613800138000", want: "138****8000"},
		{name: "beijing landline", e164: "+861065529988", want: "106***9988"},
		{name: "us number", e164: "+14155552671", want: "415***2671"},
		{name: "short number hides everything", e164: "12345", want: "*****"},
		{name: "empty", e164: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := domain.MaskPhone(tt.e164); got != tt.want {
				t.Errorf("MaskPhone(%q) = %q, want %q", tt.e164, got, tt.want)
			}
		})
	}
}

func TestMaskWeChatID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		id   string
		want string
	}{
		{name: "empty stays empty", id: "", want: ""},
		{name: "keeps three characters", id: "wx_zhang01", want: "wx_****"},
		{name: "three characters hide all", id: "abc", want: "****"},
		{name: "counts runes not bytes", id: "微信号码", want: "微信号****"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := domain.MaskWeChatID(tt.id); got != tt.want {
				t.Errorf("MaskWeChatID(%q) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		email string
		want  string
	}{
		{name: "keeps first letter and domain", email: "zhang.san@example.com", want: "z****@example.com"},
		{name: "one letter local part", email: "z@example.com", want: "z****@example.com"},
		{name: "counts runes not bytes", email: "张三@例子.cn", want: "张****@例子.cn"},
		{name: "no at sign", email: "zhang", want: "****"},
		{name: "empty local part", email: "@example.com", want: "****"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := domain.MaskEmail(tt.email)
			if got != tt.want {
				t.Errorf("MaskEmail(%q) = %q, want %q", tt.email, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("MaskEmail(%q) = %q, not valid UTF-8", tt.email, got)
			}
		})
	}
}

// FuzzNormalizePhone checks that the normaliser of outside input never
// panics and that what it accepts is E.164 and a fixed point.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"13800138000", "138 0013 8000", "１３８００１３８０００", "+86 138 0013 8000",
		"0086-138-0013-8000", "(010) 6552 9988", "+1 415 555 2671", "", "abc", "123",
		"+86 1380013800012345", "+44 20 7946 0958", "1-800-FLOWERS", "138 0013 8000 ext. 12",
		"tel:+86-138-0013-8000", "+", "00", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := domain.NormalizePhone(raw)
		if err != nil {
			return
		}
		if len(got) < 2 || got[0] != '+' {
			t.Fatalf("NormalizePhone(%q) = %q, want a leading +", raw, got)
		}
		for _, c := range got[1:] {
			if c < '0' || c > '9' {
				t.Fatalf("NormalizePhone(%q) = %q, want only digits after the +", raw, got)
			}
		}
		again, err := domain.NormalizePhone(got)
		if err != nil {
			t.Fatalf("NormalizePhone(%q) = %q, which it then refuses: %v", raw, got, err)
		}
		if again != got {
			t.Fatalf("NormalizePhone(%q) = %q, but NormalizePhone(%q) = %q", raw, got, got, again)
		}
	})
}

func TestMaskContactsIn(t *testing.T) {
	t.Parallel()
	c := domain.Customer{WeChatID: "Wx_Zhang01", Email: "zhang@example.com", Phones: []string{"+8613800138000"}}
	tests := []struct {
		name, text, want string
	}{
		{name: "plain words", text: "call about the quote", want: "call about the quote"},
		{name: "short numbers stay", text: "2 quotes, 150 units, room 101", want: "2 quotes, 150 units, room 101"},
		{name: "mobile", text: "call 13800138000 first", want: "call *******8000 first"},
		{name: "written with spaces and a country code", text: "+86 138 0013 8000", want: "+** *** **** 8000"},
		{name: "landline with brackets", text: "(010) 6552-9988", want: "(***) ****-9988"},
		{name: "full-width digits", text: "电话１３８００１３８０００", want: "电话*******８０００"},
		{name: "seven digits", text: "6552998", want: "***2998"},
		{name: "six digits stay", text: "655299", want: "655299"},
		{name: "run ends on a digit", text: "no. 13800138000 - ok", want: "no. *******8000 - ok"},
		{name: "e-mail", text: "mail zhang.san@example.com today", want: "mail z****@example.com today"},
		{name: "the customer's WeChat id in any case", text: "add wx_zhang01 on WeChat", want: "add Wx_**** on WeChat"},
		{name: "two contacts", text: "13800138000 or z@example.cn", want: "*******8000 or z****@example.cn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := domain.MaskContactsIn(tt.text, c); got != tt.want {
				t.Errorf("MaskContactsIn(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
