package contacts

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Store keeps the user's contacts and the dedupe keys that make "one
// contact per person" hold: each email and LinkedIn URL (DedupeKeys) belongs
// to at most one of a user's contacts. The embedded store (pkg/sqlite) and
// MongoDB (pkg/mongodb) implement it, and pkg/storetest checks both.
// Every method is scoped to one user: another user's id is NotFound.
type Store interface {
	// CreateContact stores c (ID and UserID set) and claims its keys.
	// Conflict, with ExistingID, if one of the user's contacts holds one of
	// the keys; nothing is stored then.
	CreateContact(ctx context.Context, c *Contact) error
	// Contact returns one of the user's contacts; NotFound if it does not
	// exist or is another user's.
	Contact(ctx context.Context, userID, id string) (*Contact, error)
	// ContactByKey returns the user's contact that holds key (as made by
	// DedupeKeys); NotFound if none does.
	ContactByKey(ctx context.Context, userID, key string) (*Contact, error)
	// UpdateContact replaces the user's contact c.ID with c and moves its
	// keys to those of c. NotFound if it does not exist or is another
	// user's; Conflict, with ExistingID, if a new key is another contact's;
	// nothing changes then.
	UpdateContact(ctx context.Context, c *Contact) error
	// TouchContact records a contact at t: last_contacted_at becomes the
	// later of its value and t (never earlier). It returns the contact;
	// NotFound if it does not exist or is another user's.
	TouchContact(ctx context.Context, userID, id string, t time.Time) (*Contact, error)
	// ContactsByID returns those of ids that are the user's contacts, by id
	// (another user's ids are left out).
	ContactsByID(ctx context.Context, userID string, ids []string) (map[string]*Contact, error)
	// DeleteContact removes one of the user's contacts and frees its keys;
	// NotFound if it does not exist or is another user's.
	DeleteContact(ctx context.Context, userID, id string) error
	// Contacts returns one page of the user's contacts in name order (then
	// id), filtered by q (plain text, case-insensitive, matched in name,
	// company, emails, tags and notes), tag and ids.
	Contacts(ctx context.Context, userID string, q ContactQuery) (*record.Page[Contact], error)
}

// ContactQuery selects one page of contacts.
type ContactQuery struct {
	Q, Tag string
	// IDs, when not nil, keeps only these contacts.
	IDs []string
	// Limit is the page size (1–200; 0 is the default, 50).
	Limit int
	// Cursor is where the page before ended (S: the lower-cased name).
	Cursor *record.Cursor
}

// SearchText is the lower-cased text that ContactQuery.Q is matched in.
func SearchText(c *Contact) string {
	parts := []string{c.Name, c.Company}
	parts = append(parts, c.Emails...)
	parts = append(parts, c.Tags...)
	parts = append(parts, c.Notes)
	return strings.ToLower(strings.Join(parts, "\n"))
}
