// Package testkit provides the real dependencies Holdfast's tests run against,
// never mocks: an embedded nats-server with the event log provisioned
// (StartNATS, StartEventLog), and PostgreSQL databases cloned per test from a
// template migrated once per test binary (NewDatabase, NewDatabaseURL).
//
// Database tests skip when no PostgreSQL answers, except when CI is set:
// there a database test that skips is a failing test. scripts/ensure-postgres.sh
// starts (or installs) one.
package testkit
