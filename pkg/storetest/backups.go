package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
)

// OpenBackups opens the stores of one fresh, empty database.
type OpenBackups func(tb testing.TB) crm.Stores

// Backups runs the record.Archive contract of every archive the stores
// hand out: records restored as they are read back the same, in id order,
// only for their user, and restored contacts and companies hold their keys.
func Backups(t *testing.T, open OpenBackups) {
	ctx := context.Background()
	st := open(t)
	last := clock.Add(-time.Hour)
	ended := clock.Add(time.Minute)
	c1 := newContact("u1", "Ada", "ada@example.com")
	c1.Tags, c1.LastContactedAt, c1.CadenceDays = []string{"go"}, &last, 30
	c2 := newContact("u1", "Bob")
	c2.LinkedInURL = "https://www.linkedin.com/in/bob"
	c2.CardExtra = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1990-12-10\r\nEND:VCARD\r\n"
	syncAt := clock.Add(-time.Minute)
	ev := &events.Event{ID: nextID(), UserID: "u1", Title: "Gophers", Kind: "meetup", StartsAt: clock, EndsAt: clock.Add(time.Hour),
		Timezone: "UTC", Status: "planned", Tags: []string{"go"}, Talks: []events.Talk{{Title: "T", Speaker: "S"}},
		Source: &events.Source{CalendarID: "k1", UID: "u-1"}, Sequence: 2, CreatedAt: clock, UpdatedAt: clock}
	co := &companies.Company{ID: nextID(), UserID: "u1", Name: "Acme", Domain: "acme.example", Tags: []string{"tools"}, CreatedAt: clock, UpdatedAt: clock}
	// One subtest an archive, in the order a restore writes them (later
	// ones name records of earlier ones).
	t.Run("companies", func(t *testing.T) { archiveCase(t, st.Companies.CompanyArchive(), co) })
	t.Run("contacts", func(t *testing.T) { archiveCase(t, st.Contacts.ContactArchive(), c1, c2) })
	t.Run("card_groups", func(t *testing.T) {
		archiveCase(t, st.Contacts.CardGroupArchive(),
			&contacts.CardGroup{ID: nextID(), UserID: "u1", DAVName: "berlin-go", Name: "Berlin Go", Card: "BEGIN:VCARD\r\nFN:Berlin Go\r\nEND:VCARD\r\n", UpdatedAt: clock},
			&contacts.CardGroup{ID: nextID(), UserID: "u1", DAVName: "speakers", Name: "Speakers", Card: "card", UpdatedAt: clock.Add(time.Hour)})
		if err := st.Contacts.CardGroupArchive().Restore(ctx, []*contacts.CardGroup{{ID: nextID(), UserID: "u1", DAVName: "speakers", Card: "again", UpdatedAt: clock}}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a second group card of a name: %v, want Conflict", err)
		}
	})
	t.Run("events", func(t *testing.T) { archiveCase(t, st.Events.EventArchive(), ev) })
	t.Run("docs", func(t *testing.T) {
		archiveCase(t, st.Docs.DocArchive(), &kinds.Doc{ID: nextID(), UserID: "u1", Kind: "tips", Body: []byte(`{"title":"Read"}`)},
			&kinds.Doc{ID: nextID(), UserID: "u1", Kind: "notes", Body: []byte(`{}`)})
	})
	t.Run("attendees", func(t *testing.T) {
		archiveCase(t, st.Attendees.AttendeeArchive(), &events.Attendee{ID: nextID(), UserID: "u1", EventID: ev.ID, Name: "Cy", Key: "name:cy",
			Status: events.AttendeeGoing, CreatedAt: clock, UpdatedAt: clock})
	})
	t.Run("encounters", func(t *testing.T) {
		archiveCase(t, st.Contacts.EncounterArchive(), &contacts.Encounter{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: c1.ID,
			Moment: "after_talk", MetAt: clock, Notes: "n \"quoted\"\nand a line", Topics: []string{"Go", "ünïcode"}, CreatedAt: clock},
			&contacts.Encounter{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: c2.ID,
				Moment: "before_talk", MetAt: clock.Add(time.Hour), Topics: []string{}, CreatedAt: clock},
			&contacts.Encounter{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: c1.ID,
				Moment: "other", MetAt: clock.Add(2 * time.Hour), Topics: []string{"go", " GO"}, CreatedAt: clock})
	})
	t.Run("intros", func(t *testing.T) {
		archiveCase(t, st.Contacts.IntroArchive(), &contacts.Intro{ID: nextID(), UserID: "u1", ContactIDs: []string{c1.ID, c2.ID}, Context: "c",
			Status: contacts.IntroMade, CreatedAt: clock, UpdatedAt: clock})
	})
	t.Run("interactions", func(t *testing.T) {
		archiveCase(t, st.Contacts.InteractionArchive(), &contacts.Interaction{ID: nextID(), UserID: "u1", ContactID: c1.ID, Kind: "call", At: clock, CreatedAt: clock})
	})
	t.Run("opportunities", func(t *testing.T) {
		archiveCase(t, st.Opportunities.OpportunityArchive(), &opportunities.Opportunity{ID: nextID(), UserID: "u1", Kind: "job", Title: "Gopher",
			Stage: "lead", CompanyID: co.ID, RecruiterIDs: []string{}, History: []opportunities.StageChange{{Stage: "lead", At: clock}}, CreatedAt: clock, UpdatedAt: clock})
	})
	t.Run("followups", func(t *testing.T) {
		archiveCase(t, st.Followups.FollowUpArchive(), &followup.FollowUp{ID: nextID(), UserID: "u1", ContactID: c1.ID, Kind: followup.ThankYou,
			DueAt: clock, Status: followup.Done, PendingKey: "x1", Sequence: 1, EndedAt: &ended, CreatedAt: clock, UpdatedAt: clock})
	})
	t.Run("calendars", func(t *testing.T) {
		archiveCase(t, st.Events.CalendarArchive(), &events.Calendar{ID: nextID(), UserID: "u1", URL: "https://93.184.216.34/c.ics", Name: "C",
			Tags: []string{"go"}, LastSyncAt: &syncAt, LastResult: &events.SyncResult{Created: 2}, CreatedAt: clock})
	})
	t.Run("Found", func(t *testing.T) {
		// Restored contacts are in both full-text indexes, as created ones are.
		for _, q := range []string{"ada", "bob"} {
			p, err := st.Contacts.Contacts(ctx, "u1", contacts.ContactQuery{Q: q})
			if err != nil || len(p.Items) != 1 {
				t.Fatalf("q=%s after a restore: %+v, %v", q, p, err)
			}
			hits, err := st.Search.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Types: []string{"contact"}, Limit: 5})
			if err != nil || len(hits) != 1 || hits[0].ID != p.Items[0].ID {
				t.Fatalf("search %q after a restore: %+v, %v", q, hits, err)
			}
		}
		// Restored encounters too, by their notes and topics.
		for _, q := range []string{"quoted", "ünïcode"} {
			hits, err := st.Search.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Types: []string{"encounter"}, Limit: 5})
			if err != nil || len(hits) != 1 {
				t.Fatalf("search %q after a restore: %+v, %v", q, hits, err)
			}
		}
	})
	t.Run("Counted", func(t *testing.T) {
		// Restored encounters count in the insights as logged ones do: a
		// topic as often as an encounter names it, with the event's tag.
		nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		months, err := st.Insights.TopicMonths(ctx, "u1", nov, nov.AddDate(0, 1, 0))
		if err != nil || fmt.Sprint(months) != "map[2026-11:map[go:4 ünïcode:1]]" {
			t.Fatalf("topic months after a restore: %v, %v", months, err)
		}
	})
	t.Run("Keys", func(t *testing.T) {
		if got, err := st.Contacts.ContactByKey(ctx, "u1", "linkedin:linkedin.com/in/bob"); err != nil || got.ID != c2.ID {
			t.Fatalf("a restored contact's key: %v, %v", got, err)
		}
		dup := newContact("u1", "Ada twice", "ada@example.com")
		wantKind(t, st.Contacts.ContactArchive().Restore(ctx, []*contacts.Contact{dup}), apperr.Conflict)
		if got, err := st.Companies.CompanyByKey(ctx, "u1", companies.Keys(co)[0]); err != nil || got.ID != co.ID {
			t.Fatalf("a restored company's key: %v, %v", got, err)
		}
		twin := &companies.Company{ID: nextID(), UserID: "u1", Name: "Acme", CreatedAt: clock, UpdatedAt: clock}
		wantKind(t, st.Companies.CompanyArchive().Restore(ctx, []*companies.Company{twin}), apperr.Conflict)
	})
}

// archiveCase restores recs through a, reads them back in id order as
// they went in, and finds none of them as another user's.
func archiveCase[T any](t *testing.T, a record.Archive[T], recs ...*T) {
	t.Helper()
	ctx := context.Background()
	if err := a.Restore(ctx, recs); err != nil {
		t.Fatalf("restore: %v", err)
	}
	var got []*T
	if err := a.Each(ctx, "u1", func(x *T) error { got = append(got, x); return nil }); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(recs)
	slices.SortFunc(want, func(x, y *T) int { return strings.Compare(idOf(x), idOf(y)) })
	if !sameJSON(got, want) {
		t.Fatalf("read back as\n%s\nwant\n%s", mustJSON(got), mustJSON(want))
	}
	n := 0
	if err := a.Each(ctx, "u2", func(*T) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("another user's walk found %d (%v)", n, err)
	}
}

// idOf is a record's id, as its JSON names it.
func idOf(x any) string {
	var v struct {
		ID string `json:"id"`
	}
	b, _ := jsonMarshal(x)
	_ = json.Unmarshal(b, &v)
	return v.ID
}

func mustJSON(x any) string {
	b, _ := jsonMarshal(x)
	return string(b)
}
