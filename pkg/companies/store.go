package companies

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Store keeps the user's companies with the keys that make "one company
// per organisation" hold: each key (Keys) belongs to at most one of a
// user's companies. The embedded store (pkg/sqlite) and MongoDB
// (pkg/mongodb) implement it, and pkg/storetest checks both. Every method
// is scoped to one user: another user's id is NotFound.
type Store interface {
	// CompanyArchive walks and restores companies as they are; a restore
	// claims their keys.
	CompanyArchive() record.Archive[Company]
	// CreateCompany stores c (ID and UserID set) and claims its keys.
	// Conflict, with ExistingID, if another of the user's companies holds
	// one of them; nothing is stored then.
	CreateCompany(ctx context.Context, c *Company) error
	// Company returns one of the user's companies; NotFound otherwise.
	Company(ctx context.Context, userID, id string) (*Company, error)
	// CompanyByKey returns the user's company holding key; NotFound if none.
	CompanyByKey(ctx context.Context, userID, key string) (*Company, error)
	// CompanyIDsByKeys returns which of the user's companies hold keys, by
	// key (keys no company holds are left out).
	CompanyIDsByKeys(ctx context.Context, userID string, keys []string) (map[string]string, error)
	// UpdateCompany replaces the user's company c.ID and moves its keys.
	// NotFound, or Conflict with ExistingID; nothing changes then.
	UpdateCompany(ctx context.Context, c *Company) error
	// DeleteCompany removes one of the user's companies and its keys.
	DeleteCompany(ctx context.Context, userID, id string) error
	// Companies returns one page of the user's companies in name order,
	// those whose name or domain contains q (plain text, any case).
	Companies(ctx context.Context, userID string, q Query) (*record.Page[Company], error)
	// CompaniesByID returns those of ids that are the user's companies.
	CompaniesByID(ctx context.Context, userID string, ids []string) (map[string]*Company, error)
}

// Query selects one page of companies.
type Query struct {
	Q      string
	Limit  int
	Cursor *record.Cursor
}
