// Package platform is the bootstrap every Holdfast service shares: typed
// configuration from HOLDFAST_ environment variables, JSON logging, a gRPC
// server with health, reflection and the standard interceptors (panic
// recovery, metrics, logging, authentication, OpenTelemetry), an HTTP server
// for /metrics, /healthz and /readyz, and graceful shutdown.
//
// A service builds an [App], adds its gRPC servers, background workers and
// readiness checks, and calls [App.Run]. The all-in-one `holdfast dev`
// binary puts several services into one App.
package platform
