package eventlog

import (
	"context"
	"sync"
)

// Progress tracks the highest sequence a projection has applied, so a query
// can wait for a write it knows about (read-your-writes) without polling.
type Progress struct {
	mu      sync.Mutex
	applied uint64
	changed chan struct{}
}

// NewProgress starts at seq (the checkpoint a projection resumed from).
func NewProgress(seq uint64) *Progress {
	return &Progress{applied: seq, changed: make(chan struct{})}
}

// Advance records that seq has been applied. Lower values are ignored.
func (p *Progress) Advance(seq uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq <= p.applied {
		return
	}
	p.applied = seq
	close(p.changed)
	p.changed = make(chan struct{})
}

// Applied returns the highest applied sequence.
func (p *Progress) Applied() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.applied
}

// Wait blocks until seq has been applied or ctx ends.
func (p *Progress) Wait(ctx context.Context, seq uint64) error {
	for {
		p.mu.Lock()
		applied, changed := p.applied, p.changed
		p.mu.Unlock()
		if applied >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}
