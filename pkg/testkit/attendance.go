package testkit

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
)

// AttendanceEvent is one event for WriteAttendance: the aggregate type
// ("orgunit", "employee") and id it belongs to, and the payload.
type AttendanceEvent struct {
	Type, ID string
	Payload  proto.Message
}

// WriteAttendance appends events to ATTENDANCE as the attendance service
// would (each after its aggregate's current position), for the tests of
// services that read the org tree without running attendance.
func WriteAttendance(t *testing.T, log *eventlog.Log, tenant string, events ...AttendanceEvent) {
	t.Helper()
	for i, ev := range events {
		ref := eventlog.AggregateRef{Context: "attendance", Tenant: tenant, Type: ev.Type, ID: ev.ID}
		agg, err := log.Load(t.Context(), ref)
		if err != nil {
			t.Fatalf("load %s %s: %v", ev.Type, ev.ID, err)
		}
		requestID := fmt.Sprintf("testkit-%s-%s-%d", ev.Type, ev.ID, agg.Position.Version)
		if _, err := log.Append(t.Context(), eventlog.AppendRequest{Ref: ref, After: agg.Position, RequestID: requestID, ActorID: "hr-test", Payload: ev.Payload}); err != nil {
			t.Fatalf("append %T (event %d): %v", ev.Payload, i, err)
		}
	}
}
