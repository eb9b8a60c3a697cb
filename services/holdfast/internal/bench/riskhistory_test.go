package bench

import (
	"context"
	"testing"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

// TestHistoryIsMixedAndAppendable checks the risk figures' history has
// every kind of event the brief asks for, a few sensitive interactions,
// and continues without conflicts when more is appended.
func TestHistoryIsMixedAndAppendable(t *testing.T) {
	_, log := testkit.StartEventLog(t)
	h := newHistory(log, 500, 2, 40, 4000, 100, 1)
	first, err := h.writeAtLeast(t.Context(), 4000)
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	more, err := h.writeAtLeast(t.Context(), 1000)
	if err != nil {
		t.Fatalf("append more: %v", err)
	}
	if first < 4000 || more < 1000 {
		t.Fatalf("wrote %d then %d events; want at least 4000 then 1000", first, more)
	}
	types, sensitive, total := map[string]int{}, 0, 0
	payments, unknownPayers := 0, 0
	for _, stream := range []string{eventlog.StreamClient, eventlog.StreamAttendance, eventlog.StreamOrder, eventlog.StreamTick} {
		err := log.Follow(t.Context(), stream, func(_ context.Context, rec eventlog.Record) error {
			total++
			types[eventlog.TypeName(rec.Envelope)]++
			msg, err := rec.Payload()
			if err != nil {
				return err
			}
			if p, ok := msg.(*orderv1.PaymentRecorded); ok {
				// What the order service records on every payment: without
				// them each payment would be judged one from an unregistered
				// payer and each order one never paid.
				payments++
				switch {
				case p.GetPayerRelation() == orderv1.PayerRelation_PAYER_RELATION_UNSPECIFIED:
					t.Errorf("payment %s has no payer relation", p.GetPaymentId())
				case p.GetPaidToCompanyTotalMinor() != p.GetPaidTotalMinor():
					t.Errorf("payment %s: %d paid, %d of it to company accounts; every payee is the company's", p.GetPaymentId(), p.GetPaidTotalMinor(), p.GetPaidToCompanyTotalMinor())
				case p.GetPayerRelation() == orderv1.PayerRelation_PAYER_RELATION_UNKNOWN:
					unknownPayers++
				}
			}
			for _, s := range sensitiveTexts {
				if text, ok := msg.(interface{ GetText() string }); ok && text.GetText() == s {
					sensitive++
				}
			}
			return nil
		}, eventlog.FollowOptions{StopAtEnd: true})
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
	}
	if total != first+more {
		t.Errorf("streams hold %d events; the history wrote %d", total, first+more)
	}
	for _, name := range []string{
		"holdfast.attendance.v1.OrgUnitCreated", "holdfast.attendance.v1.EmployeeHired", "holdfast.attendance.v1.CheckedIn",
		"holdfast.attendance.v1.LeaveRecorded", "holdfast.attendance.v1.ResignationNoticed",
		"holdfast.client.v1.CustomerRegistered", "holdfast.client.v1.InteractionLogged", "holdfast.client.v1.ContactRevealed",
		"holdfast.order.v1.OrderCreated", "holdfast.order.v1.OrderApproved", "holdfast.order.v1.PaymentRecorded",
		"holdfast.order.v1.ShipmentRecorded", "holdfast.order.v1.OrderWon", "holdfast.tick.v1.ClockTicked",
	} {
		if types[name] == 0 {
			t.Errorf("no %s in the history; types: %v", name, types)
		}
	}
	if payments == 0 || unknownPayers*20 > payments {
		t.Errorf("%d of %d payments come from unknown payers; want a few in a hundred at most", unknownPayers, payments)
	}
	if sensitive == 0 {
		t.Errorf("no interaction with a sensitive phrase among %d", types["holdfast.client.v1.InteractionLogged"])
	}
}
