package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/search"
)

// SearchStores are the stores of one database that search reads.
type SearchStores struct {
	Contacts      contacts.Store
	Events        events.Store
	Companies     companies.Store
	Opportunities opportunities.Store
	Search        search.Store
}

// OpenSearch opens fresh, empty stores on one database for one test.
type OpenSearch func(tb testing.TB) SearchStores

// Search runs the search.Store contract against open: known queries with
// known ranked answers, accents, prefixes, every type, the types filter,
// edits and deletes, and another user's words never found.
func Search(t *testing.T, open OpenSearch) {
	// One store for the whole contract: the subtests run in order, each on
	// what the ones before it wrote.
	ctx := context.Background()
	s := open(t)
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ada := newContact("u1", "Ada Lovelace", "ada@analytical.example")
	ada.Company, ada.Title, ada.Notes = "Analytical Engines", "Mathematician", "Prefers tea; internationalization"
	jose := newContact("u1", "José Núñez")
	jose.Company, jose.Tags, jose.Notes = "Globex", []string{"kubernetes"}, "Wants the flame-graph notes"
	grace := newContact("u1", "Grace Hopper")
	zed := newContact("u2", "Zed Zanzibar")
	zed.Notes = "ada secret"
	for _, c := range []*contacts.Contact{ada, jose, grace, zed} {
		MustCreateContact(t, s.Contacts, c)
	}
	ev := newEvent("u1", "GopherCon EU", 1)
	ev.Talks = []events.Talk{{Title: "Kubernetes operators in Go", Speaker: "Rob Pike"}}
	must(t, s.Events.CreateEvent(ctx, ev))
	enc := &contacts.Encounter{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: jose.ID, Moment: "after_talk", MetAt: clock,
		Topics: []string{"flame graphs", "pprof"}, Notes: "Asked about profiling", CreatedAt: clock}
	must(t, s.Contacts.CreateEncounter(ctx, enc))
	it := &contacts.Interaction{ID: nextID(), UserID: "u1", ContactID: jose.ID, Kind: "email", At: clock, Notes: "Sent the slides on flame graphs", CreatedAt: clock}
	must(t, s.Contacts.CreateInteraction(ctx, it))
	intro := &contacts.Intro{ID: nextID(), UserID: "u1", ContactIDs: []string{ada.ID, grace.ID}, Context: "Ada should meet Grace about compilers",
		Status: "proposed", CreatedAt: clock, UpdatedAt: clock}
	must(t, s.Contacts.CreateIntro(ctx, intro))
	co := &companies.Company{ID: nextID(), UserID: "u1", Name: "Initech", Domain: "initech.example", Tags: []string{}, CreatedAt: clock, UpdatedAt: clock}
	must(t, s.Companies.CreateCompany(ctx, co))
	soren := &companies.Company{ID: nextID(), UserID: "u1", Name: "Sørensen & Co", Tags: []string{}, Notes: "Office on Łódź Straße, Æsir", CreatedAt: clock, UpdatedAt: clock}
	must(t, s.Companies.CreateCompany(ctx, soren))
	opp := newOpportunity("u1", "Staff engineer at Initech", 1)
	opp.Notes, opp.SourceContactID = "Referred by José", jose.ID
	must(t, s.Opportunities.CreateOpportunity(ctx, opp))

	find := func(t *testing.T, user, q string, limit int, types ...string) []search.Hit {
		t.Helper()
		hits, err := s.Search.Search(ctx, search.Query{UserID: user, Terms: search.Terms(q), Types: types, Limit: limit})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return hits
	}
	ids := func(hits []search.Hit) string {
		var out []string
		for _, h := range hits {
			out = append(out, h.Type+":"+h.ID)
		}
		return strings.Join(out, " ")
	}
	ref := func(typ, id string) string { return typ + ":" + id }
	ranked := func(t *testing.T, user, q string, types []string, want ...string) []search.Hit {
		t.Helper()
		hits := find(t, user, q, search.MaxLimit, types...)
		if got := ids(hits); got != strings.Join(want, " ") {
			t.Fatalf("search %q by %s = %s\nwant %s", q, user, got, strings.Join(want, " "))
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Fatalf("search %q: scores not descending: %v", q, hits)
			}
		}
		return hits
	}
	t.Run("NamesAndFolding", func(t *testing.T) {
		// Names weigh more than the rest; accents and case are folded both ways.
		hits := ranked(t, "u1", "jose", nil, ref(search.Contact, jose.ID), ref(search.Opportunity, opp.ID))
		if h := hits[0]; h.Title != "José Núñez" || h.ContactID != jose.ID {
			t.Fatalf("contact hit %+v", h)
		}
		if h := hits[1]; h.Title != "Staff engineer at Initech" || h.ContactID != jose.ID || h.At == nil || !strings.Contains(h.Snippet, "José") {
			t.Fatalf("opportunity hit %+v", h)
		}
		ranked(t, "u1", "NÚÑEZ", nil, ref(search.Contact, jose.ID))
		// ø ł đ ß æ fold as input.Fold spells them, both ways; the snippet
		// shows the text as written.
		ranked(t, "u1", "sorensen", nil, ref(search.Company, soren.ID))
		if hits = ranked(t, "u1", "strasse", nil, ref(search.Company, soren.ID)); !strings.Contains(hits[0].Snippet, "Straße") {
			t.Fatalf("snippet %q", hits[0].Snippet)
		}
		ranked(t, "u1", "SØREN strasse", nil, ref(search.Company, soren.ID))
		ranked(t, "u1", "straße lodz aesir", nil, ref(search.Company, soren.ID))
		ranked(t, "u1", "Núnez José", nil, ref(search.Contact, jose.ID))
	})
	t.Run("Prefixes", func(t *testing.T) {
		// Prefixes: talk titles and speakers are the event's.
		ranked(t, "u1", "kube", []string{search.Event}, ref(search.Event, ev.ID))
		hits := ranked(t, "u1", "pik", nil, ref(search.Event, ev.ID))
		if h := hits[0]; h.Title != "GopherCon EU" || h.EventID != ev.ID || h.At == nil || !h.At.Equal(ev.StartsAt) {
			t.Fatalf("event hit %+v", h)
		}
	})
	t.Run("EveryTermRequired", func(t *testing.T) {
		// An encounter's topics are its name: it ranks above the notes that
		// mention flame graphs; every term is required.
		hits := find(t, "u1", "flame", search.MaxLimit)
		if len(hits) != 3 || ids(hits[:1]) != ref(search.Encounter, enc.ID) {
			t.Fatalf("flame = %s, want the encounter first of 3", ids(hits))
		}
		if h := hits[0]; h.ContactID != jose.ID || h.EventID != ev.ID || h.At == nil || !h.At.Equal(clock) {
			t.Fatalf("encounter hit %+v", h)
		}
		ranked(t, "u1", "flame notes", nil, ref(search.Contact, jose.ID))
		hits = ranked(t, "u1", "flame", []string{search.Interaction}, ref(search.Interaction, it.ID))
		if !strings.Contains(strings.ToLower(hits[0].Snippet), "flame") {
			t.Fatalf("snippet %q", hits[0].Snippet)
		}
		// An encounter without topics (no name) is found by its notes.
		bare := &contacts.Encounter{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: grace.ID, Moment: "other", MetAt: clock,
			Notes: "Talked about WASM in Go; wants the slides", CreatedAt: clock}
		must(t, s.Contacts.CreateEncounter(ctx, bare))
		if hits := ranked(t, "u1", "wasm slides", nil, ref(search.Encounter, bare.ID)); hits[0].Snippet != "Talked about WASM in Go; wants the slides" {
			t.Fatalf("snippet %q", hits[0].Snippet)
		}
		if hits := find(t, "u1", "flame", 1); ids(hits) != ref(search.Encounter, enc.ID) {
			t.Fatalf("limit 1: %s", ids(hits))
		}
	})
	t.Run("Isolation", func(t *testing.T) {
		// Another user's words are never found, and theirs are theirs.
		hits := ranked(t, "u1", "ada", nil, ref(search.Contact, ada.ID), ref(search.Intro, intro.ID))
		if h := hits[1]; h.ContactID != ada.ID || h.OtherID != grace.ID {
			t.Fatalf("intro hit %+v", h)
		}
		ranked(t, "u1", "zanzibar", nil)
		ranked(t, "u2", "zanzibar", nil, ref(search.Contact, zed.ID))
		ranked(t, "u2", "flame", nil)
	})
	t.Run("RankingAndNoSyntax", func(t *testing.T) {
		// A shorter record ranks first among name matches.
		ranked(t, "u1", "initech", nil, ref(search.Company, co.ID), ref(search.Opportunity, opp.ID))
		// Long words, and text that looks like a pattern or an operator.
		ranked(t, "u1", "internationalization", nil, ref(search.Contact, ada.ID))
		ranked(t, "u1", "internationalizations", nil)
		for _, q := range []string{`"ada`, `ada*`, `ada OR grace`, `{"$ne": 1}`, `.*`, `ada NEAR/2 grace`, `name:ada`} {
			if _, err := s.Search.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Limit: 5}); err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
		}
		ranked(t, "u1", "ada OR zanzibar", nil)
	})
	t.Run("PageIsTheBestByScore", func(t *testing.T) {
		// Twenty contacts named a longer word the term begins, then five
		// named the word itself: a page of five is the five named the word
		// (an exact name scores above a prefix), whatever the index's own
		// order or score.
		var want []string
		for i := range 25 {
			name := fmt.Sprintf("Ottilies %d", i)
			if i >= 20 {
				name = fmt.Sprintf("Ottilie %d", i)
			}
			c := MustCreateContact(t, s.Contacts, newContact("u3", name))
			if i >= 20 {
				want = append(want, ref(search.Contact, c.ID))
			}
		}
		hits := find(t, "u3", "ottilie", 5)
		got := strings.Fields(ids(hits))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("a page of five: %v\nwant the five named Ottilie: %v", hits, want)
		}
	})
	t.Run("EditsAndDeletes", func(t *testing.T) {
		// Edits and deletes are what is found next.
		grace.Name, grace.UpdatedAt = "Grace Brewster Hopper", clock.Add(time.Minute)
		must(t, s.Contacts.UpdateContact(ctx, grace))
		ranked(t, "u1", "brewster", nil, ref(search.Contact, grace.ID))
		must(t, s.Contacts.DeleteContact(ctx, "u1", grace.ID))
		ranked(t, "u1", "brewster", nil)
		must(t, s.Events.DeleteEvent(ctx, "u1", ev.ID))
		ranked(t, "u1", "pike", nil)
		ranked(t, "u1", "initech", []string{search.Company}, ref(search.Company, co.ID))
		if got := fmt.Sprint(len(find(t, "u1", "", 5))); got != "0" {
			t.Fatalf("an empty query found %s", got)
		}
	})
}
