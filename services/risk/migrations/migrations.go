// Package migrations embeds the risk service's PostgreSQL schema
// migrations (goose format), applied into the "risk" schema.
package migrations

import "embed"

// FS holds the *.sql migrations.
//
//go:embed *.sql
var FS embed.FS

// Schema is the PostgreSQL schema the risk service owns.
const Schema = "risk"
