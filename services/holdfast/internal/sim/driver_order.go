package sim

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

func seconds(n int) *durationpb.Duration {
	return durationpb.New(time.Duration(n) * time.Second)
}

func sourceChannel(s string) clientv1.SourceChannel {
	return map[string]clientv1.SourceChannel{
		"website": clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, "trade_show": clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW,
		"referral": clientv1.SourceChannel_SOURCE_CHANNEL_REFERRAL, "assignment": clientv1.SourceChannel_SOURCE_CHANNEL_ASSIGNMENT,
		"import": clientv1.SourceChannel_SOURCE_CHANNEL_IMPORT, "personal": clientv1.SourceChannel_SOURCE_CHANNEL_PERSONAL,
	}[s]
}

func interactionKind(s string) clientv1.InteractionKind {
	return map[string]clientv1.InteractionKind{
		"chat": clientv1.InteractionKind_INTERACTION_KIND_CHAT, "call": clientv1.InteractionKind_INTERACTION_KIND_CALL,
		"email": clientv1.InteractionKind_INTERACTION_KIND_EMAIL, "visit": clientv1.InteractionKind_INTERACTION_KIND_VISIT_NOTE,
	}[s]
}

type sequenced interface{ GetSequence() uint64 }

// callOrder maps the order service's acts to RPCs.
func (d *Driver) callOrder(ctx context.Context, a Act, or orderv1.OrderServiceClient, cred grpc.CallOption, need func(...string) ([]string, error)) error {
	const order = "ORDER"
	var (
		res sequenced
		err error
	)
	ref := func() (string, error) {
		ids, err := need(a.Ref)
		if err != nil {
			return "", err
		}
		return ids[0], nil
	}
	switch a.Kind {
	case KindOrderPolicy:
		// Every order needs its manager's approval and none the admin's,
		// so one approval act is always the whole chain.
		var th []*orderv1.ApprovalThreshold
		for _, cur := range []string{"CNY", "GBP"} {
			th = append(th, &orderv1.ApprovalThreshold{Currency: cur, AutoApproveUpToMinor: 100, AdminAboveMinor: 1_000_000_000})
		}
		res, err = or.SetOrderPolicy(ctx, &orderv1.SetOrderPolicyRequest{RequestId: a.ID, Reason: "simulation", Policy: &orderv1.OrderPolicy{Thresholds: th}}, cred)
	case KindCompanyAcct:
		res, err = or.AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{RequestId: a.ID, Account: a.Account, Label: "company account"}, cred)
	case KindPayerAccount:
		var cust []string
		if cust, err = need(a.Customer); err != nil {
			return err
		}
		rel := orderv1.PayerRelation_PAYER_RELATION_OWN
		if a.Channel == payerParent {
			rel = orderv1.PayerRelation_PAYER_RELATION_PARENT_COMPANY
		}
		res, err = or.RegisterPayerAccount(ctx, &orderv1.RegisterPayerAccountRequest{
			RequestId: a.ID, CustomerId: cust[0], Account: a.Account,
			Relation: rel, Label: a.Text,
		}, cred)
	case KindOrderCreate:
		var cust []string
		if cust, err = need(a.Customer); err != nil {
			return err
		}
		var r *orderv1.CreateOrderResponse
		r, err = or.CreateOrder(ctx, &orderv1.CreateOrderRequest{
			RequestId: a.ID, CustomerId: cust[0], SellerId: a.Actor,
			Lines:    []*orderv1.LineItem{{Product: a.Name, Quantity: a.Quantity, UnitPriceMinor: a.Amount}},
			Currency: a.Currency, ClaimedSource: sourceChannel(a.Channel), ExpectedDeliveryAddress: a.Text,
		}, cred)
		if err == nil {
			d.remember(a.Key, r.GetOrder().GetOrderId(), order, r.GetSequence())
		}
		return err
	default:
		id, rerr := ref()
		if rerr != nil {
			return rerr
		}
		switch a.Kind {
		case KindOrderSubmit:
			res, err = or.SubmitOrder(ctx, &orderv1.SubmitOrderRequest{RequestId: a.ID, OrderId: id}, cred)
		case KindOrderApprove:
			res, err = or.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: a.ID, OrderId: id, Comment: "ok"}, cred)
		case KindOrderWon:
			res, err = or.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: a.ID, OrderId: id}, cred)
		case KindOrderLost:
			res, err = or.MarkOrderLost(ctx, &orderv1.MarkOrderLostRequest{RequestId: a.ID, OrderId: id, Reason: a.Text}, cred)
		case KindOrderCancel:
			res, err = or.CancelOrder(ctx, &orderv1.CancelOrderRequest{RequestId: a.ID, OrderId: id, Reason: a.Text}, cred)
		case KindPayment:
			res, err = or.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
				RequestId: a.ID, OrderId: id, AmountMinor: a.Amount, Currency: a.Currency,
				PayerAccount: a.Account, PayeeAccount: a.Payee, Reference: a.ID, PaidAt: ts(a.At),
			}, cred)
		case KindShipment:
			res, err = or.RecordShipment(ctx, &orderv1.RecordShipmentRequest{
				RequestId: a.ID, OrderId: id, Carrier: a.Text, TrackingNumber: "SF" + a.ID[4:],
				DeliveryAddress: "customer site", ShippedAt: ts(a.At),
			}, cred)
		default:
			return fmt.Errorf("sim: act kind %q has no RPC", a.Kind)
		}
	}
	if err == nil {
		d.remember("", "", order, res.GetSequence())
	}
	return err
}

// callOwnership maps the background changes of holder to RPCs.
func (d *Driver) callOwnership(ctx context.Context, a Act, cl clientv1.ClientServiceClient, cred grpc.CallOption, need func(...string) ([]string, error)) error {
	cust, err := need(a.Customer)
	if err != nil {
		return err
	}
	var res sequenced
	switch a.Kind {
	case KindAssign:
		res, err = cl.AssignCustomer(ctx, &clientv1.AssignCustomerRequest{RequestId: a.ID, CustomerId: cust[0], EmployeeId: a.Employee, Reason: a.Text}, cred)
	case KindReassign:
		res, err = cl.ReassignCustomer(ctx, &clientv1.ReassignCustomerRequest{RequestId: a.ID, CustomerId: cust[0], EmployeeId: a.Employee, Reason: a.Text}, cred)
	case KindRelease:
		res, err = cl.ReleaseCustomer(ctx, &clientv1.ReleaseCustomerRequest{RequestId: a.ID, CustomerId: cust[0], Reason: a.Text}, cred)
	case KindClaim:
		res, err = cl.ClaimCustomer(ctx, &clientv1.ClaimCustomerRequest{RequestId: a.ID, CustomerId: cust[0]}, cred)
	default:
		return fmt.Errorf("sim: act kind %q is no change of holder", a.Kind)
	}
	if err == nil {
		d.remember("", "", "CLIENT", res.GetSequence())
	}
	return err
}
