package app

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// alertChangeEvent is the RISK event for one engine decision: AlertRaised
// for an alert's first version, AlertEvidenceAdded after.
func alertChangeEvent(ch engine.Change, riskInSeq uint64) proto.Message {
	a := ch.Alert
	if ch.Version == 1 {
		return &riskv1.AlertRaised{
			AlertId:        a.ID,
			RuleId:         a.RuleID,
			RuleVersion:    a.RuleVersion,
			EmployeeId:     a.EmployeeID,
			Severity:       riskv1.Severity(a.Severity),
			ExplanationEn:  a.ExplanationEN,
			ExplanationZh:  a.ExplanationZH,
			WindowStart:    timestamppb.New(a.WindowStart),
			WindowEnd:      timestamppb.New(a.WindowEnd),
			Evidence:       EvidenceToProto(ch.NewEvidence),
			RiskInSequence: riskInSeq,
		}
	}
	return &riskv1.AlertEvidenceAdded{
		AlertId:        a.ID,
		Severity:       riskv1.Severity(a.Severity),
		ExplanationEn:  a.ExplanationEN,
		ExplanationZh:  a.ExplanationZH,
		Evidence:       EvidenceToProto(ch.NewEvidence),
		RiskInSequence: riskInSeq,
	}
}

// EvidenceToProto converts evidence to its wire form.
func EvidenceToProto(evs []domain.Evidence) []*riskv1.Evidence {
	out := make([]*riskv1.Evidence, 0, len(evs))
	for _, e := range evs {
		pe := &riskv1.Evidence{
			EventId:    e.EventID,
			Stream:     e.Stream,
			Sequence:   e.Sequence,
			EventType:  e.EventType,
			OccurredAt: timestamppb.New(e.OccurredAt),
		}
		for _, m := range e.Matches {
			pe.Matches = append(pe.Matches, &riskv1.Match{
				Phrase: m.Phrase, Start: int32(m.Start), End: int32(m.End), MatchedText: m.MatchedText, Quoted: m.Quoted,
			})
		}
		out = append(out, pe)
	}
	return out
}

func evidenceFromProto(evs []*riskv1.Evidence) []domain.Evidence {
	out := make([]domain.Evidence, 0, len(evs))
	for _, e := range evs {
		de := domain.Evidence{
			EventID:    e.GetEventId(),
			Stream:     e.GetStream(),
			Sequence:   e.GetSequence(),
			EventType:  e.GetEventType(),
			OccurredAt: e.GetOccurredAt().AsTime(),
		}
		for _, m := range e.GetMatches() {
			de.Matches = append(de.Matches, domain.Match{
				Phrase: m.GetPhrase(), Start: int(m.GetStart()), End: int(m.GetEnd()), MatchedText: m.GetMatchedText(), Quoted: m.GetQuoted(),
			})
		}
		out = append(out, de)
	}
	return out
}
