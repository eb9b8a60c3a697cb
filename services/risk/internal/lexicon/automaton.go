package lexicon

import (
	"cmp"
	"slices"
)

// automaton is an Aho–Corasick matcher over runes. Texts run to 16 KiB and
// tenant lexicons to hundreds of phrases, so one pass over the text that
// reports every phrase at once beats scanning per phrase.
type automaton struct {
	// The goto function: the transitions of state s are
	// edges[first[s]:first[s+1]], sorted by rune. A flat array keeps the
	// trie compact without per-node maps, and most states have one or two
	// transitions, found without hashing (a map keyed by state and rune
	// was a third of the time an interaction's scan took).
	first []int32
	edges []edge
	fail  []int32
	// out lists, per state, the patterns that end there, including those
	// inherited through failure links.
	out [][]int32
	// starts marks the runes below startsRunes that begin a pattern:
	// from the root, any other rune leads back to the root, found without
	// a lookup in next (most runes of most texts).
	starts [startsRunes / 64]uint64
}

// startsRunes is how many runes (the Basic Multilingual Plane) starts
// covers; a rune above it is always looked up.
const startsRunes = 1 << 16

// mayStart is whether a pattern may begin with r.
func (a *automaton) mayStart(r rune) bool {
	if r < 0 || r >= startsRunes {
		return true
	}
	return a.starts[r/64]&(1<<(r%64)) != 0
}

func transKey(state int32, r rune) uint64 { return uint64(uint32(state))<<32 | uint64(uint32(r)) }

// edge is one transition: on rune r, to state to.
type edge struct {
	r  rune
	to int32
}

// linearEdges is how many transitions a state may have for step to
// look through them in order rather than search them.
const linearEdges = 8

// step is the state s goes to on r, false when it has no transition.
func (a *automaton) step(s int32, r rune) (int32, bool) {
	es := a.edges[a.first[s]:a.first[s+1]]
	if len(es) > linearEdges {
		lo, hi := 0, len(es)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if es[mid].r < r {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		es = es[lo:]
		if len(es) > 0 && es[0].r == r {
			return es[0].to, true
		}
		return 0, false
	}
	for _, e := range es {
		if e.r == r {
			return e.to, true
		}
	}
	return 0, false
}

// newAutomaton builds the matcher for patterns; pattern i is reported as i.
func newAutomaton(patterns [][]rune) *automaton {
	a := &automaton{
		fail: []int32{0},
		out:  [][]int32{nil},
	}
	// The goto function is built in a map, then laid out in edges.
	next := make(map[uint64]int32)
	for i, p := range patterns {
		if len(p) > 0 && p[0] >= 0 && p[0] < startsRunes {
			a.starts[p[0]/64] |= 1 << (p[0] % 64)
		}
		var s int32
		for _, r := range p {
			k := transKey(s, r)
			t, ok := next[k]
			if !ok {
				t = int32(len(a.fail))
				next[k] = t
				a.fail = append(a.fail, 0)
				a.out = append(a.out, nil)
			}
			s = t
		}
		a.out[s] = append(a.out[s], int32(i))
	}

	// Breadth-first over the trie so that a state's failure target is
	// finished before the state itself. Children are found by walking the
	// patterns again, which avoids keeping a child list per node.
	children := make([][]struct {
		r rune
		t int32
	}, len(a.fail))
	seen := make([]bool, len(a.fail))
	for _, p := range patterns {
		var s int32
		for _, r := range p {
			t := next[transKey(s, r)]
			if !seen[t] {
				seen[t] = true
				children[s] = append(children[s], struct {
					r rune
					t int32
				}{r, t})
			}
			s = t
		}
	}
	queue := make([]int32, 0, len(a.fail))
	for _, c := range children[0] {
		queue = append(queue, c.t)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, c := range children[s] {
			f := a.fail[s]
			for {
				if t, ok := next[transKey(f, c.r)]; ok {
					a.fail[c.t] = t
					break
				}
				if f == 0 {
					break
				}
				f = a.fail[f]
			}
			a.out[c.t] = append(a.out[c.t], a.out[a.fail[c.t]]...)
			queue = append(queue, c.t)
		}
	}
	a.first = make([]int32, len(a.fail)+1)
	a.edges = make([]edge, 0, len(next))
	for s, cs := range children {
		a.first[s] = int32(len(a.edges))
		for _, c := range cs {
			a.edges = append(a.edges, edge{c.r, c.t})
		}
		slices.SortFunc(a.edges[a.first[s]:], func(x, y edge) int { return cmp.Compare(x.r, y.r) })
	}
	a.first[len(children)] = int32(len(a.edges))
	return a
}

// scan calls hit for every occurrence of every pattern in text, in order of
// the index of the occurrence's last rune.
func (a *automaton) scan(text []unit, hit func(pattern int32, last int)) {
	var s int32
	for i, u := range text {
		// At the root, a rune no pattern begins with has no transition.
		for s != 0 || a.mayStart(u.r) {
			if t, ok := a.step(s, u.r); ok {
				s = t
				break
			}
			if s == 0 {
				break
			}
			s = a.fail[s]
		}
		for _, p := range a.out[s] {
			hit(p, i)
		}
	}
}
