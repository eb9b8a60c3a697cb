package app

import (
	"fmt"
	"slices"

	"github.com/holdfast/holdfast/pkg/eventlog"
)

// Partitions: one risk service can judge a subset of tenants, so tenants
// are spread over several processes by JetStream's own means — each
// partition follows RISK_IN (and RISK) through a consumer filtered to its
// tenants' subjects. The engine's state is per tenant, so partitions that
// split the tenants decide, together, exactly what one engine decides: the
// same alerts, the same ids, the same RISK_IN sequences in them.

// ServeTenants limits the service to tenants (nil or empty: every tenant).
// Call it before the workers start. Partitions must not share a PostgreSQL
// read model (alert or sensitive-hits view, each with one checkpoint): give
// each its own database or use the memory one.
func (a *App) ServeTenants(tenants []string) error {
	for _, t := range tenants {
		if !eventlog.ValidToken(t) {
			return fmt.Errorf("risk partition: %q is not a tenant id", t)
		}
	}
	a.partition = slices.Clone(tenants)
	return nil
}

// riskInSubjects are the RISK_IN subjects of tenants: every domain
// stream's and their rule changes. Nil for every tenant.
func riskInSubjects(tenants []string) []string {
	var out []string
	for _, t := range tenants {
		for _, ctx := range []string{"client", "order", "attendance", "commission", "tick"} {
			out = append(out, ctx+"."+t+".>")
		}
		out = append(out, "risk."+t+".rule.>")
	}
	return out
}

// riskInInteractionSubjects are the RISK_IN subjects of tenants' CLIENT
// records, where interactions are (every tenant's for nil): all the hits
// projector reads.
func riskInInteractionSubjects(tenants []string) []string {
	if len(tenants) == 0 {
		return []string{"client.>"}
	}
	out := make([]string, 0, len(tenants))
	for _, t := range tenants {
		out = append(out, "client."+t+".>")
	}
	return out
}

// riskSubjects are the RISK subjects of tenants (alerts, cases, rules).
func riskSubjects(tenants []string) []string {
	var out []string
	for _, t := range tenants {
		out = append(out, "risk."+t+".>")
	}
	return out
}
