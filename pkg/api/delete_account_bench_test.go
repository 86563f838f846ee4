package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// BenchmarkDeleteAccount deletes the account of 50,000 contacts, 500
// events and 100,000 encounters (DELETE /v1/me, the purge included) on the
// embedded store while another user writes a contact after another, and
// reports how long the answer took, how long until the purge after it
// had ended, and how long the other user's writes took meanwhile (p50,
// max). Run it once: -benchtime=1x.
func BenchmarkDeleteAccount(b *testing.B) {
	for range b.N {
		s := mustServeSQLite(b, b.TempDir(), openSignup)
		uid, tok := s.MustSignup(b, "ada@example.com")
		_, bob := s.MustSignup(b, "bob@example.com")
		a := &benchAccount{b: b, s: s, uid: uid, tok: tok, now: record.Time(s.Clock.Now())}
		const nContacts, nEvents, nEncounters = 50000, 500, 100000
		a.contacts(nContacts, func(i int) *contacts.Contact {
			return &contacts.Contact{ID: benchContactID(i), UserID: uid, Name: benchFirst[i%len(benchFirst)] + " " + benchLast[(i/len(benchFirst))%len(benchLast)],
				Emails: []string{fmt.Sprintf("p%d@mail.example", i)}, Phones: []string{}, Tags: []string{benchTopics[i%len(benchTopics)]},
				Company: fmt.Sprint("Company ", i%5000), CreatedAt: a.now, UpdatedAt: a.now}
		})
		a.events(nEvents, func(i int, e *events.Event) { e.Title = fmt.Sprint("Meetup ", i) })
		a.seed("encounters", nEncounters, func(ctx context.Context, st crm.Stores, i int) error {
			return st.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("en%06d", i), UserID: uid, EventID: benchEventID((i * 7) % nEvents),
				ContactID: benchContactID((i * 13) % nContacts), Moment: "after_talk", MetAt: a.now.Add(-time.Duration(i) * time.Minute),
				Topics: []string{benchTopics[i%len(benchTopics)]}, CreatedAt: a.now})
		})

		stop := make(chan struct{})
		var lat []time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				if r := s.Do(b, "POST", "/v1/contacts", bob, map[string]any{"name": fmt.Sprint("Bob's friend ", i)}); r.Status != 201 {
					b.Errorf("the other user's write: %d %s", r.Status, r.Body)
					return
				}
				lat = append(lat, time.Since(t0))
			}
		}()
		b.ResetTimer()
		t0 := time.Now()
		r := s.Do(b, "DELETE", "/v1/me", tok, map[string]any{"confirm": "ada@example.com"})
		answered := time.Since(t0)
		if r.Status != 204 {
			b.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		for s.holdsRows(b, uid) { // the purge goes on after the answer
			time.Sleep(10 * time.Millisecond)
		}
		purged := time.Since(t0)
		b.StopTimer()
		close(stop)
		wg.Wait()
		slices.Sort(lat)
		b.ReportMetric(float64(answered.Microseconds())/1000, "answer-ms")
		b.ReportMetric(purged.Seconds(), "purged-s")
		if len(lat) > 0 {
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "other-write-p50-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "other-write-max-ms")
			b.ReportMetric(float64(len(lat)), "other-writes")
		}
	}
}

// holdsRows reports whether a table of the test's SQLite store with a
// user_id column still holds a row of userID, but the deletion's note and
// the full-text indexes' to-do lists and rows (their background work).
func (s *TestServer) holdsRows(tb testing.TB, userID string) bool {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+s.SQL.Path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
		AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'user_id')
		AND m.name NOT IN ('search_rows', 'search_gone', 'contacts_q_gone')`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		var held bool
		if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM "`+t+`" WHERE user_id = ?)`, userID).Scan(&held); err != nil {
			tb.Fatal(err)
		}
		if held {
			return true
		}
	}
	return false
}
