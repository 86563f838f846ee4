package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
)

// BenchmarkGuestList measures an event of 2,000 attendees in an account of
// 50,000 contacts (PRODUCT.md §11: prep and review ≤ 50 ms p50, the import
// ≤ 1 s), over HTTP on the embedded store: a tenth of the guests are
// contacts already (by email), 200 of them met at the event; the user has
// 100 earlier events with speakers and 20,000 encounters.
func BenchmarkGuestList(b *testing.B) {
	a := newBenchAccount(b)
	s, uid, now := a.s, a.uid, a.now
	const nContacts, nGuests = 50000, 2000
	a.contacts(nContacts, func(i int) *contacts.Contact {
		return &contacts.Contact{ID: benchContactID(i), UserID: uid, Name: fmt.Sprintf("%s %s %d", benchFirst[i%len(benchFirst)], benchLast[(i/len(benchFirst))%len(benchLast)], i),
			Emails: []string{fmt.Sprintf("p%d@mail.example", i)}, Phones: []string{}, Tags: []string{benchTopics[i%len(benchTopics)]},
			Company: fmt.Sprint("Company ", i%5000), CreatedAt: now, UpdatedAt: now}
	})
	a.events(100, func(i int, e *events.Event) {
		e.Title = fmt.Sprint("Meetup ", i)
		e.Talks = []events.Talk{{Title: "Talk", Speaker: fmt.Sprint("Speaker ", i%10)}}
	})
	a.seed("encounters", 20000, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("en%06d", i), UserID: uid, EventID: benchEventID(i % 100),
			ContactID: benchContactID((i * 13) % nContacts), Moment: "after_talk", MetAt: now.Add(-time.Duration(i) * time.Minute),
			Topics: []string{benchTopics[i%len(benchTopics)]}, CreatedAt: now})
	})
	ev := s.MustCreateEvent(b, a.tok, map[string]any{"title": "The big one", "starts_at": now.Add(48 * time.Hour).Format(time.RFC3339),
		"targets": []map[string]any{{"name": "Guest 7"}}, "talks": []map[string]any{{"title": "Keynote", "speaker": "Speaker 3"}}})
	var csv strings.Builder
	csv.WriteString("api_id,name,first_name,last_name,email,approval_status,checked_in_at,What company do you work for?,Job title\n")
	for i := range nGuests {
		email := fmt.Sprintf("guest%d@example.com", i)
		if i%10 == 0 {
			email = fmt.Sprintf("p%d@mail.example", i*7) // a contact already
		}
		fmt.Fprintf(&csv, "gst-%d,Guest %d,Guest,%d,%s,approved,,\"Company %d, Inc.\",%s engineer\n", i, i, i, email, i%700, benchTopics[i%len(benchTopics)])
	}
	body := csv.String()
	a.seed("encounters at the event", 200, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("ev%06d", i), UserID: uid, EventID: ev,
			ContactID: benchContactID(i * 70), Moment: "after_talk", MetAt: now, CreatedAt: now})
	})
	path := "/v1/events/" + ev
	b.Run("import", func(b *testing.B) {
		runConcurrent(b, 1, func(int) error {
			if r := s.Do(b, "POST", path+"/attendees/import", a.tok, body, "Content-Type", "text/csv"); r.Status != 200 {
				return fmt.Errorf("import: %d %s", r.Status, r.Body)
			}
			return nil
		})
	})
	// Insights with the new sections (giving, worth it), computed: a
	// contact is patched before each view so the cache cannot answer; only
	// the view is timed.
	b.Run("insights-after-a-write", func(b *testing.B) {
		lat := make([]time.Duration, b.N)
		for i := range b.N {
			if r := s.Do(b, "PATCH", "/v1/contacts/"+benchContactID(i), a.tok, map[string]any{"notes": fmt.Sprint("note ", i)}); r.Status != 200 {
				b.Fatalf("patch: %d", r.Status)
			}
			t0 := time.Now()
			if r := s.Do(b, "GET", "/v1/insights", a.tok, nil); r.Status != 200 {
				b.Fatalf("insights: %d", r.Status)
			}
			lat[i] = time.Since(t0)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[b.N/2].Microseconds())/1000, "p50-ms")
	})
	// Someone logged by typing a name: a guest's (the list's details
	// looked up by name and taken), or a name the list does not have.
	for _, who := range []string{"guest", "stranger"} {
		b.Run("log-typed-"+who, func(b *testing.B) {
			runConcurrent(b, 1, func(int) error {
				name := fmt.Sprint("Stranger ", benchSeq.Add(1))
				if who == "guest" {
					name = fmt.Sprint("Guest ", benchSeq.Add(1)%nGuests)
				}
				body := map[string]any{"contact": map[string]any{"name": name}, "moment": "after_talk"}
				if r := s.Do(b, "POST", path+"/encounters", a.tok, body); r.Status != 201 {
					return fmt.Errorf("log %s: %d %s", name, r.Status, r.Body)
				}
				return nil
			})
		})
	}
	// The log form's question (met again?): the contacts of a typed name,
	// one of the 50,000's, read from the name on.
	b.Run("same-named", func(b *testing.B) {
		u := a.s.CRM
		runConcurrent(b, 1, func(int) error {
			i := int(benchSeq.Add(1)) % nContacts
			name := fmt.Sprintf("%s %s %d", benchFirst[i%len(benchFirst)], benchLast[(i/len(benchFirst))%len(benchLast)], i)
			same, err := u.SameNamed(context.Background(), uid, ev, contacts.Input{Name: strings.ToUpper(name)}, 5)
			if err == nil && (len(same) != 1 || same[0].ID != benchContactID(i)) {
				err = fmt.Errorf("%s: %d contacts", name, len(same))
			}
			return err
		})
	})
	for _, p := range []string{"/prep", "/review", "/attendees?limit=200"} {
		b.Run(strings.Trim(strings.SplitN(p, "?", 2)[0], "/"), func(b *testing.B) {
			runConcurrent(b, 1, func(int) error {
				if r := s.Do(b, "GET", path+p, a.tok, nil); r.Status != 200 {
					return fmt.Errorf("%s: %d %s", p, r.Status, r.Body)
				}
				return nil
			})
		})
	}
}
