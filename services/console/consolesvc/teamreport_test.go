package consolesvc

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-cmd":                     "'-cmd",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\t=1":                     "'\t=1",
		"team-1":                   "team-1",
		"0.75":                     "0.75",
		"":                         "",
		"华东一组":                     "华东一组",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// The file starts with a UTF-8 BOM, has the header in the user's
// language, a row per total, team and member, fractions for ratios, and
// no cell a spreadsheet would run.
func TestTeamCSV(t *testing.T) {
	figures := &clientv1.ActivityFigures{
		HeldNow: 2, HeldAverage: 1.5, FollowUps: 4, FollowUpsPerCustomerWeek: proto.Float64(4.0 / 3), Weeks: 2,
		DueCustomerWeeks: 3, FollowedCustomerWeeks: 2, Utilisation: proto.Float64(0.75), Registered: 3,
		RegisteredAfterContact: 2, LatenessMedianDays: proto.Float64(7.5), LateOver_7Days: 1,
	}
	rep := teamReport{
		Filter:     teamFilter{From: "2026-03-02", To: "2026-03-15", OrgUnit: "-north"},
		MeasuredTo: "2026-03-16 00:00 UTC",
		Total:      teamRow{OrgUnitID: "-north", Employees: 2, F: figures, Won: 1, Lost: 3},
		Teams: []teamSection{{
			Team:    teamRow{OrgUnitID: "-north", Employees: 2, F: figures, Won: 1, Lost: 3},
			Members: []teamRow{{EmployeeID: "-e1", OrgUnitID: "-north", F: figures, Won: 1, Lost: 3}, {EmployeeID: "e2", OrgUnitID: "-north", F: &clientv1.ActivityFigures{Weeks: 2}}},
		}},
	}
	for _, tt := range []struct {
		lang, firstHeader, memberLevel string
	}{{langEN, "level", "employee"}, {langZH, "层级", "员工"}} {
		b, err := teamCSVBytes(tt.lang, rep, func(id string) string { return id })
		if err != nil {
			t.Fatal(err)
		}
		rest, ok := bytes.CutPrefix(b, []byte("\xef\xbb\xbf"))
		if !ok {
			t.Fatalf("%s: the file does not start with a UTF-8 BOM: %q", tt.lang, b[:min(len(b), 8)])
		}
		rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || rows[0][0] != tt.firstHeader {
			t.Fatalf("%s: %d rows, header %v", tt.lang, len(rows), rows[0])
		}
		want := []string{
			tt.memberLevel, "'-north", "'-e1", "", "2", "1.5", "4", "1.3333333333333333", "2", "3", "2", "0.75",
			"3", "2", "7.5", "1", "1", "3", "0.25", "2026-03-02", "2026-03-16", "2026-03-16 00:00 UTC",
		}
		if diff := cmp.Diff(want, rows[3]); diff != "" {
			t.Errorf("%s: member row mismatch (-want, +got):\n%s", tt.lang, diff)
		}
		// Undefined figures are empty cells, not zeros.
		if got := rows[4]; got[7] != "" || got[11] != "" || got[14] != "" || got[18] != "" {
			t.Errorf("%s: an employee without customers or orders has %v", tt.lang, got)
		}
		if rows[1][3] != "2" || rows[1][2] != "" {
			t.Errorf("%s: total row %v, want 2 employees and no employee id", tt.lang, rows[1])
		}
	}
}
