package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestPeerMedianMatchesTheNaiveMedian: the cached, sorted-once peer median
// (the employee left out by index) equals the median computed the plain
// way for every member of randomly sized groups with ties.
func TestPeerMedianMatchesTheNaiveMedian(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 200 {
		e := New(lexicon.Default(), DefaultSensitiveWords())
		key := peerKey{"t", "u", "sales"}
		e.staff.peers[key] = map[string]struct{}{}
		stats := map[string]conversionStats{}
		size := 1 + rng.IntN(12)
		var ids []string
		for i := range size {
			id := fmt.Sprintf("e%02d", i)
			ids = append(ids, id)
			e.staff.members.put(employeeKey{"t", id}, &staffMember{unit: "u", role: "sales"})
			e.staff.peers[key][id] = struct{}{}
			stats[id] = conversionStats{windowSums: windowSums{recentWon: int64(rng.IntN(4)), recentDecided: int64(2 + rng.IntN(12))}}
		}
		const minDecided = 5
		groups := map[peerKey][]int64{}
		for _, id := range ids {
			var rates []int64
			for _, p := range ids {
				if s := stats[p]; p != id && s.recentDecided >= minDecided {
					rates = append(rates, rateBp(s.recentWon, s.recentDecided))
				}
			}
			slices.Sort(rates)
			var want int64
			switch n := len(rates); {
			case n == 0:
			case n%2 == 1:
				want = rates[n/2]
			default:
				want = (rates[n/2-1] + rates[n/2]) / 2
			}
			got, counted := e.peerMedianBp("t", id, stats, minDecided, groups)
			if got != want || counted != int64(len(rates)) {
				t.Fatalf("round %d, %s: median %d of %d peers, want %d of %d", round, id, got, counted, want, len(rates))
			}
		}
	}
}
