package app

import (
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// recordStaff feeds the engine's staff projection from one ATTENDANCE
// org-tree or employee event.
func (a *App) recordStaff(rec eventlog.Record, msg proto.Message) {
	tenant, at := rec.Envelope.GetTenantId(), rec.Envelope.GetOccurredAt().AsTime()
	s := engine.StaffEvent{Tenant: tenant, OccurredAt: at, Evidence: evidenceOf(rec)}
	switch ev := msg.(type) {
	case *attendancev1.OrgUnitCreated:
		weekdays := make([]int, 0, len(ev.GetWorkingWeekdays()))
		for _, w := range ev.GetWorkingWeekdays() {
			weekdays = append(weekdays, int(w))
		}
		a.engine.RecordOrgUnit(engine.OrgUnit{
			Tenant: tenant, ID: ev.GetOrgUnitId(), ParentID: ev.GetParentId(),
			TimeZone: ev.GetTimeZone(), WorkingWeekdays: weekdays, Holidays: ev.GetHolidays(),
		})
		return
	case *attendancev1.EmployeeHired:
		s.EmployeeID, s.Kind, s.OrgUnitID, s.Role, s.Date = ev.GetEmployeeId(), engine.StaffHired, ev.GetOrgUnitId(), ev.GetRole(), ev.GetStartDate()
	case *attendancev1.EmployeeTransferred:
		s.EmployeeID, s.Kind, s.OrgUnitID = ev.GetEmployeeId(), engine.StaffTransferred, ev.GetToOrgUnitId()
	case *attendancev1.EmployeeRoleChanged:
		s.EmployeeID, s.Kind, s.Role = ev.GetEmployeeId(), engine.StaffRoleChanged, ev.GetToRole()
	case *attendancev1.LeaveRecorded:
		s.EmployeeID, s.Kind, s.Date, s.EndDate = ev.GetEmployeeId(), engine.StaffLeave, ev.GetStartDate(), ev.GetEndDate()
	case *attendancev1.ResignationNoticed:
		s.EmployeeID, s.Kind, s.Date = ev.GetEmployeeId(), engine.StaffNotice, ev.GetNoticeDate()
	case *attendancev1.ResignationWithdrawn:
		s.EmployeeID, s.Kind = ev.GetEmployeeId(), engine.StaffNoticeWithdrawn
	case *attendancev1.EmployeeDeparted:
		s.EmployeeID, s.Kind, s.Date = ev.GetEmployeeId(), engine.StaffDeparted, ev.GetLastDay()
	default:
		return
	}
	a.engine.RecordStaff(s)
}

// recordBook feeds the engine's book projection from one CLIENT customer
// event that no rule judges by itself.
func (a *App) recordBook(rec eventlog.Record, msg proto.Message) {
	tenant, at := rec.Envelope.GetTenantId(), rec.Envelope.GetOccurredAt().AsTime()
	switch ev := msg.(type) {
	case *clientv1.CustomerRegistered:
		a.engine.RecordRegistration(engine.Registration{
			Tenant: tenant, CustomerID: ev.GetCustomerId(), OwnerID: ev.GetOwnerEmployeeId(),
			RegisteredBy: rec.Envelope.GetActorId(), Source: sourceName(ev.GetSourceChannel()),
			Phones: ev.GetPhones(), WeChatID: ev.GetWechatId(), Email: ev.GetEmail(),
			OccurredAt: at, Evidence: evidenceOf(rec),
		})
	case *clientv1.CustomerOwnerChanged:
		a.engine.RecordOwnerChange(engine.OwnerChange{
			Tenant: tenant, CustomerID: ev.GetCustomerId(), NewOwnerID: ev.GetNewOwnerId(), OccurredAt: at,
		})
	}
}

// sourceName is a source channel as rules name it: "assignment" for
// SOURCE_CHANNEL_ASSIGNMENT.
func sourceName(c clientv1.SourceChannel) string {
	return strings.ToLower(strings.TrimPrefix(c.String(), "SOURCE_CHANNEL_"))
}
