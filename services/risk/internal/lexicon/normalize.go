package lexicon

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// maxRounds bounds the normalisation fixpoint loop. One round almost always
// suffices; a second is needed when dropping a separator lets neighbours
// compose (Hangul jamo) or when NFKC output needs folding again. The bound
// only exists so hostile input cannot keep us busy; the fuzz test checks
// that the result is idempotent.
const maxRounds = 6

// tradToSimp maps the traditional forms of the characters that occur in the
// default lexicon (and a few very common ones such as 們 and 錢) to their
// simplified forms. golang.org/x/text has no Chinese converter, and a full
// table is not one-to-one (發/髮→发, 乾/幹→干 …) and needs word context, so
// this table is limited to what lets the built-in phrases match texts typed
// in traditional characters. A tenant phrase written with other traditional
// characters still matches text written the same way, because phrases go
// through Normalize too. Values must never also be keys, which keeps
// Normalize idempotent (tested).
var tradToSimp = map[rune]rune{
	'單': '单',
	'飛': '飞',
	'個': '个',
	'賬': '账',
	'帳': '账',
	'號': '号',
	'戶': '户',
	'錢': '钱',
	'轉': '转',
	'別': '别',
	'們': '们',
	'給': '给',
	'後': '后',
	'開': '开',
	'發': '发',
	'繞': '绕',
	'過': '过',
	'點': '点',
}

// tradMin and tradMax bound tradToSimp's keys, so the map is consulted only
// for the few ideographs that could be in it; Find looks up every rune.
var tradMin, tradMax = func() (lo, hi rune) {
	lo, hi = utf8.MaxRune, 0
	for k := range tradToSimp {
		lo, hi = min(lo, k), max(hi, k)
	}
	return lo, hi
}()

// simplify maps r through tradToSimp.
func simplify(r rune) rune {
	if r < tradMin || r > tradMax {
		return r
	}
	if s, ok := tradToSimp[r]; ok {
		return s
	}
	return r
}

// unit is one rune of the normal form together with the byte range of the
// original text it was produced from. Several units share a range when one
// original rune expands (NFKC "㎉" → "kcal") or when several original runes
// compose into one.
type unit struct {
	r          rune
	start, end int
}

// Normalize returns the form in which phrases and texts are compared:
// full-width folded to half-width, Unicode case folded, NFKC, a few
// traditional characters mapped to simplified, and every rune that is not a
// letter or a digit removed. Invalid UTF-8 bytes are dropped.
func Normalize(s string) string {
	units := normalizeMapped(nil, s)
	b := make([]byte, 0, len(units))
	for _, u := range units {
		b = utf8.AppendRune(b, u.r)
	}
	return string(b)
}

// normalizeMapped is Normalize that keeps, for every output rune, the
// original byte range it came from; Find needs it to report evidence spans
// in the text the user actually wrote. The units are appended to dst[:0],
// so a caller can reuse one buffer.
func normalizeMapped(dst []unit, s string) []unit {
	if isASCII(s) {
		return normalizeASCII(dst, s)
	}
	if out, ok := normalizeSimple(dst, s); ok {
		return out
	}
	return normalizeUnicode(dst, s)
}

// normalizeUnicode is normalizeMapped through the whole Unicode machinery.
func normalizeUnicode(dst []unit, s string) []unit {
	n := normalizers.Get().(*normalizer)
	defer n.release()
	n.buf = slices.Grow(n.buf[:0], len(s)+utf8.UTFMax)
	n.marks = slices.Grow(n.marks[:0], utf8.RuneCountInString(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			// Invalid byte: it cannot be part of any phrase.
			i++
			continue
		}
		n.fold(r, i, i+size)
		i += size
	}
	out := n.compose(slices.Grow(dst[:0], len(n.marks)))
	if allStable(out) {
		return out
	}
	for range maxRounds - 1 {
		n.buf, n.marks = n.buf[:0], n.marks[:0]
		for _, u := range out {
			n.fold(u.r, u.start, u.end)
		}
		next := n.compose(make([]unit, 0, len(out)))
		if sameRunes(next, out) {
			return next
		}
		out = next
	}
	return out
}

// isASCII reports whether s needs none of the Unicode machinery.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// normalizeASCII is normalizeMapped for pure ASCII, which needs no folding
// tables and cannot compose; most English text takes this path.
func normalizeASCII(dst []unit, s string) []unit {
	out := slices.Grow(dst[:0], len(s))
	for i := 0; i < len(s); i++ {
		if u, ok := asciiUnit(s[i], i); ok {
			out = append(out, u)
		}
	}
	return out
}

// asciiUnit is the normal form of the ASCII byte c at offset i: a letter
// lowercased or a digit; ok is false for anything else, which is dropped.
func asciiUnit(c byte, i int) (u unit, ok bool) {
	switch {
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
	case 'A' <= c && c <= 'Z':
		c += 'a' - 'A'
	default:
		return unit{}, false
	}
	return unit{r: rune(c), start: i, end: i + 1}, true
}

// normalizeSimple is normalizeMapped for text made only of ASCII, common
// ideographs (isCommonHan), punctuation and spaces: most Chinese chat.
// None of those folds to another letter or composes with a neighbour, and
// punctuation and spaces fold to nothing that is kept, so each rune maps
// to itself (lowercased, simplified) or to nothing, and the normaliser can
// be skipped (it was most of the lexicon's time). ok is false for any
// other text. FuzzSimpleIsUnicode holds it to normalizeUnicode.
func normalizeSimple(dst []unit, s string) (out []unit, ok bool) {
	out = slices.Grow(dst[:0], utf8.RuneCountInString(s))
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if u, ok := asciiUnit(byte(r), i); ok {
				out = append(out, u)
			}
		case isCommonHan(r):
			out = append(out, unit{r: simplify(r), start: i, end: i + utf8.RuneLen(r)})
		case r == utf8.RuneError:
			return nil, false // an invalid byte, or U+FFFD itself: the slow path knows which
		case unicode.In(r, unicode.P, unicode.Zs):
			// Dropped, as normalizeUnicode drops it (TestPunctuationNormalizesToNothing).
		default:
			return nil, false
		}
	}
	return out, true
}

// normalizers recycles scratch state: Find runs on every interaction, and
// the buffers are as large as the text.
var normalizers = sync.Pool{New: func() any { return &normalizer{caser: cases.Fold()} }}

// maxPooledRunes keeps the pool from pinning the buffers of one huge text;
// it is the size of the largest interaction text we expect (16 KiB).
const maxPooledRunes = 16 << 10

// release returns n to the pool unless its buffers grew too large.
func (n *normalizer) release() {
	if cap(n.marks) > maxPooledRunes || cap(n.buf) > 4*maxPooledRunes {
		return
	}
	normalizers.Put(n)
}

// normalizer holds the scratch state of one normalisation. It is used by
// one goroutine at a time, which is why the Caser can live here.
type normalizer struct {
	caser cases.Caser
	// buf holds the width- and case-folded text, marks where each input
	// rune's bytes begin in it.
	buf   []byte
	marks []mark
	seg   []byte
	iter  norm.Iter
	tmp   [utf8.UTFMax]byte
	dst   [64]byte
}

// mark records where the folded bytes of one input rune begin in buf and
// which original bytes that rune stands for.
type mark struct {
	off        int
	start, end int
}

// fold appends the width-folded, case-folded form of r, which stands for
// the original bytes [start, end), to buf. Width and case folding work rune
// by rune, so doing them here keeps the mapping exact.
func (n *normalizer) fold(r rune, start, end int) {
	n.marks = append(n.marks, mark{off: len(n.buf), start: start, end: end})
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		n.buf = append(n.buf, byte(r))
		return
	case isCommonHan(r):
		n.buf = utf8.AppendRune(n.buf, r)
		return
	}
	if f := width.LookupRune(r).Folded(); f != 0 {
		r = f
	}
	if unicode.In(r, unicode.P, unicode.Zs) {
		// Punctuation and spaces have no case; skipping the Caser for them
		// matters because Chinese text is full of ，。“”.
		n.buf = utf8.AppendRune(n.buf, r)
		return
	}
	src := utf8.AppendRune(n.tmp[:0], r)
	n.caser.Reset()
	nDst, nSrc, err := n.caser.Transform(n.dst[:], src, true)
	if err != nil || nSrc != len(src) {
		// Cannot happen for a single rune and a 64-byte buffer; keeping the
		// rune unfolded is the safe fallback.
		n.buf = append(n.buf, src...)
		return
	}
	n.buf = append(n.buf, n.dst[:nDst]...)
}

// compose applies NFKC to buf, keeps only letters and digits, maps
// traditional characters, and appends the result to out. Every output rune
// inherits the original range of the whole normalisation segment it came
// from, so a composed or expanded rune points at all of its sources.
func (n *normalizer) compose(out []unit) []unit {
	mi := 0
	// owner returns the original range of buf[p0:p1].
	owner := func(p0, p1 int) (start, end int) {
		for mi+1 < len(n.marks) && n.marks[mi+1].off <= p0 {
			mi++
		}
		mj := mi
		for mj+1 < len(n.marks) && n.marks[mj+1].off < p1 {
			mj++
		}
		return n.marks[mi].start, n.marks[mj].end
	}
	emit := func(seg []byte, start, end int) {
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unit{r: simplify(r), start: start, end: end})
			}
		}
	}

	for pos := 0; pos < len(n.buf); {
		// Most text is already in NFKC after folding; QuickSpan finds such
		// a run cheaply, and inside it every rune is its own segment.
		q := pos + norm.NFKC.QuickSpan(n.buf[pos:])
		for pos < q {
			_, size := utf8.DecodeRune(n.buf[pos:q])
			start, end := owner(pos, pos+size)
			emit(n.buf[pos:pos+size], start, end)
			pos += size
		}
		if pos >= len(n.buf) {
			break
		}
		// One segment that NFKC changes. Iter may hand it out in several
		// pieces without advancing Pos (a long expansion such as "㎉" →
		// "kcal"), so collect pieces until Pos moves and attribute them all
		// to the input consumed.
		n.iter.Init(norm.NFKC, n.buf[pos:])
		n.seg = n.seg[:0]
		for !n.iter.Done() {
			n.seg = append(n.seg, n.iter.Next()...)
			if n.iter.Pos() > 0 {
				break
			}
		}
		next := pos + max(n.iter.Pos(), 1)
		start, end := owner(pos, next)
		emit(n.seg, start, end)
		pos = next
	}
	return out
}

// isCommonHan reports whether r is in the CJK Unified Ideographs block,
// whose runes have no width, case or compatibility mappings.
func isCommonHan(r rune) bool { return 0x4E00 <= r && r <= 0x9FFF }

// allStable reports whether another round could not change out: lowercase
// ASCII letters, digits and already simplified common ideographs are fixed
// points and never compose with their neighbours.
func allStable(out []unit) bool {
	for _, u := range out {
		switch {
		case 'a' <= u.r && u.r <= 'z', '0' <= u.r && u.r <= '9':
		case isCommonHan(u.r):
		default:
			return false
		}
	}
	return true
}

// sameRunes reports whether a and b spell the same text, ignoring where
// their runes came from.
func sameRunes(a, b []unit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].r != b[i].r {
			return false
		}
	}
	return true
}
