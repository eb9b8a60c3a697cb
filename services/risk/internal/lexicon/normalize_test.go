package lexicon

import (
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name string
		in   string
		want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "plain chinese", in: "私单", want: "私单"},
		{name: "full-width letters", in: "ＰＡＹ ＭＥ", want: "payme"},
		{name: "full-width digits", in: "卡号１２３４", want: "卡号1234"},
		{name: "ideographic space", in: "ｐａｙ　ｍｅ", want: "payme"},
		{name: "ideographic space between ideographs", in: "私　单", want: "私单"},
		{name: "mixed case", in: "Pay Me DIRECTLY", want: "paymedirectly"},
		{name: "spaced letters", in: "P A Y me directly", want: "paymedirectly"},
		{name: "ascii space", in: "私 单", want: "私单"},
		{name: "hyphen", in: "私-单", want: "私单"},
		{name: "chinese punctuation", in: "私，单。", want: "私单"},
		{name: "full-width punctuation", in: "私！单？", want: "私单"},
		{name: "emoji", in: "私😀单", want: "私单"},
		{name: "emoji with skin tone and zwj", in: "私👍🏽‍单", want: "私单"},
		{name: "zero-width space", in: "私\u200b单", want: "私单"},
		{name: "zero-width joiner", in: "私\u200d单", want: "私单"},
		{name: "byte order mark", in: "\ufeff私单", want: "私单"},
		{name: "soft hyphen", in: "pa\u00ady", want: "pay"},
		{name: "traditional 單", in: "私單", want: "私单"},
		{name: "traditional 飛單", in: "飛單", want: "飞单"},
		{name: "traditional 個", in: "個人收款", want: "个人收款"},
		{name: "traditional 帳號", in: "私人帳號", want: "私人账号"},
		{name: "traditional 賬戶", in: "私人賬戶", want: "私人账户"},
		{name: "traditional 轉別給後開發們錢", in: "轉別給後開發們錢", want: "转别给后开发们钱"},
		{name: "traditional 繞過點", in: "繞過點", want: "绕过点"},
		{name: "nfkc ligature", in: "ﬁle", want: "file"},
		{name: "nfkc expansion", in: "㎉", want: "kcal"},
		{name: "nfkc circled digit", in: "①", want: "1"},
		{name: "nfkc compatibility ideograph", in: "\uf900", want: "\u8c48"},
		{name: "nfkc roman numeral", in: "Ⅻ", want: "xii"},
		{name: "combining accent composes", in: "cafe\u0301", want: "café"},
		{name: "case folding sharp s", in: "STRAßE", want: "strasse"},
		{name: "case folding final sigma", in: "ΣΊΣΥΦΟΣ", want: "σίσυφοσ"},
		{name: "half-width katakana widened", in: "ｶﾀｶﾅ", want: "カタカナ"},
		{name: "hangul jamo compose after separator drops", in: "\u1100 \u1161", want: "가"},
		{name: "invalid utf-8 dropped", in: "私\xff单", want: "私单"},
		{name: "only symbols", in: "!!! 😀 ---", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Normalize(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Normalize(%q) mismatch (-want, +got):\n%s", tc.in, diff)
			}
			if again := Normalize(got); again != got {
				t.Errorf("Normalize is not idempotent: Normalize(%q) = %q", got, again)
			}
		})
	}
}

// TestTradToSimpIsClosed guards the invariant that keeps Normalize
// idempotent: a simplified form must never itself be mapped again.
func TestTradToSimpIsClosed(t *testing.T) {
	t.Parallel()

	for trad, simp := range tradToSimp {
		if again, ok := tradToSimp[simp]; ok {
			t.Errorf("tradToSimp[%q] = %q, which maps again to %q", trad, simp, again)
		}
	}
}

// TestTradToSimpCoversDefaultLexicon checks that every character of the
// built-in Chinese phrases is already simplified, so the table's values are
// what the phrases contain.
func TestTradToSimpCoversDefaultLexicon(t *testing.T) {
	t.Parallel()

	for _, e := range defaultEntries {
		for _, r := range e.Phrase {
			if _, ok := tradToSimp[r]; ok {
				t.Errorf("default phrase %q contains traditional %q", e.Phrase, r)
			}
		}
	}
}

// normalizeSimple drops punctuation and spaces outright: that is only
// right if every such rune normalises to nothing, alone or between letters.
func TestPunctuationNormalizesToNothing(t *testing.T) {
	t.Parallel()
	for _, table := range []*unicode.RangeTable{unicode.P, unicode.Zs} {
		for lo := rune(0); lo <= unicode.MaxRune; lo++ {
			if !unicode.Is(table, lo) {
				continue
			}
			if got := normalizeUnicode(nil, string(lo)); len(got) != 0 {
				t.Errorf("%U normalises to %q, want nothing", lo, runesOf(got))
			}
			s := "私" + string(lo) + "单a" + string(lo) + "B"
			if diff := cmp.Diff(normalizeUnicode(nil, s), mustSimple(t, s), cmp.AllowUnexported(unit{})); diff != "" {
				t.Errorf("%q: fast path differs (-unicode, +simple):\n%s", s, diff)
			}
		}
	}
}

func mustSimple(t *testing.T, s string) []unit {
	t.Helper()
	out, ok := normalizeSimple(nil, s)
	if !ok {
		t.Fatalf("normalizeSimple(%q) declined", s)
	}
	return out
}

func runesOf(units []unit) string {
	var b strings.Builder
	for _, u := range units {
		b.WriteRune(u.r)
	}
	return b.String()
}
