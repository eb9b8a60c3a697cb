package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// typeRule is the rule aggregate: a tenant's RuleUpserted, RuleEnabled and
// RuleDisabled events for one rule id, on risk.<tenant>.rule.<id>. RISK_IN
// sources these subjects, so the engine applies each change at its point.
const typeRule = "rule"

// maxRuleConflictRetries bounds reload-and-decide rounds on a conflict.
const maxRuleConflictRetries = 3

// maxReasonRunes bounds a rule change's reason.
const maxReasonRunes = 500

// ErrRequestReused is wrapped (with domain.ErrPrecondition) when a request
// id that already changed a rule is sent with a different command.
var ErrRequestReused = errors.New("request_id was already used for a different rule command")

func (a Actor) has(roles ...string) bool {
	for _, r := range roles {
		for _, mine := range a.Roles {
			if r == mine {
				return true
			}
		}
	}
	return false
}

func (a Actor) canWriteRules() bool { return a.has("admin") }

// ruleCommand is one rule command: its payload and the decision it makes.
type ruleCommand struct {
	name    string
	ruleID  string
	payload func(next domain.Rule) proto.Message
	decide  func(current domain.Rule) (domain.RuleDecision, error)
}

// UpsertRule validates and compiles d and writes it as the rule's next
// version (admins). expectedVersion 0 skips the version check.
func (a *App) UpsertRule(ctx context.Context, actor Actor, requestID string, d domain.RuleDefinition, expectedVersion uint32, reason string) (domain.Rule, uint64, error) {
	if !actor.canWriteRules() {
		return domain.Rule{}, 0, fmt.Errorf("upsert rule: %w: requires admin", domain.ErrPermissionDenied)
	}
	var v domainerr.Violations
	checkRequestFields(&v, requestID, reason, false)
	_, compileErr := a.compiler.Compile(domain.Rule{Definition: d, Version: 1})
	if err := joinViolations(v.Err(), compileErr); err != nil {
		return domain.Rule{}, 0, err
	}
	return a.changeRule(ctx, actor, requestID, ruleCommand{
		name: "upsert rule", ruleID: d.ID,
		payload: func(next domain.Rule) proto.Message {
			return &riskv1.RuleUpserted{Definition: RuleDefinitionToProto(d), Version: next.Version, Reason: reason}
		},
		decide: func(cur domain.Rule) (domain.RuleDecision, error) {
			return domain.DecideUpsert(cur, d, expectedVersion)
		},
	})
}

// SetRuleEnabled enables (on) or disables a rule (admins). Disabling needs
// a reason. Enabling an enabled rule writes nothing.
func (a *App) SetRuleEnabled(ctx context.Context, actor Actor, requestID, ruleID string, on bool, reason string) (domain.Rule, uint64, error) {
	name := "disable rule"
	if on {
		name = "enable rule"
	}
	if !actor.canWriteRules() {
		return domain.Rule{}, 0, fmt.Errorf("%s: %w: requires admin", name, domain.ErrPermissionDenied)
	}
	var v domainerr.Violations
	checkRequestFields(&v, requestID, reason, !on)
	if !domain.ValidRuleID(ruleID) {
		v.Add("rule_id", "required, 1-64 characters of [a-z0-9_] starting with a letter")
	}
	if err := v.Err(); err != nil {
		return domain.Rule{}, 0, err
	}
	return a.changeRule(ctx, actor, requestID, ruleCommand{
		name: name, ruleID: ruleID,
		payload: func(domain.Rule) proto.Message {
			if on {
				return &riskv1.RuleEnabled{RuleId: ruleID, Reason: reason}
			}
			return &riskv1.RuleDisabled{RuleId: ruleID, Reason: reason}
		},
		decide: func(cur domain.Rule) (domain.RuleDecision, error) { return domain.DecideEnabled(cur, on) },
	})
}

func checkRequestFields(v *domainerr.Violations, requestID, reason string, reasonRequired bool) {
	if !eventlog.ValidToken(requestID) {
		v.Add("request_id", "required, 1-128 characters of [A-Za-z0-9_-]")
	}
	switch {
	case reasonRequired && strings.TrimSpace(reason) == "":
		v.Add("reason", "required")
	case !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxReasonRunes:
		v.Add("reason", "at most %d characters of UTF-8", maxReasonRunes)
	}
}

// changeRule is load → decide → append with the expected sequence, with
// the request id scoped to the caller: a retry returns the first result.
func (a *App) changeRule(ctx context.Context, actor Actor, requestID string, cmd ruleCommand) (domain.Rule, uint64, error) {
	ref := eventlog.AggregateRef{Context: boundedContext, Tenant: actor.Tenant, Type: typeRule, ID: cmd.ruleID}
	scoped := eventlog.DeriveID(boundedContext, actor.Tenant, "rule-request", actor.EmployeeID+"/"+requestID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, ref)
		if err != nil {
			return domain.Rule{}, 0, fmt.Errorf("%s: %w", cmd.name, err)
		}
		if rule, seq, found, err := a.repeated(agg, scoped, cmd); found || err != nil {
			return rule, seq, err
		}
		cur, err := a.foldRule(cmd.ruleID, agg.Records)
		if err != nil {
			return domain.Rule{}, 0, fmt.Errorf("%s: %w", cmd.name, err)
		}
		dec, err := cmd.decide(cur)
		if err != nil {
			return domain.Rule{}, 0, fmt.Errorf("%s: %w", cmd.name, err)
		}
		if !dec.Changed {
			return cur, agg.Position.Sequence, nil
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: ref, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, Payload: cmd.payload(dec.Next),
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxRuleConflictRetries {
			continue
		}
		if err != nil {
			return domain.Rule{}, 0, fmt.Errorf("%s: %w", cmd.name, err)
		}
		if res.Duplicate {
			continue // answer from what was stored
		}
		next, err := a.foldRule(cmd.ruleID, append(agg.Records, eventlog.Record{Envelope: res.Envelope}))
		return next, res.Sequence, err
	}
}

// repeated answers a retried request from the event it wrote.
func (a *App) repeated(agg eventlog.Aggregate, scoped string, cmd ruleCommand) (domain.Rule, uint64, bool, error) {
	for i, rec := range agg.Records {
		if rec.Envelope.GetRequestId() != scoped {
			continue
		}
		rule, err := a.foldRule(cmd.ruleID, agg.Records[:i+1])
		if err != nil {
			return domain.Rule{}, 0, true, fmt.Errorf("%s: %w", cmd.name, err)
		}
		stored, err := rec.Payload()
		if err != nil {
			return domain.Rule{}, 0, true, fmt.Errorf("%s: %w", cmd.name, err)
		}
		if !proto.Equal(stored, cmd.payload(rule)) {
			return domain.Rule{}, 0, true, fmt.Errorf("%s: %w: %w", cmd.name, domain.ErrPrecondition, ErrRequestReused)
		}
		return rule, rec.Sequence, true, nil
	}
	return domain.Rule{}, 0, false, nil
}

// foldRule is the tenant's rule after records, starting from the built-in
// pack's definition when there is one (the zero Rule otherwise).
func (a *App) foldRule(id string, records []eventlog.Record) (domain.Rule, error) {
	r := a.builtin[id]
	for _, rec := range records {
		msg, err := rec.Payload()
		if err != nil {
			return domain.Rule{}, err
		}
		switch ev := msg.(type) {
		case *riskv1.RuleUpserted:
			r = domain.Rule{
				Definition: RuleDefinitionFromProto(ev.GetDefinition()),
				Version:    ev.GetVersion(),
				Enabled:    r.Version > 0 && r.Enabled,
				UpdatedBy:  rec.Envelope.GetActorId(),
				UpdatedAt:  rec.Envelope.GetOccurredAt().AsTime(),
			}
		case *riskv1.RuleEnabled:
			r.Enabled = true
		case *riskv1.RuleDisabled:
			r.Enabled = false
		}
	}
	return r, nil
}

// ruleChangeOf is the engine's view of a rule event read from RISK_IN; ok
// is false for any other event.
func ruleChangeOf(rec eventlog.Record, msg proto.Message) (engine.RuleChange, bool) {
	tenant := rec.Envelope.GetTenantId()
	switch ev := msg.(type) {
	case *riskv1.RuleUpserted:
		return engine.RuleChange{Tenant: tenant, Upserted: &domain.Rule{
			Definition: RuleDefinitionFromProto(ev.GetDefinition()),
			Version:    ev.GetVersion(),
			UpdatedBy:  rec.Envelope.GetActorId(),
			UpdatedAt:  rec.Envelope.GetOccurredAt().AsTime(),
		}}, true
	case *riskv1.RuleEnabled:
		return engine.RuleChange{Tenant: tenant, RuleID: ev.GetRuleId(), Enabled: true}, true
	case *riskv1.RuleDisabled:
		return engine.RuleChange{Tenant: tenant, RuleID: ev.GetRuleId(), Enabled: false}, true
	case *riskv1.RuleSuppressed:
		return engine.RuleChange{Tenant: tenant, RuleID: ev.GetRuleId(), Suppress: &engine.Suppression{
			EmployeeID: ev.GetEmployeeId(), Until: ev.GetUntil().AsTime(),
		}}, true
	}
	return engine.RuleChange{}, false
}

// ListRules is the tenant's rules as the engine has them in force, once it
// has applied the rule changes up to RISK sequence minSeq.
func (a *App) ListRules(ctx context.Context, actor Actor, minSeq uint64) ([]domain.Rule, error) {
	if !actor.canReadAlerts() {
		return nil, fmt.Errorf("list rules: %w: requires hr, auditor, manager or admin", domain.ErrPermissionDenied)
	}
	if err := a.waitRules(ctx, minSeq); err != nil {
		return nil, err
	}
	counts, err := a.store.StatusCounts(ctx, actor.Tenant)
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	a.engineMu.Lock()
	rules := a.engine.Rules(actor.Tenant)
	a.engineMu.Unlock()
	for i := range rules {
		rules[i].Outcomes = domain.OutcomesOf(counts[rules[i].Definition.ID])
	}
	return rules, nil
}

// GetRule is one rule as in force, once the engine has applied minSeq.
func (a *App) GetRule(ctx context.Context, actor Actor, id string, minSeq uint64) (domain.Rule, error) {
	if !actor.canReadAlerts() {
		return domain.Rule{}, fmt.Errorf("get rule: %w: requires hr, auditor, manager or admin", domain.ErrPermissionDenied)
	}
	if !domain.ValidRuleID(id) {
		return domain.Rule{}, domainerr.Violations{{Field: "rule_id", Description: "required, 1-64 characters of [a-z0-9_] starting with a letter"}}.Err()
	}
	if err := a.waitRules(ctx, minSeq); err != nil {
		return domain.Rule{}, err
	}
	a.engineMu.Lock()
	r, ok := a.engine.Rule(actor.Tenant, id)
	a.engineMu.Unlock()
	if !ok {
		return domain.Rule{}, fmt.Errorf("get rule %s: %w", id, domain.ErrNotFound)
	}
	counts, err := a.store.StatusCounts(ctx, actor.Tenant)
	if err != nil {
		return domain.Rule{}, fmt.Errorf("get rule %s: %w", id, err)
	}
	r.Outcomes = domain.OutcomesOf(counts[id])
	return r, nil
}

func (a *App) waitRules(ctx context.Context, minSeq uint64) error {
	if minSeq == 0 {
		return nil
	}
	return a.waitJudged(ctx, []SourcePosition{{Stream: eventlog.StreamRisk, Sequence: minSeq}})
}

// joinViolations merges the validation errors of one request, so the
// caller hears of every bad field at once; any other error wins as it is.
func joinViolations(errs ...error) error {
	var all domainerr.Violations
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ve *domainerr.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		all = append(all, ve.Violations...)
	}
	return all.Err()
}

// maxSuppression bounds how far ahead a suppression may reach.
const maxSuppression = 180 * 24 * time.Hour

// SuppressRule silences a rule for one employee until a time (hr): the
// engine skips the rule for that employee's events that occurred before
// until. The reason is required and, with the actor, stays in RISK.
func (a *App) SuppressRule(ctx context.Context, actor Actor, requestID, ruleID, employeeID string, until time.Time, reason string) (uint64, error) {
	if !actor.canHandleCases() {
		return 0, fmt.Errorf("suppress rule: %w: requires hr", domain.ErrPermissionDenied)
	}
	var v domainerr.Violations
	checkRequestFields(&v, requestID, reason, true)
	if !domain.ValidRuleID(ruleID) {
		v.Add("rule_id", "required, 1-64 characters of [a-z0-9_] starting with a letter")
	}
	if !eventlog.ValidToken(employeeID) {
		v.Add("employee_id", "required, a valid id")
	}
	if now := a.now(); !until.After(now) || until.Sub(now) > maxSuppression {
		v.Add("until", "required, in the future and at most 180 days ahead")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	_, seq, err := a.changeRule(ctx, actor, requestID, ruleCommand{
		name: "suppress rule", ruleID: ruleID,
		payload: func(domain.Rule) proto.Message {
			return &riskv1.RuleSuppressed{RuleId: ruleID, EmployeeId: employeeID, Until: timestamppb.New(until), Reason: reason}
		},
		decide: func(cur domain.Rule) (domain.RuleDecision, error) {
			if cur.Version == 0 {
				return domain.RuleDecision{}, fmt.Errorf("%w: no such rule", domain.ErrNotFound)
			}
			return domain.RuleDecision{Next: cur, Changed: true}, nil
		},
	})
	return seq, err
}
