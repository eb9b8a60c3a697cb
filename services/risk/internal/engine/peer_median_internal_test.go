package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestPeerMedianMatchesTheNaiveMedian: the sorted-once peer median (the
// seller left out by index) equals the median computed the plain way for
// every seller of randomly sized groups with ties, departed sellers and
// a second group among them.
func TestPeerMedianMatchesTheNaiveMedian(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 200 {
		e := New(lexicon.Default(), DefaultSensitiveWords())
		size := 1 + rng.IntN(12)
		reviews := make([]sellerReview, 0, size)
		for i := range size {
			id := fmt.Sprintf("e%02d", i)
			// A few departed sellers (reviewed, never counted as a
			// peer) and a few in another group.
			m := &staffMember{unit: "u", role: "sales", departed: rng.IntN(8) == 0}
			if rng.IntN(6) == 0 {
				m.role = "lead"
			}
			e.staff.members.put(employeeKey{"t", id}, m)
			reviews = append(reviews, sellerReview{seller: seller{id: id}, stats: conversionStats{windowSums: windowSums{recentWon: int64(rng.IntN(4)), recentDecided: int64(2 + rng.IntN(12))}}})
		}
		const minDecided = 5
		e.peerMedians("t", reviews, minDecided)
		for _, r := range reviews {
			self, _ := e.staff.members.get(employeeKey{"t", r.id})
			var rates []int64
			for _, p := range reviews {
				peer, _ := e.staff.members.get(employeeKey{"t", p.id})
				if s := p.stats; p.id != r.id && !peer.departed && peer.role == self.role && s.recentDecided >= minDecided {
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
			if r.peerMedian != want || r.peersCounted != int64(len(rates)) {
				t.Fatalf("round %d, %s: median %d of %d peers, want %d of %d", round, r.id, r.peerMedian, r.peersCounted, want, len(rates))
			}
		}
	}
}
