package crm_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
)

// TestRecaps reviews an event the morning after its last day: a three-day
// conference once it is over (not after its first day, when it was), a
// meetup that ends after midnight the morning after it began; a day
// without an event that ended has none.
func TestRecaps(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		day := func(d int) (time.Time, time.Time) { // a day of November in Berlin
			from := time.Date(2026, 11, d, 0, 0, 0, 0, berlin)
			return from.UTC(), from.AddDate(0, 0, 1).UTC()
		}
		met := func(title, starts, ends, metAt string) {
			t.Helper()
			ev, err := e.crm.Events.Create(ctx, e.user.ID, e.user.Timezone, events.Input{Title: title, StartsAt: starts, EndsAt: ends})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.crm.LogEncounter(ctx, e.user, ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "Someone at " + title}, Moment: "other", MetAt: metAt}); err != nil {
				t.Fatal(err)
			}
		}
		met("GopherCon", "2026-11-19T08:00:00Z", "2026-11-21T16:00:00Z", "2026-11-19T12:00:00Z")
		met("Late meetup", "2026-11-20T18:00:00Z", "2026-11-20T23:30:00Z", "2026-11-20T22:00:00Z") // 19:00 to 00:30 in Berlin
		for _, c := range []struct {
			name string
			day  int
			want []string
		}{
			{"TheConferencesFirstDay", 19, nil},
			{"TheMeetupPastMidnight", 20, []string{"Late meetup: Met 1; 1 thank-you to send"}},
			{"TheConferencesLastDay", 21, []string{"GopherCon: Met 1; 1 thank-you to send"}},
			{"TheDayAfter", 22, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				from, to := day(c.day)
				got, err := e.crm.Recaps(ctx, e.user, from, to)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("recaps of %d Nov: %q, want %q", c.day, got, c.want)
				}
			})
		}
	})
}

// TestRecapsInABusyWeek: a conference's recap, and the conference as one
// running into its last day, in a week of 150 events begun before it (a
// followed calendar's). The week's first 100 events by their start were
// read for those running into the day, and the conference, begun after
// them, was not among them.
func TestRecapsInABusyWeek(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		var es []*events.Event
		for i := range 150 { // 17 to 21 November, each an hour, over
			at := time.Date(2026, 11, 17, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 45 * time.Minute)
			es = append(es, e.storedEvent(fmt.Sprintf("Talk %03d", i), at, time.Hour))
		}
		e.importEvents(t, es)
		conf, err := e.crm.Events.Create(ctx, e.user.ID, e.user.Timezone, events.Input{Title: "GopherCon", StartsAt: "2026-11-22T08:00:00Z", EndsAt: "2026-11-24T16:00:00Z"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.crm.LogEncounter(ctx, e.user, conf.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "Someone at GopherCon"}, Moment: "other", MetAt: "2026-11-22T12:00:00Z"}); err != nil {
			t.Fatal(err)
		}
		berlin, _ := time.LoadLocation("Europe/Berlin")
		from := time.Date(2026, 11, 24, 0, 0, 0, 0, berlin).UTC()
		running, err := e.crm.RunningInto(ctx, e.user.ID, from)
		if err != nil {
			t.Fatal(err)
		}
		if len(running) != 1 || running[0].ID != conf.ID {
			t.Fatalf("running into 24 Nov: %d events, want GopherCon alone", len(running))
		}
		got, err := e.crm.Recaps(ctx, e.user, from, from.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"GopherCon: Met 1; 1 thank-you to send"}; !slices.Equal(got, want) {
			t.Errorf("recaps of 24 Nov: %q, want %q", got, want)
		}
	})
}

// TestRecapsOnABusyDay: the recap of a day with 30 sessions of a followed
// conference schedule before the evening's meetup reviews the meetup,
// where someone was met. The day's first 10 events by start were read,
// and those were the morning's sessions.
func TestRecapsOnABusyDay(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		var es []*events.Event
		for i := range 30 { // 23 November, 07:00 to 16:40 UTC
			es = append(es, e.storedEvent(fmt.Sprintf("Session %02d", i), time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC).Add(time.Duration(i)*20*time.Minute), 20*time.Minute))
		}
		e.importEvents(t, es)
		meetup, err := e.crm.Events.Create(ctx, e.user.ID, e.user.Timezone, events.Input{Title: "Go meetup", StartsAt: "2026-11-23T17:30:00Z", EndsAt: "2026-11-23T20:00:00Z"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.crm.LogEncounter(ctx, e.user, meetup.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "Someone at the meetup"}, Moment: "other", MetAt: "2026-11-23T18:30:00Z"}); err != nil {
			t.Fatal(err)
		}
		berlin, _ := time.LoadLocation("Europe/Berlin")
		from := time.Date(2026, 11, 23, 0, 0, 0, 0, berlin).UTC()
		got, err := e.crm.Recaps(ctx, e.user, from, from.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"Go meetup: Met 1; 1 thank-you to send"}; !slices.Equal(got, want) {
			t.Errorf("recaps of 23 Nov: %q, want %q", got, want)
		}
	})
}
