package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

// TimelineEntry is one lifecycle event of an employee, as HR reads it.
type TimelineEntry struct {
	Sequence   uint64
	EventID    string
	EventType  string
	OccurredAt time.Time
	ActorID    string
	Summary    string
	// SummaryZH is Summary in Chinese.
	SummaryZH string
}

// EmployeeTimeline lists an employee's lifecycle events (and, for hr,
// auditors and admins, the reveals of their name), oldest first, read
// from the log itself (the authority, and what evidence cites), for
// whoever may read the employee.
func (a *App) EmployeeTimeline(ctx context.Context, actor domain.Actor, employeeID string) ([]TimelineEntry, error) {
	if err := checkID("employee_id", employeeID); err != nil {
		return nil, err
	}
	// Whoever may not read everyone is checked against the read model
	// before the log is touched, so nothing of the history reaches them.
	if !actor.ReadsEveryone() {
		if _, err := a.readableEmployee(ctx, actor, employeeID, "employee timeline"); err != nil {
			return nil, err
		}
	}
	agg, err := a.log.Load(ctx, ref(actor.Tenant, typeEmployee, employeeID))
	if err != nil {
		return nil, fmt.Errorf("employee timeline: %w", err)
	}
	if len(agg.Records) == 0 {
		return nil, fmt.Errorf("employee %s: %w", employeeID, domain.ErrNotFound)
	}
	out := make([]TimelineEntry, 0, len(agg.Records))
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return nil, err
		}
		out = append(out, TimelineEntry{
			Sequence: rec.Sequence, EventID: rec.Envelope.GetEventId(), EventType: eventlog.TypeName(rec.Envelope),
			OccurredAt: rec.Envelope.GetOccurredAt().AsTime(), ActorID: rec.Envelope.GetActorId(), Summary: summarize(msg), SummaryZH: summarizeZH(msg),
		})
	}
	// Who revealed the employee's name, and why, is an audit trail: those
	// who read everyone see it; the employee and their managers do not,
	// even when the employee is themselves hr, an auditor or an admin.
	if actor.ReadsEveryone() && actor.EmployeeID != employeeID {
		reveals, err := a.revealEntries(ctx, actor.Tenant, employeeID)
		if err != nil {
			return nil, err
		}
		out = append(out, reveals...)
		slices.SortFunc(out, func(x, y TimelineEntry) int { return cmp.Compare(x.Sequence, y.Sequence) })
	}
	return out, nil
}

// summarize is a one-line English account of a lifecycle event.
func summarize(msg any) string {
	switch ev := msg.(type) {
	case *attendancev1.EmployeeHired:
		return fmt.Sprintf("hired as %s into %s from %s%s", ev.GetRole(), ev.GetOrgUnitId(), ev.GetStartDate(), managerNote(" reporting to ", ev.GetManagerId()))
	case *attendancev1.EmployeeTransferred:
		return fmt.Sprintf("transferred from %s to %s (manager %s → %s) from %s",
			ev.GetFromOrgUnitId(), ev.GetToOrgUnitId(), orNone(ev.GetFromManagerId()), orNone(ev.GetToManagerId()), ev.GetEffectiveDate())
	case *attendancev1.EmployeeRoleChanged:
		return fmt.Sprintf("role changed from %s to %s from %s", ev.GetFromRole(), ev.GetToRole(), ev.GetEffectiveDate())
	case *attendancev1.LeaveRecorded:
		return fmt.Sprintf("%s leave %s to %s", leaveName(ev.GetLeaveType()), ev.GetStartDate(), ev.GetEndDate())
	case *attendancev1.ResignationNoticed:
		return fmt.Sprintf("gave notice on %s, planned last day %s", ev.GetNoticeDate(), ev.GetPlannedLastDay())
	case *attendancev1.ResignationWithdrawn:
		return "withdrew the resignation"
	case *attendancev1.EmployeeDeparted:
		return fmt.Sprintf("departed, last day %s", ev.GetLastDay())
	case *attendancev1.EmployeeIdentityRevealed:
		return fmt.Sprintf("name revealed to %s: %s", ev.GetActorId(), ev.GetReason())
	}
	return "unrecognised event"
}

// summarizeZH is summarize in Chinese.
func summarizeZH(msg any) string {
	switch ev := msg.(type) {
	case *attendancev1.EmployeeHired:
		return fmt.Sprintf("自 %s 以 %s 入职 %s%s", ev.GetStartDate(), ev.GetRole(), ev.GetOrgUnitId(), managerNote("，上级 ", ev.GetManagerId()))
	case *attendancev1.EmployeeTransferred:
		return fmt.Sprintf("自 %s 由 %s 调至 %s（上级 %s → %s）",
			ev.GetEffectiveDate(), ev.GetFromOrgUnitId(), ev.GetToOrgUnitId(), orNoneZH(ev.GetFromManagerId()), orNoneZH(ev.GetToManagerId()))
	case *attendancev1.EmployeeRoleChanged:
		return fmt.Sprintf("自 %s 岗位由 %s 改为 %s", ev.GetEffectiveDate(), ev.GetFromRole(), ev.GetToRole())
	case *attendancev1.LeaveRecorded:
		return fmt.Sprintf("%s %s 至 %s", leaveNameZH(ev.GetLeaveType()), ev.GetStartDate(), ev.GetEndDate())
	case *attendancev1.ResignationNoticed:
		return fmt.Sprintf("%s 提出离职，计划最后工作日 %s", ev.GetNoticeDate(), ev.GetPlannedLastDay())
	case *attendancev1.ResignationWithdrawn:
		return "撤回离职申请"
	case *attendancev1.EmployeeDeparted:
		return fmt.Sprintf("已离职，最后工作日 %s", ev.GetLastDay())
	case *attendancev1.EmployeeIdentityRevealed:
		return fmt.Sprintf("姓名已向 %s 披露：%s", ev.GetActorId(), ev.GetReason())
	}
	return "无法识别的事件"
}

func orNoneZH(id string) string {
	if id == "" {
		return "无"
	}
	return id
}

func managerNote(prefix, id string) string {
	if id == "" {
		return ""
	}
	return prefix + id
}

func orNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}

func leaveName(t attendancev1.LeaveType) string {
	switch t {
	case attendancev1.LeaveType_LEAVE_TYPE_ANNUAL:
		return "annual"
	case attendancev1.LeaveType_LEAVE_TYPE_SICK:
		return "sick"
	case attendancev1.LeaveType_LEAVE_TYPE_PERSONAL:
		return "personal"
	}
	return "other"
}

func leaveNameZH(t attendancev1.LeaveType) string {
	switch t {
	case attendancev1.LeaveType_LEAVE_TYPE_ANNUAL:
		return "年假"
	case attendancev1.LeaveType_LEAVE_TYPE_SICK:
		return "病假"
	case attendancev1.LeaveType_LEAVE_TYPE_PERSONAL:
		return "事假"
	}
	return "其他假"
}
