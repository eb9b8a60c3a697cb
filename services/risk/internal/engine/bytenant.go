package engine

// byTenant is per-employee (or per-customer) state grouped by tenant: the
// tick checks of one tenant walk only that tenant's employees, never every
// tenant's. (Keyed by employeeKey in one map, each tenant's hourly tick
// cost as much as the whole engine's employees.) get, put and del take an
// employeeKey; at and putAt any id of the tenant's.
type byTenant[V any] map[string]map[string]V

func (m byTenant[V]) get(k employeeKey) (V, bool) {
	v, ok := m[k.tenant][k.employee]
	return v, ok
}

// at is the tenant's entry for id (a customer, say).
func (m byTenant[V]) at(tenant, id string) (V, bool) {
	v, ok := m[tenant][id]
	return v, ok
}

func (m byTenant[V]) put(k employeeKey, v V) { m.putAt(k.tenant, k.employee, v) }

// putAt sets the tenant's entry for id.
func (m byTenant[V]) putAt(tenant, id string, v V) {
	t := m[tenant]
	if t == nil {
		t = map[string]V{}
		m[tenant] = t
	}
	t[id] = v
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
