package engine

// byTenant is per-employee state grouped by tenant: the tick checks of one
// tenant walk only that tenant's employees, never every tenant's. (Keyed
// by employeeKey in one map, each tenant's hourly tick cost as much as the
// whole engine's employees.)
type byTenant[V any] map[string]map[string]V

func (m byTenant[V]) get(k employeeKey) (V, bool) {
	v, ok := m[k.tenant][k.employee]
	return v, ok
}

func (m byTenant[V]) put(k employeeKey, v V) {
	t := m[k.tenant]
	if t == nil {
		t = map[string]V{}
		m[k.tenant] = t
	}
	t[k.employee] = v
}

func (m byTenant[V]) del(k employeeKey) {
	t := m[k.tenant]
	delete(t, k.employee)
	if len(t) == 0 {
		delete(m, k.tenant)
	}
}

// of is the tenant's state by employee (nil when it has none); a caller
// that deletes from it while walking must use del.
func (m byTenant[V]) of(tenant string) map[string]V { return m[tenant] }
