package platform

import (
	"context"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
)

type rpcMetrics struct {
	handled *prometheus.CounterVec
	seconds *prometheus.HistogramVec
	panics  prometheus.Counter
}

func newRPCMetrics(reg prometheus.Registerer) *rpcMetrics {
	m := &rpcMetrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdfast_grpc_server_handled_total",
			Help: "RPCs completed, by service, method and status code.",
		}, []string{"grpc_service", "grpc_method", "grpc_code"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "holdfast_grpc_server_handling_seconds",
			Help:    "RPC latency, by service and method.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"grpc_service", "grpc_method"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "holdfast_grpc_server_panics_total",
			Help: "Handler panics recovered into codes.Internal.",
		}),
	}
	reg.MustRegister(m.handled, m.seconds, m.panics)
	return m
}

func splitMethod(full string) (service, method string) {
	full = strings.TrimPrefix(full, "/")
	service, method, _ = strings.Cut(full, "/")
	return service, method
}

func (m *rpcMetrics) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	svc, method := splitMethod(info.FullMethod)
	m.handled.WithLabelValues(svc, method, status.Code(err).String()).Inc()
	m.seconds.WithLabelValues(svc, method).Observe(time.Since(start).Seconds())
	return resp, err
}

// recoverUnary turns a handler panic into codes.Internal with no details for
// the client, and logs the stack for the operator.
func recoverUnary(logger *slog.Logger, m *rpcMetrics) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				m.panics.Inc()
				logger.ErrorContext(ctx, "panic in rpc handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(ctx, req)
	}
}

func recoverStream(logger *slog.Logger, m *rpcMetrics) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				m.panics.Inc()
				logger.ErrorContext(ss.Context(), "panic in stream handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(srv, ss)
	}
}

// logUnary logs every RPC with its outcome and caller, never its payload:
// requests carry customers' contact details.
func logUnary(logger *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		code := status.Code(err)
		attrs := []any{"method", info.FullMethod, "code", code.String(), "duration_ms", float64(time.Since(start).Microseconds()) / 1000}
		if p, ok := auth.FromContext(ctx); ok {
			attrs = append(attrs, "tenant", p.Tenant, "subject", p.Subject)
		}
		level := slog.LevelInfo
		switch code {
		case codes.OK:
		case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unavailable:
			level = slog.LevelError
			attrs = append(attrs, "error", err)
		default:
			level = slog.LevelWarn
			attrs = append(attrs, "error", status.Convert(err).Message())
		}
		logger.Log(ctx, level, "rpc", attrs...)
		return resp, err
	}
}
