package app

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// One encoder filled again for decision after decision gives each the
// event a new encoder gives, byte for byte, and the event built field by
// field from the change: nothing of an earlier decision (more evidence,
// matches, a first version's fields) shows in a later one.
func TestChangeEncoderReusedEncodesEachDecisionAfresh(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	var reused changeEncoder
	for i := range 300 {
		ch := randomChange(rng, i)
		want := wireEvent(ch, uint64(i))
		for name, got := range map[string]proto.Message{"reused": reused.event(ch, uint64(i)), "new": alertChangeEvent(ch, uint64(i))} {
			if !proto.Equal(got, want) {
				t.Fatalf("decision %d (version %d, %d evidence), %s encoder:\n got %v\nwant %v", i, ch.Version, len(ch.NewEvidence), name, got, want)
			}
			gotBytes, err := MarshalDecision(got)
			if err != nil {
				t.Fatal(err)
			}
			wantBytes, err := MarshalDecision(want)
			if err != nil {
				t.Fatal(err)
			}
			if string(gotBytes) != string(wantBytes) {
				t.Fatalf("decision %d, %s encoder: marshalled differently", i, name)
			}
		}
	}
}

// randomChange is a first or later version of an alert with up to six
// pieces of evidence, some with matches.
func randomChange(rng *rand.Rand, i int) engine.Change {
	at := time.Date(2026, 3, 2, 9, 0, 0, rng.IntN(1e9), time.UTC).Add(time.Duration(i) * time.Hour)
	ch := engine.Change{
		Version: uint64(1 + rng.IntN(3)),
		Alert: domain.Alert{
			ID: fmt.Sprintf("a%d", i), RuleID: fmt.Sprintf("r%d", rng.IntN(4)), RuleVersion: uint32(1 + rng.IntN(2)),
			EmployeeID: fmt.Sprintf("e%d", rng.IntN(9)), Severity: domain.Severity(1 + rng.IntN(3)),
			ExplanationEN: fmt.Sprintf("explained %d", i), ExplanationZH: fmt.Sprintf("说明 %d", i),
			WindowStart: at, WindowEnd: at.Add(time.Duration(rng.IntN(72)) * time.Hour),
		},
	}
	for j := range rng.IntN(7) {
		ev := domain.Evidence{EventID: fmt.Sprintf("ev%d-%d", i, j), Stream: "RISK_IN", Sequence: uint64(i*10 + j), EventType: "holdfast.client.v1.InteractionLogged", OccurredAt: at.Add(-time.Duration(j) * time.Minute)}
		for k := range rng.IntN(3) {
			ev.Matches = append(ev.Matches, domain.Match{Phrase: fmt.Sprintf("p%d", k), Start: k, End: k + 2, MatchedText: "私单", Quoted: rng.IntN(2) == 0})
		}
		ch.NewEvidence = append(ch.NewEvidence, ev)
	}
	return ch
}

// wireEvent is the RISK event of ch, written out field by field.
func wireEvent(ch engine.Change, seq uint64) proto.Message {
	var evs []*riskv1.Evidence
	for _, e := range ch.NewEvidence {
		pe := &riskv1.Evidence{EventId: e.EventID, Stream: e.Stream, Sequence: e.Sequence, EventType: e.EventType, OccurredAt: timestamppb.New(e.OccurredAt)}
		for _, m := range e.Matches {
			pe.Matches = append(pe.Matches, &riskv1.Match{Phrase: m.Phrase, Start: int32(m.Start), End: int32(m.End), MatchedText: m.MatchedText, Quoted: m.Quoted})
		}
		evs = append(evs, pe)
	}
	a := ch.Alert
	if ch.Version == 1 {
		return &riskv1.AlertRaised{
			AlertId: a.ID, RuleId: a.RuleID, RuleVersion: a.RuleVersion, EmployeeId: a.EmployeeID, Severity: riskv1.Severity(a.Severity),
			ExplanationEn: a.ExplanationEN, ExplanationZh: a.ExplanationZH,
			WindowStart: timestamppb.New(a.WindowStart), WindowEnd: timestamppb.New(a.WindowEnd), Evidence: evs, RiskInSequence: seq,
		}
	}
	return &riskv1.AlertEvidenceAdded{
		AlertId: a.ID, Severity: riskv1.Severity(a.Severity), ExplanationEn: a.ExplanationEN, ExplanationZh: a.ExplanationZH,
		Evidence: evs, RiskInSequence: seq,
	}
}
