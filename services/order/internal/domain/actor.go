package domain

import "slices"

// Actor is the authenticated caller of a use case.
type Actor struct {
	Tenant     string
	EmployeeID string
	Roles      []string
}

func (a Actor) has(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// Role names used by the order service's checks.
const (
	RoleSales       = "sales"
	RoleSeniorSales = "senior_sales"
	RoleManager     = "manager"
	RoleHR          = "hr"
	RoleAuditor     = "auditor"
	RoleAdmin       = "admin"
	RoleService     = "service"
)

// Supervises: managers and admins act on any seller's orders.
func (a Actor) Supervises() bool { return a.has(RoleManager, RoleAdmin) }

// Sells: salespeople act on their own orders only.
func (a Actor) Sells() bool { return a.has(RoleSales, RoleSeniorSales) }

// CanCreateFor: a salesperson for themselves; a manager or admin for anyone.
func (a Actor) CanCreateFor(sellerID string) bool {
	return a.Supervises() || (a.Sells() && sellerID == a.EmployeeID)
}

// MayWorkOrders is whether the actor could move any order along at all
// (submit, win, lose, cancel); CanWorkOrder checks the order itself.
func (a Actor) MayWorkOrders() bool { return a.Supervises() || a.Sells() }

// CanWorkOrder: the order's seller, or a manager or admin.
func (a Actor) CanWorkOrder(o Order) bool {
	return a.Supervises() || (a.Sells() && o.SellerID == a.EmployeeID)
}

// MayApprove: managers and admins approve; the chain step decides which.
func (a Actor) MayApprove() bool { return a.Supervises() }

// CanRecordMoneyAndGoods: finance and logistics systems (the service role)
// and admins record payments, refunds, shipments and deliveries, and keep
// the payer registry. A salesperson never does: the records are what
// checks the salesperson.
func (a Actor) CanRecordMoneyAndGoods() bool { return a.has(RoleService, RoleAdmin) }

// CanManageTenant: admins set the policy and the company accounts.
func (a Actor) CanManageTenant() bool { return a.has(RoleAdmin) }

// ReadsAllOrders: managers, hr, auditors, admins and services read every
// order of the tenant; salespeople only their own.
func (a Actor) ReadsAllOrders() bool {
	return a.has(RoleManager, RoleHR, RoleAuditor, RoleAdmin, RoleService)
}

// CanReadOrder: whoever reads all orders, and the order's seller.
func (a Actor) CanReadOrder(o Order) bool {
	return a.ReadsAllOrders() || (o.SellerID == a.EmployeeID && a.Sells())
}

// CanReadSeller: whoever reads all orders, and a salesperson for themselves.
func (a Actor) CanReadSeller(sellerID string) bool {
	return a.ReadsAllOrders() || (a.Sells() && sellerID == a.EmployeeID)
}

// Backfills: admins and services (finance, CRM migrations) may date events
// such as a win themselves; everyone else gets the server's time.
func (a Actor) Backfills() bool { return a.has(RoleAdmin, RoleService) }
