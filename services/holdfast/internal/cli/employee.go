package cli

import (
	"context"
	"fmt"
	"strings"

	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// employeeSubcommands lists what `holdfast employee` does.
const employeeSubcommands = "employee hire|transfer|role|leave|resign|withdraw|depart|get|list|timeline|workday"

// Employee implements `holdfast employee …`: the lifecycle commands print
// the employee after the change (-q: the ATTENDANCE sequence written), the
// queries print what they read.
func Employee(ctx context.Context, env Env, sub string, args []string) error {
	c := newAttendanceCmd("employee "+sub, env, "print only the ATTENDANCE sequence written")
	employee := c.fs.String("employee", "", "employee id")
	switch sub {
	case "hire":
		name := c.fs.String("name", "", "full name")
		unit := c.fs.String("unit", "", "org unit id")
		manager := c.fs.String("manager", "", "manager's employee id (optional)")
		role := c.fs.String("employee-role", "sales", "the job: sales, senior_sales, manager, hr, auditor or admin (--role is the caller's)")
		start := c.fs.String("start", "", "start date YYYY-MM-DD")
		return c.change(ctx, env, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) (*attendancev1.Employee, uint64, error) {
			r, err := a.HireEmployee(ctx, &attendancev1.HireEmployeeRequest{RequestId: rid, EmployeeId: *employee, Name: *name, OrgUnitId: *unit, ManagerId: *manager, Role: *role, StartDate: *start})
			return r.GetEmployee(), r.GetSequence(), err
		})
	case "transfer":
		unit := c.fs.String("unit", "", "org unit after the move")
		manager := c.fs.String("manager", "", "manager after the move (empty: none)")
		effective := c.fs.String("effective", "", "effective date YYYY-MM-DD")
		return c.change(ctx, env, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) (*attendancev1.Employee, uint64, error) {
			r, err := a.TransferEmployee(ctx, &attendancev1.TransferEmployeeRequest{RequestId: rid, EmployeeId: *employee, OrgUnitId: *unit, ManagerId: *manager, EffectiveDate: *effective})
			return r.GetEmployee(), r.GetSequence(), err
		})
	case "role":
		to := c.fs.String("to", "", "the new role")
		effective := c.fs.String("effective", "", "effective date YYYY-MM-DD")
		return c.change(ctx, env, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) (*attendancev1.Employee, uint64, error) {
			r, err := a.ChangeRole(ctx, &attendancev1.ChangeRoleRequest{RequestId: rid, EmployeeId: *employee, Role: *to, EffectiveDate: *effective})
			return r.GetEmployee(), r.GetSequence(), err
		})
	case "leave":
		from := c.fs.String("from", "", "first day of leave")
		to := c.fs.String("to", "", "last day of leave")
		kind := c.fs.String("type", "annual", "annual, sick, personal or other")
		return c.change(ctx, env, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) (*attendancev1.Employee, uint64, error) {
			t, ok := attendancev1.LeaveType_value["LEAVE_TYPE_"+strings.ToUpper(*kind)]
			if !ok {
				return nil, 0, fmt.Errorf("%w: --type must be annual, sick, personal or other", ErrUsage)
			}
			r, err := a.RecordLeave(ctx, &attendancev1.RecordLeaveRequest{RequestId: rid, EmployeeId: *employee, StartDate: *from, EndDate: *to, LeaveType: attendancev1.LeaveType(t)})
			return r.GetEmployee(), r.GetSequence(), err
		})
	case "resign":
		notice := c.fs.String("notice", "", "notice date")
		last := c.fs.String("last-day", "", "planned last day")
		return c.change(ctx, env, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) (*attendancev1.Employee, uint64, error) {
			r, err := a.NoticeResignation(ctx, &attendancev1.NoticeResignationRequest{RequestId: rid, EmployeeId: *employee, NoticeDate: *notice, PlannedLastDay: *last})
			return r.GetEmployee(), r.GetSequence(), err
		})
	case "withdraw":
		return c.change(ctx, env, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) (*attendancev1.Employee, uint64, error) {
			r, err := a.WithdrawResignation(ctx, &attendancev1.WithdrawResignationRequest{RequestId: rid, EmployeeId: *employee})
			return r.GetEmployee(), r.GetSequence(), err
		})
	case "depart":
		last := c.fs.String("last-day", "", "last day worked")
		return c.change(ctx, env, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) (*attendancev1.Employee, uint64, error) {
			r, err := a.RecordDeparture(ctx, &attendancev1.RecordDepartureRequest{RequestId: rid, EmployeeId: *employee, LastDay: *last})
			return r.GetEmployee(), r.GetSequence(), err
		})
	case "get":
		minSeq := c.fs.Uint64("min-sequence", 0, "wait until the read model has this ATTENDANCE sequence")
		return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, _ string) error {
			r, err := a.GetEmployee(ctx, &attendancev1.GetEmployeeRequest{EmployeeId: *employee, MinSequence: *minSeq})
			if err != nil {
				return err
			}
			printEmployee(env, r.GetEmployee())
			return nil
		})
	case "list":
		unit := c.fs.String("unit", "", "only this org unit")
		subunits := c.fs.Bool("subunits", false, "with --unit: include every unit below it")
		minSeq := c.fs.Uint64("min-sequence", 0, "wait until the read model has this ATTENDANCE sequence")
		return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, _ string) error {
			token := ""
			for {
				r, err := a.ListEmployees(ctx, &attendancev1.ListEmployeesRequest{OrgUnitId: *unit, IncludeSubunits: *subunits, PageSize: 200, PageToken: token, MinSequence: *minSeq})
				if err != nil {
					return err
				}
				for _, e := range r.GetEmployees() {
					printEmployee(env, e)
				}
				if token = r.GetNextPageToken(); token == "" {
					return nil
				}
			}
		})
	case "timeline":
		return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, _ string) error {
			r, err := a.GetEmployeeTimeline(ctx, &attendancev1.GetEmployeeTimelineRequest{EmployeeId: *employee})
			if err != nil {
				return err
			}
			for _, e := range r.GetEntries() {
				fmt.Fprintf(env.Stdout, "#%-6d %s  by %-8s %s\n", e.GetSequence(), e.GetOccurredAt().AsTime().Format("2006-01-02 15:04"), e.GetActorId(), e.GetSummary())
			}
			return nil
		})
	case "workday":
		date := c.fs.String("date", "", "the day, YYYY-MM-DD")
		return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, _ string) error {
			r, err := a.IsWorkingDay(ctx, &attendancev1.IsWorkingDayRequest{EmployeeId: *employee, Date: *date})
			if err != nil {
				return err
			}
			kind := strings.ToLower(strings.TrimPrefix(r.GetKind().String(), "DAY_KIND_"))
			fmt.Fprintf(env.Stdout, "%s for %s: %s (calendar of %s, %s)\n", *date, *employee, kind, orDash(r.GetBranchId()), r.GetTimeZone())
			return nil
		})
	}
	return fmt.Errorf("%w: %s", ErrUsage, employeeSubcommands)
}

// change runs a lifecycle command and prints its result.
func (c *attendanceCmd) change(ctx context.Context, env Env, args []string,
	fn func(context.Context, attendancev1.AttendanceServiceClient, string) (*attendancev1.Employee, uint64, error),
) error {
	return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) error {
		e, seq, err := fn(ctx, a, rid)
		if err != nil {
			return err
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, seq)
			return nil
		}
		printEmployee(env, e)
		fmt.Fprintf(env.Stdout, "  (ATTENDANCE sequence %d)\n", seq)
		return nil
	})
}

func printEmployee(env Env, e *attendancev1.Employee) {
	status := strings.ToLower(strings.TrimPrefix(e.GetStatus().String(), "EMPLOYEE_STATUS_"))
	fmt.Fprintf(env.Stdout, "%s  %s  %s in %s, manager %s, %s since %s", e.GetEmployeeId(), e.GetName(), e.GetRole(),
		e.GetOrgUnitId(), orDash(e.GetManagerId()), status, e.GetStartDate())
	if e.GetPlannedLastDay() != "" {
		fmt.Fprintf(env.Stdout, ", leaving %s", e.GetPlannedLastDay())
	}
	if e.GetLastDay() != "" {
		fmt.Fprintf(env.Stdout, ", left %s", e.GetLastDay())
	}
	fmt.Fprintln(env.Stdout)
}
