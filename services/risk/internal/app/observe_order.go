package app

import (
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// observeOrder lets the engine judge one ORDER or COMMISSION event
// (scenarios S6 and S7); other events produce no changes.
func (a *App) observeOrder(rec eventlog.Record, msg proto.Message) []engine.Change {
	tenant, at, evidence := rec.Envelope.GetTenantId(), rec.Envelope.GetOccurredAt().AsTime(), evidenceOf(rec)
	step := func(orderID, seller, customer string, kind engine.OrderStepKind) []engine.Change {
		return a.engine.ObserveOrderStep(engine.OrderStep{
			Tenant: tenant, OrderID: orderID, SellerID: seller, CustomerID: customer, Step: kind, OccurredAt: at, Evidence: evidence,
		})
	}
	switch ev := msg.(type) {
	case *orderv1.OrderCreated:
		return a.engine.ObserveOrderCreated(engine.OrderCreated{
			Tenant: tenant, OrderID: ev.GetOrderId(), SellerID: ev.GetSellerId(), CustomerID: ev.GetCustomerId(),
			AmountMinor: ev.GetAmountMinor(), Currency: ev.GetCurrency(),
			ClaimedSource: sourceName(ev.GetClaimedSource()), CustomerSource: sourceName(ev.GetCustomerSource()),
			SourceContradiction: ev.GetSourceContradiction(), OccurredAt: at, Evidence: evidence,
		})
	case *orderv1.OrderApproved:
		if !ev.GetFinal() {
			return nil
		}
		return step(ev.GetOrderId(), ev.GetSellerId(), "", engine.OrderStepApproved)
	case *orderv1.OrderWon:
		return a.engine.ObserveOrderStep(engine.OrderStep{
			Tenant: tenant, OrderID: ev.GetOrderId(), SellerID: ev.GetSellerId(), CustomerID: ev.GetCustomerId(),
			Step: engine.OrderStepWon, AmountMinor: ev.GetAmountMinor(), Currency: ev.GetCurrency(), OccurredAt: at, Evidence: evidence,
		})
	case *orderv1.ShipmentRecorded:
		return step(ev.GetOrderId(), ev.GetSellerId(), ev.GetCustomerId(), engine.OrderStepShipped)
	case *orderv1.OrderLost:
		return step(ev.GetOrderId(), ev.GetSellerId(), "", engine.OrderStepLost)
	case *orderv1.OrderCancelled:
		return step(ev.GetOrderId(), ev.GetSellerId(), "", engine.OrderStepCancelled)
	case *orderv1.OrderRefunded:
		return step(ev.GetOrderId(), ev.GetSellerId(), "", engine.OrderStepRefunded)
	case *orderv1.OrderRejected:
		return step(ev.GetOrderId(), "", "", engine.OrderStepRejected)
	case *orderv1.PaymentRecorded:
		return a.engine.ObservePayment(engine.Payment{
			Tenant: tenant, OrderID: ev.GetOrderId(), SellerID: ev.GetSellerId(), CustomerID: ev.GetCustomerId(),
			AmountMinor: ev.GetAmountMinor(), Currency: ev.GetCurrency(),
			PayeeIsCompanyAccount: ev.GetPayeeIsCompanyAccount(), PayerRelation: payerRelationName(ev.GetPayerRelation()),
			OrderAmountMinor: ev.GetOrderAmountMinor(), PaidTotalMinor: ev.GetPaidTotalMinor(),
			PaidToCompanyTotalMinor: ev.GetPaidToCompanyTotalMinor(), OccurredAt: at, Evidence: evidence,
		})
	case *commissionv1.CommissionAccrued:
		c := ev.GetSourceContradiction()
		return a.engine.ObserveCommissionAccrual(engine.CommissionAccrual{
			Tenant: tenant, OrderID: ev.GetOrderId(), EmployeeID: ev.GetEmployeeId(), CustomerID: ev.GetCustomerId(),
			CommissionMinor: ev.GetCommissionMinor(), Currency: ev.GetCurrency(),
			SourceContradiction: c != nil,
			ClaimedSource:       sourceName(c.GetClaimedSource()), CustomerSource: sourceName(c.GetCustomerSource()),
			OccurredAt: at, Evidence: evidence,
		})
	}
	return nil
}

// payerRelationName is a payer relation as rules read it: "parent_company".
func payerRelationName(r orderv1.PayerRelation) string {
	return strings.ToLower(strings.TrimPrefix(r.String(), "PAYER_RELATION_"))
}

// interactionKindName is an interaction's medium as rules read it: "call".
func interactionKindName(k clientv1.InteractionKind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "INTERACTION_KIND_"))
}
