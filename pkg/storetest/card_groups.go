package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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
		if err := s.PutCardGroup(ctx, berlin, contacts.CardGroupsFit); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCardGroup(ctx, group("u1", "a-speakers", "card a", clock), contacts.CardGroupsFit); err != nil {
			t.Fatal(err)
		}
		firstID := berlin.ID
		again := group("u1", "berlin-go", "BEGIN:VCARD\r\nFN:Berlin Gophers\r\nEND:VCARD\r\n", clock.Add(time.Hour))
		if err := s.PutCardGroup(ctx, again, contacts.CardGroupsFit); err != nil {
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
		if err := s.PutCardGroup(ctx, mine, contacts.CardGroupsFit); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CardGroup(ctx, "u2", "team"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another user's card: %v, want NotFound", err)
		}
		if err := s.DeleteCardGroup(ctx, "u2", "team"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleting another user's card: %v, want NotFound", err)
		}
		theirs := group("u2", "team", "theirs", clock)
		if err := s.PutCardGroup(ctx, theirs, contacts.CardGroupsFit); err != nil {
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
		if err := s.PutCardGroup(ctx, group("u1", "put", card, clock), contacts.CardGroupsFit); err != nil {
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
	// The bound holds in the write: a card the user's cards would not fit
	// with is refused and leaves nothing (a new one absent, a replaced one
	// as it was), another user's cards do not count, and puts at once
	// never pass it together: each one answered nil is kept, each refused
	// one is not.
	t.Run("Bound", func(t *testing.T) {
		s := open(t).Stores.Contacts
		fit := func(n, bytes int) bool { return n <= 3 && bytes <= 300 }
		card := func(n int) string { return strings.Repeat("x", n) }
		for _, name := range []string{"a", "b", "c"} {
			if err := s.PutCardGroup(ctx, group("u1", name, card(50), clock), fit); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutCardGroup(ctx, group("u2", "a", card(300), clock), fit); err != nil {
			t.Fatalf("another user's cards counted: %v", err)
		}
		if err := s.PutCardGroup(ctx, group("u1", "d", card(1), clock), fit); !errors.Is(err, contacts.ErrCardGroupsFull) {
			t.Fatalf("a fourth card: %v, want ErrCardGroupsFull", err)
		}
		if _, err := s.CardGroup(ctx, "u1", "d"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the refused card was kept: %v", err)
		}
		if err := s.PutCardGroup(ctx, group("u1", "a", card(200), clock.Add(time.Minute)), fit); err != nil {
			t.Fatalf("a card replaced within the bytes: %v", err)
		}
		if err := s.PutCardGroup(ctx, group("u1", "a", card(201), clock.Add(2*time.Minute)), fit); !errors.Is(err, contacts.ErrCardGroupsFull) {
			t.Fatalf("a card replaced past the bytes: %v, want ErrCardGroupsFull", err)
		}
		if g, err := s.CardGroup(ctx, "u1", "a"); err != nil || len(g.Card) != 200 || !g.UpdatedAt.Equal(clock.Add(time.Minute)) {
			t.Fatalf("the replaced card was not put back: %v", err)
		}
		// A deleted card frees its place and bytes; a restored one takes them.
		if err := s.DeleteCardGroup(ctx, "u1", "b"); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCardGroup(ctx, group("u1", "d", card(50), clock), fit); err != nil {
			t.Fatalf("a card in a deleted one's place: %v", err)
		}
		if err := s.DeleteCardGroup(ctx, "u1", "d"); err != nil {
			t.Fatal(err)
		}
		if err := s.CardGroupArchive().Restore(ctx, []*contacts.CardGroup{group("u1", "r", card(40), clock)}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCardGroup(ctx, group("u1", "c", card(61), clock), fit); !errors.Is(err, contacts.ErrCardGroupsFull) {
			t.Fatalf("a restored card's bytes not counted: %v", err)
		}

		var wg sync.WaitGroup
		kept := make([]bool, 10)
		for i := range kept {
			wg.Go(func() {
				err := s.PutCardGroup(ctx, group("u3", fmt.Sprint("g", i), card(10), clock), fit)
				if err != nil && !errors.Is(err, contacts.ErrCardGroupsFull) {
					t.Error(err)
				}
				kept[i] = err == nil
			})
		}
		wg.Wait()
		entries, err := s.CardGroupEntries(ctx, "u3")
		if err != nil || len(entries) > 3 {
			t.Fatalf("puts at once passed the bound: %d cards (%v)", len(entries), err)
		}
		for _, e := range entries {
			var i int
			fmt.Sscanf(e.DAVName, "g%d", &i)
			kept[i] = !kept[i]
		}
		if slices.Contains(kept, true) {
			t.Fatalf("the cards answered nil are not the ones kept: %v, %+v", kept, entries)
		}
	})
}
