package api_test

import (
	"context"
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
		for { // the purge goes on after the answer
			left, err := s.Accounts.Store.DeletedUsers(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if len(left) == 0 {
				break
			}
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
