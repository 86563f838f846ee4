package record

import (
	"context"
	"time"
)

// Stamp kinds: what changed.
const (
	// FeedStamp changes with anything a user's calendar feeds show.
	FeedStamp = "feed"
	// ContactsStamp changes with any write to a user's contacts.
	ContactsStamp = "contacts"
	// MigrationStamp marks a one-time data migration done; its "user" is
	// the migration's name.
	MigrationStamp = "migration"
)

// Stamps records when a user's data of one kind last changed: a random
// nonce and the time, written after the data, for caches keyed by them (a
// feed's ETag). Both stores implement it; pkg/storetest checks both.
type Stamps interface {
	// Touch sets the user's stamp of kind to nonce and at.
	Touch(ctx context.Context, kind, userID, nonce string, at time.Time) error
	// Stamp returns the user's stamp of kind; "" and the zero time when it
	// was never touched.
	Stamp(ctx context.Context, kind, userID string) (nonce string, at time.Time, err error)
}
