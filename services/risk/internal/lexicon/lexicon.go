// Package lexicon matches tenant sensitive-word lexicons against interaction
// text (chat, call transcript, email, visit note) and reports where each
// phrase occurs, as evidence for the sensitive_words rule (scenario S1).
//
// Text and phrases are compared in a normal form (see Normalize) so that the
// usual ways of dodging a keyword filter — full-width letters, spaces,
// punctuation or emoji between characters, mixed case, traditional
// characters — still match, while every Match points at the text exactly as
// the employee wrote it, so an analyst can read the evidence in context.
package lexicon

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

var (
	// ErrEmptyPhrase is returned by New for an entry whose phrase is empty
	// or only white space.
	ErrEmptyPhrase = errors.New("empty phrase")
	// ErrUnmatchablePhrase is returned by New for a phrase that normalises
	// to nothing (only punctuation, symbols or emoji), which would otherwise
	// match everywhere or nowhere depending on the implementation.
	ErrUnmatchablePhrase = errors.New("phrase has no letters or digits")
)

// Entry is one phrase of a tenant lexicon.
type Entry struct {
	// Phrase is the sensitive phrase as the tenant wrote it; it is reported
	// back unchanged in Match.Phrase.
	Phrase string
	// Lang is "zh" or "en". It describes the entry for people managing the
	// lexicon; matching rules follow from the phrase's own script instead,
	// so a mislabelled or mixed entry ("加我vx") still matches correctly.
	Lang string
}

// Lexicon is a compiled set of phrases. It is immutable after New and safe
// for concurrent use.
type Lexicon struct {
	patterns []pattern
	matcher  *automaton
}

// pattern is one deduplicated, normalised phrase.
type pattern struct {
	phrase string
	runes  []rune
	// wordStart and wordEnd require a word boundary in the original text at
	// that end of the match. They are set when that end of the phrase is a
	// letter or digit of a script written with spaces, so "pay me directly"
	// does not fire inside "repay me directlyish"; Chinese ends are not
	// checked because Chinese has no spaces between words.
	wordStart, wordEnd bool
}

// Match is one occurrence of a lexicon phrase in a text.
type Match struct {
	// Phrase is the lexicon entry as written.
	Phrase string
	// Start and End are byte offsets into the original text: text[Start:End]
	// begins at the first matched rune and ends after the last one, so it
	// includes whatever was inserted between the characters ("私-单").
	Start, End int
	// Quoted reports that the span lies inside a pair of quotation marks,
	// i.e. the writer is most likely reporting someone else's words
	// (scenario H6). See Find for the marks recognised.
	Quoted bool
}

// New compiles entries into a Lexicon. Phrases that normalise to the same
// form are merged and reported under the first one's spelling. It fails with
// ErrEmptyPhrase or ErrUnmatchablePhrase, naming the offending entry.
func New(entries []Entry) (*Lexicon, error) {
	l := &Lexicon{}
	seen := make(map[string]bool, len(entries))
	var runes [][]rune
	for i, e := range entries {
		if strings.TrimSpace(e.Phrase) == "" {
			return nil, fmt.Errorf("lexicon: entry %d: %w", i, ErrEmptyPhrase)
		}
		units := normalizeMapped(nil, e.Phrase)
		if len(units) == 0 {
			return nil, fmt.Errorf("lexicon: entry %d %q: %w", i, e.Phrase, ErrUnmatchablePhrase)
		}
		rs := make([]rune, len(units))
		for j, u := range units {
			rs[j] = u.r
		}
		key := string(rs)
		if seen[key] {
			continue
		}
		seen[key] = true
		l.patterns = append(l.patterns, pattern{
			phrase:    e.Phrase,
			runes:     rs,
			wordStart: isWordRune(rs[0]),
			wordEnd:   isWordRune(rs[len(rs)-1]),
		})
		runes = append(runes, rs)
	}
	l.matcher = newAutomaton(runes)
	return l, nil
}

// Find returns every occurrence of every phrase in text, ordered by Start
// and then Phrase. Occurrences of the same phrase never overlap (the
// leftmost wins); different phrases may overlap ("pay to my personal
// account" also contains "my personal account").
//
// Quoted is set when the span lies between an opening mark — 「 『 “ ‘ « 《,
// or an ASCII/full-width double quote, which toggles — and its closing mark.
// An ASCII single quote counts as a quote only where it cannot be an
// apostrophe (not between two letters, as in "don't"), and ’ between two
// letters is likewise an apostrophe. A mark that is never closed does not
// make a match quoted: Quoted lowers severity, and a stray “ typed before
// one's own words must not be enough to earn that.
func (l *Lexicon) Find(text string) []Match {
	if l == nil || len(l.patterns) == 0 || text == "" {
		return nil
	}
	scratch := unitBuffers.Get().(*[]unit)
	defer func() {
		if cap(*scratch) <= maxPooledRunes {
			unitBuffers.Put(scratch)
		}
	}()
	units := normalizeMapped(*scratch, text)
	*scratch = units
	var lastEnd []int // by pattern, made on the first match: most texts have none
	var matches []Match
	l.matcher.scan(units, func(p int32, last int) {
		if lastEnd == nil {
			lastEnd = make([]int, len(l.patterns))
		}
		pat := &l.patterns[p]
		first := last - len(pat.runes) + 1
		start, end := units[first].start, units[last].end
		if start < lastEnd[p] {
			return
		}
		if pat.wordStart && !boundaryBefore(text, units, first) {
			return
		}
		if pat.wordEnd && !boundaryAfter(text, units, last) {
			return
		}
		matches = append(matches, Match{Phrase: pat.phrase, Start: start, End: end})
		lastEnd[p] = end
	})
	if len(matches) == 0 {
		return nil
	}
	quotes := quoteSpans(text)
	for i := range matches {
		matches[i].Quoted = quotes.contain(matches[i].Start, matches[i].End)
	}
	slices.SortFunc(matches, func(a, b Match) int {
		return cmp.Or(
			cmp.Compare(a.Start, b.Start),
			strings.Compare(a.Phrase, b.Phrase),
			cmp.Compare(a.End, b.End),
		)
	})
	return matches
}

// boundaryBefore reports whether the match whose first normalised rune is
// units[first] starts a word in the original text. The original rune is
// checked, not the normalised one, because normalisation deletes the spaces
// that separate words. A match that begins in the middle of one original
// rune's expansion ("㎉" → "kcal") does not start a word either.
func boundaryBefore(text string, units []unit, first int) bool {
	start := units[first].start
	if first > 0 && units[first-1].end > start && isWordRune(units[first-1].r) {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[:start])
	return !isWordRune(r)
}

// boundaryAfter is boundaryBefore for the end of a match.
func boundaryAfter(text string, units []unit, last int) bool {
	end := units[last].end
	if last+1 < len(units) && units[last+1].start < end && isWordRune(units[last+1].r) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[end:])
	return !isWordRune(r)
}

// isWordRune reports whether r belongs to a word of a script written with
// spaces between words. Han and kana are excluded: Chinese and Japanese put
// words side by side, so a neighbouring ideograph is no evidence that an
// English phrase is part of a longer word ("请pay me directly").
func isWordRune(r rune) bool {
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
		return false
	}
	return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// Fingerprint identifies the lexicon's phrases: two lexicons with the same
// fingerprint find the same matches (with the same code). An engine
// snapshot records it, so a snapshot taken with other phrases is not used.
func (l *Lexicon) Fingerprint() string {
	h := sha256.New()
	for _, p := range l.patterns {
		h.Write([]byte(p.phrase))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// unitBuffers recycles Find's normalised text: it runs on every interaction.
var unitBuffers = sync.Pool{New: func() any { return new([]unit) }}
