package eventlog

import (
	"context"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceContext is W3C Trace Context: traceparent and tracestate, lower case,
// as NATS headers are case-sensitive and other languages read them so.
var traceContext = propagation.TraceContext{}

const tracerName = "github.com/holdfast/holdfast/pkg/eventlog"

// headerCarrier adapts nats.Header to the OpenTelemetry carrier interface
// without canonicalising keys.
type headerCarrier nats.Header

func (c headerCarrier) Get(key string) string {
	if v := c[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c headerCarrier) Set(key, value string) { c[key] = []string{value} }

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

func injectTrace(ctx context.Context, h nats.Header) {
	traceContext.Inject(ctx, headerCarrier(h))
}

// ExtractTrace returns ctx carrying the remote span context found in h.
func ExtractTrace(ctx context.Context, h nats.Header) context.Context {
	if h == nil {
		return ctx
	}
	return traceContext.Extract(ctx, headerCarrier(h))
}

func startConsumeSpan(ctx context.Context, rec Record) (context.Context, trace.Span) {
	ctx = ExtractTrace(ctx, rec.Header)
	return otel.Tracer(tracerName).Start(ctx, "consume "+rec.Stream,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", rec.Stream),
			attribute.Int64("messaging.message.sequence", int64(rec.Sequence)),
		))
}

func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
