package engine

import (
	"container/heap"
	"time"
)

// orderQueue is a tenant's orders by due time (orderDueAt), earliest
// first, so that a tick takes out only the orders it has something to do
// with instead of walking thousands. It is a heap (container/heap) whose
// orders know their place in it, so an order moves or leaves in O(log n)
// and the queue never holds anything but the tenant's current orders: no
// stale entries pile up and no dropped order is kept alive.
//
// It is derived from the order projection and not part of the snapshot:
// the order check builds it from the tenant's orders when there is none
// (after a restore, or once the tenant's orders ran out) or when it was
// built for another first deadline (a rule change moved every due time),
// and orderChanged drops such an outdated one. While it exists it holds
// every order of the tenant at its current due time: orderChanged places
// an order after each of its events, dropOrder takes out an ended one,
// and the check puts back the orders it judged and keeps.
type orderQueue struct {
	// first is the first deadline, in days, the due times were worked
	// out with.
	first  int64
	orders []queuedOrder
}

// queuedOrder is an order in a queue with its due time beside it: the
// heap compares due times far more often than it moves orders, and
// reading them from the orders themselves was a cache miss per
// comparison.
type queuedOrder struct {
	sec  int64 // o.due as Unix seconds and nanoseconds: Before is a
	nsec int32 // comparison of the two
	o    *orderState
}

func queued(o *orderState) queuedOrder {
	return queuedOrder{sec: o.due.Unix(), nsec: int32(o.due.Nanosecond()), o: o}
}

// newOrderQueue queues every order of byID at its due time for first.
func newOrderQueue(byID map[string]*orderState, first int64) *orderQueue {
	q := &orderQueue{first: first, orders: make([]queuedOrder, 0, len(byID))}
	for _, o := range byID {
		o.due, o.slot = orderDueAt(o, first), len(q.orders)
		q.orders = append(q.orders, queued(o))
	}
	heap.Init(q)
	return q
}

// holds reports whether o is in q. The slot of an order that left q is
// stale, and that of an order q never held is zero, so only q's own
// record counts.
func (q *orderQueue) holds(o *orderState) bool {
	return o.slot < len(q.orders) && q.orders[o.slot].o == o
}

// place puts o in q due at at, or moves it there.
func (q *orderQueue) place(o *orderState, at time.Time) {
	switch {
	case !q.holds(o):
		o.due = at
		heap.Push(q, o)
	case !at.Equal(o.due):
		o.due = at
		q.orders[o.slot] = queued(o)
		heap.Fix(q, o.slot)
	}
}

// remove takes o out of q if it is there.
func (q *orderQueue) remove(o *orderState) {
	if q.holds(o) {
		heap.Remove(q, o.slot)
	}
}

// popDue takes out an order due at or before at, the earliest; nil when
// there is none.
func (q *orderQueue) popDue(at time.Time) *orderState {
	if len(q.orders) == 0 || q.orders[0].o.due.After(at) {
		return nil
	}
	return heap.Pop(q).(*orderState)
}

// next is the earliest due time in q, which must not be empty.
func (q *orderQueue) next() time.Time { return q.orders[0].o.due }

// Len, Less, Swap, Push and Pop make q a heap.Interface; use them only
// through container/heap.

func (q *orderQueue) Len() int { return len(q.orders) }

func (q *orderQueue) Less(i, j int) bool {
	a, b := &q.orders[i], &q.orders[j]
	return a.sec < b.sec || a.sec == b.sec && a.nsec < b.nsec
}

func (q *orderQueue) Swap(i, j int) {
	q.orders[i], q.orders[j] = q.orders[j], q.orders[i]
	q.orders[i].o.slot, q.orders[j].o.slot = i, j
}

func (q *orderQueue) Push(x any) {
	o := x.(*orderState)
	o.slot = len(q.orders)
	q.orders = append(q.orders, queued(o))
}

func (q *orderQueue) Pop() any {
	last := len(q.orders) - 1
	o := q.orders[last].o
	q.orders[last] = queuedOrder{} // the backing array must not keep a dropped order alive
	q.orders = q.orders[:last]
	return o
}
