// Package domain is the attendance service's model: the organisation tree
// with its branches' calendars, and the employee lifecycle state machine.
// It is pure: no transport, storage or generated types.
package domain
