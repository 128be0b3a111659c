// Package db holds pinaccess's schema migrations: numbered SQL files,
// append-only, embedded into the binary and applied at start-up.
package db

import "embed"

// Migrations holds every migration under migrations/, in goose's format.
//
//go:embed migrations/*.sql
var Migrations embed.FS
