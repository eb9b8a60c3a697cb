package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestPeerMedianMatchesTheNaiveMedian: the sorted-once peer median (the
// seller left out by index) equals the median computed the plain way for
// every seller of randomly sized groups with ties, departed sellers,
// sellers without a staff record and several units and roles among them,
// review after review of one engine (whose scratch groups are reused).
func TestPeerMedianMatchesTheNaiveMedian(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	e := New(lexicon.Default(), DefaultSensitiveWords())
	for round := range 300 {
		tenant := fmt.Sprintf("t%d", round)
		size := 1 + rng.IntN(14)
		reviews := make([]sellerReview, 0, size)
		for i := range size {
			id := fmt.Sprintf("e%02d", i)
			var m *staffMember
			if rng.IntN(10) > 0 { // else no staff record: no peers
				m = &staffMember{unit: []string{"u", "v"}[rng.IntN(2)], role: "sales", departed: rng.IntN(8) == 0}
				if rng.IntN(6) == 0 {
					m.role = "lead"
				}
				e.staff.members.put(employeeKey{tenant, id}, m)
			}
			reviews = append(reviews, sellerReview{seller: seller{id: id, member: m}, stats: conversionStats{windowSums: windowSums{recentWon: int64(rng.IntN(4)), recentDecided: int64(2 + rng.IntN(12))}}})
		}
		const minDecided = 5
		e.peerMedians(tenant, reviews, minDecided)
		for _, r := range reviews {
			self, known := e.staff.members.get(employeeKey{tenant, r.id})
			var rates []int64
			for _, p := range reviews {
				peer, ok := e.staff.members.get(employeeKey{tenant, p.id})
				if s := p.stats; known && ok && p.id != r.id && !peer.departed && peer.unit == self.unit && peer.role == self.role && s.recentDecided >= minDecided {
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

// TestSellersFollowTheSalesProjection: the cached seller list a review
// walks is the sales projection's sellers in id order, each with its
// staff record, after a seller is added, dropped or comes back, and after
// an employee is hired or pruned.
func TestSellersFollowTheSalesProjection(t *testing.T) {
	t.Parallel()
	e := New(lexicon.Default(), DefaultSensitiveWords())
	ids := func() []string {
		var out []string
		for _, s := range e.sellers("t") {
			if got, _ := e.sales.get(employeeKey{"t", s.id}); got != s.sales {
				t.Fatalf("seller %s: cached projection is not the projection's", s.id)
			}
			if got, _ := e.staff.members.get(employeeKey{"t", s.id}); got != s.member {
				t.Fatalf("seller %s: cached staff record %p, the projection's %p", s.id, s.member, got)
			}
			out = append(out, s.id)
		}
		return out
	}
	e.salesOf("t", "b")
	e.salesOf("t", "a")
	if got := ids(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("sellers = %v, want [a b]", got)
	}
	e.salesOf("t", "c")
	e.salesOf("u", "z") // another tenant's
	if got := ids(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("after c: sellers = %v, want [a b c]", got)
	}
	e.dropSeller(employeeKey{"t", "a"})
	if got := ids(); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("after dropping a: sellers = %v, want [b c]", got)
	}
	e.salesOf("t", "a") // back, with a new projection
	if got := ids(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("after a is back: sellers = %v, want [a b c]", got)
	}
	hired := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "b", Kind: StaffHired, OrgUnitID: "u", Role: "sales", Date: "2026-01-05", OccurredAt: hired})
	ids() // b's record is the cached one
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "b", Kind: StaffDeparted, Date: "2026-01-06", OccurredAt: hired.Add(24 * time.Hour)})
	e.pruneDay = map[string]int64{}
	e.pruneProjections(Tick{Tenant: "t", At: hired.Add(staffRetention + 48*time.Hour)})
	if _, ok := e.staff.members.get(employeeKey{"t", "b"}); ok {
		t.Fatal("the departed employee's record was not pruned; the test shows nothing")
	}
	ids() // and no longer cached
}
