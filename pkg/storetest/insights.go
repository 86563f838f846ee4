package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
)

// InsightStores are the stores of one fresh database that insights count.
type InsightStores struct {
	Contacts  contacts.Store
	Events    events.Store
	Followups followup.Store
	Insights  insights.Source
}

// OpenInsights opens the stores of a fresh, empty database for one test.
type OpenInsights func(tb testing.TB) InsightStores

// Insights runs the insights.Source contract: known data, known answer,
// and another user's data never counted.
func Insights(t *testing.T, open OpenInsights) {
	// One store for the whole contract: the subtests run in order, each on
	// what the ones before it wrote.
	ctx := context.Background()
	s := open(t)
	// Window [from, to) of 10 days ending at clock; the one before it too.
	to := clock
	from := to.AddDate(0, 0, -10)
	in := func(days float64) time.Time { return from.Add(time.Duration(days * 24 * float64(time.Hour))) }
	ada := MustCreateContact(t, s.Contacts, newContact("u1", "Ada"))
	bob := MustCreateContact(t, s.Contacts, newContact("u1", "Bob"))
	edge := MustCreateContact(t, s.Contacts, newContact("u1", "Edge Ed"))
	sam := MustCreateContact(t, s.Contacts, newContact("u1", "Sam"))
	lapsed := newContact("u1", "Lapsed Lee")
	lapsed.CadenceDays = 30
	lapsed.CreatedAt = clock.AddDate(0, -3, 0)
	MustCreateContact(t, s.Contacts, lapsed)
	fresh := newContact("u1", "Fresh Fay")
	fresh.CadenceDays = 30
	recent := clock.AddDate(0, 0, -3)
	fresh.LastContactedAt = &recent
	MustCreateContact(t, s.Contacts, fresh)

	ev := &events.Event{ID: nextID(), UserID: "u1", Title: "Gophers", Kind: "meetup", StartsAt: in(2), EndsAt: in(2.1), Timezone: "UTC",
		Status: "attended", Tags: []string{"Go", "Über"}, CreatedAt: clock, UpdatedAt: clock,
		Talks: []events.Talk{{Title: "Intro to #WASM", Speaker: "Rob Pike"}, {Title: "More #wasm and #Go", Speaker: "rob pike"}}}
	old := &events.Event{ID: nextID(), UserID: "u1", Title: "Old", Kind: "meetup", StartsAt: in(-5), EndsAt: in(-4.9), Timezone: "UTC",
		Status: "attended", Tags: []string{"go", "rust"}, CreatedAt: clock, UpdatedAt: clock}
	other := &events.Event{ID: nextID(), UserID: "u2", Title: "Theirs", Kind: "meetup", StartsAt: in(3), EndsAt: in(3.1), Timezone: "UTC",
		Status: "attended", Tags: []string{"go", "secret"}, CreatedAt: clock, UpdatedAt: clock}
	// Talks the user did not see: at an event cancelled, and at a followed
	// calendar's where nobody was met; and one where someone was.
	talkAt := func(title, status, speaker string, followed bool) *events.Event {
		e := &events.Event{ID: nextID(), UserID: "u1", Title: title, Kind: "meetup", StartsAt: in(1), EndsAt: in(1.1), Timezone: "UTC",
			Status: status, CreatedAt: clock, UpdatedAt: clock, Talks: []events.Talk{{Title: "A talk", Speaker: speaker}}}
		if followed {
			e.Source = &events.Source{CalendarID: "cal", UID: e.ID}
		}
		return e
	}
	metThere := talkAt("Followed, met", "planned", "Sam Seen", true)
	for _, e := range []*events.Event{ev, old, other, talkAt("Cancelled", "cancelled", "Carl Cancelled", false),
		talkAt("Followed", "planned", "Fay Followed", true), metThere} {
		if err := s.Events.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []*contacts.Encounter{
		{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: ada.ID, Moment: "after_talk", MetAt: in(2), Topics: []string{"go", "Kafka"}, CreatedAt: clock},
		{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: ada.ID, Moment: "before_talk", MetAt: in(2), Topics: []string{"kafka"}, CreatedAt: clock},
		{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: bob.ID, Moment: "after_talk", MetAt: in(2), CreatedAt: clock},
		{ID: nextID(), UserID: "u1", EventID: old.ID, ContactID: bob.ID, Moment: "other", MetAt: in(-5), Topics: []string{"kafka", "rust"}, CreatedAt: clock},
		{ID: nextID(), UserID: "u1", EventID: metThere.ID, ContactID: sam.ID, Moment: "other", MetAt: in(1), CreatedAt: clock},
		{ID: nextID(), UserID: "u2", EventID: other.ID, ContactID: "theirs", Moment: "other", MetAt: in(3), Topics: []string{"secret"}, CreatedAt: clock},
		// The window's ends fall inside days: the same day just before
		// it is the window before, just after its start and just before
		// its end are in it.
		{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: edge.ID, Moment: "other", MetAt: in(-0.05), Topics: []string{"Edge"}, CreatedAt: clock},
		{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: edge.ID, Moment: "other", MetAt: in(0.05), Topics: []string{"edge"}, CreatedAt: clock},
		{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: edge.ID, Moment: "other", MetAt: in(9.95), Topics: []string{" edge"}, CreatedAt: clock},
		{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: edge.ID, Moment: "other", MetAt: to, Topics: []string{"edge"}, CreatedAt: clock},
	} {
		if err := s.Contacts.CreateEncounter(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Contacts.CreateIntro(ctx, &contacts.Intro{ID: nextID(), UserID: "u1", ContactIDs: []string{bob.ID, lapsed.ID}, Status: contacts.IntroMade,
		CreatedAt: in(4), UpdatedAt: in(4)}); err != nil {
		t.Fatal(err)
	}
	fu := func(contact, kind string, due time.Time) *followup.FollowUp {
		f := &followup.FollowUp{ID: nextID(), UserID: "u1", ContactID: contact, Kind: kind, DueAt: due, Status: followup.Pending, CreatedAt: clock, UpdatedAt: clock}
		f.PendingKey = followup.PendingKey(f)
		return mustCreateFollowup(t, s.Followups, f)
	}
	onTime := fu(ada.ID, followup.ThankYou, in(3))
	late := fu(bob.ID, followup.ThankYou, in(3))
	cancelled := fu(ada.ID, followup.CheckIn, in(5))
	fu(bob.ID, followup.CheckIn, in(6)) // pending and past: overdue
	fu(bob.ID, followup.Custom, in(12)) // after the window
	s.Followups.End(ctx, "u1", []string{onTime.ID}, followup.Done, in(3.5))
	s.Followups.End(ctx, "u1", []string{late.ID}, followup.Done, in(5))
	s.Followups.End(ctx, "u1", []string{cancelled.ID}, followup.Cancelled, in(5))

	t.Run("Facts", func(t *testing.T) {
		f, err := s.Insights.Facts(ctx, "u1", from, to, clock)
		if err != nil {
			t.Fatal(err)
		}
		got, err := insights.Assemble(f, from, to, clock)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"topics":[{"name":"go","count":3,"previous_count":1,"trend":"rising"},` +
			`{"name":"edge","count":2,"previous_count":1,"trend":"rising"},` +
			`{"name":"kafka","count":2,"previous_count":1,"trend":"rising"},` +
			`{"name":"wasm","count":2,"previous_count":0,"trend":"new"},` +
			`{"name":"über","count":1,"previous_count":0,"trend":"new"},` +
			`{"name":"rust","count":0,"previous_count":2,"trend":"falling"}],` +
			`"people":[{"name":"Ada","encounters":2,"intros":0},{"name":"Edge Ed","encounters":2,"intros":0},{"name":"Bob","encounters":1,"intros":1},{"name":"Sam","encounters":1,"intros":0},{"name":"Lapsed Lee","encounters":0,"intros":1}],` +
			`"speakers":[{"name":"Rob Pike","talks":2,"events":1},{"name":"Sam Seen","talks":1,"events":1}],` +
			`"followups":{"due":3,"done_on_time":1,"overdue":1,"completion_rate":0.667},` +
			`"lapsed":["Lapsed Lee"]}`
		if s := summarize(got); s != want {
			t.Fatalf("insights\n got %s\nwant %s", s, want)
		}
	})
	t.Run("GivingLedger", func(t *testing.T) {
		// The giving ledger's read: the user's interactions of some kinds since
		// a time, oldest first, bounded; another user's never.
		for i, it := range []*contacts.Interaction{
			{Kind: "helped_me", At: in(1)}, {Kind: "email", At: in(2)}, {Kind: "helped", At: in(3)}, {Kind: "helped", At: in(-20)},
		} {
			it.ID, it.UserID, it.ContactID, it.CreatedAt = fmt.Sprint("gl", i), "u1", ada.ID, clock
			if err := s.Contacts.CreateInteraction(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Contacts.CreateInteraction(ctx, &contacts.Interaction{ID: "gl-theirs", UserID: "u2", ContactID: "theirs", Kind: "helped", At: in(1), CreatedAt: clock}); err != nil {
			t.Fatal(err)
		}
		ledger, err := s.Contacts.InteractionsOfKinds(ctx, "u1", []string{"helped", "helped_me"}, from, 10)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, it := range ledger {
			kinds = append(kinds, it.Kind)
		}
		if fmt.Sprint(kinds) != "[helped_me helped]" {
			t.Fatalf("interactions of kinds: %v", kinds)
		}
		if one, err := s.Contacts.InteractionsOfKinds(ctx, "u1", []string{"helped", "helped_me"}, from, 1); err != nil || len(one) != 1 || one[0].Kind != "helped_me" {
			t.Fatalf("limit 1: %v, %v", one, err)
		}
	})
	t.Run("TopicMonths", func(t *testing.T) {
		// By month (UTC, whole months): encounter topics and event tags,
		// lower-cased; the other user's never.
		nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		months, err := s.Insights.TopicMonths(ctx, "u1", nov, nov.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(months) != "map[2026-11:map[edge:4 go:3 kafka:3 rust:2 über:1]]" {
			t.Fatalf("topic months %v", months)
		}
		// Written, changed and deleted records keep the counts: an event's tags
		// changed, an encounter deleted, one moved to December.
		ev.Tags = []string{"Go", "Zig"}
		if err := s.Events.UpdateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		moved := &contacts.Encounter{ID: nextID(), UserID: "u1", EventID: ev.ID, ContactID: ada.ID, Moment: "other", MetAt: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC),
			Topics: []string{"Kafka"}, CreatedAt: clock}
		if err := s.Contacts.CreateEncounter(ctx, moved); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Contacts.DeleteEncountersOf(ctx, "u1", contacts.ByEvent, []string{old.ID}); err != nil {
			t.Fatal(err)
		}
		months, err = s.Insights.TopicMonths(ctx, "u1", nov, nov.AddDate(0, 2, 0))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(months) != "map[2026-11:map[edge:4 go:3 kafka:2 rust:1 zig:1] 2026-12:map[kafka:1]]" {
			t.Fatalf("topic months after changes %v", months)
		}
		to = nov.AddDate(0, 1, 0)
		if none, err := s.Insights.TopicMonths(ctx, "u1", to.AddDate(0, 1, 0), to.AddDate(0, 2, 0)); err != nil || len(none) != 0 {
			t.Fatalf("after the window: %v, %v", none, err)
		}

	})
	t.Run("Leaders", func(t *testing.T) {
		// More people met than insights rank: the two met twice whose ids come
		// last (below the leaders by encounters) but who were introduced lead,
		// then someone met once and introduced twice, then the rest by id.
		var crowd []string
		for i := range insights.PeopleMax + 2 {
			c := MustCreateContact(t, s.Contacts, newContact("u3", fmt.Sprintf("Crowd %02d", i)))
			crowd = append(crowd, c.ID)
			for range 2 {
				if err := s.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: nextID(), UserID: "u3", EventID: "ev-u3", ContactID: c.ID, Moment: "other",
					MetAt: in(5), CreatedAt: clock}); err != nil {
					t.Fatal(err)
				}
			}
		}
		ian := MustCreateContact(t, s.Contacts, newContact("u3", "Intro Ian"))
		if err := s.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: nextID(), UserID: "u3", EventID: "ev-u3", ContactID: ian.ID, Moment: "other",
			MetAt: in(5), CreatedAt: clock}); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if err := s.Contacts.CreateIntro(ctx, &contacts.Intro{ID: nextID(), UserID: "u3", ContactIDs: []string{ian.ID, crowd[len(crowd)-1-i]},
				Status: contacts.IntroMade, CreatedAt: in(6), UpdatedAt: in(6)}); err != nil {
				t.Fatal(err)
			}
		}
		f, err := s.Insights.Facts(ctx, "u3", from, clock, clock)
		if err != nil {
			t.Fatal(err)
		}
		got, err := insights.Assemble(f, from, clock, clock)
		if err != nil {
			t.Fatal(err)
		}
		var ranked []string
		for _, p := range got.People {
			ranked = append(ranked, fmt.Sprintf("%s %d+%d", p.Name, p.Encounters, p.Intros))
		}
		want := fmt.Sprintf("[Crowd %02d 2+1 Crowd %02d 2+1 Intro Ian 1+2 Crowd 00 2+0", len(crowd)-2, len(crowd)-1)
		if r := fmt.Sprint(ranked); len(ranked) != insights.PeopleMax || r[:len(want)] != want {
			t.Fatalf("ranked %v", ranked)
		}
		// The counts follow deletes and merges, with every encounter in the
		// window and then with one before it (counted out).
		met := func() map[string]int {
			t.Helper()
			f, err := s.Insights.Facts(ctx, "u3", from, clock, clock)
			if err != nil {
				t.Fatal(err)
			}
			return f.Met
		}
		if _, err := s.Contacts.DeleteEncountersOf(ctx, "u3", contacts.ByContact, []string{crowd[0]}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Contacts.MoveContact(ctx, "u3", crowd[1], crowd[2], clock); err != nil {
			t.Fatal(err)
		}
		if m := met(); m[crowd[0]] != 0 || m[crowd[1]] != 0 || m[crowd[2]] != 4 {
			t.Fatalf("after a delete and a merge: %d, %d, %d; want 0, 0, 4", m[crowd[0]], m[crowd[1]], m[crowd[2]])
		}
		if err := s.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: nextID(), UserID: "u3", EventID: "ev-u3", ContactID: crowd[2], Moment: "other",
			MetAt: in(-1), CreatedAt: clock}); err != nil {
			t.Fatal(err)
		}
		if m := met(); m[crowd[2]] != 4 {
			t.Fatalf("with a meeting before the window: %d, want the window's 4", m[crowd[2]])
		}
	})
}

// summarize renders insights without ids and times, for comparison.
func summarize(ins *insights.Insights) string {
	type person struct {
		Name       string `json:"name"`
		Encounters int    `json:"encounters"`
		Intros     int    `json:"intros"`
	}
	out := struct {
		Topics    []insights.TopicInsight   `json:"topics"`
		People    []person                  `json:"people"`
		Speakers  []insights.SpeakerInsight `json:"speakers"`
		Followups insights.FollowupInsight  `json:"followups"`
		Lapsed    []string                  `json:"lapsed"`
	}{Topics: ins.Topics, Speakers: ins.Speakers, Followups: ins.Followups}
	for _, p := range ins.People {
		out.People = append(out.People, person{p.Name, p.Encounters, p.Intros})
	}
	for _, l := range ins.Lapsed {
		out.Lapsed = append(out.Lapsed, l.Name)
	}
	b, _ := json.Marshal(out)
	return string(b)
}
