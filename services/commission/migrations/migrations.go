// Package migrations embeds the commission service's PostgreSQL schema
// migrations (goose format), applied into the "commission" schema.
package migrations

import "embed"

// FS holds the *.sql migrations.
//
//go:embed *.sql
var FS embed.FS

// Schema is the PostgreSQL schema the commission service owns.
const Schema = "commission"
