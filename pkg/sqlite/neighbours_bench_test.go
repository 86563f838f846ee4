package sqlite_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/sqlite"
)

// Words the neighbours' accounts share: every contact's company holds
// "company", its notes three of the vocabulary.
var neighbourVocab = strings.Fields("kubernetes golang rust observability flamegraphs pprof postgres sqlite kafka grpc wasm ebpf " +
	"terraform security hiring mentoring testing fuzzing generics tracing logging metrics caching linux compilers")

// seedNeighbour stores one user's account: n contacts (each "Company k"
// with three vocabulary words in its notes), 200 events, n/2 encounters
// over the last 90 days and n/10 pending follow-ups.
func seedNeighbour(b testing.TB, db *sqlite.DB, user string, n int, now time.Time) {
	ctx := context.Background()
	st := sqlite.Stores(db)
	for chunk := 0; chunk < n; chunk += 1000 {
		cs := make([]*contacts.Contact, 0, 1000)
		for i := chunk; i < min(n, chunk+1000); i++ {
			cs = append(cs, &contacts.Contact{ID: fmt.Sprintf("%s-c%06d", user, i), UserID: user, Name: fmt.Sprintf("Person %s %d", user, i),
				Emails: []string{fmt.Sprintf("p%d@%s.example.com", i, user)}, Company: fmt.Sprintf("Company %d", i%500),
				Tags: []string{neighbourVocab[i%len(neighbourVocab)]}, Notes: fmt.Sprintf("Talked %s, %s and %s", neighbourVocab[i%7],
					neighbourVocab[(i/7)%len(neighbourVocab)], neighbourVocab[(i/49)%len(neighbourVocab)]), CreatedAt: now, UpdatedAt: now})
		}
		if held, err := st.Contacts.ImportContacts(ctx, cs); err != nil || len(held) > 0 {
			b.Fatalf("seed %s: %v %v", user, held, err)
		}
	}
	var es []*events.Event
	for i := range 200 {
		start := now.Add(-time.Duration(i%90) * 24 * time.Hour)
		es = append(es, &events.Event{ID: fmt.Sprintf("%s-ev%d", user, i), UserID: user, Title: fmt.Sprintf("Meetup %d", i), Kind: "meetup",
			StartsAt: start, EndsAt: start.Add(2 * time.Hour), Timezone: "UTC", Status: "attended", Tags: []string{"go"}, Talks: []events.Talk{},
			CreatedAt: now, UpdatedAt: now})
	}
	if err := st.Events.ImportEvents(ctx, es); err != nil {
		b.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *sqlite.Tx) error {
		for i := range n / 2 {
			if err := tx.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("%s-e%06d", user, i), UserID: user,
				EventID: fmt.Sprintf("%s-ev%d", user, i%200), ContactID: fmt.Sprintf("%s-c%06d", user, (i*7)%n), Moment: "after_talk",
				MetAt: now.Add(-time.Duration(i%90) * 24 * time.Hour), Topics: []string{neighbourVocab[i%len(neighbourVocab)]},
				Notes: "talked " + neighbourVocab[(i/3)%len(neighbourVocab)], CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	fs := followup.New(st.Followups)
	fs.Now = func() time.Time { return now }
	for i := range n / 10 {
		if _, err := fs.Create(ctx, user, &followup.FollowUp{ContactID: fmt.Sprintf("%s-c%06d", user, i), Kind: followup.Custom,
			DueAt: now.Add(time.Duration(i) * time.Hour), Note: "follow up"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNeighbours: one user's search, list, feed and insights with
// 50,000 contacts on two stores side by side: one holding that user alone,
// one holding the same account beside ten other users of 50,000 contacts
// each (500,000 contacts, with the same words). Each case runs on the two
// in turn, iteration by iteration (which goes first alternates), so a
// drift of the machine's speed moves both; it reports both medians and
// their ratio, which issue 28 asks to be within 1.5.
// go test ./pkg/sqlite -run '^$' -bench Neighbours -benchtime 20x -timeout 60m
func BenchmarkNeighbours(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	const n = 50_000
	open := func(dir string) *sqlite.DB {
		db, err := sqlite.Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	dirs := [2]string{b.TempDir(), b.TempDir()}
	t0 := time.Now()
	for i, dir := range dirs {
		db := open(dir)
		seedNeighbour(b, db, "me", n, now)
		if i == 1 {
			for k := range 10 {
				seedNeighbour(b, db, fmt.Sprintf("other%d", k), n, now)
			}
		}
		db.Close()
	}
	b.Logf("seeded in %s", time.Since(t0).Round(time.Second))
	// Opened again, as a server that ran since: the seeding's write-ahead
	// log is checkpointed away, and the full-text indexes merged as the
	// committer merges them once writes pause.
	var services [2]*crm.Service
	for i, dir := range dirs {
		db := open(dir)
		b.Cleanup(func() { db.Close() })
		t := time.Now()
		segs, err := db.Merged(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("store %d: merged in %s to segments %v", i, time.Since(t).Round(time.Millisecond), segs)
		services[i] = crm.New(sqlite.Stores(db), func() time.Time { return now })
	}
	u := &accounts.User{ID: "me", Timezone: "UTC"}
	find := func(q string) func(*crm.Service) error {
		return func(s *crm.Service) error {
			hits, err := s.Search(ctx, u.ID, crm.SearchInput{Q: q, Limit: 20})
			if err == nil && len(hits) == 0 {
				err = fmt.Errorf("search %q found nothing", q)
			}
			return err
		}
	}
	cases := []struct {
		name string
		run  func(*crm.Service) error
	}{
		{"SearchEveryone", find("company")},
		{"SearchPrefix", find("kube")},
		{"SearchTwoWords", find("golang fuzzing")},
		{"SearchRare", find("p41234")},
		{"ListFirstPage", func(s *crm.Service) error {
			_, err := s.Contacts.Store.Contacts(ctx, u.ID, contacts.ContactQuery{Limit: 50})
			return err
		}},
		{"ListQ", func(s *crm.Service) error {
			_, err := s.Contacts.Store.Contacts(ctx, u.ID, contacts.ContactQuery{Q: "company 42", Limit: 50})
			return err
		}},
		{"Feed", func(s *crm.Service) error { _, err := s.Feed(ctx, u, crm.FeedAll, "http://rapport.test"); return err }},
		{"Insights", func(s *crm.Service) error {
			_, err := s.InsightsFromStore(ctx, u, now.Add(-90*24*time.Hour), now)
			return err
		}},
	}
	runtime.GC() // the seeding's garbage is not the queries' cost
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat [2][]time.Duration
			turn := 0
			for b.Loop() {
				for k := range 2 {
					i := (turn + k) % 2
					t := time.Now()
					if err := c.run(services[i]); err != nil {
						b.Fatal(err)
					}
					lat[i] = append(lat[i], time.Since(t))
				}
				turn++
			}
			alone, beside := p50ms(lat[0]), p50ms(lat[1])
			b.ReportMetric(alone, "alone-p50-ms")
			b.ReportMetric(beside, "beside-p50-ms")
			b.ReportMetric(beside/alone, "beside/alone")
		})
	}
}

// p50ms is the median of lat in milliseconds.
func p50ms(lat []time.Duration) float64 {
	slices.Sort(lat)
	return float64(lat[len(lat)/2].Microseconds()) / 1000
}
