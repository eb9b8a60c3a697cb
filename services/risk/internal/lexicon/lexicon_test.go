package lexicon

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// found is a Match with the original span spelled out, which makes the
// expectations readable and checks Start/End at the same time.
type found struct {
	Phrase string
	Span   string
	Quoted bool
}

func spans(text string, ms []Match) []found {
	var out []found
	for _, m := range ms {
		out = append(out, found{Phrase: m.Phrase, Span: text[m.Start:m.End], Quoted: m.Quoted})
	}
	return out
}

func TestFindDefault(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name string
		text string
		want []found
	}{
		// Normalisation: each evasion still matches, and the span is the
		// original text with the inserted noise included.
		{name: "plain", text: "这单我们做私单吧", want: []found{{Phrase: "私单", Span: "私单"}}},
		{name: "space inside", text: "可以做私 单", want: []found{{Phrase: "私单", Span: "私 单"}}},
		{name: "ideographic space inside", text: "可以做私　单", want: []found{{Phrase: "私单", Span: "私　单"}}},
		{name: "hyphen inside", text: "可以做私-单", want: []found{{Phrase: "私单", Span: "私-单"}}},
		{name: "emoji inside", text: "做私😀单", want: []found{{Phrase: "私单", Span: "私😀单"}}},
		{name: "zero-width inside", text: "做私\u200b单", want: []found{{Phrase: "私单", Span: "私\u200b单"}}},
		{name: "invalid byte inside", text: "做私\xff单", want: []found{{Phrase: "私单", Span: "私\xff单"}}},
		{name: "traditional", text: "他的私人帳號是多少", want: []found{{Phrase: "私人账号", Span: "私人帳號"}}},
		{name: "traditional 飛單", text: "別再飛單了", want: []found{{Phrase: "飞单", Span: "飛單"}}},
		{
			name: "spaced and punctuated phrase",
			text: "加 我 私 人 微 信！",
			want: []found{{Phrase: "加我私人微信", Span: "加 我 私 人 微 信"}},
		},
		{
			name: "full-width english",
			text: "ｐａｙ　ｍｅ　ｄｉｒｅｃｔｌｙ。",
			want: []found{{Phrase: "pay me directly", Span: "ｐａｙ　ｍｅ　ｄｉｒｅｃｔｌｙ"}},
		},
		{
			name: "spaced letters and mixed case",
			text: "Please P A Y me DIRECTLY.",
			want: []found{{Phrase: "pay me directly", Span: "P A Y me DIRECTLY"}},
		},
		{
			name: "full-width and emoji inside an english span",
			text: "just add my personal ＷｅＣｈａｔ💬 ok",
			want: []found{{Phrase: "add my personal wechat", Span: "add my personal ＷｅＣｈａｔ"}},
		},
		{
			name: "english next to chinese is a word boundary",
			text: "请pay me directly谢谢",
			want: []found{{Phrase: "pay me directly", Span: "pay me directly"}},
		},
		{
			name: "typographic apostrophe",
			text: "Don’t go through the company.",
			want: []found{{Phrase: "don't go through the company", Span: "Don’t go through the company"}},
		},

		// Several hits: ordered by Start, then Phrase; phrases may overlap.
		{
			name: "multiple hits and ordering",
			text: "私单的钱 pay to my personal account, 别走公司",
			want: []found{
				{Phrase: "私单", Span: "私单"},
				{Phrase: "pay to my personal account", Span: "pay to my personal account"},
				{Phrase: "my personal account", Span: "my personal account"},
				{Phrase: "别走公司", Span: "别走公司"},
			},
		},
		{
			name: "same phrase twice",
			text: "私单，又是私单",
			want: []found{{Phrase: "私单", Span: "私单"}, {Phrase: "私单", Span: "私单"}},
		},

		// Honest text.
		{name: "private alone", text: "这是我的私人时间"},
		{name: "company account", text: "please pay the company account"},
		{name: "phrase inside a longer word", text: "repaymedirectlyish"},
		{name: "phrase glued to letters", text: "repay me directlyish"},
		{name: "phrase followed by digit", text: "pay me directly2"},
		{name: "quoted company account", text: "请打到「公司账户」"},
		{name: "empty", text: ""},
		{name: "only noise", text: "😀 ， ... \u200b"},

		// Quotation (scenario H6).
		{
			name: "customer quoted with curly quotes",
			text: "客户说“加我私人微信”",
			want: []found{{Phrase: "加我私人微信", Span: "加我私人微信", Quoted: true}},
		},
		{
			name: "corner brackets",
			text: "对方说「私单更便宜」，我拒绝了",
			want: []found{{Phrase: "私单", Span: "私单", Quoted: true}},
		},
		{
			name: "white corner brackets",
			text: "『别走公司』是他说的",
			want: []found{{Phrase: "别走公司", Span: "别走公司", Quoted: true}},
		},
		{
			name: "book title marks",
			text: "他发来《私下交易指南》",
			want: []found{{Phrase: "私下交易", Span: "私下交易", Quoted: true}},
		},
		{
			name: "guillemets",
			text: "il a dit «pay me directly» hier",
			want: []found{{Phrase: "pay me directly", Span: "pay me directly", Quoted: true}},
		},
		{
			name: "ascii double quotes",
			text: `the vendor said "pay me directly" to me`,
			want: []found{{Phrase: "pay me directly", Span: "pay me directly", Quoted: true}},
		},
		{
			name: "ascii single quotes as in H6",
			text: "the other vendor asked me to 'pay to my personal account'",
			want: []found{
				{Phrase: "pay to my personal account", Span: "pay to my personal account", Quoted: true},
				{Phrase: "my personal account", Span: "my personal account", Quoted: true},
			},
		},
		{
			name: "single curly quotes with apostrophe inside",
			text: "he wrote ‘don’t go through the company’ twice",
			want: []found{{Phrase: "don't go through the company", Span: "don’t go through the company", Quoted: true}},
		},
		{
			name: "nested quotes",
			text: "经理说：“客户原话是‘私单’”",
			want: []found{{Phrase: "私单", Span: "私单", Quoted: true}},
		},
		{
			name: "closed quote before the match",
			text: "客户说“你好”，加我私人微信",
			want: []found{{Phrase: "加我私人微信", Span: "加我私人微信"}},
		},
		{
			name: "closed ascii quote before the match",
			text: `he said "hi", then pay me directly`,
			want: []found{{Phrase: "pay me directly", Span: "pay me directly"}},
		},
		{
			name: "apostrophe is not a quote",
			text: "I'll say it: don't go through the company",
			want: []found{{Phrase: "don't go through the company", Span: "don't go through the company"}},
		},
		{
			name: "unclosed quote does not count",
			text: "“加我私人微信，价格好说",
			want: []found{{Phrase: "加我私人微信", Span: "加我私人微信"}},
		},
		{
			name: "quote closing inside the match",
			text: "“加我私人”微信",
			want: []found{{Phrase: "加我私人微信", Span: "加我私人”微信"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := spans(tc.text, Default().Find(tc.text))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Find(%q) mismatch (-want, +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestFindOffsets(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name string
		text string
		want []Match
	}{
		{
			name: "repeated phrase",
			text: "私单 and 私单",
			want: []Match{{Phrase: "私单", Start: 0, End: 6}, {Phrase: "私单", Start: 11, End: 17}},
		},
		{
			name: "span starts at first and ends after last matched rune",
			text: "-- 私 😀 单 --",
			want: []Match{{Phrase: "私单", Start: 3, End: 15}},
		},
		{
			name: "full-width span",
			text: "ａ ｐａｙ ｍｅ ｄｉｒｅｃｔｌｙ",
			want: []Match{{Phrase: "pay me directly", Start: 4, End: 45}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, Default().Find(tc.text)); diff != "" {
				t.Errorf("Find(%q) mismatch (-want, +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestFindCustom(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		entries []Entry
		text    string
		want    []found
	}{
		{
			name:    "equal start ordered by phrase",
			entries: []Entry{{Phrase: "私人账号", Lang: "zh"}, {Phrase: "私人", Lang: "zh"}},
			text:    "私人账号",
			want:    []found{{Phrase: "私人", Span: "私人"}, {Phrase: "私人账号", Span: "私人账号"}},
		},
		{
			name:    "same phrase does not overlap itself",
			entries: []Entry{{Phrase: "单单", Lang: "zh"}},
			text:    "单单单",
			want:    []found{{Phrase: "单单", Span: "单单"}},
		},
		{
			name:    "duplicates reported under the first spelling",
			entries: []Entry{{Phrase: "私 单", Lang: "zh"}, {Phrase: "私单", Lang: "zh"}, {Phrase: "私單", Lang: "zh"}},
			text:    "私單",
			want:    []found{{Phrase: "私 单", Span: "私單"}},
		},
		{
			name:    "expansion of one rune is spanned whole",
			entries: []Entry{{Phrase: "kcal", Lang: "en"}},
			text:    "500 ㎉ per day",
			want:    []found{{Phrase: "kcal", Span: "㎉"}},
		},
		{
			name:    "no english match in the middle of an expansion",
			entries: []Entry{{Phrase: "cal", Lang: "en"}},
			text:    "500 ㎉ per day",
		},
		{
			name:    "mixed phrase checks only its latin end",
			entries: []Entry{{Phrase: "加我vx", Lang: "zh"}},
			text:    "加我VX号，别加我vxx",
			want:    []found{{Phrase: "加我vx", Span: "加我VX"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := New(tc.entries)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			got := spans(tc.text, l.Find(tc.text))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Find(%q) mismatch (-want, +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		entries []Entry
		want    error
	}{
		{name: "no entries", entries: nil},
		{name: "valid", entries: []Entry{{Phrase: "私单", Lang: "zh"}, {Phrase: "pay me directly", Lang: "en"}}},
		{name: "empty phrase", entries: []Entry{{Phrase: "私单"}, {Phrase: ""}}, want: ErrEmptyPhrase},
		{name: "white space phrase", entries: []Entry{{Phrase: " \t　"}}, want: ErrEmptyPhrase},
		{name: "punctuation only", entries: []Entry{{Phrase: "!!!"}}, want: ErrUnmatchablePhrase},
		{name: "emoji only", entries: []Entry{{Phrase: "😀💰"}}, want: ErrUnmatchablePhrase},
		{name: "zero-width only", entries: []Entry{{Phrase: "\u200b\u200d"}}, want: ErrUnmatchablePhrase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := New(tc.entries)
			if !errors.Is(err, tc.want) {
				t.Fatalf("New error = %v, want %v", err, tc.want)
			}
			if (err == nil) != (l != nil) {
				t.Errorf("New returned lexicon %v with error %v", l, err)
			}
		})
	}
}

func TestDefaultEntriesAreDistinct(t *testing.T) {
	t.Parallel()

	// A default phrase that normalised like another would be silently
	// dropped by New; that would be a mistake in the list.
	if got, want := len(Default().patterns), len(defaultEntries); got != want {
		t.Errorf("Default has %d patterns, want %d", got, want)
	}
	if a, b := Default(), Default(); a != b {
		t.Error("Default should return the same shared lexicon")
	}
}

func TestFindNil(t *testing.T) {
	t.Parallel()

	var l *Lexicon
	if got := l.Find("私单"); got != nil {
		t.Errorf("nil Lexicon Find = %v, want nil", got)
	}
	empty, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := empty.Find("私单"); got != nil {
		t.Errorf("empty Lexicon Find = %v, want nil", got)
	}
}

func TestFindConcurrent(t *testing.T) {
	t.Parallel()

	text := "客户说“加我私人微信”，我说 pay me directly 不行，私 单 也不行"
	want := Default().Find(text)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if diff := cmp.Diff(want, Default().Find(text)); diff != "" {
					t.Errorf("concurrent Find mismatch (-want, +got):\n%s", diff)
					return
				}
			}
		})
	}
	wg.Wait()
}

// benchText is about 2 KiB of mixed Chinese and English chat with a few hits.
func benchText() string {
	const para = "客户问能不能便宜点，我说公司有规定。He asked whether we could skip the invoice; " +
		"I told him to pay the company account as usual. 后来他说加我私人微信聊，" +
		"我没有同意。Then: “pay me directly” was what the other vendor said. 私 单 不做。\n"
	var b strings.Builder
	for b.Len() < 2048 {
		b.WriteString(para)
	}
	s := b.String()[:2048]
	for !strings.HasSuffix(s, "\n") && len(s) > 0 && s[len(s)-1] >= 0x80 {
		s = s[:len(s)-1] // trim a cut rune
	}
	return s
}

func BenchmarkFind(b *testing.B) {
	l := Default()
	text := benchText()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if len(l.Find(text)) == 0 {
			b.Fatal("no matches in benchmark text")
		}
	}
}
