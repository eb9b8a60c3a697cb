package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// typeExport is the aggregate of one export request: ExportRequested, at
// most one ExportApproved or ExportRejected, then one ExportDownloaded per
// file that left. The requester and whoever decides write to it, so
// deciding appends with the expected sequence: of two concurrent decisions
// exactly one is recorded.
const typeExport = "export"

// exportPageSize is how many customers one read-model page holds while an
// export gathers the customers its filter selects.
const exportPageSize = 500

// ErrExportRequestReused is wrapped (with domain.ErrPrecondition) when a
// request id that already did one thing to an export asks for another.
var ErrExportRequestReused = errors.New("request_id was already used for a different export command")

// RequestExport records a request to export the customers r.Filter
// selects; nothing is exported until someone else approves it. The filter
// is held to what the requester may list (domain.ScopeExport): sales their
// own customers or the shared pool, senior_sales and managers their team
// or subtree, and the rows are selected within the requester's visibility
// when counted and again when downloaded. The export id is derived from
// the caller and the request id, so a retry returns the first request and
// writes nothing.
func (a *App) RequestExport(ctx context.Context, actor domain.Actor, requestID string, r domain.ExportRequest) (domain.Export, uint64, error) {
	var badOwner error
	if o := r.Filter.OwnerID; o != "" && !eventlog.ValidToken(o) {
		badOwner = invalidID("filter.owner_employee_id")
	}
	r, err := domain.NormalizeExportRequest(r)
	if err := joinViolations(checkRequestID(requestID), err, badOwner); err != nil {
		return domain.Export{}, 0, err
	}
	if actor, err = a.withVisibility(ctx, actor); err != nil {
		return domain.Export{}, 0, fmt.Errorf("request export: %w", err)
	}
	if r.Filter, err = domain.ScopeExport(actor, r.Filter); err != nil {
		return domain.Export{}, 0, fmt.Errorf("request export: %w", err)
	}
	id := callerScopedID(actor, typeExport, requestID)
	at := ref(actor.Tenant, typeExport, id)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, at)
		if err != nil {
			return domain.Export{}, 0, fmt.Errorf("request export: %w", err)
		}
		if len(agg.Records) > 0 {
			e, seq, err := repeatedExportRequest(agg, r)
			return e, seq, wrap("request export", err)
		}
		selected, err := a.selectCustomers(ctx, actor, r.Filter)
		if err != nil {
			return domain.Export{}, 0, fmt.Errorf("request export: %w", err)
		}
		now := a.now(ctx)
		ev := &clientv1.ExportRequested{
			ExportId:        id,
			Filter:          ExportFilterToProto(r.Filter),
			Reason:          r.Reason,
			IncludeContacts: r.IncludeContacts,
			CustomerCount:   int32(len(selected)),
		}
		// appendFresh: a concurrent copy of this request may have counted
		// otherwise; the next attempt answers from what was stored.
		res, err := a.appendFresh(ctx, eventlog.AppendRequest{
			Ref: at, RequestID: requestID, ActorID: actor.EmployeeID, OccurredAt: now, Payload: ev,
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return domain.Export{}, 0, fmt.Errorf("request export: %w", err)
		}
		e, err := applyExportEvent(domain.Export{}, actor.EmployeeID, now, ev)
		return e, res.Sequence, wrap("request export", err)
	}
}

// repeatedExportRequest answers a retried RequestExport from the stored
// request, if it asked for the same.
func repeatedExportRequest(agg eventlog.Aggregate, r domain.ExportRequest) (domain.Export, uint64, error) {
	first := agg.Records[:1]
	e, err := foldExport(first)
	if err != nil {
		return domain.Export{}, 0, err
	}
	if e.Filter != r.Filter || e.Reason != r.Reason || e.IncludeContacts != r.IncludeContacts {
		return domain.Export{}, 0, fmt.Errorf("%w: %w", domain.ErrPrecondition, ErrExportRequestReused)
	}
	return e, first[0].Sequence, nil
}

// ApproveExport lets the requester download the export. A manager, hr or
// an admin approves, never the requester, with a reason.
func (a *App) ApproveExport(ctx context.Context, actor domain.Actor, requestID, exportID, reason string) (domain.Export, uint64, error) {
	e, seq, err := a.decideExport(ctx, actor, requestID, exportID, reason, true)
	return e, seq, wrap("approve export", err)
}

// RejectExport closes the export request without export; the same people
// as ApproveExport decide.
func (a *App) RejectExport(ctx context.Context, actor domain.Actor, requestID, exportID, reason string) (domain.Export, uint64, error) {
	e, seq, err := a.decideExport(ctx, actor, requestID, exportID, reason, false)
	return e, seq, wrap("reject export", err)
}

func (a *App) decideExport(ctx context.Context, actor domain.Actor, requestID, exportID, reason string, approve bool) (domain.Export, uint64, error) {
	if err := joinViolations(checkRequestID(requestID), checkExportID(exportID), domain.CheckReason("reason", reason)); err != nil {
		return domain.Export{}, 0, err
	}
	actor, err := a.withVisibility(ctx, actor)
	if err != nil {
		return domain.Export{}, 0, err
	}
	step, err := a.decideOnExport(ctx, actor, exportID, requestID, func(e domain.Export) (proto.Message, error) {
		d, err := domain.DecideExport(actor, e, approve, reason)
		if err != nil {
			return nil, err
		}
		if approve {
			return &clientv1.ExportApproved{ExportId: e.ID, Reason: d.Reason}, nil
		}
		return &clientv1.ExportRejected{ExportId: e.ID, Reason: d.Reason}, nil
	})
	if err != nil {
		return domain.Export{}, 0, err
	}
	if step.repeated {
		// A retry: the stored event must be the decision asked for now.
		if d, ok := decisionOf(step.event); !ok || d.Approve != approve || d.Reason != strings.TrimSpace(reason) {
			return domain.Export{}, 0, fmt.Errorf("%w: %w", domain.ErrPrecondition, ErrExportRequestReused)
		}
	}
	return step.export, step.sequence, nil
}

// Download is an export file as it left the service: the CSV, the name to
// save it under, its rows, the hex SHA-256 of CSV and the CLIENT sequence
// of the ExportDownloaded that records it.
// WARNING: CSV holds customers' data, possibly contact details in the
// clear; never log it.
type Download struct {
	CSV      []byte
	Filename string
	Rows     int
	SHA256   string
	Sequence uint64
}

// DownloadExport builds an approved export's file for its requester and
// records it (ExportDownloaded: recipient, rows, digest and every customer
// id in it) before returning it, so nothing leaves unrecorded.
//
// The file holds the customers the filter selects NOW, at download, not
// those counted when the export was requested: approval covers a filter
// and its contact setting, and the recorded event says exactly which
// customers left. Downloading again is allowed and recorded again. A retry
// with the same request id returns the same file and records nothing; if
// those customers have changed since, it fails with ErrPrecondition (ask
// with a new request id).
func (a *App) DownloadExport(ctx context.Context, actor domain.Actor, requestID, exportID string) (Download, error) {
	if err := joinViolations(checkRequestID(requestID), checkExportID(exportID)); err != nil {
		return Download{}, err
	}
	actor, err := a.withVisibility(ctx, actor)
	if err != nil {
		return Download{}, fmt.Errorf("download export: %w", err)
	}
	var file []byte
	step, err := a.decideOnExport(ctx, actor, exportID, requestID, func(e domain.Export) (proto.Message, error) {
		if err := domain.CheckDownload(actor, e); err != nil {
			return nil, err
		}
		customers, err := a.selectCustomers(ctx, actor, e.Filter)
		if err != nil {
			return nil, err
		}
		if file, err = domain.ExportCSV(e, actor.EmployeeID, customers); err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(customers))
		for _, c := range customers {
			ids = append(ids, c.ID)
		}
		sum := sha256.Sum256(file)
		return &clientv1.ExportDownloaded{
			ExportId: e.ID, Recipient: actor.EmployeeID, Rows: int32(len(customers)),
			Sha256: hex.EncodeToString(sum[:]), CustomerIds: ids,
		}, nil
	})
	if err != nil {
		return Download{}, fmt.Errorf("download export: %w", err)
	}
	ev, ok := step.event.(*clientv1.ExportDownloaded)
	if !ok {
		return Download{}, fmt.Errorf("download export: %w: %w", domain.ErrPrecondition, ErrExportRequestReused)
	}
	if step.repeated {
		if file, err = a.rebuildDownload(ctx, actor, step.export, ev); err != nil {
			return Download{}, fmt.Errorf("download export: %w", err)
		}
	}
	return Download{
		CSV: file, Filename: "holdfast-export-" + exportID + ".csv", Rows: int(ev.GetRows()),
		SHA256: ev.GetSha256(), Sequence: step.sequence,
	}, nil
}

// rebuildDownload remakes the file a stored ExportDownloaded records, from
// the customers it lists, and returns it only if its digest matches.
func (a *App) rebuildDownload(ctx context.Context, actor domain.Actor, e domain.Export, ev *clientv1.ExportDownloaded) ([]byte, error) {
	if err := domain.CheckDownload(actor, e); err != nil {
		return nil, err
	}
	if err := a.catchUp(ctx); err != nil {
		return nil, err
	}
	customers := make([]domain.Customer, 0, len(ev.GetCustomerIds()))
	for _, id := range ev.GetCustomerIds() {
		c, err := a.store.GetCustomer(ctx, actor.Tenant, id)
		if errors.Is(err, domain.ErrNotFound) {
			return nil, fmt.Errorf("%w: a customer of this download is gone; download again with a new request_id", domain.ErrPrecondition)
		}
		if err != nil {
			return nil, err
		}
		customers = append(customers, c)
	}
	file, err := domain.ExportCSV(e, ev.GetRecipient(), customers)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(file); hex.EncodeToString(sum[:]) != ev.GetSha256() {
		return nil, fmt.Errorf("%w: the customers of this download changed since it was recorded; download again with a new request_id", domain.ErrPrecondition)
	}
	return file, nil
}

// GetExport returns an export to its requester and to those who decide on
// or audit exports. It reads the export's own events, so it is never
// behind a write.
func (a *App) GetExport(ctx context.Context, actor domain.Actor, exportID string) (domain.Export, error) {
	if err := checkExportID(exportID); err != nil {
		return domain.Export{}, err
	}
	agg, err := a.log.Load(ctx, ref(actor.Tenant, typeExport, exportID))
	if err != nil {
		return domain.Export{}, fmt.Errorf("get export: %w", err)
	}
	if len(agg.Records) == 0 {
		return domain.Export{}, fmt.Errorf("export %s: %w", exportID, domain.ErrNotFound)
	}
	e, err := foldExport(agg.Records)
	if err != nil {
		return domain.Export{}, fmt.Errorf("get export: %w", err)
	}
	if actor, err = a.withVisibility(ctx, actor); err != nil {
		return domain.Export{}, fmt.Errorf("get export: %w", err)
	}
	if !actor.CanReadExport(e) {
		return domain.Export{}, fmt.Errorf("get export: %w: only the requester, their manager, hr, an auditor or an admin", domain.ErrPermissionDenied)
	}
	return e, nil
}

func checkExportID(id string) error {
	if !eventlog.ValidToken(id) {
		return invalidID("export_id")
	}
	return nil
}

// exportStep is what one command did to an export, or, for a retry, what
// its first attempt did.
type exportStep struct {
	// export is the export right after the step's event.
	export   domain.Export
	event    proto.Message
	sequence uint64
	repeated bool
}

// decideOnExport runs load → decide → append on one export, deciding again
// on a concurrent change (bounded). Event ids are scoped to the caller,
// since several people write to one export; a retry finds its first event
// and writes nothing.
func (a *App) decideOnExport(ctx context.Context, actor domain.Actor, exportID, requestID string,
	decide func(domain.Export) (proto.Message, error),
) (exportStep, error) {
	scoped := callerScopedID(actor, "request", requestID)
	r := ref(actor.Tenant, typeExport, exportID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return exportStep{}, err
		}
		if len(agg.Records) == 0 {
			return exportStep{}, fmt.Errorf("export %s: %w", exportID, domain.ErrNotFound)
		}
		for i, rec := range agg.Records {
			if rec.Envelope.GetRequestId() != scoped {
				continue
			}
			e, err := foldExport(agg.Records[:i+1])
			if err != nil {
				return exportStep{}, err
			}
			msg, err := rec.Payload()
			if err != nil {
				return exportStep{}, err
			}
			return exportStep{export: e, event: msg, sequence: rec.Sequence, repeated: true}, nil
		}
		e, err := foldExport(agg.Records)
		if err != nil {
			return exportStep{}, err
		}
		ev, err := decide(e)
		if err != nil {
			return exportStep{}, err
		}
		now := a.now(ctx)
		res, err := a.appendFresh(ctx, eventlog.AppendRequest{
			Ref: r, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, OccurredAt: now, Payload: ev,
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return exportStep{}, err
		}
		after, err := applyExportEvent(e, actor.EmployeeID, now, ev)
		if err != nil {
			return exportStep{}, err
		}
		return exportStep{export: after, event: ev, sequence: res.Sequence}, nil
	}
}

// selectCustomers pages through the customers f selects now, within what
// the requester sees now (their visibility decided), once the read model
// holds everything CLIENT held when it was called.
func (a *App) selectCustomers(ctx context.Context, requester domain.Actor, f domain.ExportFilter) ([]domain.Customer, error) {
	if err := a.catchUp(ctx); err != nil {
		return nil, err
	}
	var out []domain.Customer
	lf := store.ListFilter{OwnerID: f.OwnerID, InPool: f.InPool, Source: f.Source, Limit: exportPageSize}
	if v := requester.Visibility(); !f.InPool && v.Tier != domain.TierAll {
		lf.Holders = store.NewHolders(append(v.Members(), requester.EmployeeID), requester.SeesPool())
	}
	for {
		page, err := a.store.ListCustomers(ctx, requester.Tenant, lf)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(out) > domain.MaxExportRows {
			return nil, fmt.Errorf("%w: the filter selects more than %d customers; narrow it", domain.ErrPrecondition, domain.MaxExportRows)
		}
		if len(page) < lf.Limit {
			return out, nil
		}
		lf.After = page[len(page)-1].ID
	}
}

// foldExport rebuilds an export from its events.
func foldExport(records []eventlog.Record) (domain.Export, error) {
	var e domain.Export
	for i, rec := range records {
		msg, err := rec.Payload()
		if err != nil {
			return e, err
		}
		if _, opens := msg.(*clientv1.ExportRequested); opens != (i == 0) {
			return e, fmt.Errorf("%w: export %s does not open with exactly one ExportRequested", ErrCorruptHistory, rec.Envelope.GetAggregateId())
		}
		if e, err = applyExportEvent(e, rec.Envelope.GetActorId(), rec.Envelope.GetOccurredAt().AsTime(), msg); err != nil {
			return e, err
		}
	}
	return e, nil
}

// applyExportEvent is e after one of its events, written by actorID at at.
func applyExportEvent(e domain.Export, actorID string, at time.Time, msg proto.Message) (domain.Export, error) {
	switch ev := msg.(type) {
	case *clientv1.ExportRequested:
		return domain.Export{
			ID:              ev.GetExportId(),
			RequestedBy:     actorID,
			Filter:          ExportFilterFromProto(ev.GetFilter()),
			Reason:          ev.GetReason(),
			IncludeContacts: ev.GetIncludeContacts(),
			CustomerCount:   int(ev.GetCustomerCount()),
			Status:          domain.ExportStatusRequested,
			RequestedAt:     at,
		}, nil
	case *clientv1.ExportApproved, *clientv1.ExportRejected:
		d, _ := decisionOf(msg)
		d.ExportID = e.ID
		return d.Apply(e, actorID, at), nil
	case *clientv1.ExportDownloaded:
		return e.Downloaded(), nil
	}
	return e, fmt.Errorf("%w: unexpected %s in export %s", ErrCorruptHistory, eventlog.Name(msg), e.ID)
}

// decisionOf reads a decision event; ok is false for any other event.
func decisionOf(msg proto.Message) (domain.ExportDecision, bool) {
	switch ev := msg.(type) {
	case *clientv1.ExportApproved:
		return domain.ExportDecision{ExportID: ev.GetExportId(), Approve: true, Reason: ev.GetReason()}, true
	case *clientv1.ExportRejected:
		return domain.ExportDecision{ExportID: ev.GetExportId(), Reason: ev.GetReason()}, true
	}
	return domain.ExportDecision{}, false
}

// ExportFilterFromProto converts the wire form (nil = every customer).
func ExportFilterFromProto(f *clientv1.ExportFilter) domain.ExportFilter {
	return domain.ExportFilter{
		OwnerID: f.GetOwnerEmployeeId(),
		InPool:  f.GetInPool(),
		Source:  domain.SourceChannel(f.GetSourceChannel()),
	}
}

// ExportFilterToProto converts to the wire form.
func ExportFilterToProto(f domain.ExportFilter) *clientv1.ExportFilter {
	return &clientv1.ExportFilter{
		OwnerEmployeeId: f.OwnerID,
		InPool:          f.InPool,
		SourceChannel:   clientv1.SourceChannel(f.Source),
	}
}
