package api_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/web"
)

// fillAccount gives the account of tok something of every kind, each
// text holding mark: a password, a card, an inbound address, a second
// token, a feed set, contacts with an encounter, an interaction and an
// intro (and the follow-ups they bring), an opportunity, a guest list, a
// followed calendar, a contacts import, a group card put by a phone, and
// a request under an idempotency key. It returns the card's id.
func fillAccount(t *testing.T, s *TestServer, tok, mark string) (cardID string) {
	MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "correct horse " + mark}), 204)
	me := s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true, "headline": mark + " headline"}})
	MustStatus(t, me, 200)
	MustStatus(t, s.Do(t, "POST", "/v1/me/inbound/rotate", tok, nil), 200)
	s.MustCreate(t, tok, "/v1/tokens", map[string]any{"name": mark + " phone"})
	s.MustCreate(t, tok, "/v1/feeds", map[string]any{"name": mark + " feeds"})
	a := s.MustCreateContact(t, tok, map[string]any{"name": mark + " Zebulon", "emails": []string{"zeb@" + mark + ".example"},
		"company": mark + " Labs", "tags": []string{mark}, "notes": mark + " note", "cadence_days": 30})
	b := s.MustCreateContact(t, tok, map[string]any{"name": mark + " Yara"})
	ev := s.MustCreate(t, tok, "/v1/events", map[string]any{"title": mark + " Meetup", "starts_at": "2026-11-20T18:00:00Z",
		"intentions": map[string]any{"meet": []string{mark + " people"}}})["id"].(string)
	s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact_id": a, "moment": "after_talk", "topics": []string{mark},
		"notes": mark + " talked", "met_at": "2026-11-20T19:00:00Z"})
	s.MustCreate(t, tok, "/v1/contacts/"+a+"/interactions", map[string]any{"kind": "helped", "notes": mark + " helped"})
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{a, b}, "context": mark + " intro", "event_id": ev})
	s.MustCreate(t, tok, "/v1/opportunities", map[string]any{"title": mark + " role", "source_contact_id": a, "source_event_id": ev})
	s.MustCreate(t, tok, "/v1/events/"+ev+"/giving", map[string]any{"kind": "volunteered", "notes": mark + " volunteered"})
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, "name,email\n"+mark+" Guest,guest@"+mark+".example\n",
		"Content-Type", "text/csv"), 200)
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/import", tok, "name,email\n"+mark+" Imported,imp@"+mark+".example\n", "Content-Type", "text/csv"), 200)
	src := newICSServer(t)
	src.set(strings.ReplaceAll(meetupFeed, "Berlin Gophers", mark+" Gophers"))
	cal := s.MustCreate(t, tok, "/v1/calendars", map[string]any{"url": src.URL + "/feed.ics", "name": mark + " calendar"})
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+cal["id"].(string)+"/sync", tok, nil), 200)
	MustStatus(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": mark + " Keyed"}, "Idempotency-Key", mark+"-key-1"), 201)
	// A record of each kind (pkg/kinds), found by its user's id.
	for _, k := range s.CRM.Kinds {
		s.MustCreate(t, tok, "/v1/"+k.Name(), k.Example())
	}
	// A phone's group card (pkg/dav puts it so; its own tests send it).
	userID, _ := me.JSON(t)["id"].(string)
	if err := s.CRM.Contacts.Store.PutCardGroup(t.Context(), &contacts.CardGroup{ID: mark + "-group", UserID: userID, DAVName: mark + "-group",
		Name: mark + " group", Card: "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:" + mark + " group\r\nEND:VCARD\r\n", UpdatedAt: time.Now()}, contacts.CardGroupsFit); err != nil {
		t.Fatal(err)
	}
	card, _ := me.JSON(t)["card"].(map[string]any)
	id, _ := card["card_id"].(string)
	if id == "" {
		t.Fatalf("no card id in %s", me.Body)
	}
	return id
}

// TestDeleteAccount: DELETE /v1/me wants the account's email typed again
// and, once it has one, its password (a wrong one counts as a failed
// sign-in); then nothing signs in as the user — token, card — and
// nothing of the account is left in any table or collection of either
// engine (its id, its email, any of its text), while another user's
// account is whole; the email then signs up afresh, into an empty
// account.
func TestDeleteAccount(t *testing.T) {
	s := MustServe(t, openSignup, func(d *api.Deps, _ *web.Deps) { d.InboundDomain = "in.rapport.test" })
	adaID, ada := s.MustSignup(t, "ada@example.com")
	_, bob := s.MustSignup(t, "bob@example.com")
	adaCard := fillAccount(t, s, ada, "quasar")
	fillAccount(t, s, bob, "nebula")

	MustProblem(t, s.Do(t, "DELETE", "/v1/me", ada, map[string]any{}), 422, "confirm", "password")
	MustProblem(t, s.Do(t, "DELETE", "/v1/me", ada, map[string]any{"confirm": "bob@example.com", "password": "correct horse quasar"}), 422, "confirm")
	MustProblem(t, s.Do(t, "DELETE", "/v1/me", ada, map[string]any{"confirm": "ada@example.com", "password": "wrong horse"}), 403, "password")
	MustStatus(t, s.Do(t, "GET", "/v1/me", ada, nil), 200) // refused: nothing happened
	MustStatus(t, s.Do(t, "DELETE", "/v1/me", ada, map[string]any{"confirm": " Ada@Example.com ", "password": "correct horse quasar"}), 204)

	MustStatus(t, s.Do(t, "GET", "/v1/me", ada, nil), 401)
	MustStatus(t, s.Do(t, "GET", "/c/"+adaCard, "", nil), 404)

	// The note that she is deleted is kept an hour (work in flight may
	// still write under her id; the hourly upkeep purges again) and then
	// forgotten. What the full-text indexes had of hers goes with their
	// background work; waited for, then every table or collection is read.
	s.Clock.Add(accounts.StillWriting + time.Minute)
	if _, err := s.Accounts.PurgeDeleted(t.Context()); err != nil {
		t.Fatal(err)
	}
	var left []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left = s.holding(t, adaID, "ada@example.com", "quasar")
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		t.Errorf("left of the deleted account: %s", strings.Join(left, "; "))
	}
	if kept := s.holding(t, "nebula"); len(kept) < 10 {
		t.Errorf("the other account's records: only in %v", kept)
	}
	for _, path := range []string{"/v1/contacts", "/v1/events", "/v1/followups", "/v1/opportunities", "/v1/intros", "/v1/calendars", "/v1/imports"} {
		if got := items(t, s.Do(t, "GET", path, bob, nil)); len(got) == 0 {
			t.Errorf("%s of the other account: none left", path)
		}
	}

	// The email is free: a new account, empty.
	_, again := s.MustSignup(t, "ada@example.com")
	if got := items(t, s.Do(t, "GET", "/v1/contacts", again, nil)); len(got) != 0 {
		t.Fatalf("the new account has %d contacts", len(got))
	}
}

// holding lists the tables (SQLite) or collections (MongoDB) of the
// test's store that hold any of values (case-insensitive) in a row or
// document, each with what it holds. The full-text indexes' own segments
// (FTS5's shadow tables) are not read: a deleted entry stays in a
// segment's bytes until the segment is merged.
func (s *TestServer) holding(tb testing.TB, values ...string) []string {
	tb.Helper()
	var out []string
	check := func(where, text string) {
		text = strings.ToLower(text)
		for _, v := range values {
			if strings.Contains(text, strings.ToLower(v)) {
				out = append(out, fmt.Sprintf("%s holds %q: %.200s", where, v, text))
				return
			}
		}
	}
	if s.SQL == nil {
		names, err := s.Store.DB.ListCollectionNames(tb.Context(), bson.M{})
		if err != nil {
			tb.Fatal(err)
		}
		for _, name := range names {
			cur, err := s.Store.DB.Collection(name).Find(tb.Context(), bson.M{})
			if err != nil {
				tb.Fatal(err)
			}
			var docs []bson.M
			if err := cur.All(tb.Context(), &docs); err != nil {
				tb.Fatal(err)
			}
			for _, d := range docs {
				j, err := bson.MarshalExtJSON(d, false, false)
				if err != nil {
					tb.Fatal(err)
				}
				check(name, string(j))
			}
		}
		return out
	}
	db, err := sql.Open("sqlite", "file:"+s.SQL.Path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
		AND name NOT IN (SELECT v.name || s.suffix FROM sqlite_master v, (SELECT '_data' AS suffix UNION ALL SELECT '_idx'
			UNION ALL SELECT '_config' UNION ALL SELECT '_docsize' UNION ALL SELECT '_content') s WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%')`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			var row strings.Builder
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprint(&row, v, " | ")
			}
			check(table, row.String())
		}
		rows.Close()
	}
	return out
}
