package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// typeImport is the aggregate recording one finished CSV import.
const typeImport = "import"

// importBatchSize bounds the asynchronous publishes in flight at once,
// below JetStream's default limit of pending acks.
const importBatchSize = 500

// ImportResult is the report of one import.
type ImportResult struct {
	// Imported is true once every row is registered and the import recorded.
	Imported bool
	// Rows counts the file's data rows.
	Rows int
	// Errors are sorted by row and column, at most domain.MaxImportErrors.
	Errors []domain.ImportRowError
	// CustomerIDs are the customers registered, in file order.
	CustomerIDs []string
	// Sequence is the CLIENT sequence of CustomersImported; reading with it
	// as min_sequence sees every imported customer.
	Sequence uint64
}

// ImportCustomers registers every customer of a CSV file, held by the
// caller, or none: a file with any error, in a row or against the
// registry, imports nothing and reports every error. With dryRun it only
// reports. Each row's customer id is derived from the request id and the
// row, so a retry finds the rows written before and writes the rest; a
// retry of a finished import returns the first result.
//
// WARNING: an import is not atomic across aggregates. Every row is checked
// before anything is written, then one CustomerRegistered per row goes
// out in batches, and CustomersImported is appended only after all of
// them. If a row's append fails (the log is unavailable, the deadline
// passes), the rows written stay written: the result says which rows are
// missing, imported is false, and a retry with the same request id
// finishes the import. As with RegisterCustomer, a registration of the
// same customer by someone else between the check and the write is not
// seen; the risk engine's duplicate_customer rule catches it. Two imports
// by one caller at the same instant can together pass the cap on
// customers held.
func (a *App) ImportCustomers(ctx context.Context, actor domain.Actor, requestID string, csv []byte, dryRun bool) (ImportResult, error) {
	if !actor.CanRegister() {
		return ImportResult{}, fmt.Errorf("import customers: %w: requires sales, senior_sales, manager or admin", domain.ErrPermissionDenied)
	}
	file, err := domain.ParseImport(csv, a.now(ctx))
	if err := joinViolations(checkRequestID(requestID), err); err != nil {
		return ImportResult{}, err
	}
	digest := sha256.Sum256(csv)
	sum := hex.EncodeToString(digest[:])
	importRef := ref(actor.Tenant, typeImport, callerScopedID(actor, typeImport, requestID))
	if done, found, err := a.finishedImport(ctx, importRef, sum); err != nil || found {
		return done, wrap("import customers", err)
	}

	res := ImportResult{Rows: file.DataRows, Errors: file.Errors}
	ids := make([]string, len(file.Rows))
	for i, row := range file.Rows {
		ids[i] = importedCustomerID(actor, requestID, row.Row)
	}
	var written []bool
	if len(file.Rows) > 0 {
		var errs []domain.ImportRowError
		written, errs, err = a.checkImportRows(ctx, actor, requestID, file.Rows, ids)
		if err != nil {
			return ImportResult{}, fmt.Errorf("import customers: %w", err)
		}
		res.Errors = append(res.Errors, errs...)
	}
	res.Errors = domain.SummarizeImportErrors(res.Errors)
	a.logger.InfoContext(ctx, "customer import checked", "tenant", actor.Tenant, "employee", actor.EmployeeID,
		"rows", res.Rows, "errors", len(res.Errors), "dry_run", dryRun)
	if dryRun || len(res.Errors) > 0 {
		return res, nil
	}
	return a.writeImport(ctx, actor, requestID, importRef, sum, file.Rows, ids, written)
}

// importedCustomerID is the id of the customer a row of an import
// registers. The request id and row are joined with a character no
// request id holds, so no RegisterCustomer request id derives it too.
func importedCustomerID(actor domain.Actor, requestID string, row int) string {
	return callerScopedID(actor, typeCustomer, requestID+"#"+strconv.Itoa(row))
}

// errAnotherFile refuses a request id reused for a different file.
var errAnotherFile = fmt.Errorf("%w: request_id was already used to import another file", domain.ErrPrecondition)

// finishedImport returns the result of the import recorded at r, if any.
// The same request id with another file is refused.
func (a *App) finishedImport(ctx context.Context, r eventlog.AggregateRef, sum string) (ImportResult, bool, error) {
	agg, err := a.log.Load(ctx, r)
	if err != nil || len(agg.Records) == 0 {
		return ImportResult{}, false, err
	}
	rec := agg.Records[0]
	msg, err := rec.Payload()
	if err != nil {
		return ImportResult{}, false, err
	}
	ev, ok := msg.(*clientv1.CustomersImported)
	if !ok {
		return ImportResult{}, false, fmt.Errorf("%w: unexpected %s in import %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), r.ID)
	}
	if ev.GetSha256() != sum {
		return ImportResult{}, false, errAnotherFile
	}
	return ImportResult{Imported: true, Rows: int(ev.GetRows()), CustomerIDs: ev.GetCustomerIds(), Sequence: rec.Sequence}, true, nil
}

// checkImportRows looks every row up in the registry, once the read model
// has caught up with CLIENT, and checks the caller may hold them all.
// A row whose own customer exists was written by an earlier attempt of
// this import: it is no duplicate, and written reports it.
//
// A row that is another employee's customer is recorded on that customer as
// DuplicateRegistrationAttempted, dry run or not, exactly as a single
// registration would be: an import must not be a way to test the registry
// for free.
func (a *App) checkImportRows(ctx context.Context, actor domain.Actor, requestID string, rows []domain.ImportRow, ids []string) (written []bool, errs []domain.ImportRowError, err error) {
	if err := a.catchUp(ctx); err != nil {
		return nil, nil, err
	}
	written = make([]bool, len(rows))
	toWrite := len(rows)
	for i, row := range rows {
		keys := domain.KeysOf(registeredCustomer(actor, "", row.Registration, 0))
		found, err := a.store.FindByIdentity(ctx, actor.Tenant, keys)
		if err != nil {
			return nil, nil, err
		}
		for _, existing := range found {
			if existing.ID == ids[i] {
				if !sameRegistration(existing, row.Registration) {
					return nil, nil, errAnotherFile
				}
				written[i] = true
				toWrite--
				continue
			}
			if on := keys.Matches(existing); on != nil {
				// Who holds it is not the importer's business; the
				// column says which value to look at.
				errs = append(errs, domain.ImportRowError{Row: row.Row, Column: importColumn(on[0]), Message: "already registered"})
				if existing.OwnerID != "" && existing.OwnerID != actor.EmployeeID {
					if err := a.recordDuplicate(ctx, actor, fmt.Sprintf("%s#%d", requestID, row.Row), existing, on, keys); err != nil {
						return nil, nil, err
					}
				}
				break
			}
		}
	}
	policy, _, err := a.Policy(ctx, actor.Tenant)
	if err != nil {
		return nil, nil, err
	}
	held, err := a.store.CountHeld(ctx, actor.Tenant, actor.EmployeeID)
	if err != nil {
		return nil, nil, err
	}
	// Rows written by an earlier attempt are counted in held already.
	if held+toWrite > policy.MaxCustomersHeld {
		errs = append(errs, domain.ImportRowError{Row: 1, Message: fmt.Sprintf(
			"the file has %d customers, but you hold %d of at most %d: you may take %d more",
			toWrite, held, policy.MaxCustomersHeld, max(0, policy.MaxCustomersHeld-held))})
	}
	return written, errs, nil
}

// importColumn is the file column of a key IdentityKeys.Matches names.
func importColumn(matchedOn string) string {
	if matchedOn == "phone" {
		return "phones"
	}
	return matchedOn
}

// writeImport appends each row's CustomerRegistered not yet written, then
// CustomersImported.
func (a *App) writeImport(ctx context.Context, actor domain.Actor, requestID string, importRef eventlog.AggregateRef, sum string,
	rows []domain.ImportRow, ids []string, written []bool,
) (ImportResult, error) {
	res := ImportResult{Rows: len(rows)}
	var pending []int // indexes of rows to append
	for i := range rows {
		if !written[i] {
			pending = append(pending, i)
		}
	}
	var failed []int
	var firstErr error
	for batch := range slices.Chunk(pending, importBatchSize) {
		reqs := make([]eventlog.AppendRequest, len(batch))
		for k, i := range batch {
			r := rows[i].Registration
			reqs[k] = eventlog.AppendRequest{
				Ref:        ref(actor.Tenant, typeCustomer, ids[i]),
				RequestID:  requestID,
				ActorID:    actor.EmployeeID,
				OccurredAt: r.OccurredAt,
				Payload:    customerRegisteredEvent(ids[i], actor.EmployeeID, r),
			}
		}
		results, err := a.log.AppendBatch(ctx, reqs)
		if err != nil {
			// The context ended: some rows may be written; a retry finds them.
			return ImportResult{}, fmt.Errorf("import customers: %w", err)
		}
		for k, out := range results {
			i := batch[k]
			if err := out.Err; err != nil {
				ours, lerr := a.isImportedRow(ctx, actor, requestID, ids[i], rows[i].Registration, err)
				if errors.Is(lerr, errAnotherFile) {
					return ImportResult{}, fmt.Errorf("import customers: %w", lerr)
				}
				if !ours {
					failed = append(failed, i)
					if firstErr == nil {
						firstErr = errors.Join(err, lerr)
					}
					continue
				}
			}
			written[i] = true
		}
	}
	for i, ok := range written {
		if ok {
			res.CustomerIDs = append(res.CustomerIDs, ids[i])
		}
	}
	if len(failed) > 0 {
		a.logger.WarnContext(ctx, "customer import incomplete", "tenant", actor.Tenant, "employee", actor.EmployeeID,
			"rows", len(rows), "failed", len(failed), "error", firstErr)
		for _, i := range failed {
			res.Errors = append(res.Errors, domain.ImportRowError{
				Row:     rows[i].Row,
				Message: "not written: the event log did not take it; the other rows are written, so import the same file with the same request_id again to finish",
			})
		}
		res.Errors = domain.SummarizeImportErrors(res.Errors)
		return res, nil
	}
	ev := &clientv1.CustomersImported{
		ImportId:    importRef.ID,
		Rows:        int32(len(rows)),
		Sha256:      sum,
		CustomerIds: ids,
	}
	out, err := a.log.Append(ctx, eventlog.AppendRequest{Ref: importRef, RequestID: requestID, ActorID: actor.EmployeeID, OccurredAt: a.now(ctx), Payload: ev})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import customers: %w", err)
	}
	if out.Duplicate {
		// A concurrent attempt finished first; its file decides.
		done, _, err := a.finishedImport(ctx, importRef, sum)
		return done, wrap("import customers", err)
	}
	a.logger.InfoContext(ctx, "customers imported", "tenant", actor.Tenant, "employee", actor.EmployeeID,
		"rows", len(rows), "sequence", out.Sequence)
	return ImportResult{Imported: true, Rows: len(rows), CustomerIDs: ids, Sequence: out.Sequence}, nil
}

// isImportedRow reports whether a row whose append failed with appendErr
// is in the log anyway: a concurrent attempt of the same import wrote it.
func (a *App) isImportedRow(ctx context.Context, actor domain.Actor, requestID, id string, r domain.Registration, appendErr error) (bool, error) {
	if !errors.Is(appendErr, eventlog.ErrConflict) {
		return false, nil
	}
	cref := ref(actor.Tenant, typeCustomer, id)
	agg, err := a.log.Load(ctx, cref)
	if err != nil || len(agg.Records) == 0 {
		return false, err
	}
	if agg.Records[0].Envelope.GetEventId() != eventlog.EventID(cref, requestID, 0) {
		return false, nil
	}
	c, err := foldCustomer(agg)
	if err != nil {
		return false, err
	}
	if !sameRegistration(c, r) {
		return false, errAnotherFile
	}
	return true, nil
}
