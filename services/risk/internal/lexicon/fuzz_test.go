package lexicon

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// fuzzSeeds mixes the evasions and edge cases the table tests cover, so the
// fuzzer starts from inputs that reach every branch.
var fuzzSeeds = []string{
	"",
	"这单我们做私单吧",
	"私 😀 单",
	"私\u200b单\xff",
	"ｐａｙ　ｍｅ　ｄｉｒｅｃｔｌｙ",
	"Please P A Y me DIRECTLY.",
	"repaymedirectlyish",
	"客户说“加我私人微信”",
	"the other vendor asked me to 'pay to my personal account'",
	"he wrote ‘don’t go through the company’ twice",
	"500 ㎉ per day, ﬁle Ⅻ ß",
	"\u1100 \u1161\u11a8",
	"cafe\u0301 \u0345\u0301",
	"加我VX号，别加我vxx",
	"私人帳號 飛單",
	"\uffa1\uffc2 \u3131\u314f İ ΐ ǅ \u0345 <\u0338 ｶﾞ \u3300 \uf900",
	"《《「pay me directly」\"'私单'\"",
}

// trickyRunes are runes whose normalisation expands, composes, changes
// case in unusual ways or is a separator; TestTrickyRuneCombinations glues
// them together because random bytes rarely produce them.
var trickyRunes = []rune("\u1100\u1161\u11a8\u3131\u314f\uffa1\uffc2\uffa0 \u0301\u0345\u0307\u0338<=" +
	"ßẞİıﬁ㎉Ⅻΐǅ＂ＡａΣσς\u200d\u200b單单가\u0627\u0653\u0654\u0e33\u0f71\u0f72\u0f73" +
	"\u0b47\u0b3e\u3099\u309a\u304b\uff76\uff9e\u1e9b\u0323\u1fbe\u2126\u212a\u00c5\u030a" +
	"\u24b6\u3300\u33c6\u2163\uf900\u2f00\u00bd\u00b2\"'“”「」pay私")

// TestTrickyRuneCombinations checks the fuzz properties on random short
// strings of trickyRunes, with a fixed seed so failures reproduce.
func TestTrickyRuneCombinations(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewPCG(1, 2))
	lex := Default()
	for i := range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteRune(trickyRunes[rng.IntN(len(trickyRunes))])
		}
		s := b.String()
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: Normalize(%+q) = %+q, Normalize(%+q) = %+q", s, n, n, again)
		}
		if i%100 == 0 && n != "" {
			// Now and then use the text itself as the phrase, so that the
			// span checks below actually see matches.
			l, err := New([]Entry{{Phrase: s}})
			if err != nil {
				t.Fatalf("New(%+q): %v", s, err)
			}
			lex = l
		}
		for _, m := range lex.Find(s) {
			if span := Normalize(s[m.Start:m.End]); !strings.Contains(span, Normalize(m.Phrase)) {
				t.Fatalf("span %+q of %+q normalises to %+q, which lacks %+q", s[m.Start:m.End], s, span, m.Phrase)
			}
		}
	}
}

// fuzzLexicons are the default lexicon and one whose phrases exercise
// expansion, folding and composition.
func fuzzLexicons(f *testing.F) []*Lexicon {
	tricky, err := New([]Entry{
		{Phrase: "kcal", Lang: "en"},
		{Phrase: "cal", Lang: "en"},
		{Phrase: "ß", Lang: "en"},
		{Phrase: "fi", Lang: "en"},
		{Phrase: "aa", Lang: "en"},
		{Phrase: "가", Lang: "zh"},
		{Phrase: "加我vx", Lang: "zh"},
		{Phrase: "单单", Lang: "zh"},
	})
	if err != nil {
		f.Fatal(err)
	}
	return []*Lexicon{Default(), tricky}
}

func FuzzFind(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	lexicons := fuzzLexicons(f)
	f.Fuzz(func(t *testing.T, text string) {
		// Positions where decoding stops; with invalid UTF-8 these are the
		// rune boundaries, as utf8.RuneStart alone cannot see them.
		boundary := map[int]bool{len(text): true}
		for i := 0; i < len(text); {
			boundary[i] = true
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
		}
		valid := utf8.ValidString(text)

		for _, l := range lexicons {
			got := l.Find(text)
			if diff := cmp.Diff(got, l.Find(text)); diff != "" {
				t.Fatalf("Find is not deterministic (-first, +second):\n%s", diff)
			}
			lastEnd := map[string]int{}
			for i, m := range got {
				if m.Start < 0 || m.Start >= m.End || m.End > len(text) {
					t.Fatalf("match %+v out of range for len %d", m, len(text))
				}
				if !utf8.RuneStart(text[m.Start]) || !boundary[m.Start] || !boundary[m.End] {
					t.Fatalf("match %+v not on rune boundaries of %q", m, text)
				}
				if valid && m.End < len(text) && !utf8.RuneStart(text[m.End]) {
					t.Fatalf("match %+v ends inside a rune of %q", m, text)
				}
				if span, phrase := Normalize(text[m.Start:m.End]), Normalize(m.Phrase); !strings.Contains(span, phrase) {
					t.Fatalf("span %q normalises to %q, which lacks %q", text[m.Start:m.End], span, phrase)
				}
				if i > 0 {
					p := got[i-1]
					if p.Start > m.Start || (p.Start == m.Start && p.Phrase >= m.Phrase) {
						t.Fatalf("matches out of order: %+v before %+v", p, m)
					}
				}
				if m.Start < lastEnd[m.Phrase] {
					t.Fatalf("match %+v overlaps an earlier one of the same phrase", m)
				}
				lastEnd[m.Phrase] = m.End
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: Normalize(%q) = %q, Normalize(%q) = %q", s, n, n, again)
		}
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		for _, r := range n {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				t.Fatalf("Normalize(%q) = %q keeps %q", s, n, r)
			}
		}
	})
}

// FuzzSimpleIsUnicode: wherever the fast path takes a text, it gives
// exactly what the Unicode machinery gives, units and spans alike.
func FuzzSimpleIsUnicode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add("王总您好，上次说的报价单我已经发到您邮箱了！交期：三周…（含运费）")
	f.Add("加我微信：abc_123，转账到我私人账户。")
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := normalizeSimple(nil, s)
		if !ok {
			return
		}
		if diff := cmp.Diff(normalizeUnicode(nil, s), fast, cmp.AllowUnexported(unit{})); diff != "" {
			t.Fatalf("normalizeSimple(%q) differs (-unicode, +simple):\n%s", s, diff)
		}
	})
}
