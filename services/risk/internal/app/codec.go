package app

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// alertChangeEvent is the RISK event for one engine decision: AlertRaised
// for an alert's first version, AlertEvidenceAdded after.
func alertChangeEvent(ch engine.Change, riskInSeq uint64) proto.Message {
	return new(changeEncoder).event(ch, riskInSeq)
}

// changeEncoder builds decisions' RISK events (alertChangeEvent) into
// messages it keeps and fills again for the next, for a replay that
// marshals each event and lets it go: a new set of messages per decision
// was a fortieth of the bytes a replay allocated. An event is the
// encoder's until the next.
type changeEncoder struct {
	raised     riskv1.AlertRaised
	added      riskv1.AlertEvidenceAdded
	start, end timestamppb.Timestamp
	// evidence, occurred and matches are the messages of the event's
	// evidence, each evidence's occurred time and matches at its own
	// index; match holds the Match messages, used from the start for
	// each event.
	evidence []*riskv1.Evidence
	occurred []*timestamppb.Timestamp
	matches  [][]*riskv1.Match
	match    []*riskv1.Match
	list     []*riskv1.Evidence
}

// event is ch's RISK event, made on RISK_IN sequence riskInSeq.
func (c *changeEncoder) event(ch engine.Change, riskInSeq uint64) proto.Message {
	a := ch.Alert
	if ch.Version == 1 {
		m := &c.raised
		m.Reset()
		m.AlertId, m.RuleId, m.RuleVersion, m.EmployeeId = a.ID, a.RuleID, a.RuleVersion, a.EmployeeID
		m.Severity, m.ExplanationEn, m.ExplanationZh = riskv1.Severity(a.Severity), a.ExplanationEN, a.ExplanationZH
		m.WindowStart, m.WindowEnd = timestampInto(&c.start, a.WindowStart), timestampInto(&c.end, a.WindowEnd)
		m.Evidence, m.RiskInSequence = c.evidenceOf(ch.NewEvidence), riskInSeq
		return m
	}
	m := &c.added
	m.Reset()
	m.AlertId, m.Severity, m.ExplanationEn, m.ExplanationZh = a.ID, riskv1.Severity(a.Severity), a.ExplanationEN, a.ExplanationZH
	m.Evidence, m.RiskInSequence = c.evidenceOf(ch.NewEvidence), riskInSeq
	return m
}

// evidenceOf is evs in wire form, in the encoder's messages.
func (c *changeEncoder) evidenceOf(evs []domain.Evidence) []*riskv1.Evidence {
	for len(c.evidence) < len(evs) {
		c.evidence = append(c.evidence, new(riskv1.Evidence))
		c.occurred = append(c.occurred, new(timestamppb.Timestamp))
		c.matches = append(c.matches, nil)
	}
	c.list = c.list[:0]
	used := 0
	for i, e := range evs {
		pe := c.evidence[i]
		pe.Reset()
		pe.EventId, pe.Stream, pe.Sequence, pe.EventType = e.EventID, e.Stream, e.Sequence, e.EventType
		pe.OccurredAt = timestampInto(c.occurred[i], e.OccurredAt)
		if len(e.Matches) > 0 {
			ms := c.matches[i][:0]
			for _, m := range e.Matches {
				if used == len(c.match) {
					c.match = append(c.match, new(riskv1.Match))
				}
				pm := c.match[used]
				used++
				pm.Reset()
				pm.Phrase, pm.Start, pm.End, pm.MatchedText, pm.Quoted = m.Phrase, int32(m.Start), int32(m.End), m.MatchedText, m.Quoted
				ms = append(ms, pm)
			}
			c.matches[i], pe.Matches = ms, ms
		}
		c.list = append(c.list, pe)
	}
	return c.list
}

// timestampInto sets ts to t and returns it (timestamppb.New, into ts).
func timestampInto(ts *timestamppb.Timestamp, t time.Time) *timestamppb.Timestamp {
	ts.Reset()
	ts.Seconds, ts.Nanos = t.Unix(), int32(t.Nanosecond())
	return ts
}

// EvidenceToProto converts evidence to its wire form.
func EvidenceToProto(evs []domain.Evidence) []*riskv1.Evidence {
	return new(changeEncoder).evidenceOf(evs)
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
