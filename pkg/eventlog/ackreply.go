package eventlog

import (
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// position is a delivered message's stream sequence and how many messages
// followed it in the stream when it was delivered.
type position struct{ sequence, pending uint64 }

// positionOf reads m's position from its JetStream reply subject. A
// follower needs only these two numbers of every message, and
// jetstream.Msg.Metadata allocates the whole metadata for each one; a
// subject parseAckReply does not know goes to Metadata, which decides.
func positionOf(m jetstream.Msg) (position, error) {
	if p, ok := parseAckReply(m.Reply()); ok {
		return p, nil
	}
	md, err := m.Metadata()
	if err != nil {
		return position{}, fmt.Errorf("eventlog: message metadata: %w", err)
	}
	return position{sequence: md.Sequence.Stream, pending: md.NumPending}, nil
}

// parseAckReply parses a JetStream ack reply subject, in either form the
// server sends:
//
//	$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tm>.<pending>
//	$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tm>.<pending>[.<token>]
//
// ok is false for anything else, including a number that is not all
// digits or does not fit in 64 bits.
func parseAckReply(reply string) (p position, ok bool) {
	rest, found := strings.CutPrefix(reply, "$JS.ACK.")
	if !found {
		return position{}, false
	}
	// The tokens after $JS.ACK: 7 in the first form, 9 or 10 in the
	// second. One pass notes where each token starts: strings.Cut per
	// token costs a call and a vector search setup each, and every
	// message a follower reads comes through here.
	var starts [11]int
	n := 1 // starts[0] = 0: the first token starts at the beginning
	for i := range len(rest) {
		if rest[i] != '.' {
			continue
		}
		if n == 10 {
			return position{}, false // an eleventh token
		}
		starts[n] = i + 1
		n++
	}
	starts[n] = len(rest) + 1 // one past the dot that would end the last token
	token := func(k int) string { return rest[starts[k] : starts[k+1]-1] }
	var seq, pending string
	switch n {
	case 7:
		seq, pending = token(3), token(6)
	case 9, 10:
		seq, pending = token(5), token(8)
	default:
		return position{}, false
	}
	if p.sequence, ok = parseDecimal(seq); !ok {
		return position{}, false
	}
	if p.pending, ok = parseDecimal(pending); !ok {
		return position{}, false
	}
	return p, true
}

// parseDecimal is s as a decimal uint64; ok is false unless s is one or
// more digits whose value fits.
func parseDecimal(s string) (v uint64, ok bool) {
	if s == "" {
		return 0, false
	}
	for i := range len(s) {
		d := uint64(s[i] - '0')
		if d > 9 || v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}
