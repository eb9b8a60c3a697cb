package lexicon

// automaton is an Aho–Corasick matcher over runes. Texts run to 16 KiB and
// tenant lexicons to hundreds of phrases, so one pass over the text that
// reports every phrase at once beats scanning per phrase.
type automaton struct {
	// next holds the goto function keyed by state<<32 | rune; one flat map
	// keeps the trie compact without per-node maps.
	next map[uint64]int32
	fail []int32
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

// newAutomaton builds the matcher for patterns; pattern i is reported as i.
func newAutomaton(patterns [][]rune) *automaton {
	a := &automaton{
		next: make(map[uint64]int32),
		fail: []int32{0},
		out:  [][]int32{nil},
	}
	for i, p := range patterns {
		if len(p) > 0 && p[0] >= 0 && p[0] < startsRunes {
			a.starts[p[0]/64] |= 1 << (p[0] % 64)
		}
		var s int32
		for _, r := range p {
			k := transKey(s, r)
			t, ok := a.next[k]
			if !ok {
				t = int32(len(a.fail))
				a.next[k] = t
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
			t := a.next[transKey(s, r)]
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
				if t, ok := a.next[transKey(f, c.r)]; ok {
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
	return a
}

// scan calls hit for every occurrence of every pattern in text, in order of
// the index of the occurrence's last rune.
func (a *automaton) scan(text []unit, hit func(pattern int32, last int)) {
	var s int32
	for i, u := range text {
		// At the root, a rune no pattern begins with has no transition.
		for s != 0 || a.mayStart(u.r) {
			if t, ok := a.next[transKey(s, u.r)]; ok {
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
