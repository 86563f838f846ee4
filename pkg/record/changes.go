package record

import (
	"context"
	"time"
)

// Changes is the journal of changed cards and tasks that DAV's
// sync-collection (RFC 6578) reads: pkg/sqlite keeps it with triggers,
// pkg/mongodb after each write.
type Changes interface {
	// Token marks the present state of a collection ("cards" or "tasks")
	// of the user: what a client gets with a full listing.
	Token(ctx context.Context, userID, coll string) (string, error)
	// Since returns the items changed after token, each once (perhaps an
	// item changed just before it, too), at most limit, the token to
	// continue from, and whether more are left. A token it did not make
	// is ErrBadSyncToken.
	Since(ctx context.Context, userID, coll, token string, limit int) (ids []string, next string, more bool, err error)
	// Prune keeps the newest keep changes of each collection; older
	// tokens become ErrBadSyncToken (the client syncs from scratch).
	Prune(ctx context.Context, keep int) (int64, error)
	// AgeOut journals, in each user's "tasks", the follow-ups done in
	// [from, to): they leave the task list some time after, which no write
	// announces. It returns how many it journaled.
	AgeOut(ctx context.Context, from, to time.Time) (int64, error)
}
