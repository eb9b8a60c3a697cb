package lexicon

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAutomatonFindsEveryOccurrence: over random patterns and texts from a
// small alphabet (ASCII, CJK and a rune beyond the Basic Multilingual
// Plane, which skips the root filter), scan reports exactly the
// occurrences a plain search finds, each at its last rune. Every other
// round draws from a wide alphabet, so that states have more transitions
// than step looks through in order and it searches them.
func TestAutomatonFindsEveryOccurrence(t *testing.T) {
	t.Parallel()
	small := []rune{'a', 'b', '私', '单', '😀', '-'}
	wide := []rune("abcdefghijklmn私单飞返点现金😀😁-")
	rng := rand.New(rand.NewPCG(5, 9))
	var alphabet []rune
	searched := 0
	word := func(max int) []rune {
		out := make([]rune, 1+rng.IntN(max))
		for i := range out {
			out[i] = alphabet[rng.IntN(len(alphabet)-1)] // '-' only in texts
		}
		return out
	}
	type hit struct {
		pattern int32
		last    int
	}
	for round := range 1000 {
		alphabet = small
		patterns := make([][]rune, 1+rng.IntN(6))
		if round%2 == 1 {
			alphabet = wide
			patterns = make([][]rune, 1+rng.IntN(60))
		}
		for i := range patterns {
			patterns[i] = word(4)
		}
		a := newAutomaton(patterns)
		if a.first[1]-a.first[0] > linearEdges {
			searched++
		}
		text := make([]unit, rng.IntN(40))
		for i := range text {
			text[i] = unit{r: alphabet[rng.IntN(len(alphabet))]}
		}
		var got []hit
		a.scan(text, func(p int32, last int) { got = append(got, hit{p, last}) })
		var want []hit
		for last := range text {
			for p, pat := range patterns {
				first := last - len(pat) + 1
				if first < 0 {
					continue
				}
				if slices.EqualFunc(text[first:last+1], pat, func(u unit, r rune) bool { return u.r == r }) {
					want = append(want, hit{int32(p), last})
				}
			}
		}
		order := func(x, y hit) int {
			if x.last != y.last {
				return x.last - y.last
			}
			return int(x.pattern - y.pattern)
		}
		slices.SortFunc(got, order)
		if !slices.Equal(got, want) {
			runes := make([]rune, 0, len(text))
			for _, u := range text {
				runes = append(runes, u.r)
			}
			t.Fatalf("round %d: patterns %q in %q: got %v, want %v", round, patterns, string(runes), got, want)
		}
	}
	if searched < 100 {
		t.Fatalf("only %d rounds had a root with more than %d transitions", searched, linearEdges)
	}
}
