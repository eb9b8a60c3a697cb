// Package eventlog is Holdfast's event store on NATS JetStream.
//
// Every domain service is the only writer of its own stream (CLIENT, ORDER,
// ATTENDANCE, COMMISSION, RISK, TICK). An event is a protobuf message wrapped
// in an [eventv1.Envelope] and stored under the subject
// <context>.<tenant>.<aggregate_type>.<aggregate_id>, so one aggregate's
// history is one subject and optimistic concurrency is JetStream's
// Nats-Expected-Last-Subject-Sequence check.
//
// The package provisions streams with an immutable configuration (no delete,
// no purge), appends with idempotent message ids and an expected sequence,
// loads one aggregate's history, and follows a stream from a checkpoint.
//
// WARNING: the stream configuration is part of the audit guarantee. Provision
// never loosens an existing stream; a stream whose configuration differs
// dangerously is reported as a [*DriftError] and left for an operator.
package eventlog
