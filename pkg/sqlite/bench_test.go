package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/schedule"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
	"github.com/rapport-crm/rapport/pkg/sqlite"
)

// BenchmarkContacts50k: the contact reads and writes of one user with
// 50,000 contacts, beside another user with 50,000, each right after a
// write (there is no cache to warm): go test ./pkg/sqlite -run '^$' -bench Contacts50k
func BenchmarkContacts50k(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	s := &sqlite.Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	var ids []string
	start := time.Now()
	for _, user := range []string{"u1", "u2"} {
		if err := db.Update(ctx, func(tx *sqlite.Tx) error {
			for i := range 50_000 {
				c := &contacts.Contact{ID: fmt.Sprintf("%s-%06d", user, i), UserID: user, Name: fmt.Sprintf("Person %06d", (i*7919)%50_000),
					Emails: []string{fmt.Sprintf("p%d@%s.example.com", i, user)}, Company: fmt.Sprintf("Company %d", i%500),
					Tags: []string{"meetup", fmt.Sprintf("t%d", i%50)}, Notes: fmt.Sprintf("Met at meetup %d; likes topic %d", i%200, i%997),
					CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateContact(ctx, c); err != nil {
					return err
				}
				if user == "u1" {
					ids = append(ids, c.ID)
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("100,000 contacts in %v", time.Since(start))
	write := func(i int) {
		c, err := s.Contact(ctx, "u1", ids[i%len(ids)])
		if err != nil {
			b.Fatal(err)
		}
		c.Title = fmt.Sprintf("title %d", i)
		if err := s.UpdateContact(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		run  func(i int) error
	}{
		{"ListFirstPage", func(int) error { _, err := s.Contacts(ctx, "u1", contacts.ContactQuery{Limit: 50}); return err }},
		{"ListTag", func(int) error {
			_, err := s.Contacts(ctx, "u1", contacts.ContactQuery{Tag: "t7", Limit: 50})
			return err
		}},
		{"SearchCommon", func(int) error {
			_, err := s.Contacts(ctx, "u1", contacts.ContactQuery{Q: "meetup", Limit: 50})
			return err
		}},
		{"SearchRare", func(i int) error {
			_, err := s.Contacts(ctx, "u1", contacts.ContactQuery{Q: fmt.Sprintf("p%d@u1", 40_000+i%100), Limit: 50})
			return err
		}},
		{"Get", func(i int) error { _, err := s.Contact(ctx, "u1", ids[(i*31)%len(ids)]); return err }},
		{"PatchOne", func(i int) error { write(i); return nil }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				b.StopTimer()
				write(i) // right after a write
				b.StartTimer()
				if err := bc.run(i); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkImport50k stores 50,000 contacts through ImportContacts in
// chunks of 1,000 (as an import writes them), with dedupe keys and tags,
// and ids made by record.NewID (many in one millisecond, so not in order):
// go test ./pkg/sqlite -run '^$' -bench Import50k -benchtime 1x
func BenchmarkImport50k(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		s := &sqlite.Contacts{DB: MustOpen(b)}
		b.StartTimer()
		start := time.Now()
		for chunk := 0; chunk < 50_000; chunk += 1000 {
			cs := make([]*contacts.Contact, 1000)
			for i := range cs {
				n := chunk + i
				cs[i] = &contacts.Contact{ID: record.NewID(), UserID: "u1", Name: fmt.Sprintf("Person %d", n),
					Emails: []string{fmt.Sprintf("p%d@example.com", n)}, Company: fmt.Sprintf("Company %d", n%500),
					Tags: []string{"go", "meetups"}, Notes: fmt.Sprintf("Met at meetup %d", n%200), CreatedAt: now, UpdatedAt: now}
			}
			if held, err := s.ImportContacts(ctx, cs); err != nil || len(held) != 0 {
				b.Fatalf("held %v, %v", held, err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/50k")
	}
}

// BenchmarkLogEncounter: logging an encounter with a new inline contact
// through the whole workflow (crm.LogEncounter on sqlite.Stores: the
// contact with its key and tag, the encounter, the thank-you and check-in,
// the dispatcher's wake-up and the feed stamps, in one transaction) against
// the same rows inserted in one transaction with plain database/sql on the
// same kind of file, side by side in one run (issue 13 asks the first to
// reach 60 % of the second's rate). Adapter is the contact and encounter
// alone through the adapter's Tx.
// go test ./pkg/sqlite -run '^$' -bench LogEncounter -benchtime 2000x
func BenchmarkLogEncounter(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	b.Run("Workflow", func(b *testing.B) {
		db := MustOpen(b)
		acc := accounts.New(&sqlite.Accounts{DB: db}, schedule.Parse)
		u, _, err := acc.Signup(ctx, accounts.SignupInput{Email: "me@example.com", Name: "Me"}, true)
		if err != nil {
			b.Fatal(err)
		}
		svc := crm.New(sqlite.Stores(db), func() time.Time { return now })
		ev, err := svc.Events.Create(ctx, u.ID, "UTC", events.Input{Title: "Go meetup", StartsAt: "2026-11-24T17:00:00Z"})
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			i++
			res, err := svc.LogEncounter(ctx, u, ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: fmt.Sprintf("Jane %d", i),
				Emails: []string{fmt.Sprintf("jane%d@example.com", i)}, Company: "Acme", Tags: []string{"go"}, Notes: "met after the talk"},
				Moment: "after_talk", Notes: "wants the FFI notes", Topics: []string{"go", "rust"}})
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Followups) != 2 {
				b.Fatalf("%d follow-ups, want the thank-you and the check-in", len(res.Followups))
			}
		}
	})
	b.Run("Adapter", func(b *testing.B) {
		db := MustOpen(b)
		i := 0
		for b.Loop() {
			i++
			c := &contacts.Contact{ID: fmt.Sprintf("c%d", i), UserID: "u1", Name: fmt.Sprintf("Jane %d", i),
				Emails: []string{fmt.Sprintf("jane%d@example.com", i)}, Company: "Acme", Tags: []string{"go"}, Notes: "met after the talk",
				CreatedAt: now, UpdatedAt: now}
			e := &contacts.Encounter{ID: fmt.Sprintf("e%d", i), UserID: "u1", EventID: "ev1", ContactID: c.ID, Moment: "after_talk",
				MetAt: now, Notes: "wants the FFI notes", Topics: []string{"go", "rust"}, CreatedAt: now}
			if err := db.Update(ctx, func(tx *sqlite.Tx) error {
				if err := tx.CreateContact(ctx, c); err != nil {
					return err
				}
				return tx.CreateEncounter(ctx, e)
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PlainSQL", func(b *testing.B) {
		db := MustOpen(b)
		raw, err := sql.Open("sqlite", "file:"+db.Path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate")
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		raw.SetMaxOpenConns(1)
		i := 0
		for b.Loop() {
			i++
			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			id, ts := fmt.Sprintf("c%d", i), "2026-11-24T18:00:00.000Z"
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO contacts(id, user_id, name, name_lower, emails, company, tags, notes, created_at, updated_at, search) VALUES(?, 'u1', ?, ?, ?, 'Acme', '["go"]', 'met after the talk', ?, ?, ?)`,
					[]any{id, "Jane", "jane", `["jane@example.com"]`, ts, ts, "jane acme"}},
				{`INSERT INTO contacts_fts(rowid, grams) SELECT seq, rapport_grams(user_id, search) FROM contacts WHERE id = ?`, []any{id}},
				// The contact's search row and words and its card's journal
				// entry, which triggers wrote before migrations 00039 and 00040.
				{plainSearchRow("contacts_search"), []any{id}},
				{plainSearchWords("contacts_search"), []any{id}},
				{plainJournal, []any{id}},
				{`INSERT INTO contact_keys(user_id, key, contact_id) VALUES('u1', ?, ?)`, []any{"email:" + id, id}},
				{`INSERT INTO contact_tags(user_id, tag_lower, name_lower, contact_id) VALUES('u1', 'go', 'jane', ?)`, []any{id}},
				{`INSERT INTO encounters(id, user_id, event_id, contact_id, moment, met_at, notes, topics, created_at) VALUES(?, 'u1', 'ev1', ?, 'after_talk', ?, 'wants the FFI notes', '["go","rust"]', ?)`,
					[]any{"e" + id, id, ts, ts}},
				// The encounter's search row and words, its topics' and
				// contact's counts, its card's journal entry (triggers before
				// migration 00041).
				{plainSearchRow("encounters_search"), []any{"e" + id}},
				{plainSearchWords("encounters_search"), []any{"e" + id}},
				{`INSERT INTO topic_days(user_id, day, topic, n) VALUES('u1', '2026-11-24', 'go', 1), ('u1', '2026-11-24', 'rust', 1)
					ON CONFLICT(user_id, day, topic) DO UPDATE SET n = n + excluded.n`, nil},
				{`INSERT INTO encounter_counts(user_id, contact_id, n) VALUES('u1', ?, 1) ON CONFLICT(user_id, contact_id) DO UPDATE SET n = n + 1`, []any{id}},
				{plainJournal, []any{id}},
				{`INSERT INTO followups(id, user_id, contact_id, kind, due_at, status, note, encounter_id, event_id, created_at, updated_at, pending_key) VALUES(?, 'u1', ?, 'thank_you', ?, 'pending', 'wants the FFI notes', ?, 'ev1', ?, ?, ?)`,
					[]any{"f1" + id, id, ts, "e" + id, ts, ts, "u1|" + id + "|thank_you"}},
				{`INSERT INTO followups(id, user_id, contact_id, kind, due_at, status, note, encounter_id, event_id, created_at, updated_at, pending_key) VALUES(?, 'u1', ?, 'check_in', ?, 'pending', 'wants the FFI notes', ?, 'ev1', ?, ?, ?)`,
					[]any{"f2" + id, id, ts, "e" + id, ts, ts, "u1|" + id + "|check_in"}},
				{`INSERT INTO dispatch(user_id, next_at, wake_nonce) VALUES('u1', ?, ?) ON CONFLICT(user_id) DO UPDATE SET next_at = min(next_at, excluded.next_at), wake_nonce = excluded.wake_nonce`,
					[]any{ts, id}},
				{`INSERT INTO stamps(kind, user_id, nonce, at) VALUES('feed', 'u1', ?, ?) ON CONFLICT DO UPDATE SET nonce = excluded.nonce, at = excluded.at`,
					[]any{id, ts}},
			} {
				if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// plainSearchRow, plainSearchWords and plainJournal are the writes
// BenchmarkLogEncounter's plain database/sql does for one record by hand,
// as the adapter's statements do them for a set (searchQueries,
// journalCardsQuery): a record's search row and words from its search
// view (by its id), and a card's journal entry (by its contact id).
func plainSearchRow(view string) string {
	return `INSERT INTO search_rows(user_id, type, ref, title, contact_id, other_id, event_id, at)
		SELECT user_id, type, ref, title, contact_id, other_id, event_id, at FROM ` + view + ` WHERE ref = ?`
}

func plainSearchWords(view string) string {
	return `INSERT INTO search(rowid, name, body, words_name, words_body, kind)
		SELECT r.seq, s.name, s.body, rapport_search_words(s.user_id, s.name), rapport_search_words(s.user_id, s.body),
			rapport_search_words(s.user_id, 'type' || s.type)
		FROM ` + view + ` s JOIN search_rows r ON r.type = s.type AND r.ref = s.ref WHERE s.ref = ?`
}

const plainJournal = `INSERT INTO dav_changes(user_id, coll, seq, item_id)
	VALUES('u1', 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = 'u1' AND coll = 'cards'), ?)`

// BenchmarkInsights20k: the insight facts of a user with 5,000 contacts,
// 500 events (two talks each) and 20,000 encounters over 180 days, beside
// another user of the same size, counted by SQL and assembled:
// go test ./pkg/sqlite -run '^$' -bench Insights20k -benchtime 20x
func BenchmarkInsights20k(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	for _, user := range []string{"u1", "u2"} {
		if err := db.Update(ctx, func(tx *sqlite.Tx) error {
			for i := range 5_000 {
				c := &contacts.Contact{ID: fmt.Sprintf("%s-c%d", user, i), UserID: user, Name: fmt.Sprintf("P %d", i), CreatedAt: now, UpdatedAt: now}
				if i%10 == 0 {
					c.CadenceDays = 30
				}
				if err := tx.CreateContact(ctx, c); err != nil {
					return err
				}
			}
			for i := range 20_000 {
				e := &contacts.Encounter{ID: fmt.Sprintf("%s-e%d", user, i), UserID: user, EventID: fmt.Sprintf("%s-ev%d", user, i%500),
					ContactID: fmt.Sprintf("%s-c%d", user, i%5_000), Moment: "after_talk", MetAt: now.Add(-time.Duration(i%180) * 24 * time.Hour),
					Topics: []string{fmt.Sprintf("topic%d", i%40), "go"}, CreatedAt: now}
				if err := tx.CreateEncounter(ctx, e); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		evs := &sqlite.Events{DB: db}
		var es []*events.Event
		for i := range 500 {
			start := now.Add(-time.Duration(i%180) * 24 * time.Hour)
			es = append(es, &events.Event{ID: fmt.Sprintf("%s-ev%d", user, i), UserID: user, Title: "E", Kind: "meetup", StartsAt: start,
				EndsAt: start.Add(2 * time.Hour), Timezone: "UTC", Status: "attended", Tags: []string{"go", fmt.Sprintf("t%d", i%20)},
				Talks:     []events.Talk{{Title: "Intro to #WASM", Speaker: fmt.Sprintf("S%d", i%50)}, {Title: "Other", Speaker: "Rob"}},
				CreatedAt: now, UpdatedAt: now})
		}
		if err := evs.ImportEvents(ctx, es); err != nil {
			b.Fatal(err)
		}
	}
	src := &sqlite.Insights{DB: db}
	from, to := now.Add(-90*24*time.Hour), now
	for b.Loop() {
		f, err := src.Facts(ctx, "u1", from, to, now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := insights.Assemble(f, from, to, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkContactHistory: the follow-ups done with one contact, latest
// first (the contact page's timeline), for a user with 100,000 done
// follow-ups over 50,000 contacts: of a contact with two, and of one with
// none (a new contact: the worst case for a read that walks the user's
// done follow-ups); and an event's follow-ups (its page), 100 each of
// 1,000 events, and of an event with none:
// go test ./pkg/sqlite -run '^$' -bench ContactHistory
func BenchmarkContactHistory(b *testing.B) {
	ctx := context.Background()
	s := &sqlite.Followups{DB: MustOpen(b)}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	batch := make([]*followup.FollowUp, 0, 1000)
	for i := range 100_000 {
		id := fmt.Sprintf("f-%06d", i)
		ended := now.Add(-time.Duration(i) * time.Minute)
		batch = append(batch, &followup.FollowUp{ID: id, UserID: "u1", ContactID: fmt.Sprintf("c-%05d", i%50_000), EventID: fmt.Sprintf("e-%04d", i%1000), Kind: followup.CheckIn,
			DueAt: ended, Status: followup.Done, PendingKey: id, CreatedAt: ended, UpdatedAt: ended, EndedAt: &ended})
		if len(batch) == cap(batch) {
			if err := s.FollowUpArchive().Restore(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	for name, contact := range map[string]func(int) string{
		"TwoDone":  func(i int) string { return fmt.Sprintf("c-%05d", (i*7919)%50_000) },
		"NoneDone": func(i int) string { return fmt.Sprintf("new-%05d", i) },
		// GET /v1/followups?contact_id= (any status, oldest due first).
		"AnyStatus": func(i int) string { return fmt.Sprintf("c-%05d", (i*7919)%50_000) },
		// An event's page, GET /v1/followups?event_id=.
		"Event":     func(i int) string { return fmt.Sprintf("e-%04d", (i*7919)%1000) },
		"EventNone": func(i int) string { return fmt.Sprintf("new-%05d", i) },
	} {
		b.Run(name, func(b *testing.B) {
			q := followup.Query{Status: followup.Done, Limit: 50, NewestFirst: true}
			if name == "AnyStatus" {
				q = followup.Query{Limit: 50}
			}
			for i := range b.N {
				if strings.HasPrefix(name, "Event") {
					q = followup.Query{EventID: contact(i), Limit: 100}
				} else {
					q.ContactID = contact(i)
				}
				p, err := s.Followups(ctx, "u1", q)
				if err != nil {
					b.Fatal(err)
				}
				if want := map[string]int{"TwoDone": 2, "NoneDone": 0, "AnyStatus": 2, "Event": 100}[name]; len(p.Items) != want {
					b.Fatalf("%d follow-ups, want %d", len(p.Items), want)
				}
			}
		})
	}
}

// BenchmarkDeleteEvent: deleting an event at which 2,000 people were met
// (each with a cadence, so each last contact set back re-dates a
// follow-up), whose last contact it was for all of them:
// go test ./pkg/sqlite -run '^$' -bench DeleteEvent -benchtime 3x
func BenchmarkDeleteEvent(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	db := MustOpen(b)
	acc := accounts.New(&sqlite.Accounts{DB: db}, schedule.Parse)
	u, _, err := acc.Signup(ctx, accounts.SignupInput{Email: "me@example.com", Name: "Me"}, true)
	if err != nil {
		b.Fatal(err)
	}
	svc := crm.New(sqlite.Stores(db), func() time.Time { return now })
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		earlier, err := svc.Events.Create(ctx, u.ID, "UTC", events.Input{Title: "Earlier", StartsAt: "2026-11-10T17:00:00Z"})
		if err != nil {
			b.Fatal(err)
		}
		ev, err := svc.Events.Create(ctx, u.ID, "UTC", events.Input{Title: "Big meetup", StartsAt: "2026-11-24T17:00:00Z"})
		if err != nil {
			b.Fatal(err)
		}
		for j := range 2000 {
			email := fmt.Sprintf("p%d-%d@example.com", i, j)
			if _, err := svc.LogEncounter(ctx, u, earlier.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: fmt.Sprintf("P %d", j), Emails: []string{email}, CadenceDays: 30},
				Moment: "after_talk", MetAt: "2026-11-10T18:00:00Z"}); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.LogEncounter(ctx, u, ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: fmt.Sprintf("P %d", j), Emails: []string{email}},
				Moment: "after_talk", MetAt: "2026-11-24T18:00:00Z"}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := svc.DeleteEvent(ctx, u, ev.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCardGroups: an address book at both of its group cards' bounds
// (1,000 cards of 16 KiB), read whole as a listing does, as names and
// sizes as the contacts' filter does, and one card replaced as a group
// card's PUT does (its bound checked in the write):
// go test ./pkg/sqlite -run '^$' -bench CardGroups
func BenchmarkCardGroups(b *testing.B) {
	ctx := context.Background()
	s := &sqlite.Contacts{DB: MustOpen(b)}
	member := strings.Repeat("MEMBER:urn:uuid:00000000-0000-4000-8000-000000000000\r\n", contacts.MaxCardGroupBytes/contacts.MaxCardGroups/55)
	var all []*contacts.CardGroup
	for i := range contacts.MaxCardGroups {
		name := fmt.Sprintf("g-%04d", i)
		all = append(all, &contacts.CardGroup{ID: record.NewID(), UserID: "u1", DAVName: name, Name: name, UpdatedAt: time.Now(),
			Card: "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:" + name + "\r\n" + member + "END:VCARD\r\n"})
	}
	if err := s.CardGroupArchive().Restore(ctx, all); err != nil {
		b.Fatal(err)
	}
	b.Run("cards", func(b *testing.B) {
		for b.Loop() {
			if gs, err := s.CardGroups(ctx, "u1"); err != nil || len(gs) != contacts.MaxCardGroups {
				b.Fatal(len(gs), err)
			}
		}
	})
	b.Run("entries", func(b *testing.B) {
		for b.Loop() {
			if es, err := s.CardGroupEntries(ctx, "u1"); err != nil || len(es) != contacts.MaxCardGroups {
				b.Fatal(len(es), err)
			}
		}
	})
	// One card replaced, with the count and the bytes summed in its
	// transaction (what a phone's PUT of a group waits for).
	b.Run("put", func(b *testing.B) {
		g := *all[0]
		for b.Loop() {
			if err := s.PutCardGroup(ctx, &g, contacts.CardGroupsFit); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPeopleMetAt: whom the user met at their latest 20 events, 200
// people each (what "Worth it?" weighs), in an address book of 5,000
// contacts whose phone cards hold a 30 KB photo beyond Rapport's fields
// (card_extra), and whose cards hold nothing more:
// go test ./pkg/sqlite -run '^$' -bench PeopleMetAt
func BenchmarkPeopleMetAt(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	for _, extra := range []int{0, 30_000} {
		b.Run(fmt.Sprintf("card-extra=%dKB", extra/1000), func(b *testing.B) {
			db := MustOpen(b)
			photo := ""
			if extra > 0 {
				photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + strings.Repeat("A", extra)
			}
			if err := db.Update(ctx, func(tx *sqlite.Tx) error {
				for i := range 5_000 {
					if err := tx.CreateContact(ctx, &contacts.Contact{ID: fmt.Sprintf("c%d", i), UserID: "u1", Name: fmt.Sprintf("P %d", i),
						CardExtra: photo, CreatedAt: now, UpdatedAt: now}); err != nil {
						return err
					}
				}
				for i := range 10_000 {
					if err := tx.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("e%d", i), UserID: "u1", EventID: fmt.Sprintf("ev%d", i%50),
						ContactID: fmt.Sprintf("c%d", (i*13)%5_000), Moment: "after_talk", MetAt: now, CreatedAt: now}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			s := &sqlite.Contacts{DB: db}
			var ids []string
			for i := range 20 {
				ids = append(ids, fmt.Sprintf("ev%d", i))
			}
			for b.Loop() {
				if met, err := s.PeopleMetAt(ctx, "u1", ids); err != nil || len(met) != 20 {
					b.Fatal(len(met), err)
				}
			}
		})
	}
}
