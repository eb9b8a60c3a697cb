// Package migrations embeds the attendance service's PostgreSQL schema
// migrations (goose format), applied into the "attendance" schema.
package migrations

import "embed"

// FS holds the *.sql migrations.
//
//go:embed *.sql
var FS embed.FS

// Schema is the PostgreSQL schema the attendance service owns.
const Schema = "attendance"
