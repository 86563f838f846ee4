package followup

import (
	"context"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Store is all the storage of this domain: the follow-ups (Book) and the
// dispatcher's work (Queue). The embedded store (pkg/sqlite) and MongoDB
// (pkg/mongodb) implement it, and pkg/storetest checks both.
type Store interface {
	Book
	Queue
}

// Book keeps the users' follow-ups: what the rules of this package write
// and the pages read. Every method is scoped to one user.
type Book interface {
	// FollowUpArchive walks and restores follow-ups as they are.
	FollowUpArchive() record.Archive[FollowUp]
	// CreateFollowup stores f (ID, UserID, Status and PendingKey set).
	// When a pending follow-up holds f's pending key, it stores nothing
	// and returns that one; else it returns nil.
	CreateFollowup(ctx context.Context, f *FollowUp) (*FollowUp, error)
	// Followup returns one of the user's follow-ups; NotFound if none.
	Followup(ctx context.Context, userID, id string) (*FollowUp, error)
	// Followups returns one page of the user's follow-ups by due_at (then
	// id; Cursor.T is due_at).
	Followups(ctx context.Context, userID string, q Query) (*record.Page[FollowUp], error)
	// Pending returns the user's pending follow-ups that f selects, by
	// due_at then id.
	Pending(ctx context.Context, userID string, f PendingFilter) ([]FollowUp, error)
	// DoneSince returns the user's follow-ups done at or after since (by
	// EndedAt), by when they ended then id: what the task list shows of
	// those done, read by when they ended, not through every one ever done.
	DoneSince(ctx context.Context, userID string, since time.Time) ([]FollowUp, error)
	// ChangePending applies ch to the user's pending follow-up id and
	// returns it; NotFound if the user has no pending follow-up id.
	ChangePending(ctx context.Context, userID, id string, ch Change) (*FollowUp, error)
	// End sets status (Done or Cancelled) and ended_at on those of the
	// user's follow-ups ids that are still pending, freeing their pending
	// keys, and returns them.
	End(ctx context.Context, userID string, ids []string, status string, at time.Time) ([]FollowUp, error)
	// Detach clears ref of the user's follow-ups that point at one of ids.
	Detach(ctx context.Context, userID string, ref Ref, ids []string, at time.Time) error
	// DeleteForContacts removes the follow-ups of any of contactIDs, with
	// their nudge records, and returns their ids.
	DeleteForContacts(ctx context.Context, userID string, contactIDs []string) ([]string, error)
	// DeleteFollowUps removes those of ids that are the user's follow-ups,
	// with their nudge records (a restore that failed part way removes the
	// ones it wrote).
	DeleteFollowUps(ctx context.Context, userID string, ids []string) error
	// MoveContact files the follow-ups of contact from under to (a
	// merge): a pending one of a kind to has pending already is cancelled,
	// the others take to's pending key. Safe to run again.
	MoveContact(ctx context.Context, userID, from, to string, at time.Time) error
}

// Queue keeps the dispatcher's work (pkg/dispatch): when each user next
// needs a look (the queue), who is looking (leases), what is being
// delivered (state), and which nudges went out (nudges).
type Queue interface {
	// Wake makes the user's next look no later than at, with a new nonce.
	Wake(ctx context.Context, userID string, at time.Time, nonce string) error
	// DueUsers returns the users whose next look is at or before now,
	// earliest first, at most limit.
	DueUsers(ctx context.Context, now time.Time, limit int) ([]QueueEntry, error)
	// SetNextLook sets the user's next look to at if its nonce is still
	// nonce (no wake came meanwhile).
	SetNextLook(ctx context.Context, userID, nonce string, at time.Time) error
	// ForgetUser removes a deleted user's queue entry and state.
	ForgetUser(ctx context.Context, userID string) error
	// ClaimLease takes a lease; false if another owner has it.
	ClaimLease(ctx context.Context, id, owner string, at time.Time) (bool, error)
	// ReleaseLease gives a lease back.
	ReleaseLease(ctx context.Context, id string) error
	// PurgeLeases removes leases taken before a time and says how many.
	PurgeLeases(ctx context.Context, before time.Time) (int64, error)
	// State returns the user's dispatcher state (empty if none yet).
	State(ctx context.Context, userID string) (*State, error)
	// SaveState stores the user's dispatcher state.
	SaveState(ctx context.Context, st *State) error
	// States returns every user's dispatcher state.
	States(ctx context.Context) ([]State, error)
	// RecordNudges stores nudge records; ones stored already stay.
	RecordNudges(ctx context.Context, ns []Nudge) error
	// Nudges returns the user's nudge records for refs (all of the user's
	// when refs is nil), by NudgeKey.
	Nudges(ctx context.Context, userID string, refs []BatchItem) (map[string]Nudge, error)
	// PurgeNudges removes nudge records whose follow-up is no longer
	// pending at that due time, and says how many.
	PurgeNudges(ctx context.Context) (int64, error)
	// EarliestUnnudged returns, per user, the earliest due time of a
	// pending follow-up not nudged for it.
	EarliestUnnudged(ctx context.Context) (map[string]time.Time, error)
	// OldestDue returns the earliest next look at or before now, if any
	// (the dispatcher's lag).
	OldestDue(ctx context.Context, now time.Time) (*time.Time, error)
}

// Query selects one page of follow-ups.
type Query struct {
	Status, ContactID string
	// EventID keeps an event's follow-ups (its page; its review).
	EventID   string
	DueBefore *time.Time
	// DueFrom keeps those due at or after it.
	DueFrom *time.Time
	Limit   int
	Cursor  *record.Cursor
	// NewestFirst lists the latest due first (a contact's history).
	NewestFirst bool
}

// PendingFilter selects pending follow-ups; every field set must hold.
type PendingFilter struct {
	// Before keeps those due before it.
	Before *time.Time
	// IDs, ContactID, Kind and PendingKey keep those with one of the ids,
	// of that contact, of that kind, holding that pending key.
	IDs        []string
	ContactID  string
	Kind       string
	PendingKey string
	// Ref and RefIDs keep those pointing at one of RefIDs.
	Ref    Ref
	RefIDs []string
	// Limit bounds how many (0: all).
	Limit int
}

// Ref names what a follow-up points at.
type Ref string

// What a follow-up points at.
const (
	RefEncounter Ref = "encounter_id"
	RefIntro     Ref = "intro_id"
	RefEvent     Ref = "event_id"
	// RefOpportunity is an opportunity's next step.
	RefOpportunity Ref = "opportunity_id"
	// RefContact selects by contact, to read (PendingFilter) the
	// follow-ups of several contacts at once; nothing detaches by it.
	RefContact Ref = "contact_id"
)

// Change is what ChangePending sets: a new due time (which raises the
// sequence) and/or note, and updated_at.
type Change struct {
	DueAt *time.Time
	Note  *string
	At    time.Time
}

// QueueEntry is one user's place in the dispatcher's queue.
type QueueEntry struct {
	UserID    string
	NextAt    time.Time
	WakeNonce string
}

// Nudge records that a follow-up was nudged (or given up on) for one due
// time: re-dating a follow-up makes it due for a nudge again.
type Nudge struct {
	UserID     string
	FollowUpID string
	DueAt      time.Time
	At         time.Time
	Failed     bool
	Error      string
}

// NudgeKey names a follow-up at one due time.
func NudgeKey(id string, due time.Time) string {
	return id + "@" + strconv.FormatInt(due.UnixMilli(), 10)
}
