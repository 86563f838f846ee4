package crm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/schedule"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// env is one engine's stores behind the CRM, with a user and an event.
type env struct {
	crm *crm.Service
	acc *accounts.Service
	// holds are a restore's (backup.Import)
	holds *idempotency.Store
	user  *accounts.User
	ev    *events.Event
	// failWake makes the follow-up store's Wake fail (the last step of
	// logging an encounter), to see what a failed request leaves behind;
	// failDetach its Detach (a step of deleting an event, after the
	// encounters went).
	failWake, failDetach *atomic.Bool
}

// failingWake is the real follow-up store with Wake and Detach failing on
// demand.
type failingWake struct {
	followup.Store
	fail, detach *atomic.Bool
}

func (f failingWake) Detach(ctx context.Context, userID string, ref followup.Ref, ids []string, at time.Time) error {
	if f.detach.Load() {
		return errors.New("injected: the store went away")
	}
	return f.Store.Detach(ctx, userID, ref, ids, at)
}

func (f failingWake) Wake(ctx context.Context, userID string, at time.Time, nonce string) error {
	if f.fail.Load() {
		return errors.New("injected: the store went away")
	}
	return f.Store.Wake(ctx, userID, at, nonce)
}

// failingUnit is a unit of work whose follow-up store is failingWake.
type failingUnit struct {
	crm.Tx
	fail, detach *atomic.Bool
}

func (u failingUnit) Stores() crm.Stores {
	st := u.Tx.Stores()
	st.Followups = failingWake{Store: st.Followups, fail: u.fail, detach: u.detach}
	return st
}

var now = time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)

// storedEvent is a planned event of the user's, at at for d, to store
// with importEvents (a followed calendar's, many at once).
func (e *env) storedEvent(title string, at time.Time, d time.Duration) *events.Event {
	return &events.Event{ID: record.NewID(), UserID: e.user.ID, Title: title, Kind: "meetup", StartsAt: at, EndsAt: at.Add(d),
		Timezone: "UTC", Status: "planned", Talks: []events.Talk{}, CreatedAt: now, UpdatedAt: now}
}

// importEvents stores es as they are.
func (e *env) importEvents(t *testing.T, es []*events.Event) {
	t.Helper()
	if err := e.crm.Events.Store.ImportEvents(t.Context(), es); err != nil {
		t.Fatal(err)
	}
}

// engines runs test on the embedded SQLite store and on the MongoDB
// adapter (FerretDB started by the test, or MONGODB_URI).
func engines(t *testing.T, test func(t *testing.T, e *env)) {
	t.Run("SQLite", func(t *testing.T) {
		test(t, newEnv(t, enginetest.OnSQLite(t, enginetest.SQLite(t, sqlitetest.Dir(t)))))
	})
	t.Run("MongoDB", func(t *testing.T) {
		test(t, newEnv(t, enginetest.OnMongo(t, mongotest.MustOpen(t))))
	})
}

func newEnv(t *testing.T, eng *engine.Engine) *env {
	t.Helper()
	stores, accStore := eng.Stores, eng.Accounts
	e := &env{failWake: &atomic.Bool{}, failDetach: &atomic.Bool{}}
	stores.Followups = failingWake{Store: stores.Followups, fail: e.failWake, detach: e.failDetach}
	update := stores.Update
	stores.Update = func(ctx context.Context, fn func(context.Context, crm.Tx) error) error {
		return update(ctx, func(ctx context.Context, tx crm.Tx) error {
			return fn(ctx, failingUnit{Tx: tx, fail: e.failWake, detach: e.failDetach})
		})
	}
	clock := func() time.Time { return now }
	e.crm = crm.New(stores, clock)
	e.acc = accounts.New(accStore, schedule.Parse)
	e.holds = idempotency.New(eng.Idempotency)
	e.acc.Now = clock
	var err error
	if e.user, _, err = e.acc.Signup(t.Context(), accounts.SignupInput{Email: "me@example.com", Name: "Me", Timezone: "Europe/Berlin"}, true); err != nil {
		t.Fatal(err)
	}
	if e.ev, err = e.crm.Events.Create(t.Context(), e.user.ID, e.user.Timezone, events.Input{Title: "Go meetup", StartsAt: "2026-11-24T18:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// counts returns how many contacts, encounters and follow-ups the user has.
func (e *env) counts(t *testing.T) (nc, ne, nf int) {
	t.Helper()
	cs, err := e.crm.Contacts.Store.Contacts(t.Context(), e.user.ID, contacts.Filter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	es, err := e.crm.Contacts.Store.Encounters(t.Context(), e.user.ID, contacts.EncounterFilter{EventID: e.ev.ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.crm.Followups.List(t.Context(), e.user.ID, followup.Filter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(cs.Items), len(es.Items), len(fs.Items)
}

func ada(email string) contacts.EncounterInput {
	return contacts.EncounterInput{Contact: &contacts.Input{Name: "Ada Lovelace", Emails: []string{email}}, Moment: "after_talk",
		Notes: "wants the FFI notes", Topics: []string{"go", "rust"}}
}

// TestLogEncounterRecognisesTheContact: the second encounter with the same
// person (email in another case) reuses the contact, and the pending-once
// rule keeps one thank-you.
func TestLogEncounterRecognisesTheContact(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		first, err := e.crm.LogEncounter(t.Context(), e.user, e.ev.ID, ada("ada@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if !first.ContactCreated || len(first.Followups) == 0 {
			t.Fatalf("first encounter: created=%v, %d follow-ups", first.ContactCreated, len(first.Followups))
		}
		second, err := e.crm.LogEncounter(t.Context(), e.user, e.ev.ID, ada("ADA@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if second.ContactCreated || second.Contact.ID != first.Contact.ID {
			t.Fatalf("second encounter made contact %s (created=%v), want %s", second.Contact.ID, second.ContactCreated, first.Contact.ID)
		}
		nc, ne, nf := e.counts(t)
		if nc != 1 || ne != 2 || nf != len(first.Followups) {
			t.Fatalf("%d contacts, %d encounters, %d follow-ups; want 1, 2, %d", nc, ne, nf, len(first.Followups))
		}
	})
}

// TestFailedLogLeavesNothing: when the last step of logging an encounter
// fails, the new contact, its dedupe key, the encounter and its follow-ups
// are all gone (SQLite: one transaction rolled back; MongoDB: undone), and
// the same person logged again is a new contact, not a "duplicate" of a
// ghost.
func TestFailedLogLeavesNothing(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.failWake.Store(true)
		if _, err := e.crm.LogEncounter(t.Context(), e.user, e.ev.ID, ada("ada@example.com")); err == nil {
			t.Fatal("the injected failure was not reported")
		}
		if nc, ne, nf := e.counts(t); nc+ne+nf != 0 {
			t.Fatalf("a failed request left %d contacts, %d encounters, %d follow-ups", nc, ne, nf)
		}
		_, err := e.crm.LogEncounterAtNewEvent(t.Context(), e.user, events.Input{Title: "Rust meetup", StartsAt: "2026-11-24T18:30:00Z"}, ada("ada@example.com"))
		if err == nil {
			t.Fatal("the injected failure was not reported")
		}
		evs, err := e.crm.Events.Store.Events(t.Context(), e.user.ID, events.Filter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs.Items) != 1 {
			t.Fatalf("%d events, want only the first: a failed request left its new event", len(evs.Items))
		}
		e.failWake.Store(false)
		res, err := e.crm.LogEncounter(t.Context(), e.user, e.ev.ID, ada("ada@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if !res.ContactCreated {
			t.Fatal("the contact of the failed request still held its email")
		}
	})
}

// TestDeleteContactTakesEverythingAboutIt: encounters, interactions, intros
// and follow-ups go with the contact; the other side of an intro stays.
func TestDeleteContactTakesEverythingAboutIt(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		a, err := e.crm.LogEncounter(t.Context(), e.user, e.ev.ID, ada("ada@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.crm.LogEncounter(t.Context(), e.user, e.ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "Grace Hopper"}, Moment: "before_talk"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.crm.CreateIntro(t.Context(), e.user, contacts.IntroInput{ContactIDs: []string{a.Contact.ID, b.Contact.ID}, Context: "both write Go"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.crm.LogInteraction(t.Context(), e.user, a.Contact.ID, contacts.InteractionInput{Kind: "meeting", Notes: "coffee"}); err != nil {
			t.Fatal(err)
		}
		if err := e.crm.DeleteContact(t.Context(), e.user.ID, a.Contact.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.crm.Contacts.Store.Contact(t.Context(), e.user.ID, a.Contact.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleted contact: %v, want NotFound", err)
		}
		nc, ne, _ := e.counts(t)
		if nc != 1 || ne != 1 {
			t.Fatalf("%d contacts, %d encounters after the delete; want Grace and her encounter", nc, ne)
		}
		fs, err := e.crm.Followups.List(t.Context(), e.user.ID, followup.Filter{Status: followup.Pending, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs.Items {
			if f.ContactID == a.Contact.ID || f.IntroID != "" {
				t.Errorf("follow-up %s (%s) of the deleted contact or its intro is still pending", f.ID, f.Kind)
			}
		}
		intros, err := e.crm.Contacts.Store.Intros(t.Context(), e.user.ID, contacts.IntroFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(intros.Items) != 0 {
			t.Fatalf("%d intros of a deleted contact remain", len(intros.Items))
		}
	})
}

// TestBackupMovesBetweenEngines: an account exported from one engine and
// restored on the other has the same contacts, encounters and follow-ups
// (how a user moves from the embedded store to MongoDB), and what the
// contacts' cards in an address book held besides (the API leaves it out).
func TestBackupMovesBetweenEngines(t *testing.T) {
	var exported []byte
	var want [3]int
	const extra = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"
	engines(t, func(t *testing.T, e *env) {
		if exported == nil {
			for _, email := range []string{"ada@example.com", "grace@example.com", "alan@example.com"} {
				if _, err := e.crm.LogEncounter(t.Context(), e.user, e.ev.ID, ada(email)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.crm.CreateContactWith(t.Context(), e.user, contacts.Input{Name: "Carded"}, contacts.CreateOpts{CardExtra: extra}); err != nil {
				t.Fatal(err)
			}
			nc, ne, nf := e.counts(t)
			want = [3]int{nc, ne, nf}
			var buf bytes.Buffer
			if err := backup.Export(t.Context(), e.crm, e.user, &buf); err != nil {
				t.Fatal(err)
			}
			exported = buf.Bytes()
			return
		}
		// A fresh user on the other engine (the env's event is not in the backup).
		u, _, err := e.acc.Signup(t.Context(), accounts.SignupInput{Email: "moved@example.com", Name: "Moved"}, true)
		if err != nil {
			t.Fatal(err)
		}
		res, err := backup.Import(t.Context(), e.crm, e.acc, e.holds, u, bytes.NewReader(exported))
		if err != nil {
			t.Fatal(err)
		}
		got := [3]int{res.Restored["contacts"], res.Restored["encounters"], res.Restored["followups"]}
		if got != want {
			t.Fatalf("restored %v contacts/encounters/follow-ups, want %v", got, want)
		}
		cs, err := e.crm.Contacts.Store.Contacts(t.Context(), u.ID, contacts.Filter{Q: "ada", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs.Items) != 3 { // all three are named Ada Lovelace
			t.Fatalf("search after restore found %d contacts, want 3", len(cs.Items))
		}
		if cs, err = e.crm.Contacts.Store.Contacts(t.Context(), u.ID, contacts.Filter{Q: "carded", Limit: 10}); err != nil || len(cs.Items) != 1 || cs.Items[0].CardExtra != extra {
			t.Fatalf("the card's rest after restore: %+v, %v", cs, err)
		}
	})
}

// TestInsightsCountOpportunitiesAcrossPages: the pipeline counts the
// opportunities made in the window and worth it every one an event
// sourced, from one read of the user's opportunities that pages past
// record.MaxLimit and past the window's start.
func TestInsightsCountOpportunitiesAcrossPages(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		from := now.AddDate(0, 0, -90)
		const inWindow, before = record.MaxLimit + 30, 5
		for i := range inWindow + before {
			at := now.Add(-time.Duration(i) * time.Hour)
			if i >= inWindow {
				at = from.Add(-time.Duration(i) * time.Hour)
			}
			o := &opportunities.Opportunity{ID: record.NewID(), UserID: e.user.ID, Title: fmt.Sprint("Role ", i), Kind: "job",
				Stage: opportunities.Stages[i%2], SourceEventID: e.ev.ID, RecruiterIDs: []string{}, History: []opportunities.StageChange{},
				CreatedAt: at, UpdatedAt: at}
			if err := e.crm.Opportunities.CreateOpportunity(t.Context(), o); err != nil {
				t.Fatal(err)
			}
		}
		ins, err := e.crm.InsightsFromStore(t.Context(), e.user, from, now)
		if err != nil {
			t.Fatal(err)
		}
		if n := ins.Pipeline.ByStage[opportunities.Stages[0]] + ins.Pipeline.ByStage[opportunities.Stages[1]]; n != inWindow {
			t.Errorf("the pipeline counts %d opportunities, want the window's %d", n, inWindow)
		}
		if len(ins.Pipeline.Sources) != 1 || ins.Pipeline.Sources[0].Opportunities != inWindow {
			t.Errorf("the pipeline's sources: %+v", ins.Pipeline.Sources)
		}
		if len(ins.Events) != 1 || ins.Events[0].Opportunities != inWindow+before {
			t.Errorf("worth it: %+v, want %d opportunities", ins.Events, inWindow+before)
		}
	})
}

// TestBriefReadsEveryMeeting: a contact's brief gathers the topics of all
// their meetings, past the first page of them, and shows the newest 50
// meetings, newest first.
func TestBriefReadsEveryMeeting(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		c := &contacts.Contact{ID: record.NewID(), UserID: e.user.ID, Name: "Ada", Emails: []string{}, Phones: []string{}, Tags: []string{},
			CreatedAt: now, UpdatedAt: now}
		if err := e.crm.Contacts.Store.CreateContact(t.Context(), c); err != nil {
			t.Fatal(err)
		}
		const met = record.MaxLimit + 10
		for i := range met {
			topic := "go"
			switch i {
			case 0:
				topic = "Rust"
			case met - 1:
				topic = "WASM"
			}
			at := now.Add(time.Duration(i-met) * time.Minute)
			enc := &contacts.Encounter{ID: record.NewID(), UserID: e.user.ID, EventID: e.ev.ID, ContactID: c.ID, Moment: "other",
				MetAt: at, Notes: fmt.Sprint("n", i), Topics: []string{topic}, CreatedAt: at}
			if err := e.crm.Contacts.Store.CreateEncounter(t.Context(), enc); err != nil {
				t.Fatal(err)
			}
		}
		b, err := e.crm.Brief(t.Context(), e.user.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(b.Topics); got != "[Rust go WASM]" {
			t.Errorf("topics %s, want [Rust go WASM] (the first meeting's and the last's)", got)
		}
		if len(b.Met) != 50 || b.Met[0].Notes != fmt.Sprint("n", met-1) || b.Met[49].Notes != fmt.Sprint("n", met-50) {
			t.Fatalf("%d meetings, first %q: want the newest 50, newest first", len(b.Met), b.Met[0].Notes)
		}
		if b.Met[0].EventTitle != e.ev.Title {
			t.Errorf("the meeting's event %q, want %q", b.Met[0].EventTitle, e.ev.Title)
		}
	})
}

// TestMergeKeepsBothCards: two contacts merged whose cards in an address
// book both hold more than Rapport's fields: the kept one's stay, and the
// other's birthday and its phone's label come along. The other's card was
// dropped whenever the kept one had anything.
func TestMergeKeepsBothCards(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		into, err := e.crm.CreateContactWith(ctx, e.user, contacts.Input{Name: "Ada Lovelace", Phones: []string{"+1 1"}},
			contacts.CreateOpts{CardExtra: "BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=PNG:AAAA\r\nEND:VCARD\r\n"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.crm.CreateContactWith(ctx, e.user, contacts.Input{Name: "Ada L.", Phones: []string{"+1 2"}},
			contacts.CreateOpts{CardExtra: "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nTEL;TYPE=CELL:+1 2\r\nEND:VCARD\r\n"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.crm.MergeContacts(ctx, e.user, into.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		got, err := e.crm.Contacts.Store.Contact(ctx, e.user.ID, into.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"PHOTO;ENCODING=b;TYPE=PNG:AAAA", "BDAY:1815-12-10", "TEL;TYPE=CELL:+1 2"} {
			if !strings.Contains(got.CardExtra, want+"\r\n") {
				t.Errorf("the merged card lacks %q:\n%s", want, got.CardExtra)
			}
		}
	})
}

// TestDeleteEventSentAgainAfterAFailure: deleting an event fails part way
// (after its encounters went: on MongoDB the steps are not one
// transaction) and is sent again; the person met there gets their last
// contact set back to the meeting before all the same.
func TestDeleteEventSentAgainAfterAFailure(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		earlier, err := e.crm.Events.Create(ctx, e.user.ID, e.user.Timezone, events.Input{Title: "Earlier", StartsAt: "2026-11-10T18:00:00Z"})
		if err != nil {
			t.Fatal(err)
		}
		before := ada("ada@example.com")
		before.MetAt = "2026-11-10T19:00:00Z"
		res, err := e.crm.LogEncounter(ctx, e.user, earlier.ID, before)
		if err != nil {
			t.Fatal(err)
		}
		there := ada("ada@example.com")
		there.MetAt = "2026-11-24T18:30:00Z"
		if _, err := e.crm.LogEncounter(ctx, e.user, e.ev.ID, there); err != nil {
			t.Fatal(err)
		}
		e.failDetach.Store(true)
		if err := e.crm.DeleteEvent(ctx, e.user, e.ev.ID); err == nil {
			t.Fatal("the delete did not fail")
		}
		e.failDetach.Store(false)
		if err := e.crm.DeleteEvent(ctx, e.user, e.ev.ID); err != nil {
			t.Fatal(err)
		}
		c, err := e.crm.Contacts.Store.Contact(ctx, e.user.ID, res.Contact.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 11, 10, 19, 0, 0, 0, time.UTC); c.LastContactedAt == nil || !c.LastContactedAt.Equal(want) {
			t.Fatalf("last contacted %v, want %v (the meeting before)", c.LastContactedAt, want)
		}
	})
}

// TestGuestWithAnAddressThatIsNone: a followed calendar's guest list may
// name a room by an address that is not one. Met from the list, or typed
// in by name, that guest becomes a contact without it; the email does not
// make the meeting fail.
func TestGuestWithAnAddressThatIsNone(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		room := events.Attendee{ID: record.NewID(), Name: "Room One", Email: "room-1", Status: events.AttendeeGoing, CreatedAt: now, UpdatedAt: now}
		room.Key = events.AttendeeKey(&room, contacts.NormalizeLinkedIn)
		if _, _, err := e.crm.Attendees.UpsertAttendees(ctx, e.user.ID, e.ev.ID, []events.Attendee{room}); err != nil {
			t.Fatal(err)
		}
		typed, err := e.crm.LogEncounter(ctx, e.user, e.ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "room one"}, Moment: "other"})
		if err != nil || typed.Contact.Name != "Room One" || len(typed.Contact.Emails) != 0 {
			t.Fatalf("typed in: %+v, %v", typed, err)
		}
		picked, err := e.crm.LogAttendee(ctx, e.user, e.ev.ID, room.ID, contacts.EncounterInput{Moment: "other"})
		if err != nil || len(picked.Contact.Emails) != 0 {
			t.Fatalf("met from the list: %+v, %v", picked, err)
		}
	})
}
