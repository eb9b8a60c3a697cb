// Package migrations embeds the order service's PostgreSQL schema
// migrations (goose format), applied into the "orders" schema.
package migrations

import "embed"

// FS holds the *.sql migrations.
//
//go:embed *.sql
var FS embed.FS

// Schema is the PostgreSQL schema the order service owns. It is not
// "order", a reserved word every query would have to quote.
const Schema = "orders"
