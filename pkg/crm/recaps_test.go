package crm_test

import (
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
