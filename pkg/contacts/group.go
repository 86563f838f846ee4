package contacts

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// CardGroup is a group an address-book app keeps as a card of its own —
// macOS Contacts (X-ADDRESSBOOKSERVER-KIND:group, a MEMBER line per
// member), DAVx5 by default, any vCard 4.0 KIND:group. It is no person:
// it is kept as the app sent it, beside the contacts, and served back in
// the address book, so the app keeps its group and Rapport's contacts
// hold only people. (Rapport's own groups are tags, CATEGORIES.)
type CardGroup struct {
	ID     string
	UserID string
	// DAVName is the resource name the app gave the card (its href is
	// that name + ".vcf"), unique among the user's cards, contacts' too.
	DAVName string
	// Name is the group's name (FN).
	Name string
	// Card is the card as the app sent it.
	Card      string
	UpdatedAt time.Time
}

// CardGroupEntry is a group card as a listing of them names it, without
// the card: what a picker shows and what the bounds count.
type CardGroupEntry struct {
	DAVName, Name string
	// Bytes is the length of the card.
	Bytes int
}

// MaxCardGroups bounds how many group cards one user keeps, and
// MaxCardGroupBytes their cards' bytes together: a listing, the desk's
// contact page and its filter read them all at once (a thousand cards of
// 1 MiB each were a gigabyte a request).
const (
	MaxCardGroups     = 1000
	MaxCardGroupBytes = 16 << 20
)

// CardGroupsFit reports whether n group cards of size bytes together
// stay within MaxCardGroups and MaxCardGroupBytes.
func CardGroupsFit(n, size int) bool { return n <= MaxCardGroups && size <= MaxCardGroupBytes }

// ErrCardGroupsFull is PutCardGroup's error for a card the user's group
// cards would not fit with (CardGroupsFit): nothing was written.
var ErrCardGroupsFull error = apperr.E(apperr.TooLarge, "an address book keeps at most %d groups, of %d MiB together",
	MaxCardGroups, MaxCardGroupBytes>>20)

// CardGroupStore keeps the group cards of the user's address book. Every
// method is scoped to one user: another user's card is NotFound.
type CardGroupStore interface {
	// CardGroupArchive walks and restores the user's group cards as they
	// are (backup and restore); Conflict if two share a name.
	CardGroupArchive() record.Archive[CardGroup]
	// CardGroup returns the user's group card named davName; NotFound if
	// there is none.
	CardGroup(ctx context.Context, userID, davName string) (*CardGroup, error)
	// CardGroups returns the user's group cards, by DAVName.
	CardGroups(ctx context.Context, userID string) ([]CardGroup, error)
	// CardGroupEntries returns the user's group cards without their cards,
	// by DAVName.
	CardGroupEntries(ctx context.Context, userID string) ([]CardGroupEntry, error)
	// PutCardGroup stores g, replacing the user's group card of the same
	// DAVName (whose ID it keeps; g.ID is set to it), if the user's group
	// cards with it fit (their count and their cards' bytes together):
	// else it writes nothing and returns ErrCardGroupsFull. Writes at once
	// never pass fit together.
	PutCardGroup(ctx context.Context, g *CardGroup, fit func(n, bytes int) bool) error
	// DeleteCardGroup removes the user's group card named davName;
	// NotFound if there is none.
	DeleteCardGroup(ctx context.Context, userID, davName string) error
}
