package domain

// Threshold sets, for one currency, which orders need which approvals.
type Threshold struct {
	Currency string
	// AutoApproveUpToMinor: orders up to this amount need no approval.
	AutoApproveUpToMinor int64
	// AdminAboveMinor: orders above it need a manager, then an admin;
	// orders between the two a manager.
	AdminAboveMinor int64
}

// Policy is a tenant's order policy.
type Policy struct {
	Thresholds []Threshold
}

// maxThresholds bounds a policy's size.
const maxThresholds = 50

// CheckPolicy validates a policy: known currencies, each once, amounts in
// range with AutoApproveUpTo ≤ AdminAbove.
func CheckPolicy(p Policy) error {
	var v violations
	if len(p.Thresholds) > maxThresholds {
		v.Add("policy.thresholds", "at most %d", maxThresholds)
	}
	seen := map[string]bool{}
	for _, t := range p.Thresholds {
		switch {
		case !KnownCurrency(t.Currency):
			v.Add("policy.thresholds.currency", "unknown ISO 4217 currency %q", t.Currency)
		case seen[t.Currency]:
			v.Add("policy.thresholds.currency", "%s given twice", t.Currency)
		}
		seen[t.Currency] = true
		if t.AutoApproveUpToMinor < 0 || t.AutoApproveUpToMinor > MaxAmountMinor {
			v.Add("policy.thresholds.auto_approve_up_to_minor", "must be 0 to %d", MaxAmountMinor)
		}
		if t.AdminAboveMinor < t.AutoApproveUpToMinor || t.AdminAboveMinor > MaxAmountMinor {
			v.Add("policy.thresholds.admin_above_minor", "must be at least auto_approve_up_to_minor and at most %d", MaxAmountMinor)
		}
	}
	return v.Err()
}

// ApprovalChain is the roles that must approve an order of amount in
// currency, in order. With no threshold for the currency — including a
// tenant that set no policy — every order needs a manager then an admin:
// the cautious default, until an admin says otherwise.
func (p Policy) ApprovalChain(currency string, amount int64) []string {
	for _, t := range p.Thresholds {
		if t.Currency != currency {
			continue
		}
		switch {
		case amount <= t.AutoApproveUpToMinor:
			return nil
		case amount <= t.AdminAboveMinor:
			return []string{RoleManager}
		default:
			return []string{RoleManager, RoleAdmin}
		}
	}
	return []string{RoleManager, RoleAdmin}
}
