package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenBackups opens the backup store and the contacts store of one fresh,
// empty database.
type OpenBackups func(tb testing.TB) (record.Backups, contacts.Store)

// Backups runs the record.Backups contract: every section restored as it
// is reads back the same, in id order, only for its user, and restored
// contacts hold their dedupe keys.
func Backups(t *testing.T, open OpenBackups) {
	ctx := context.Background()
	s, cs := open(t)
	last := clock.Add(-time.Hour)
	ended := clock.Add(time.Minute)
	c1 := newContact("u1", "Ada", "ada@example.com")
	c1.Tags, c1.LastContactedAt, c1.CadenceDays = []string{"go"}, &last, 30
	c2 := newContact("u1", "Bob")
	c2.LinkedInURL = "https://www.linkedin.com/in/bob"
	syncAt := clock.Add(-time.Minute)
	sections := map[string][]any{
		"contacts": {c1, c2},
		"events": {&events.Event{ID: nextID(), UserID: "u1", Title: "Gophers", Kind: "meetup", StartsAt: clock, EndsAt: clock.Add(time.Hour),
			Timezone: "UTC", Status: "planned", Tags: []string{"go"}, Talks: []events.Talk{{Title: "T", Speaker: "S"}},
			Source: &events.Source{CalendarID: "k1", UID: "u-1"}, Sequence: 2, CreatedAt: clock, UpdatedAt: clock}},
		"encounters": {&contacts.Encounter{ID: nextID(), UserID: "u1", EventID: "e1", ContactID: c1.ID, Moment: "after_talk", MetAt: clock,
			Notes: "n", Topics: []string{"Go"}, CreatedAt: clock}},
		"intros": {&contacts.Intro{ID: nextID(), UserID: "u1", ContactIDs: []string{c1.ID, c2.ID}, Context: "c", Status: contacts.IntroMade,
			CreatedAt: clock, UpdatedAt: clock}},
		"interactions": {&contacts.Interaction{ID: nextID(), UserID: "u1", ContactID: c1.ID, Kind: "call", At: clock, CreatedAt: clock}},
		"followups": {&followup.FollowUp{ID: nextID(), UserID: "u1", ContactID: c1.ID, Kind: followup.ThankYou, DueAt: clock, Status: followup.Done,
			PendingKey: "x1", Sequence: 1, EndedAt: &ended, CreatedAt: clock, UpdatedAt: clock}},
		"calendars": {&events.Calendar{ID: nextID(), UserID: "u1", URL: "https://93.184.216.34/c.ics", Name: "C", Tags: []string{"go"},
			LastSyncAt: &syncAt, LastResult: &events.SyncResult{Created: 2}, CreatedAt: clock}},
	}
	// One subtest a section, in the order a restore writes them (later
	// sections name records of earlier ones).
	for _, sec := range record.BackupSections {
		t.Run(sec, func(t *testing.T) {
			if err := s.RestoreRecords(ctx, sec, sections[sec]); err != nil {
				t.Fatalf("restore %s: %v", sec, err)
			}
			var got []any
			if err := s.EachRecord(ctx, sec, "u1", func(x any) error { got = append(got, x); return nil }); err != nil {
				t.Fatal(err)
			}
			if !sameJSON(got, sections[sec]) {
				t.Fatalf("%s read back as\n%s\nwant\n%s", sec, mustJSON(got), mustJSON(sections[sec]))
			}
			n := 0
			s.EachRecord(ctx, sec, "u2", func(any) error { n++; return nil })
			if n != 0 {
				t.Fatalf("%s: another user's walk found %d", sec, n)
			}
		})
	}
	t.Run("ContactKeys", func(t *testing.T) {
		if got, err := cs.ContactByKey(ctx, "u1", "linkedin:linkedin.com/in/bob"); err != nil || got.ID != c2.ID {
			t.Fatalf("a restored contact's key: %v, %v", got, err)
		}
		dup := newContact("u1", "Ada twice", "ada@example.com")
		wantKind(t, s.RestoreRecords(ctx, "contacts", []any{dup}), apperr.Conflict)
	})
}

func mustJSON(x any) string {
	b, _ := jsonMarshal(x)
	return string(b)
}
