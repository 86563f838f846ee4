// Package engine is what an opened storage engine hands the server: the
// stores of every domain, and the engine's own health check and close.
// Each adapter has one constructor that returns it (sqlite.DB.Engine,
// mongodb.DB.Engine), so the server and the test harnesses choose the
// engine in one place each and wire the same way on both.
package engine

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Engine is one opened storage engine.
type Engine struct {
	// Kind names the engine for /health and logs: "sqlite", "mongodb",
	// or "embedded" (FerretDB in tests).
	Kind string
	// Where is the file or database it works on, for the start-up log.
	Where string
	// Stores are the workflows' stores (crm.New).
	Stores      crm.Stores
	Accounts    accounts.Store
	Idempotency idempotency.Records
	// Changes is the DAV change journal.
	Changes record.Changes
	// Ping checks that the store can be written and read back.
	Ping func(context.Context) error
	// Close closes the engine (its stores fail afterwards).
	Close func(context.Context) error
}
