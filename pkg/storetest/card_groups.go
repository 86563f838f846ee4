package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// CardGroups runs the contacts.CardGroupStore contract: a group card is
// kept by its resource name and replaced under it (its id kept), listed
// by name, deleted; each write is in the sync journal under its name; and
// one user's cards are never another's — to read, replace or delete.
func CardGroups(t *testing.T, open OpenEngine) {
	ctx := context.Background()
	group := func(user, name, card string, at time.Time) *contacts.CardGroup {
		return &contacts.CardGroup{ID: nextID(), UserID: user, DAVName: name, Name: "Group " + name, Card: card, UpdatedAt: at}
	}
	t.Run("PutReplaceDelete", func(t *testing.T) {
		e := open(t)
		s := e.Stores.Contacts
		before, err := e.Changes.Token(ctx, "u1", "cards")
		if err != nil {
			t.Fatal(err)
		}
		berlin := group("u1", "berlin-go", "BEGIN:VCARD\r\nFN:Berlin Go\r\nEND:VCARD\r\n", clock)
		if err := s.PutCardGroup(ctx, berlin); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCardGroup(ctx, group("u1", "a-speakers", "card a", clock)); err != nil {
			t.Fatal(err)
		}
		firstID := berlin.ID
		again := group("u1", "berlin-go", "BEGIN:VCARD\r\nFN:Berlin Gophers\r\nEND:VCARD\r\n", clock.Add(time.Hour))
		if err := s.PutCardGroup(ctx, again); err != nil {
			t.Fatal(err)
		}
		if again.ID != firstID {
			t.Fatalf("a replaced card's id: %q, want the first's %q", again.ID, firstID)
		}
		got, err := s.CardGroup(ctx, "u1", "berlin-go")
		if err != nil || got.ID != firstID || got.UserID != "u1" || got.Card != again.Card || got.Name != again.Name || !got.UpdatedAt.Equal(again.UpdatedAt) {
			t.Fatalf("the replaced card: %+v, %v", got, err)
		}
		list, err := s.CardGroups(ctx, "u1")
		if err != nil || len(list) != 2 || list[0].DAVName != "a-speakers" || list[1].DAVName != "berlin-go" {
			t.Fatalf("the list: %+v, %v", list, err)
		}
		entries, err := s.CardGroupEntries(ctx, "u1")
		want := []contacts.CardGroupEntry{{DAVName: "a-speakers", Name: "Group a-speakers", Bytes: 6}, {DAVName: "berlin-go", Name: again.Name, Bytes: len(again.Card)}}
		if err != nil || !slices.Equal(entries, want) {
			t.Fatalf("the entries: %+v, %v; want %+v", entries, err, want)
		}
		if err := s.DeleteCardGroup(ctx, "u1", "a-speakers"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CardGroup(ctx, "u1", "a-speakers"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a deleted card: %v, want NotFound", err)
		}
		if err := s.DeleteCardGroup(ctx, "u1", "a-speakers"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleted twice: %v, want NotFound", err)
		}
		ids, _, _, err := e.Changes.Since(ctx, "u1", "cards", before, 100)
		if err != nil || !slices.Contains(ids, "berlin-go") || !slices.Contains(ids, "a-speakers") {
			t.Fatalf("the journal since the first put: %v, %v", ids, err)
		}
	})
	t.Run("Isolation", func(t *testing.T) {
		s := open(t).Stores.Contacts
		mine := group("u1", "team", "mine", clock)
		if err := s.PutCardGroup(ctx, mine); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CardGroup(ctx, "u2", "team"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another user's card: %v, want NotFound", err)
		}
		if err := s.DeleteCardGroup(ctx, "u2", "team"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleting another user's card: %v, want NotFound", err)
		}
		theirs := group("u2", "team", "theirs", clock)
		if err := s.PutCardGroup(ctx, theirs); err != nil {
			t.Fatal(err)
		}
		if theirs.ID == mine.ID {
			t.Fatal("another user's card under the same name took my card's id")
		}
		if got, err := s.CardGroup(ctx, "u1", "team"); err != nil || got.Card != "mine" {
			t.Fatalf("my card after another user's put of the same name: %+v, %v", got, err)
		}
		if list, err := s.CardGroups(ctx, "u3"); err != nil || len(list) != 0 {
			t.Fatalf("a user without groups lists %+v, %v", list, err)
		}
		if entries, err := s.CardGroupEntries(ctx, "u2"); err != nil || len(entries) != 1 || entries[0].Bytes != len("theirs") {
			t.Fatalf("another user's entries: %+v, %v", entries, err)
		}
		if entries, err := s.CardGroupEntries(ctx, "u3"); err != nil || entries == nil || len(entries) != 0 {
			t.Fatalf("a user without groups has entries %#v, %v", entries, err)
		}
	})
	// A card's bytes, not its characters, are what the bounds count, and a
	// restored card has them as a put one does.
	t.Run("EntriesCountBytes", func(t *testing.T) {
		s := open(t).Stores.Contacts
		card := "BEGIN:VCARD\r\nFN:Zoë’s Café ☕\r\nEND:VCARD\r\n"
		if err := s.PutCardGroup(ctx, group("u1", "put", card, clock)); err != nil {
			t.Fatal(err)
		}
		if err := s.CardGroupArchive().Restore(ctx, []*contacts.CardGroup{group("u1", "restored", card+card, clock)}); err != nil {
			t.Fatal(err)
		}
		entries, err := s.CardGroupEntries(ctx, "u1")
		if err != nil || len(entries) != 2 || entries[0].Bytes != len(card) || entries[1].Bytes != 2*len(card) {
			t.Fatalf("the entries: %+v, %v; want %d and %d bytes", entries, err, len(card), 2*len(card))
		}
	})
}
