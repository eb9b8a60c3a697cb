package platform

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// Tracing configures OpenTelemetry.
type Tracing struct {
	// OTLPEndpoint is an OTLP/gRPC collector (host:port); empty means spans
	// are created and propagated (gRPC metadata, NATS headers) but not exported.
	OTLPEndpoint string `env:"HOLDFAST_OTLP_ENDPOINT"`
	// OTLPInsecure sends to the collector without TLS (a sidecar on localhost).
	OTLPInsecure bool `env:"HOLDFAST_OTLP_INSECURE" default:"false"`
	// SampleRatio is the fraction of new traces recorded (parents' decisions are kept).
	SampleRatio float64 `env:"HOLDFAST_TRACE_SAMPLE_RATIO" default:"1"`
}

// SetupTracing installs the W3C Trace Context propagator and a tracer
// provider for service, and returns a shutdown function that flushes spans.
func SetupTracing(ctx context.Context, service string, cfg Tracing) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	res := resource.NewSchemaless(semconv.ServiceName(service))
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
	}
	if cfg.OTLPEndpoint != "" {
		eopts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(cfg.OTLPEndpoint)}
		if cfg.OTLPInsecure {
			eopts = append(eopts, otlptracegrpc.WithInsecure())
		}
		exp, err := otlptracegrpc.New(ctx, eopts...)
		if err != nil {
			return nil, fmt.Errorf("otlp exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}
