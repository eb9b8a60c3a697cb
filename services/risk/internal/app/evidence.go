package app

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/evidence"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

//go:embed evidence_report.html.tmpl
var reportFS embed.FS

var reportTemplate = template.Must(template.ParseFS(reportFS, "evidence_report.html.tmpl"))

// evidenceExportedName is the payload type of an export's record.
var evidenceExportedName = (&riskv1.EvidenceExported{}).ProtoReflect().Descriptor().FullName()

// maxBundleEvents bounds one bundle: an alert's evidence is capped by the
// engine, its own and its case's events are few.
const maxBundleEvents = 5_000

// EvidenceBundle builds the signed evidence bundle of one alert's case:
// the events supporting the alert exactly as stored in their streams, the
// alert's own events in RISK (what the engine decided, when) and the
// case's steps (what HR did, who), with a report in lang ("zh" or "en").
// Only hr, auditors and admins take evidence out of Holdfast.
//
// The bundle is verified before it is returned, so a bundle that leaves
// Holdfast is one `holdfast evidence verify` accepts. Every export is
// recorded on the case; requestID (optional) makes a retry record it once
// (see recordExport).
func (a *App) EvidenceBundle(ctx context.Context, actor Actor, alertID, lang, requestID string, key evidence.Key) ([]byte, evidence.Report, error) {
	out, err := a.evidenceBundle(ctx, actor, alertID, lang, requestID, key)
	if err != nil {
		return nil, evidence.Report{}, err
	}
	rep, err := evidence.Verify(out, key.VerifierKey)
	if err != nil {
		return nil, evidence.Report{}, fmt.Errorf("evidence bundle: the bundle just built does not verify: %w", err)
	}
	if err := a.recordExport(ctx, actor, alertID, lang, requestID, rep); err != nil {
		return nil, evidence.Report{}, err // a bundle nobody can account for is not handed out
	}
	return out, rep, nil
}

// recordExport appends EvidenceExported to the alert's case: who took
// which bundle out, and when. With a requestID, the caller's export of the
// same bundle under that id is recorded once however often it is retried
// (the case's events are few: they are read whole); the same id for a
// different bundle is a precondition failure, so no bundle leaves
// unrecorded.
func (a *App) recordExport(ctx context.Context, actor Actor, alertID, lang, requestID string, rep evidence.Report) error {
	ref := eventlog.AggregateRef{Context: boundedContext, Tenant: actor.Tenant, Type: typeAlertCase, ID: alertID}
	payload := &riskv1.EvidenceExported{AlertId: alertID, Language: lang, Events: int32(len(rep.Events)), MerkleRoot: rep.Root} //nolint:gosec // at most evidence.MaxEvents
	scoped := uuid.NewString()
	if requestID != "" {
		scoped = eventlog.DeriveID(boundedContext, actor.Tenant, "evidence-request", actor.EmployeeID+"/"+requestID)
	}
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, ref)
		if err != nil {
			return fmt.Errorf("evidence bundle: record the export: %w", err)
		}
		for _, rec := range agg.Records {
			if rec.Envelope.GetRequestId() != scoped {
				continue
			}
			if stored, err := rec.Payload(); err != nil || !proto.Equal(stored, payload) {
				return fmt.Errorf("evidence bundle: %w: request_id was already used for a different bundle (the case changed since); export again with a new request_id", domain.ErrPrecondition)
			}
			return nil // this export is on the record already
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{Ref: ref, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, Payload: payload})
		if err == nil && res.Duplicate {
			if attempt < maxRuleConflictRetries {
				continue // a retry's append landed first: read again to compare
			}
			return nil // recorded by the append it duplicates
		}
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxRuleConflictRetries {
			continue // a case step landed meanwhile
		}
		if err != nil {
			return fmt.Errorf("evidence bundle: record the export: %w", err)
		}
		return nil
	}
}

func (a *App) evidenceBundle(ctx context.Context, actor Actor, alertID, lang, requestID string, key evidence.Key) ([]byte, error) {
	now := a.now()
	if !actor.canTakeEvidence() {
		return nil, fmt.Errorf("evidence bundle: %w: requires hr, auditor or admin", domain.ErrPermissionDenied)
	}
	var v domainerr.Violations
	if !eventlog.ValidToken(alertID) {
		v = append(v, domainerr.FieldViolation{Field: "alert_id", Description: "required, a valid id"})
	}
	if lang != "zh" && lang != "en" {
		v = append(v, domainerr.FieldViolation{Field: "language", Description: `"zh" or "en"`})
	}
	if requestID != "" && !eventlog.ValidToken(requestID) {
		v = append(v, domainerr.FieldViolation{Field: "request_id", Description: "1-128 characters of [A-Za-z0-9_-], or empty"})
	}
	if len(v) > 0 {
		return nil, v.Err()
	}
	al, err := a.store.GetAlert(ctx, actor.Tenant, alertID)
	if err != nil {
		return nil, fmt.Errorf("evidence bundle: %w", err)
	}
	c, err := a.GetCase(ctx, actor, alertID)
	if err != nil {
		return nil, err
	}
	events, rows, err := a.bundleEvents(ctx, actor.Tenant, al)
	if err != nil {
		return nil, fmt.Errorf("evidence bundle: %w", err)
	}
	// The report tells the case as the bundle's events do: earlier
	// exports are not among them (see bundleEvents), so not here either.
	c.Notes = slices.DeleteFunc(slices.Clone(c.Notes), func(n domain.CaseNote) bool { return n.Kind == domain.StepEvidenceExported })
	report, err := renderReport(reportData{
		Lang: lang, Tenant: actor.Tenant, Alert: al, Case: c, Rows: rows, VerifierKey: key.VerifierKey,
		CreatedAt: now.UTC(), CreatedBy: actor.EmployeeID,
	})
	if err != nil {
		return nil, fmt.Errorf("evidence bundle: report: %w", err)
	}
	b := evidence.Bundle{
		Tenant: actor.Tenant, CaseID: alertID, CreatedAt: now.UTC(),
		Title:  fmt.Sprintf("%s: %s", al.RuleID, al.EmployeeID),
		Events: events,
		Documents: []evidence.Document{{
			Name: "report." + lang + ".html", MediaType: "text/html; charset=utf-8", Data: report,
		}},
	}
	return evidence.Bytes(b, key.Signer, key.VerifierKey)
}

// reportRow is one event as the report shows it.
type reportRow struct {
	Index      int
	Stream     string
	Sequence   uint64
	Type       string
	EventID    string
	Actor      string
	OccurredAt time.Time
	Details    string
	Supporting bool
}

// bundleEvents reads the alert's supporting events, then its own and its
// case's events but the records of earlier exports, each once, as stored.
func (a *App) bundleEvents(ctx context.Context, tenant string, al domain.Alert) ([]evidence.Event, []reportRow, error) {
	type pos struct {
		stream string
		seq    uint64
	}
	var wanted []pos
	supporting := map[pos]bool{}
	for _, e := range al.Evidence {
		p := pos{e.Stream, e.Sequence}
		if !supporting[p] {
			supporting[p] = true
			wanted = append(wanted, p)
		}
	}
	for _, typ := range []string{typeAlert, typeAlertCase} {
		agg, err := a.log.Load(ctx, eventlog.AggregateRef{Context: boundedContext, Tenant: tenant, Type: typ, ID: al.ID})
		if err != nil {
			return nil, nil, err
		}
		for _, rec := range agg.Records {
			if rec.Envelope.GetPayload().MessageName() == evidenceExportedName {
				// Earlier exports are the bundles' own record, not evidence
				// of the case: left out, two exports of a case that has not
				// moved on have the same Merkle root.
				continue
			}
			wanted = append(wanted, pos{eventlog.StreamRisk, rec.Sequence})
		}
	}
	if len(wanted) > maxBundleEvents {
		return nil, nil, fmt.Errorf("%w: %d events, more than a bundle holds (%d)", domain.ErrPrecondition, len(wanted), maxBundleEvents)
	}
	events := make([]evidence.Event, 0, len(wanted))
	rows := make([]reportRow, 0, len(wanted))
	for i, p := range wanted {
		rec, err := a.log.Get(ctx, p.stream, p.seq)
		if err != nil {
			return nil, nil, err
		}
		if rec.Envelope.GetTenantId() != tenant {
			// Evidence never crosses tenants; a mismatch is a bug to stop on.
			return nil, nil, fmt.Errorf("event %s #%d belongs to another tenant", p.stream, p.seq)
		}
		env := rec.Envelope
		events = append(events, evidence.Event{
			Stream: rec.Stream, Sequence: rec.Sequence, Subject: rec.Subject, Data: rec.Data,
			EventID: env.GetEventId(), EventType: eventlog.TypeName(env), OccurredAt: env.GetOccurredAt().AsTime(),
		})
		rows = append(rows, reportRow{
			Index: i, Stream: rec.Stream, Sequence: rec.Sequence, Type: eventlog.TypeName(env), EventID: env.GetEventId(),
			Actor: env.GetActorId(), OccurredAt: env.GetOccurredAt().AsTime().UTC(), Details: payloadText(env),
			Supporting: supporting[p],
		})
	}
	return events, rows, nil
}

// payloadText is the event's payload as JSON for the report; empty when
// this binary does not know the payload's type (the bytes are in the
// bundle either way).
func payloadText(env *eventv1.Envelope) string {
	msg, err := eventlog.Payload(env)
	if err != nil {
		return ""
	}
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(msg)
	if err != nil {
		return ""
	}
	return string(b)
}

// canTakeEvidence: evidence leaves Holdfast for arbitration, so only hr,
// auditors and admins build bundles, never line managers.
func (a Actor) canTakeEvidence() bool {
	return slices.ContainsFunc(a.Roles, func(r string) bool { return r == "hr" || r == "auditor" || r == "admin" })
}

// reportData is what the report template reads.
type reportData struct {
	Lang        string
	Tenant      string
	Alert       domain.Alert
	Case        domain.Case
	Rows        []reportRow
	VerifierKey string
	CreatedAt   time.Time
	CreatedBy   string
}

func (d reportData) T(en, zh string) string {
	if d.Lang == "zh" {
		return zh
	}
	return en
}

func (d reportData) Explanation() string {
	if d.Lang == "zh" {
		return d.Alert.ExplanationZH
	}
	return d.Alert.ExplanationEN
}

func renderReport(d reportData) ([]byte, error) {
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
