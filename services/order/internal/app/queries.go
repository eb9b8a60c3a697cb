package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/holdfast/holdfast/services/order/internal/domain"
	"github.com/holdfast/holdfast/services/order/internal/store"
)

// GetOrder returns one order (its seller, manager, hr, auditor, admin,
// service), once the read model has applied minSeq.
func (a *App) GetOrder(ctx context.Context, actor domain.Actor, id string, minSeq uint64) (domain.Order, error) {
	if err := checkID("order_id", id); err != nil {
		return domain.Order{}, err
	}
	if !actor.MayReadOrders() {
		return domain.Order{}, fmt.Errorf("get order: %w: requires the order's seller, manager, hr, auditor, admin or service", domain.ErrPermissionDenied)
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return domain.Order{}, err
	}
	o, err := a.store.GetOrder(ctx, actor.Tenant, id)
	if err != nil {
		return domain.Order{}, err
	}
	if !actor.CanReadOrder(o) {
		return domain.Order{}, fmt.Errorf("get order: %w: a salesperson reads only their own orders, a manager their part of the organisation's", domain.ErrPermissionDenied)
	}
	return o, nil
}

// sellerScope is the seller a list or funnel may show the actor: anyone's
// for those who read all orders; one seller of their subtree at a time for
// a manager; a salesperson's own (the default) only.
func sellerScope(actor domain.Actor, seller, action string) (string, error) {
	if actor.ReadsAllOrders() {
		return seller, nil
	}
	if seller == "" && actor.Sells() {
		seller = actor.EmployeeID
	}
	if seller == "" && actor.Supervises() {
		return "", fmt.Errorf("%s: %w: a manager names one seller of their part of the organisation (seller_id)", action, domain.ErrPermissionDenied)
	}
	if !actor.CanReadSeller(seller) {
		return "", fmt.Errorf("%s: %w: a salesperson sees only their own orders, a manager their part of the organisation's", action, domain.ErrPermissionDenied)
	}
	return seller, nil
}

// ListOrders pages through orders by creation time (sales: their own).
func (a *App) ListOrders(ctx context.Context, actor domain.Actor, f store.OrderFilter, minSeq uint64) ([]domain.Order, error) {
	seller, err := sellerScope(actor, f.SellerID, "list orders")
	if err != nil {
		return nil, err
	}
	f.SellerID = seller
	if err := a.waitFor(ctx, minSeq); err != nil {
		return nil, err
	}
	return a.store.ListOrders(ctx, actor.Tenant, f)
}

// SalesFunnel counts orders created, won, lost and cancelled per employee
// in a period (sales: their own row).
func (a *App) SalesFunnel(ctx context.Context, actor domain.Actor, f store.FunnelFilter, minSeq uint64) ([]domain.FunnelRow, error) {
	if f.SellerID == "" && !actor.ReadsAllOrders() && actor.Supervises() {
		// A manager's funnel: every seller of their subtree, a row each.
		if err := a.waitFor(ctx, minSeq); err != nil {
			return nil, err
		}
		rows, err := a.store.Funnel(ctx, actor.Tenant, f)
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(rows, func(r domain.FunnelRow) bool { return !actor.CanReadSeller(r.EmployeeID) }), nil
	}
	seller, err := sellerScope(actor, f.SellerID, "sales funnel")
	if err != nil {
		return nil, err
	}
	f.SellerID = seller
	if err := a.waitFor(ctx, minSeq); err != nil {
		return nil, err
	}
	return a.store.Funnel(ctx, actor.Tenant, f)
}
