package eventlog

import "sync"

// readAheadRecords is how many records a reader decodes ahead of its
// handler at most: those waiting for it and those of the batch it is
// working through.
const readAheadRecords = 256

// batchRecords is how many decoded records wait for the handler at most,
// and so the largest batch it takes: half the read-ahead, as the batch it
// is working through is the other half.
const batchRecords = readAheadRecords / 2

// readAhead is one record decoded ahead, or the error that ended reading
// (next: the error came from fetching, not decoding).
type readAhead struct {
	rec  Record
	err  error
	next bool
	// block is what rec's envelope was decoded into, and payloadBack the
	// spares its payload goes back to, to be reused once fn is done with
	// rec (FollowOptions.Recycle).
	block       *envelopeBlock
	payloadBack *payloadSpares
}

// handoff passes decoded records from a stream reader's goroutine to its
// handler's, in order, in batches.
//
// A channel of records cost a channel operation on each side and two
// copies of a readAhead per record: in the bench's replay, where the
// handler is the slower side and the channel stays full, about 0.7 s of
// 17 s of CPU, and this about a tenth of that. Here the reader appends to
// pending under a mutex no one else holds for long, and the handler takes
// all of pending at once, locking once per batch. Each side wakes the
// other only when that one is waiting: the handler for a record, the
// reader for room, which it finds only when the handler takes a batch,
// not at each record.
//
// Batches form only while the handler is busy: a record put while it waits
// wakes it at once, so following live adds no latency. A channel of
// batches would have needed the reader to choose when to send a part
// batch, and sending one whenever the handler might be waiting is sending
// one per record again.
type handoff struct {
	mu      sync.Mutex
	pending []readAhead
	// handlerWaits and readerWaits say who waits, on ready and room:
	// each is set by the side that waits and cleared by the side that
	// then sends it the one wake-up, so neither channel ever holds more
	// than one and a send never blocks.
	handlerWaits, readerWaits bool
	ready, room               chan struct{}
}

func newHandoff() *handoff {
	return &handoff{ready: make(chan struct{}, 1), room: make(chan struct{}, 1)}
}

// put hands item to the handler, waiting while batchRecords wait for it
// already. It is false, item not handed over, when done is closed first.
func (h *handoff) put(item readAhead, done <-chan struct{}) bool {
	h.mu.Lock()
	for len(h.pending) >= batchRecords {
		h.readerWaits = true
		h.mu.Unlock()
		select {
		case <-h.room:
		case <-done:
			return false
		}
		h.mu.Lock()
	}
	h.pending = append(h.pending, item)
	wake := h.handlerWaits
	h.handlerWaits = false
	h.mu.Unlock()
	if wake {
		h.ready <- struct{}{}
	}
	return true
}

// take returns the records waiting for the handler, in order, waiting for
// one if there are none. spent is the batch take returned before, which
// the handler is done with: its array is filled again.
func (h *handoff) take(spent []readAhead) []readAhead {
	// Nothing in it must keep a handled record's memory alive while it
	// waits to be filled again.
	clear(spent)
	h.mu.Lock()
	for len(h.pending) == 0 {
		h.handlerWaits = true
		h.mu.Unlock()
		<-h.ready
		h.mu.Lock()
	}
	batch := h.pending
	h.pending = spent[:0]
	wake := h.readerWaits
	h.readerWaits = false
	h.mu.Unlock()
	if wake {
		h.room <- struct{}{}
	}
	return batch
}
