package domain

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkMeasureActivity measures a year's report of a 200-person unit
// holding 300 customers each, every customer followed up weekly.
func BenchmarkMeasureActivity(b *testing.B) {
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 364)
	var (
		employees []string
		facts     ActivityFacts
	)
	for e := range 200 {
		id := fmt.Sprintf("e%03d", e)
		employees = append(employees, id)
		for c := range 300 {
			cid := fmt.Sprintf("%s-c%03d", id, c)
			facts.Holdings = append(facts.Holdings, Holding{CustomerID: cid, EmployeeID: id, From: from.AddDate(0, 0, -c)})
			for w := range 52 {
				facts.Touches = append(facts.Touches, Touch{EmployeeID: id, CustomerID: cid, At: from.AddDate(0, 0, 7*w+c%7)})
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		MeasureActivity(employees, facts, from, to, to)
	}
}
