module github.com/holdfast/holdfast/services/risk

go 1.26.0

replace (
	github.com/holdfast/holdfast/pkg => ../../pkg
	github.com/holdfast/holdfast/proto => ../../proto/gen
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
