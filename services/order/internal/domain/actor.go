package domain

import "slices"

// Actor is the authenticated caller of a use case.
type Actor struct {
	Tenant     string
	EmployeeID string
	Roles      []string
	// Oversees reports whether a seller is in the manager's part of the
	// organisation tree (their org unit or below, per the attendance
	// roster). Nil oversees nobody.
	Oversees func(sellerID string) bool
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

// Supervises: managers and admins act on others' orders — an admin on
// anyone's, a manager on their own subtree's (SupervisesSeller).
func (a Actor) Supervises() bool { return a.has(RoleManager, RoleAdmin) }

// SupervisesSeller: an admin for any seller; a manager for a seller in
// their part of the organisation tree.
func (a Actor) SupervisesSeller(sellerID string) bool {
	return a.has(RoleAdmin) || (a.has(RoleManager) && a.Oversees != nil && a.Oversees(sellerID))
}

// Sells: salespeople act on their own orders only.
func (a Actor) Sells() bool { return a.has(RoleSales, RoleSeniorSales) }

// CanCreateFor: a salesperson for themselves; a manager for their
// subtree's sellers; an admin for anyone.
func (a Actor) CanCreateFor(sellerID string) bool {
	return a.SupervisesSeller(sellerID) || (a.Sells() && sellerID == a.EmployeeID)
}

// MayWorkOrders is whether the actor could move any order along at all
// (submit, win, lose, cancel); CanWorkOrder checks the order itself.
func (a Actor) MayWorkOrders() bool { return a.Supervises() || a.Sells() }

// CanWorkOrder: the order's seller, their manager up the tree, or an admin.
func (a Actor) CanWorkOrder(o Order) bool {
	return a.SupervisesSeller(o.SellerID) || (a.Sells() && o.SellerID == a.EmployeeID)
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

// ReadsAllOrders: hr, auditors, admins and services read every order of
// the tenant; managers their subtree's; salespeople their own.
func (a Actor) ReadsAllOrders() bool {
	return a.has(RoleHR, RoleAuditor, RoleAdmin, RoleService)
}

// MayReadOrders is whether the actor could read any order at all.
func (a Actor) MayReadOrders() bool { return a.ReadsAllOrders() || a.has(RoleManager) || a.Sells() }

// CanReadOrder: whoever reads all orders, the seller's managers up the
// tree, and the order's seller.
func (a Actor) CanReadOrder(o Order) bool {
	return a.CanReadSeller(o.SellerID)
}

// CanReadSeller: whoever reads all orders, the seller's managers up the
// tree, and a salesperson for themselves.
func (a Actor) CanReadSeller(sellerID string) bool {
	return a.ReadsAllOrders() || a.SupervisesSeller(sellerID) || (a.Sells() && sellerID == a.EmployeeID)
}

// Backfills: admins and services (finance, CRM migrations) may date events
// such as a win themselves; everyone else gets the server's time.
func (a Actor) Backfills() bool { return a.has(RoleAdmin, RoleService) }
