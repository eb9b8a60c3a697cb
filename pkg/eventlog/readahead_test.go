package eventlog

import (
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// aheadItem is a decoded record of sequence seq, as a reader puts it.
func aheadItem(seq uint64) readAhead { return readAhead{rec: Record{Sequence: seq}} }

func sequencesOf(batch []readAhead) []uint64 {
	seqs := make([]uint64, 0, len(batch))
	for _, item := range batch {
		seqs = append(seqs, item.rec.Sequence)
	}
	return seqs
}

// seqRange is from, from+1, …, to.
func seqRange(from, to uint64) []uint64 {
	var seqs []uint64
	for s := from; s <= to; s++ {
		seqs = append(seqs, s)
	}
	return seqs
}

// A record put while the handler waits reaches it at once, alone; records
// put while it is busy wait and reach it together, in order; the reader
// waits once batchRecords wait, until the handler takes them.
func TestHandoffBatchesOnlyWhatPilesUpBehindTheHandler(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHandoff()
		done := make(chan struct{})
		taken := make(chan []readAhead)
		go func() { taken <- h.take(nil) }()
		synctest.Wait() // the handler waits for a record
		if !h.put(aheadItem(1), done) {
			t.Fatal("put refused with done open")
		}
		batch := <-taken
		if diff := cmp.Diff([]uint64{1}, sequencesOf(batch)); diff != "" {
			t.Errorf("a record put while the handler waits: batch mismatch (-want, +got):\n%s", diff)
		}

		// The handler is busy with record 1 while these are put.
		for seq := uint64(2); seq <= 4; seq++ {
			h.put(aheadItem(seq), done)
		}
		batch = h.take(batch)
		if diff := cmp.Diff([]uint64{2, 3, 4}, sequencesOf(batch)); diff != "" {
			t.Errorf("records put while the handler was busy: batch mismatch (-want, +got):\n%s", diff)
		}

		// One more than a batch: the reader stops at the last until the
		// handler takes a batch.
		last := uint64(5 + batchRecords)
		putAll := make(chan struct{})
		go func() {
			defer close(putAll)
			for seq := uint64(5); seq <= last; seq++ {
				h.put(aheadItem(seq), done)
			}
		}()
		synctest.Wait()
		select {
		case <-putAll:
			t.Fatalf("the reader put %d records ahead of a busy handler, want at most %d", last-4, batchRecords)
		default:
		}
		batch = h.take(batch)
		if diff := cmp.Diff(seqRange(5, last-1), sequencesOf(batch)); diff != "" {
			t.Errorf("a full window: batch mismatch (-want, +got):\n%s", diff)
		}
		<-putAll // taking the batch let the reader go on
		batch = h.take(batch)
		if diff := cmp.Diff([]uint64{last}, sequencesOf(batch)); diff != "" {
			t.Errorf("after a full window: batch mismatch (-want, +got):\n%s", diff)
		}
	})
}

// A reader waiting for room gives up when done is closed: a handler that
// stops does not leave it behind.
func TestHandoffPutGivesUpWhenDone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHandoff()
		done := make(chan struct{})
		for seq := range uint64(batchRecords) {
			h.put(aheadItem(seq+1), done)
		}
		handed := make(chan bool)
		go func() { handed <- h.put(aheadItem(batchRecords+1), done) }()
		synctest.Wait()
		close(done)
		if <-handed {
			t.Error("put handed a record over to a handler that had stopped")
		}
	})
}

// The envelopes and payloads of a batch given back are decoded into
// again, zero or reset; none is reused before it is given back.
func TestSparesReuseOnlyWhatIsGivenBack(t *testing.T) {
	t.Parallel()
	sp := newSpares(nil)
	// decode is what the reader does with a record whose event id and
	// payload text are text.
	decode := func(text string) readAhead {
		t.Helper()
		item := readAhead{block: sp.envelope()}
		if got := item.block.env.GetEventId(); got != "" {
			t.Errorf("a spare envelope to decode %s into holds event %q", text, got)
		}
		item.block.env.EventId = text
		payload, err := packPayload(&clientv1.InteractionLogged{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		item.rec.payload, item.payloadBack, err = sp.payload(&eventv1.Envelope{Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		if got := item.rec.payload.(*clientv1.InteractionLogged).GetText(); got != text {
			t.Errorf("payload decoded for %s reads %q", text, got)
		}
		return item
	}
	memoryOf := func(items ...readAhead) map[any]bool {
		m := map[any]bool{}
		for _, item := range items {
			m[item.block], m[item.rec.payload] = true, true
		}
		return m
	}
	a, b := decode("a"), decode("b")
	c := decode("c")
	if memoryOf(a, b)[c.block] || memoryOf(a, b)[c.rec.payload] {
		t.Error("c was decoded into the memory of a record not given back")
	}
	sp.giveBack([]readAhead{a, b})
	d, e := decode("d"), decode("e")
	if diff := cmp.Diff(memoryOf(a, b), memoryOf(d, e)); diff != "" {
		t.Errorf("d and e are not decoded into a and b's memory given back (-want, +got):\n%s", diff)
	}
	if f := decode("f"); memoryOf(a, b, c)[f.block] || memoryOf(a, b, c)[f.rec.payload] {
		t.Error("f was decoded into memory already reused")
	}
}
