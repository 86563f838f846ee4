package record

import "context"

// Backup sections, in the order a backup lists (and a restore writes) them.
var BackupSections = []string{"companies", "contacts", "events", "attendees", "encounters", "intros", "interactions", "opportunities", "followups", "calendars"}

// Backups reads and writes whole sections of a user's data for backup and
// restore: records of the domains' types (*contacts.Contact,
// *events.Event, *contacts.Encounter, *contacts.Intro,
// *contacts.Interaction, *followup.FollowUp, *events.Calendar), kept as
// they are (ids, times, statuses), bypassing the rules that make new ones.
// Both stores implement it; pkg/storetest checks both.
type Backups interface {
	// EachRecord calls fn with each of the user's records of section, in
	// id order, until fn returns an error.
	EachRecord(ctx context.Context, section, userID string, fn func(any) error) error
	// RestoreRecords stores records of section as they are, with what
	// keeps them findable (a contact's dedupe keys). Conflict if two
	// contacts share a dedupe key.
	RestoreRecords(ctx context.Context, section string, records []any) error
}
