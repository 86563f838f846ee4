package contacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Store is all the storage of this domain: contacts with their dedupe
// keys, encounters, interactions, intros, imports and the address book's
// group cards.
type Store interface {
	ContactStore
	EncounterStore
	InteractionStore
	IntroStore
	ImportStore
	CardGroupStore
}

// Import is what an import did, kept so it can be undone: the contacts it
// created, and the contacts it merged into as they were before.
type Import struct {
	ID        string    `json:"id"`
	UserID    string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	// StartedAt is when the import began (nil on records made before it
	// was kept): no contact it created is older.
	StartedAt *time.Time `json:"started_at,omitempty"`
	Created   []string   `json:"created"`
	Before    []Contact  `json:"before"`
	// Added is what the import added to each contact of Before: an undo
	// takes it out where it is still there (Addition.TakeOut), keeping
	// what was changed since.
	Added []Addition `json:"added,omitempty"`
	// ExtraFilled is how records made before Added were kept named the
	// contacts of Before whose empty card extra (CardExtra) the import
	// filled, each with ExtraSum of what it put there; an undo of such a
	// record takes the rest of Added from Before and the contact now.
	ExtraFilled []ExtraFill `json:"extra_filled,omitempty"`
	// Kind is what was imported: "vcard" or "csv".
	Kind string `json:"kind,omitempty"`
	// State is ImportRunning until the import ends (ImportDone); records
	// made before it was kept have none, and are done.
	State string `json:"state,omitempty"`
	// UpdatedAt is when a running import last wrote its record: one not
	// written for ImportStale was cut short (the process died).
	UpdatedAt *time.Time `json:"-"`
	// CreatedN and UpdatedN count the contacts it created and merged into.
	CreatedN int `json:"-"`
	UpdatedN int `json:"-"`
	// UndoneAt is when it was undone (its lists are emptied then).
	UndoneAt *time.Time `json:"-"`
}

// ExtraFill is a contact whose empty card extra an import filled, and
// ExtraSum of what it put there.
type ExtraFill struct {
	ID  string `json:"id"`
	Sum string `json:"sum"`
}

// ExtraSum is a digest of a card's extra, to tell later whether it is
// still what an import put there.
func ExtraSum(extra string) string {
	sum := sha256.Sum256([]byte(extra))
	return hex.EncodeToString(sum[:16])
}

// States of an import.
const (
	ImportRunning     = "running"
	ImportDone        = "done"
	ImportInterrupted = "interrupted" // running, and not written for ImportStale
)

// ImportStale is how long a running import may go without writing its
// record before it is taken as cut short: a chunk takes well under a
// second.
const ImportStale = 2 * time.Minute

// ImportStore keeps the records of imports (one each; scoped to a user).
type ImportStore interface {
	// CreateImport stores an import's record.
	CreateImport(ctx context.Context, im *Import) error
	// Import returns one of the user's import records; NotFound otherwise.
	Import(ctx context.Context, userID, id string) (*Import, error)
	// DeleteImport removes one of the user's import records.
	DeleteImport(ctx context.Context, userID, id string) error
	// UpdateImport replaces one of the user's import records; NotFound if
	// the user has none with its id.
	UpdateImport(ctx context.Context, im *Import) error
	// Imports returns one page of the user's import records, newest first
	// (Cursor.T is created_at), without their Created and Before lists.
	Imports(ctx context.Context, userID string, limit int, cur *record.Cursor) (*record.Page[Import], error)
}

// ContactStore keeps the user's contacts and the dedupe keys that make "one
// contact per person" hold: each email and LinkedIn URL (DedupeKeys) belongs
// to at most one of a user's contacts. The embedded store (pkg/sqlite) and
// MongoDB (pkg/mongodb) implement it, and pkg/storetest checks both.
// Every method is scoped to one user: another user's id is NotFound.
type ContactStore interface {
	// ContactArchive walks and restores the user's contacts as they are
	// (backup and restore); a restore claims their keys.
	ContactArchive() record.Archive[Contact]
	// CreateContact stores c (ID and UserID set) and claims its keys.
	// Conflict, with ExistingID, if one of the user's contacts holds one of
	// the keys; nothing is stored then.
	CreateContact(ctx context.Context, c *Contact) error
	// ImportContacts stores many contacts at once (an import): each whose
	// keys are free, in one go. Those whose keys another contact holds
	// (stored before, or earlier in cs) are not stored: held maps their
	// index in cs to the holder's id. Any other error stores nothing.
	ImportContacts(ctx context.Context, cs []*Contact) (held map[int]string, err error)
	// Contact returns one of the user's contacts; NotFound if it does not
	// exist or is another user's.
	Contact(ctx context.Context, userID, id string) (*Contact, error)
	// ContactByKey returns the user's contact that holds key (as made by
	// DedupeKeys); NotFound if none does.
	ContactByKey(ctx context.Context, userID, key string) (*Contact, error)
	// ContactIDsByKeys returns which of the user's contacts hold keys, by
	// key (keys no contact holds are left out).
	ContactIDsByKeys(ctx context.Context, userID string, keys []string) (map[string]string, error)
	// UpdateContact replaces the user's contact c.ID with c and moves its
	// keys to those of c. NotFound if it does not exist or is another
	// user's; Conflict, with ExistingID, if a new key is another contact's;
	// nothing changes then.
	UpdateContact(ctx context.Context, c *Contact) error
	// TouchContact records a contact at t: last_contacted_at becomes the
	// later of its value and t (never earlier), known_since the earlier
	// (never later). It returns the contact;
	// NotFound if it does not exist or is another user's.
	TouchContact(ctx context.Context, userID, id string, t time.Time) (*Contact, error)
	// SetLastContacted sets last_contacted_at of the user's contact id to
	// t, nil for never (and nothing else), and returns the contact;
	// NotFound if it does not exist or is another user's.
	SetLastContacted(ctx context.Context, userID, id string, t *time.Time) (*Contact, error)
	// ContactsByID returns those of ids that are the user's contacts, by id
	// (another user's ids are left out).
	ContactsByID(ctx context.Context, userID string, ids []string) (map[string]*Contact, error)
	// Headcounts returns how many of the user's contacts work at each of
	// companyIDs (companies with none are left out).
	Headcounts(ctx context.Context, userID string, companyIDs []string) (map[string]int, error)
	// DeleteContact removes one of the user's contacts and frees its keys;
	// NotFound if it does not exist or is another user's.
	DeleteContact(ctx context.Context, userID, id string) error
	// DeleteContacts removes those of ids that are the user's contacts
	// and frees their keys, in one go (an import's undo); ids that are not
	// are left out, and the count removed is returned.
	DeleteContacts(ctx context.Context, userID string, ids []string) (int, error)
	// ContactsAtCompany returns a page of the user's contacts whose
	// company_id is companyID, in name order, after cur (a cursor of that
	// order, CursorOf(SortName, …); nil from the first), at most limit
	// (record.PageSize).
	ContactsAtCompany(ctx context.Context, userID, companyID string, cur *record.Cursor, limit int) (*record.Page[Contact], error)
	// SetCompanies sets the company_id of those of the user's contacts
	// companyOf names (contact id → company id), and nothing else; an id
	// that is not one of the user's contacts is left alone.
	SetCompanies(ctx context.Context, userID string, companyOf map[string]string) error
	// DetachCompany clears company_id of the user's contacts at companyID.
	DetachCompany(ctx context.Context, userID, companyID string) error
	// UnlinkedContacts returns the user's contacts without a company_id,
	// in id order after afterID, at most limit.
	UnlinkedContacts(ctx context.Context, userID, afterID string, limit int) ([]Contact, error)
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
	// Cursor is where the page before ended (by name, S: the lower-cased
	// name; by last contact or since, T).
	Cursor *record.Cursor
	// Sort is the order: SortName (the default), SortLast or SortSince.
	Sort string
}

// The orders of a contact list.
const (
	// SortName: by lower-cased name, then id.
	SortName = "name"
	// SortLast: the latest last contact first (then id, descending); the
	// never contacted after all the others.
	SortLast = "last"
	// SortSince: the longest known first, by known_since, then id.
	SortSince = "since"
)

// CursorOf is where a page of contacts in the order sort ends, after c.
func CursorOf(sort string, c *Contact) record.Cursor {
	switch sort {
	case SortLast:
		if c.LastContactedAt == nil {
			never := ""
			return record.Cursor{S: &never, ID: c.ID} // among the never contacted
		}
		return record.Cursor{T: c.LastContactedAt, ID: c.ID}
	case SortSince:
		return record.Cursor{T: &c.KnownSince, ID: c.ID}
	}
	name := strings.ToLower(c.Name)
	return record.Cursor{S: &name, ID: c.ID}
}

// CheckCursor says whether cur can be a cursor of a list in the order
// sort: an InvalidField("cursor") error if not.
func CheckCursor(sort string, cur *record.Cursor) error {
	ok := true
	switch {
	case cur == nil:
	case sort == SortLast:
		ok = cur.T != nil || cur.S != nil && *cur.S == ""
	case sort == SortSince:
		ok = cur.T != nil
	default:
		ok = cur.S != nil
	}
	if !ok {
		return apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return nil
}

// SearchText is the folded text (input.Fold) that ContactQuery.Q is
// matched in: name, company, title, notes, emails and tags.
func SearchText(c *Contact) string {
	parts := append([]string{c.Name, c.Company, c.Title, c.Notes}, c.Emails...)
	return input.SearchText(append(parts, c.Tags...)...)
}

// EncounterStore keeps encounters: who the user met at which event.
type EncounterStore interface {
	// EncounterArchive walks and restores encounters as they are.
	EncounterArchive() record.Archive[Encounter]
	// CreateEncounter stores e (ID and UserID set).
	CreateEncounter(ctx context.Context, e *Encounter) error
	// Encounters returns one page of the user's encounters at one event or
	// with one contact, by met_at then id (Cursor.T is met_at).
	Encounters(ctx context.Context, userID string, q EncounterQuery) (*record.Page[Encounter], error)
	// LatestEncounters returns each of contactIDs' latest encounter (by
	// met_at, then id), by contact; contacts never met are left out.
	LatestEncounters(ctx context.Context, userID string, contactIDs []string) (map[string]Encounter, error)
	// EncountersWith returns the user's encounters with any of contactIDs,
	// by contact, then met_at (a batch of cards reads them at once).
	EncountersWith(ctx context.Context, userID string, contactIDs []string) ([]Encounter, error)
	// ContactIDsAtEvent returns the ids of the contacts the user met at an
	// event, each once.
	ContactIDsAtEvent(ctx context.Context, userID, eventID string) ([]string, error)
	// EventsMetAt returns which of eventIDs the user met someone at (an
	// encounter there), as a set.
	EventsMetAt(ctx context.Context, userID string, eventIDs []string) (map[string]bool, error)
	// PeopleMetAt returns whom the user met at each of eventIDs, each once
	// an event, with since when the user has known them
	// (Contact.KnownSince), by event; events where nobody was met are left
	// out. It is what "new or returning" needs of thousands of people, in
	// one read, without reading the whole contacts.
	PeopleMetAt(ctx context.Context, userID string, eventIDs []string) (map[string][]KnownPerson, error)
	// DeleteEncounter removes one of the user's encounters and returns it;
	// NotFound if it does not exist or is another user's.
	DeleteEncounter(ctx context.Context, userID, id string) (*Encounter, error)
	// DeleteEncountersOf removes the user's encounters at any of the
	// events ids (of == ByEvent) or with any of the contacts ids
	// (ByContact) and returns their ids.
	DeleteEncountersOf(ctx context.Context, userID string, of EncountersOf, ids []string) ([]string, error)
}

// EncountersOf says what DeleteEncountersOf matches on.
type EncountersOf int

// What DeleteEncountersOf matches on.
const (
	ByEvent EncountersOf = iota
	ByContact
)

// EncounterQuery selects one page of encounters: EventID or ContactID.
type EncounterQuery struct {
	EventID, ContactID string
	Limit              int
	Cursor             *record.Cursor
	// NewestFirst reads the latest encounters first.
	NewestFirst bool
}

// InteractionStore keeps interactions: coffees, calls and emails.
type InteractionStore interface {
	// InteractionArchive walks and restores interactions as they are.
	InteractionArchive() record.Archive[Interaction]
	// CreateInteraction stores it (ID and UserID set).
	CreateInteraction(ctx context.Context, it *Interaction) error
	// Interactions returns one page of a contact's interactions, newest
	// first (Cursor.T is at).
	Interactions(ctx context.Context, userID, contactID string, limit int, cursor *record.Cursor) (*record.Page[Interaction], error)
	// DeleteInteraction removes one of the user's interactions and
	// returns it; NotFound if it does not exist or is another user's.
	DeleteInteraction(ctx context.Context, userID, id string) (*Interaction, error)
	// DeleteInteractionsOf removes all interactions of any of contactIDs.
	DeleteInteractionsOf(ctx context.Context, userID string, contactIDs []string) error
	// DeleteEventGiving removes what was given to an event with no contact
	// (volunteered, spoke), when the event goes.
	DeleteEventGiving(ctx context.Context, userID, eventID string) error
	// InteractionsOfKinds returns the user's interactions of those kinds
	// at or after since (any contact), oldest first, at most limit.
	InteractionsOfKinds(ctx context.Context, userID string, kinds []string, since time.Time, limit int) ([]Interaction, error)
}

// IntroStore keeps the introductions the user gave.
type IntroStore interface {
	// IntroArchive walks and restores intros as they are.
	IntroArchive() record.Archive[Intro]
	// CreateIntro stores it (ID and UserID set).
	CreateIntro(ctx context.Context, it *Intro) error
	// Intro returns one of the user's intros; NotFound if it does not exist
	// or is another user's.
	Intro(ctx context.Context, userID, id string) (*Intro, error)
	// MoveIntro sets status, outcome and updated_at of one of the user's
	// intros if its status is still from (compare-and-set), and returns
	// it. NotFound if there is no such intro; Conflict if its status is
	// no longer from.
	MoveIntro(ctx context.Context, userID, id, from, to, outcome string, at time.Time) (*Intro, error)
	// Intros returns one page of the user's intros, oldest first (Cursor.T
	// is created_at), of one contact and in one status when those are set.
	Intros(ctx context.Context, userID string, q IntroQuery) (*record.Page[Intro], error)
	// IntrosWith returns the user's intros that involve any of contactIDs,
	// by created_at and id, each once.
	IntrosWith(ctx context.Context, userID string, contactIDs []string) ([]Intro, error)
	// DeleteIntrosOf removes the user's intros that involve any of
	// contactIDs and returns their ids.
	DeleteIntrosOf(ctx context.Context, userID string, contactIDs []string) ([]string, error)
	// MoveContact gives contact to the encounters, interactions, intros
	// and dedupe keys of contact from (a merge); the intros between the
	// two are deleted and their ids returned. Safe to run again after a
	// failure part way (each step finds what is left to move).
	MoveContact(ctx context.Context, userID, from, to string, at time.Time) ([]string, error)
	// DetachIntrosFromEvent clears the event of the user's intros made at it.
	DetachIntrosFromEvent(ctx context.Context, userID, eventID string, at time.Time) error
}

// IntroQuery selects one page of intros.
type IntroQuery struct {
	ContactID, Status string
	// EventID keeps the intros made at one event.
	EventID string
	Limit   int
	Cursor  *record.Cursor
	// NewestFirst reads the latest intros first (the desk's list).
	NewestFirst bool
}
