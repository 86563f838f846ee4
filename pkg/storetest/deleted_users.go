package storetest

import (
	"context"
	"testing"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// DeletedUsers runs the contract of deleting a user (accounts.Store's
// DeleteUser, PurgeUser, DeletedUsers, ForgetDeleted) on a whole engine:
// deleting signs nobody in as them at once; purging leaves nothing of
// theirs in any store and all of everyone else's, and the note that they
// are deleted until it is forgotten; the first-user marker goes with the
// last user.
func DeletedUsers(t *testing.T, open OpenEngine) {
	ctx := context.Background()
	e := open(t)
	acc, st := e.Accounts, e.Stores
	type held struct {
		user    *accounts.User
		token   *accounts.Token
		contact *contacts.Contact
		eventID string
	}
	fill := func(email string) held {
		u, tok := MustCreateUser(t, acc, email)
		u.Card = accounts.Card{Enabled: true, ID: "card-" + u.ID, Key: "k"}
		ct := MustCreateContact(t, st.Contacts, newContact(u.ID, "Friend of "+email, "friend@example.com"))
		ev := newEvent(u.ID, "Meetup of "+email, 1)
		mustCreateFollowup(t, st.Followups, newFollowup(u.ID, ct.ID, "check_in", 3))
		for _, err := range []error{acc.UpdateUser(ctx, u), acc.SetPassword(ctx, u.ID, "hash-"+u.ID, clock),
			acc.CreateSession(ctx, &accounts.Session{Hash: "s-" + u.ID, UserID: u.ID, CSRF: "c", ExpiresAt: clock.AddDate(0, 0, 1)}),
			acc.CreateFeedSet(ctx, &accounts.FeedSet{Hash: "f-" + u.ID, UserID: u.ID, ID: "set-" + u.ID, Name: "Phone", CreatedAt: clock}),
			st.Events.CreateEvent(ctx, ev),
			st.Contacts.PutCardGroup(ctx, &contacts.CardGroup{ID: nextID(), UserID: u.ID, DAVName: "group-" + u.ID, Name: "Speakers", Card: "BEGIN:VCARD\r\nEND:VCARD\r\n", UpdatedAt: clock}, contacts.CardGroupsFit),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := acc.SetInbound(ctx, u.ID, "in-"+u.ID, clock, true); err != nil {
			t.Fatal(err)
		}
		return held{u, tok, ct, ev.ID}
	}
	ada, bob := fill("ada@example.com"), fill("bob@example.com")

	if err := acc.DeleteUser(ctx, ada.user.ID, clock); err != nil {
		t.Fatal(err)
	}
	// Every way in finds the user by id: none is left.
	if _, err := acc.User(ctx, ada.user.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a deleted user: %v, want NotFound", err)
	}
	if _, err := acc.UserByEmail(ctx, "ada@example.com"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a deleted user by email: %v, want NotFound", err)
	}
	if _, err := acc.UserByCard(ctx, "card-"+ada.user.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a deleted user's card: %v, want NotFound", err)
	}
	if err := acc.DeleteUser(ctx, ada.user.ID, clock); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("deleted twice: %v, want NotFound", err)
	}
	if notes, err := acc.DeletedUsers(ctx); err != nil || len(notes) != 1 || notes[0].ID != ada.user.ID || !notes[0].At.Equal(clock) {
		t.Fatalf("DeletedUsers = %v, %v; want ada's at %v", notes, err, clock)
	}

	// Purged (twice: a second run finds nothing to do): nothing of hers in
	// any store, all of his.
	for range 2 {
		if err := acc.PurgeUser(ctx, ada.user.ID); err != nil {
			t.Fatal(err)
		}
	}
	if notes, err := acc.DeletedUsers(ctx); err != nil || len(notes) != 1 {
		t.Fatalf("DeletedUsers after the purge = %v, %v; want the note kept", notes, err)
	}
	if err := acc.ForgetDeleted(ctx, ada.user.ID); err != nil {
		t.Fatal(err)
	}
	if notes, err := acc.DeletedUsers(ctx); err != nil || len(notes) != 0 {
		t.Fatalf("DeletedUsers once forgotten = %v, %v", notes, err)
	}
	for _, h := range []held{ada, bob} {
		kept := h.user.ID == bob.user.ID
		found := func(what string, err error) {
			t.Helper()
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("%s of %s: %v", what, h.user.Email, err)
			}
			if (err == nil) != kept {
				t.Errorf("%s of %s: found %v, want %v", what, h.user.Email, err == nil, kept)
			}
		}
		_, err := acc.TokenByHash(ctx, h.token.Hash)
		found("token", err)
		_, err = acc.Session(ctx, "s-"+h.user.ID)
		found("session", err)
		_, err = acc.PasswordHash(ctx, h.user.ID)
		found("password", err)
		_, err = acc.InboundUser(ctx, "in-"+h.user.ID)
		found("inbound address", err)
		_, err = acc.FeedSetByHash(ctx, "f-"+h.user.ID)
		found("feed set", err)
		_, err = st.Contacts.Contact(ctx, h.user.ID, h.contact.ID)
		found("contact", err)
		_, err = st.Events.Event(ctx, h.user.ID, h.eventID)
		found("event", err)
		_, err = st.Contacts.CardGroup(ctx, h.user.ID, "group-"+h.user.ID)
		found("group card", err)
		ids, err := st.Contacts.ContactIDsByKeys(ctx, h.user.ID, []string{"email:friend@example.com"})
		if err != nil || (len(ids) == 1) != kept {
			t.Errorf("dedupe keys of %s: %v, %v", h.user.Email, ids, err)
		}
		due, err := st.Followups.Pending(ctx, h.user.ID, followup.PendingFilter{})
		if err != nil || (len(due) == 1) != kept {
			t.Errorf("follow-ups of %s: %d, %v", h.user.Email, len(due), err)
		}
	}

	// Bob is left: the server still has its user (sign-up closed stays
	// closed); once he goes too, the first sign-up is taken again.
	carol, tok := newUser("carol@example.com")
	if err := acc.CreateUser(ctx, carol, tok, true); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a first sign-up while a user is left: %v, want Forbidden", err)
	}
	if err := acc.DeleteUser(ctx, bob.user.ID, clock); err != nil {
		t.Fatal(err)
	}
	if err := acc.PurgeUser(ctx, bob.user.ID); err != nil {
		t.Fatal(err)
	}
	if err := acc.CreateUser(ctx, carol, tok, true); err != nil {
		t.Fatalf("the first sign-up of an emptied store: %v", err)
	}
}
