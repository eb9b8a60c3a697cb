package domain

// FunnelRow is one employee's order counts in a period: orders created in
// it, and orders won, lost and cancelled in it (whenever created).
type FunnelRow struct {
	EmployeeID string
	Created    int64
	Won        int64
	Lost       int64
	Cancelled  int64
}
