package backup_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/events"
)

// checkedBackup holds one record of each section a restore checks, each
// as the product writes it.
const checkedBackup = `{"format":"rapport-backup","version":1,
"contacts":[{"id":"c1","name":"Jane","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"},
	{"id":"c2","name":"Bob","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}],
"events":[{"id":"e1","title":"Go meetup","kind":"meetup","starts_at":"2026-11-01T18:00:00Z","ends_at":"2026-11-01T20:00:00Z","timezone":"UTC",
	"status":"attended","created_at":"2026-10-01T18:00:00Z","updated_at":"2026-10-01T18:00:00Z"}],
"attendees":[{"id":"a1","event_id":"e1","name":"Ann","email":"ann@example.com","status":"going","created_at":"2026-10-01T18:00:00Z","updated_at":"2026-10-01T18:00:00Z"}],
"encounters":[{"id":"n1","event_id":"e1","contact_id":"c1","moment":"after_talk","met_at":"2026-11-01T19:00:00Z","topics":["go"],"created_at":"2026-11-01T19:00:00Z"}],
"intros":[{"id":"i1","contact_ids":["c1","c2"],"event_id":"e1","status":"made","created_at":"2026-11-01T19:00:00Z","updated_at":"2026-11-01T19:00:00Z"}],
"interactions":[{"id":"x1","contact_id":"c1","kind":"call","at":"2026-11-02T10:00:00Z","created_at":"2026-11-02T10:00:00Z"}],
"followups":[{"id":"f1","contact_id":"c1","kind":"custom","due_at":"2026-12-20T09:00:00Z","status":"pending","note":"Call",
	"created_at":"2026-11-02T10:00:00Z","updated_at":"2026-11-02T10:00:00Z"}]}`

// TestRestoreChecksEveryRecord: a backup is user input, so each record is
// held to the rules its kind is written under (PRODUCT.md §2): one that
// breaks them — a contact's cadence below zero, an event's status or
// kind (wrong or left out), a guest's state or over-long or NUL field, an
// encounter's moment, an intro of one person or of no status, an
// interaction's kind, a follow-up's status, due time, note or the record
// its kind is about; a guest, an encounter, an intro or an interaction
// that hangs on a contact or an event the backup does not hold — is
// refused naming its section and the record (by its name, else its id in
// the backup), and nothing is restored. The same backup, each record as
// the product writes it, restores whole.
func TestRestoreChecksEveryRecord(t *testing.T) {
	sv := apptest.Services(enginetest.Open(t), time.Now)
	for i, tc := range []struct{ section, valid, broken, named string }{
		{"contacts", `"name":"Jane",`, `"name":"Jane","cadence_days":-5,`, `"Jane"`},
		{"events", `"status":"attended"`, `"status":"bogus"`, `"Go meetup"`},
		{"events", `"status":"attended"`, `"status":""`, `"Go meetup"`},
		{"events", `"kind":"meetup"`, `"kind":""`, `"Go meetup"`},
		{"attendees", `"status":"going"`, `"status":"maybe"`, `"Ann"`},
		{"attendees", `"email":"ann@example.com"`, `"email":"` + strings.Repeat("a", 301) + `"`, `"Ann"`},
		{"attendees", `"name":"Ann",`, `"name":"Ann","title":"a\u0000b",`, `"Ann"`},
		{"encounters", `"moment":"after_talk"`, `"moment":"at_lunch"`, `"n1"`},
		{"intros", `"contact_ids":["c1","c2"]`, `"contact_ids":["c1","c1"]`, `"i1"`},
		{"intros", `"status":"made"`, `"status":""`, `"i1"`},
		{"interactions", `"kind":"call"`, `"kind":"carrier_pigeon"`, `"x1"`},
		{"followups", `"status":"pending"`, `"status":"someday"`, `"f1"`},
		{"followups", `"due_at":"2026-12-20T09:00:00Z"`, `"due_at":"0001-01-01T00:00:00Z"`, `"f1"`},
		{"followups", `"contact_id":"c1","kind":"custom"`, `"kind":"custom"`, `"f1"`},
		{"followups", `"contact_id":"c1","kind":"custom"`, `"contact_id":"c1","kind":"prep"`, `"f1"`},
		{"followups", `"contact_id":"c1","kind":"custom"`, `"contact_id":"c1","kind":"opportunity"`, `"f1"`},
		{"followups", `"note":"Call"`, `"note":"` + strings.Repeat("x", 20001) + `"`, `"f1"`},
		// What a record hangs on is in the backup, read before it.
		{"attendees", `"event_id":"e1","name":"Ann"`, `"event_id":"e9","name":"Ann"`, `its event ("e9") is not in the backup`},
		{"encounters", `"event_id":"e1","contact_id":"c1"`, `"event_id":"e1","contact_id":"c9"`, `its contact ("c9")`},
		{"encounters", `"event_id":"e1","contact_id":"c1"`, `"event_id":"e9","contact_id":"c1"`, `its event ("e9")`},
		{"intros", `"contact_ids":["c1","c2"]`, `"contact_ids":["c1","c9"]`, `its contact ("c9")`},
		{"interactions", `"contact_id":"c1","kind":"call"`, `"contact_id":"c9","kind":"call"`, `its contact ("c9")`},
		{"interactions", `"contact_id":"c1","kind":"call"`, `"event_id":"e9","kind":"spoke"`, `its event ("e9")`},
		// A record without an id was stored under "", which every user's
		// restore shares: the next such restore, anyone's, failed.
		{"events", `"events":[{"id":"e1",`, `"events":[{`, "has no id"},
		{"attendees", `{"id":"a1",`, `{`, "has no id"},
		{"encounters", `{"id":"n1",`, `{`, "has no id"},
		{"intros", `{"id":"i1",`, `{`, "has no id"},
		{"interactions", `{"id":"x1",`, `{`, "has no id"},
		{"followups", `{"id":"f1",`, `{`, "has no id"},
		{"card_groups", `"followups":[`, `"card_groups":[{"card_name":"speakers","name":"Speakers","updated_at":"2026-11-01T18:00:00Z",` +
			`"card":"BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Speakers\r\nEND:VCARD\r\n"}],"followups":[`, "has no id"},
	} {
		t.Run(tc.section, func(t *testing.T) {
			u := signUp(t, sv, fmt.Sprintf("u%d@example.com", i), "U")
			if strings.Count(checkedBackup, tc.valid) != 1 {
				t.Fatalf("%s is not in the backup once", tc.valid)
			}
			doc := strings.Replace(checkedBackup, tc.valid, tc.broken, 1)
			_, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(doc))
			if fields := apperr.FieldsOf(err); !apperr.Is(err, apperr.Invalid) || len(fields) != 1 || fields[0].Field != tc.section {
				t.Fatalf("%s: %v, want invalid %s", tc.broken, err, tc.section)
			} else if !strings.Contains(fields[0].Message, tc.named) {
				t.Errorf("%q does not name the record, %s", fields[0].Message, tc.named)
			}
			if held, err := backup.Held(t.Context(), sv.CRM, u.ID); err != nil || len(held) != 0 {
				t.Fatalf("after the refused restore the user holds %v (%v)", held, err)
			}
		})
	}
	t.Run("GuestOfNoName", func(t *testing.T) {
		// A guest list's import kept a name of spaces once: the guest is
		// named by its email, else "(no name)", not refused.
		u := signUp(t, sv, "blank@example.com", "U")
		doc := strings.Replace(checkedBackup, `"name":"Ann",`, `"name":" ",`, 1)
		doc = strings.Replace(doc, `}],
"encounters"`, `},{"id":"a2","event_id":"e1","name":"\u00a0","status":"going","created_at":"2026-10-01T18:00:00Z","updated_at":"2026-10-01T18:00:00Z"}],
"encounters"`, 1)
		if _, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
		evs, err := sv.CRM.Events.Store.Events(t.Context(), u.ID, events.Filter{Limit: 10})
		if err != nil || len(evs.Items) != 1 {
			t.Fatalf("events: %v (%v)", evs, err)
		}
		guests, err := sv.CRM.Attendees.AttendeesOf(t.Context(), u.ID, evs.Items[0].ID, 10)
		var names []string
		for _, g := range guests {
			names = append(names, g.Name)
		}
		if err != nil || strings.Join(names, "|") != "(no name)|ann@example.com" {
			t.Fatalf("guests: %q (%v)", names, err)
		}
	})
	t.Run("KnownSinceBefore1900", func(t *testing.T) {
		// An interaction in 1850, which the API took once, moved Jane's
		// known_since there, before what a contact may hold: her backup
		// restores, known since she was made.
		u := signUp(t, sv, "known@example.com", "U")
		doc := strings.Replace(checkedBackup, `{"id":"c1","name":"Jane",`, `{"id":"c1","name":"Jane","known_since":"1850-01-01T00:00:00Z",`, 1)
		if _, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
		page, err := sv.CRM.Contacts.Store.Contacts(t.Context(), u.ID, contacts.ContactQuery{Limit: 10})
		if err != nil || len(page.Items) != 2 {
			t.Fatalf("contacts: %v (%v)", page, err)
		}
		for _, c := range page.Items {
			if c.KnownSince.Year() < 1900 {
				t.Errorf("%s known since %v", c.Name, c.KnownSince)
			}
		}
	})
	t.Run("AsWritten", func(t *testing.T) {
		u := signUp(t, sv, "whole@example.com", "U")
		res, err := backup.Import(t.Context(), sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(checkedBackup))
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range []string{"events", "attendees", "encounters", "intros", "interactions", "followups"} {
			if res.Restored[sec] != 1 {
				t.Errorf("%s restored: %d, want 1 (%v)", sec, res.Restored[sec], res.Restored)
			}
		}
	})
}
