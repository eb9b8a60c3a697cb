// Package domain holds the commission service's pure decisions: which rate
// a plan gives an order's customer source, how much an order earns (integer
// minor units, half-up rounding), whether an order qualifies, and how much
// a cancellation or refund claws back. It does no I/O.
package domain
