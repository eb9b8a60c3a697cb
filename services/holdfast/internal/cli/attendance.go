package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/holdfast/holdfast/pkg/workcal"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// attendanceCmd holds the flags every attendance command shares.
type attendanceCmd struct {
	fs        *flag.FlagSet
	id        identity
	addr      *string
	requestID *string
	quiet     *bool
}

func newAttendanceCmd(name string, env Env, quietHelp string) *attendanceCmd {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	c := &attendanceCmd{fs: fs}
	c.id.register(fs, env)
	c.addr = fs.String("addr", envOr(env, "HOLDFAST_ATTENDANCE_ADDR", "127.0.0.1:7103"), "AttendanceService address (env HOLDFAST_ATTENDANCE_ADDR)")
	c.requestID = fs.String("request-id", "", "idempotency key (default: a new UUID)")
	c.quiet = fs.Bool("q", false, quietHelp)
	return c
}

// run parses args, connects, and calls fn with the client and request id.
func (c *attendanceCmd) run(ctx context.Context, args []string, fn func(context.Context, attendancev1.AttendanceServiceClient, string) error) error {
	if err := c.fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *c.requestID == "" {
		*c.requestID = uuid.NewString()
	}
	conn, err := c.id.connect(*c.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	return fn(ctx, attendancev1.NewAttendanceServiceClient(conn), *c.requestID)
}

// OrgUnit implements `holdfast orgunit create|list`.
func OrgUnit(ctx context.Context, env Env, sub string, args []string) error {
	switch sub {
	case "create":
		return createOrgUnit(ctx, env, args)
	case "list":
		c := newAttendanceCmd("orgunit list", env, "print only ids")
		parent := c.fs.String("parent", "", "list only this unit's children")
		return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, _ string) error {
			r, err := a.ListOrgUnits(ctx, &attendancev1.ListOrgUnitsRequest{ParentId: *parent, PageSize: 500})
			if err != nil {
				return err
			}
			for _, u := range r.GetOrgUnits() {
				if *c.quiet {
					fmt.Fprintln(env.Stdout, u.GetOrgUnitId())
					continue
				}
				kind := strings.ToLower(strings.TrimPrefix(u.GetKind().String(), "ORG_UNIT_KIND_"))
				fmt.Fprintf(env.Stdout, "%s  %-7s %s  parent %s %s\n", u.GetOrgUnitId(), kind, u.GetName(), orDash(u.GetParentId()), u.GetTimeZone())
			}
			return nil
		})
	}
	return fmt.Errorf("%w: orgunit create|list", ErrUsage)
}

func createOrgUnit(ctx context.Context, env Env, args []string) error {
	c := newAttendanceCmd("orgunit create", env, "print only the new org unit's id")
	kind := c.fs.String("kind", "", "company, branch or team")
	name := c.fs.String("name", "", "the unit's name")
	parent := c.fs.String("parent", "", "parent org unit id (not for a company)")
	tz := c.fs.String("tz", "", "branch time zone, e.g. Asia/Shanghai")
	weekdays := c.fs.String("weekdays", "1-5", "branch working weekdays: 1-5, or a list such as 1,2,3,4,5,6 (1 = Monday)")
	holidays := c.fs.String("holidays", "", "branch public holidays: dates or FROM..TO ranges, comma-separated")
	return c.run(ctx, args, func(ctx context.Context, a attendancev1.AttendanceServiceClient, rid string) error {
		k, ok := attendancev1.OrgUnitKind_value["ORG_UNIT_KIND_"+strings.ToUpper(*kind)]
		if !ok || *kind == "" {
			return fmt.Errorf("%w: --kind must be company, branch or team", ErrUsage)
		}
		req := &attendancev1.CreateOrgUnitRequest{RequestId: rid, ParentId: *parent, Kind: attendancev1.OrgUnitKind(k), Name: *name}
		if req.Kind == attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH {
			days, err := parseWeekdays(*weekdays)
			if err != nil {
				return err
			}
			hols, err := parseHolidays(*holidays)
			if err != nil {
				return err
			}
			req.TimeZone, req.WorkingWeekdays, req.Holidays = *tz, days, hols
		}
		r, err := a.CreateOrgUnit(ctx, req)
		if err != nil {
			return err
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, r.GetOrgUnit().GetOrgUnitId())
			return nil
		}
		fmt.Fprintf(env.Stdout, "org unit %s created (ATTENDANCE sequence %d)\n", r.GetOrgUnit().GetOrgUnitId(), r.GetSequence())
		return nil
	})
}

// parseWeekdays reads "1-5" or "1,2,3".
func parseWeekdays(s string) ([]int32, error) {
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a < 1 || b > 7 || a > b {
			return nil, fmt.Errorf("%w: --weekdays %q: want a range like 1-5 within 1-7", ErrUsage, s)
		}
		var out []int32
		for d := a; d <= b; d++ {
			out = append(out, int32(d)) //nolint:gosec // 1-7
		}
		return out, nil
	}
	var out []int32
	for _, f := range strings.Split(s, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || d < 1 || d > 7 {
			return nil, fmt.Errorf("%w: --weekdays %q: want weekdays 1 (Monday) to 7 (Sunday)", ErrUsage, s)
		}
		out = append(out, int32(d)) //nolint:gosec // 1-7
	}
	return out, nil
}

// maxHolidayDays bounds one holiday range typed on the command line.
const maxHolidayDays = 60

// parseHolidays reads "2026-10-01..2026-10-07,2027-01-01" into single days.
func parseHolidays(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := workcal.ParsePeriod(f)
		if err != nil || p.To-p.From >= maxHolidayDays {
			return nil, fmt.Errorf("%w: --holidays %q: want YYYY-MM-DD or FROM..TO (at most %d days)", ErrUsage, f, maxHolidayDays)
		}
		for d := p.From; d <= p.To; d++ {
			out = append(out, d.String())
		}
	}
	return out, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
