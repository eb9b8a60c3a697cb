module github.com/holdfast/holdfast/services/console

go 1.26.0

replace (
	github.com/holdfast/holdfast/pkg => ../../pkg
	github.com/holdfast/holdfast/proto => ../../proto/gen
)

require (
	github.com/google/uuid v1.6.0
	github.com/holdfast/holdfast/pkg v0.0.0-00010101000000-000000000000
	github.com/holdfast/holdfast/proto v0.0.0
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261026165753-2ffab32bce7e
	google.golang.org/grpc v1.85.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	golang.org/x/net v0.61.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
