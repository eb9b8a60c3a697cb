module github.com/holdfast/holdfast/services/risk

go 1.26.0

replace (
	github.com/holdfast/holdfast/pkg => ../../pkg
	github.com/holdfast/holdfast/proto => ../../proto/gen
	github.com/holdfast/holdfast/services/client => ../client
)

require github.com/holdfast/holdfast/services/client v0.0.0

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/pgx/v5 v5.12.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
