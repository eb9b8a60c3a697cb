// Package domain is the order service's model: orders and their lifecycle
// from draft through approval, sale, payment, shipment, cancellation and
// refund; the tenant's approval policy; and the facts (payee is a company
// account, payer relation, address match, source contradiction) computed
// when money and goods are recorded. It is pure: no transport, storage or
// generated types.
package domain
