package followup_test

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/followup"
)

func TestDueAt(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	for _, tc := range []struct {
		name     string
		base     time.Time
		days, hr int
		loc      string
		want     time.Time
	}{
		{"NextMorningUTC", time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC), 1, 9, "UTC", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)},
		// Met late evening in LA: that is already the next day in UTC, but the
		// thank-you is the next *local* morning.
		{"LocalDateNotUTCDate", time.Date(2026, 11, 25, 5, 30, 0, 0, time.UTC), 1, 9, "America/Los_Angeles", time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)},
		// Berlin springs forward on 2026-03-29: 9:00 local is 07:00 UTC after it, 08:00 before.
		{"AcrossSpringForward", time.Date(2026, 3, 28, 19, 0, 0, 0, time.UTC), 1, 9, "Europe/Berlin", time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)},
		{"AcrossFallBack", time.Date(2026, 10, 24, 19, 0, 0, 0, time.UTC), 1, 9, "Europe/Berlin", time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)},
		{"MonthAcrossDST", time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC), 30, 9, "America/New_York", time.Date(2026, 4, 9, 13, 0, 0, 0, time.UTC)},
		// A nudge hour that does not exist on the day (02:00 on spring-forward in New York) lands at 03:00.
		{"NonexistentLocalHour", time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC), 1, 2, "America/New_York", time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"FarEastKiritimati", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), 1, 9, "Pacific/Kiritimati", time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)},
		{"FarWestPagoPago", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), 1, 9, "Pacific/Pago_Pago", time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC)},
		{"HalfHourKathmandu", time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), 14, 9, "Asia/Kathmandu", time.Date(2026, 12, 8, 3, 15, 0, 0, time.UTC)},
		{"SydneySummer", time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), 1, 8, "Australia/Sydney", time.Date(2026, 12, 31, 21, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := followup.DueAt(tc.base, tc.days, tc.hr, zone(tc.loc)); !got.Equal(tc.want) {
				t.Fatalf("DueAt=%v, want %v", got, tc.want)
			}
		})
	}
}
