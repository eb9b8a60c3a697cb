package grpcapi

import (
	"testing"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/app"
)

// FuzzDecodeRiskToken feeds employee-risk page tokens from outside:
// decoding never panics, never accepts an alert list's token, yields only
// scores of 0–100, and every issued token decodes back to its cursor.
func FuzzDecodeRiskToken(f *testing.F) {
	f.Add(encodeRiskToken(app.RiskCursor{Score: 42, EmployeeID: "s-1"}), 42, "s-1")
	f.Add(encodeToken(alertPages, 7), 0, "e")
	f.Add("", 100, "x")
	f.Add("cjE6MTAxOmE", 101, "a")
	f.Fuzz(func(t *testing.T, tok string, score int, employee string) {
		if c, err := decodeRiskToken(tok); err == nil && c != nil {
			if c.Score < 0 || c.Score > 100 || c.EmployeeID == "" {
				t.Errorf("decodeRiskToken(%q) = %+v", tok, *c)
			}
		}
		if _, err := decodeRiskToken(encodeToken(alertPages, uint64(max(score, 1)))); err == nil {
			t.Error("an alert page token passes as an employee-risk token")
		}
		if score < 0 || score > 100 || !eventlog.ValidToken(employee) {
			return
		}
		want := app.RiskCursor{Score: score, EmployeeID: employee}
		got, err := decodeRiskToken(encodeRiskToken(want))
		if err != nil || got == nil || *got != want {
			t.Errorf("round trip of %+v = %v, %v", want, got, err)
		}
	})
}
