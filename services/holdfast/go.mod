module github.com/holdfast/holdfast/services/holdfast

go 1.26.0

replace (
	github.com/holdfast/holdfast/pkg => ../../pkg
	github.com/holdfast/holdfast/proto => ../../proto/gen
)
