// Package migrations embeds the client service's PostgreSQL schema
// migrations (goose format), applied into the "client" schema.
package migrations

import "embed"

// FS holds the *.sql migrations.
//
//go:embed *.sql
var FS embed.FS

// Schema is the PostgreSQL schema the client service owns.
const Schema = "client"
