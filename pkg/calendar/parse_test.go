package calendar_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/calendar"
)

const oneEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Gophers\r\nDTSTART:20261124T180000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestParseLimits(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got, err := calendar.Parse(context.Background(), []byte(oneEvent), time.UTC, time.Now())
		if err != nil || len(got) != 1 || got[0].Summary != "Gophers" {
			t.Fatalf("Parse=%v, %v; want one event Gophers", got, err)
		}
	})
	for name, cal := range map[string]string{
		// go-ical builds parameter values a byte at a time (quadratic).
		"ErrLongParameter":       strings.Replace(oneEvent, "SUMMARY:", "SUMMARY;X-A="+strings.Repeat("a", 1<<20)+":", 1),
		"ErrLongFoldedParameter": strings.Replace(oneEvent, "SUMMARY:", "SUMMARY;X-A="+strings.Repeat("aaaaaaa\r\n ", 4<<10)+":", 1),
		"ErrDeepNesting":         strings.Replace(oneEvent, "BEGIN:VEVENT\r\n", strings.Repeat("BEGIN:X\r\n", 100_000)+"BEGIN:VEVENT\r\n", 1),
		"ErrLongProperty":        strings.Replace(oneEvent, "SUMMARY:", "SUMMARY:"+strings.Repeat("a\r\n ", 1<<20), 1),
		// These make go-ical panic.
		"ErrParamWithoutColon":    strings.Replace(oneEvent, "SUMMARY:Gophers", "SUMMARY;X-A=b", 1),
		"ErrCharAfterQuotedParam": strings.Replace(oneEvent, "DTSTART:", `DTSTART;TZID="a"b:`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := calendar.Parse(context.Background(), []byte(cal), time.UTC, time.Now()); err == nil {
				t.Fatal("Parse accepted it")
			}
		})
	}
	t.Run("ErrDeadline", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := calendar.Parse(ctx, []byte(oneEvent), time.UTC, time.Now()); err != context.Canceled {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
	})
}

// TestRecurrences: how a recurring event is read (the cross-check against
// ical.js is TestRecurringCalendar in pkg/api): its occurrences' UIDs, the
// rules it leaves as one event, and the bound on series a file expands.
func TestRecurrences(t *testing.T) {
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	event := func(lines ...string) string {
		return "BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:x\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\n"
	}
	parse := func(t *testing.T, events ...string) []calendar.Parsed {
		t.Helper()
		got, err := calendar.Parse(t.Context(), []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"+strings.Join(events, "")+"END:VCALENDAR\r\n"), time.UTC, now)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	uids := func(ps []calendar.Parsed) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.UID+" "+p.Start.Format(time.RFC3339))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string
	}{
		{"UIDsInDTSTARTsForm", []string{"UID:a", "DTSTART;TZID=Europe/Berlin:20261201T190000", "RRULE:FREQ=WEEKLY;COUNT=3"},
			[]string{"a 2026-12-01T18:00:00Z", "a#20261208T190000 2026-12-08T18:00:00Z", "a#20261215T190000 2026-12-15T18:00:00Z"}},
		{"UTC", []string{"UID:b", "DTSTART:20261201T080000Z", "RRULE:FREQ=DAILY;COUNT=2"},
			[]string{"b 2026-12-01T08:00:00Z", "b#20261202T080000Z 2026-12-02T08:00:00Z"}},
		{"AllDay", []string{"UID:c", "DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=MONTHLY;COUNT=2"},
			[]string{"c 2026-12-01T00:00:00Z", "c#20270101 2027-01-01T00:00:00Z"}},
		{"DTSTARTOffTheRule", []string{"UID:k", "DTSTART:20261130T080000Z", "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2"},
			[]string{"k#20261201T080000Z 2026-12-01T08:00:00Z", "k#20261208T080000Z 2026-12-08T08:00:00Z"}},
		{"RDATEOnly", []string{"UID:d", "DTSTART:20261201T080000Z", "RDATE:20261203T080000Z"},
			[]string{"d 2026-12-01T08:00:00Z", "d#20261203T080000Z 2026-12-03T08:00:00Z"}},
		{"EXDATEList", []string{"UID:e", "DTSTART:20261201T080000Z", "RRULE:FREQ=DAILY;COUNT=4", "EXDATE:20261202T080000Z,20261203T080000Z"},
			[]string{"e 2026-12-01T08:00:00Z", "e#20261204T080000Z 2026-12-04T08:00:00Z"}},
		{"HourlyIsOneEvent", []string{"UID:f", "DTSTART:20261201T080000Z", "RRULE:FREQ=HOURLY"}, []string{"f 2026-12-01T08:00:00Z"}},
		{"BadRuleIsOneEvent", []string{"UID:g", "DTSTART:20261201T080000Z", "RRULE:FREQ=FORTNIGHTLY"}, []string{"g 2026-12-01T08:00:00Z"}},
		{"EndedLongAgoIsItsFirst", []string{"UID:h", "DTSTART:20200101T080000Z", "RRULE:FREQ=DAILY;COUNT=3"}, []string{"h 2020-01-01T08:00:00Z"}},
		{"StartsAfterTheWindowIsItsFirst", []string{"UID:i", "DTSTART:20300101T080000Z", "RRULE:FREQ=YEARLY"}, []string{"i 2030-01-01T08:00:00Z"}},
		{"PastOnesLeftOut", []string{"UID:j", "DTSTART:20261001T080000Z", "RRULE:FREQ=MONTHLY;COUNT=3"},
			[]string{"j#20261101T080000Z 2026-11-01T08:00:00Z", "j#20261201T080000Z 2026-12-01T08:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := uids(parse(t, event(tc.lines...))); !slices.Equal(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	t.Run("MovedOneIsItsOwnEvent", func(t *testing.T) {
		got := uids(parse(t, event("UID:m", "DTSTART:20261201T080000Z", "RRULE:FREQ=DAILY;COUNT=3"),
			event("UID:m", "RECURRENCE-ID:20261202T080000Z", "DTSTART:20261202T120000Z")))
		want := []string{"m 2026-12-01T08:00:00Z", "m#20261203T080000Z 2026-12-03T08:00:00Z", "m#20261202T080000Z 2026-12-02T12:00:00Z"}
		if !slices.Equal(got, want) {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
	t.Run("MaxSeries", func(t *testing.T) {
		var evs []string
		for i := range calendar.MaxSeries + 1 {
			evs = append(evs, event(fmt.Sprintf("UID:s%d", i), "DTSTART:20261201T080000Z", "RRULE:FREQ=DAILY;COUNT=2"))
		}
		if got := len(parse(t, evs...)); got != 2*calendar.MaxSeries+1 {
			t.Fatalf("%d events, want every series but the last expanded (%d)", got, 2*calendar.MaxSeries+1)
		}
	})
}

// BenchmarkParseRecurring reads a calendar of MaxSeries recurring events:
// daily since 2000 with no end (each walked from 2000 to the window), or
// (Never) a daily rule that never matches, which the rule library walks
// to the year 9999 — what a hostile feed can make one parse cost.
func BenchmarkParseRecurring(b *testing.B) {
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	for _, bc := range []struct{ name, rule string }{{"Daily", "FREQ=DAILY"}, {"Never", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}} {
		b.Run(bc.name, func(b *testing.B) {
			var sb strings.Builder
			sb.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
			for i := range calendar.MaxSeries {
				fmt.Fprintf(&sb, "BEGIN:VEVENT\r\nUID:s%d\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20000101T190000\r\nRRULE:%s\r\nSUMMARY:x\r\nEND:VEVENT\r\n", i, bc.rule)
			}
			sb.WriteString("END:VCALENDAR\r\n")
			for b.Loop() {
				if _, err := calendar.Parse(b.Context(), []byte(sb.String()), time.UTC, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestZoneName: a TZID as an IANA name: itself, a Windows name's zone, or
// nothing.
func TestZoneName(t *testing.T) {
	for tzid, want := range map[string]string{"Europe/Berlin": "Europe/Berlin", "W. Europe Standard Time": "Europe/Berlin",
		" Pacific Standard Time ": "America/Los_Angeles", "Tokyo Standard Time": "Asia/Tokyo", "Customized Time Zone": "", "": ""} {
		if got := calendar.ZoneName(tzid); got != want {
			t.Errorf("ZoneName(%q)=%q, want %q", tzid, got, want)
		}
	}
}

// TestCalendarZone: a calendar's floating times are in the zone its
// X-WR-TIMEZONE names (as Google Calendar's exports write them), which
// becomes their TZID; a zone not known leaves them in the user's.
func TestCalendarZone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct{ zone, start, tzid string }{
		{"America/New_York", "2026-12-10T23:00:00Z", "America/New_York"},
		{"Pacific Standard Time", "2026-12-11T02:00:00Z", "America/Los_Angeles"},
		{"Mars/Olympus_Mons", "2026-12-10T17:00:00Z", ""},
	} {
		cal := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:" + tc.zone + "\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261210T180000\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		got, err := calendar.Parse(t.Context(), []byte(cal), berlin, time.Now())
		if err != nil || len(got) != 1 || got[0].Start.Format(time.RFC3339) != tc.start || got[0].TZID != tc.tzid {
			t.Errorf("X-WR-TIMEZONE:%s: %+v, %v; want start %s in %q", tc.zone, got, err, tc.start, tc.tzid)
		}
	}
}
