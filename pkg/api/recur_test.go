package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// recurringFeed is a meetup group's calendar as Google Calendar publishes
// it: each series one event with a rule, the zones it uses defined.
const recurringFeed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nX-WR-CALNAME:Gophers\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n" +
	"DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:19700308T020000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n" +
	"DTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	// The second Tuesday of each month at 19:00 in Berlin, across two
	// changes of summer time; December's is off, January's moved a day.
	"BEGIN:VEVENT\r\nUID:gophers@google.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250114T190000\r\nDTEND;TZID=Europe/Berlin:20250114T210000\r\n" +
	"RRULE:FREQ=MONTHLY;BYDAY=2TU\r\nEXDATE;TZID=Europe/Berlin:20261208T190000\r\nSUMMARY:Gophers Night\r\nLOCATION:c-base\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:gophers@google.com\r\nDTSTAMP:20261101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270112T190000\r\n" +
	"DTSTART;TZID=Europe/Berlin:20270113T190000\r\nDTEND;TZID=Europe/Berlin:20270113T210000\r\nSUMMARY:Gophers Night (moved to Wednesday)\r\nEND:VEVENT\r\n" +
	// Ten Thursdays in New York.
	"BEGIN:VEVENT\r\nUID:rust-nyc@google.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261105T183000\r\nDTEND;TZID=America/New_York:20261105T203000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=10\r\nSUMMARY:Rust NYC\r\nEND:VEVENT\r\n" +
	// A two-day summit every June, all day.
	"BEGIN:VEVENT\r\nUID:summit@google.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20240610\r\nDTEND;VALUE=DATE:20240612\r\n" +
	"RRULE:FREQ=YEARLY\r\nSUMMARY:Summit\r\nEND:VEVENT\r\n" +
	// Every other morning until the year's end, and one day in January.
	"BEGIN:VEVENT\r\nUID:office-hours@google.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261101T090000Z\r\nDTEND:20261101T100000Z\r\n" +
	"RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261231T235959Z\r\nRDATE:20270105T090000Z,20270106T090000Z\r\nSUMMARY:Office hours\r\nEND:VEVENT\r\n" +
	// Its DTSTART off its rule (a Monday; the rule says Tuesdays): the
	// rule's three, as ical.js reads it.
	"BEGIN:VEVENT\r\nUID:off-rule@google.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261130T180000Z\r\nDTEND:20261130T190000Z\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3\r\nSUMMARY:Off the rule\r\nEND:VEVENT\r\n" +
	// Every day with no end: the first hundred in the window.
	"BEGIN:VEVENT\r\nUID:standup@google.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20260901T080000Z\r\nDTEND:20260901T081500Z\r\n" +
	"RRULE:FREQ=DAILY\r\nSUMMARY:Standup\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// TestRecurringCalendar: a followed calendar whose series are rules (as
// Google Calendar and Outlook publish a group's meetups) gives an event a
// meeting, as Mozilla's ical.js expands the same file: from 30 days back
// to a year ahead, at most 100 a series, across summer time, without the
// excluded ones, a moved one as its own event. Before, each series was its
// first occurrence only: Gophers Night was one evening in January 2025.
// A rule that recurs hourly is read as its first occurrence, and a later
// sync keeps every event (the first occurrence's as it was).
func TestRecurringCalendar(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	src := newICSServer(t)
	hourly := "BEGIN:VEVENT\r\nUID:hourly@google.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T080000Z\r\nDTEND:20261201T081500Z\r\n" +
		"RRULE:FREQ=HOURLY\r\nSUMMARY:Hourly check\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	src.set(strings.Replace(recurringFeed, "END:VCALENDAR\r\n", hourly, 1))
	cal := s.MustCreate(t, tok, "/v1/calendars", map[string]any{"url": src.URL + "/feed.ics", "name": "Gophers", "tags": []string{"feed"}})
	calID := cal["id"].(string)
	r := s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil)
	MustStatus(t, r, 200)
	got := feedEvents(t, s, tok)

	if hours := got["Hourly check"]; len(hours) != 1 || hours[0] != "2026-12-01T08:00:00Z" {
		t.Errorf("the hourly rule: %v, want its first occurrence", hours)
	}
	delete(got, "Hourly check")
	// The same file expanded by ical.js, floating and all-day times in the
	// user's zone.
	me := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)
	want := icalExpand(t, recurringFeed, me["timezone"].(string), apptest.Start.Add(-calendar.RecurBack), apptest.Start.Add(calendar.RecurAhead), calendar.MaxOccurrences)
	for title, starts := range want {
		if !slices.Equal(got[title], starts) {
			t.Errorf("%s:\n Rapport %v\n ical.js %v", title, got[title], starts)
		}
	}
	for title := range got {
		if want[title] == nil {
			t.Errorf("Rapport has %q, ical.js not", title)
		}
	}
	// What the rules say, by hand: Berlin's 19:00 is 18:00Z in winter and
	// 17:00Z in summer; December 8th is off.
	nights := strings.Join(got["Gophers Night"], " ")
	for _, w := range []string{"2026-11-10T18:00:00Z", "2027-02-09T18:00:00Z", "2027-04-13T17:00:00Z"} {
		if !strings.Contains(nights, w) {
			t.Errorf("Gophers Night lacks %s: %s", w, nights)
		}
	}
	if strings.Contains(nights, "2026-12-08") || strings.Contains(nights, "2027-01-12") || len(got["Gophers Night (moved to Wednesday)"]) != 1 {
		t.Errorf("the excluded or moved evening is there: %s; moved: %v", nights, got["Gophers Night (moved to Wednesday)"])
	}
	if n := len(got["Standup"]); n != calendar.MaxOccurrences {
		t.Errorf("%d standups, want %d", n, calendar.MaxOccurrences)
	}

	// A second sync changes nothing.
	r = s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil)
	MustStatus(t, r, 200)
	if res := r.JSON(t)["result"].(map[string]any); res["created"] != 0.0 || res["updated"] != 0.0 || res["cancelled"] != 0.0 {
		t.Fatalf("second sync: %v", res)
	}
}

// feedEvents are the user's events tagged "feed", their starts by title,
// in order.
func feedEvents(t *testing.T, s *TestServer, tok string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	cursor := ""
	for {
		r := s.Do(t, "GET", "/v1/events?tag=feed&limit=200&cursor="+cursor, tok, nil)
		MustStatus(t, r, 200)
		var page struct {
			Items []struct {
				Title    string `json:"title"`
				StartsAt string `json:"starts_at"`
				Status   string `json:"status"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		r.Decode(t, &page)
		for _, e := range page.Items {
			if e.Status != "cancelled" {
				out[e.Title] = append(out[e.Title], e.StartsAt)
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for _, starts := range out {
		slices.Sort(starts)
	}
	return out
}

// icalExpand is feed's events as ical.js expands them (tools/icalcheck/
// expand.mjs), their starts by title, in order.
func icalExpand(t *testing.T, feed, zone string, from, to time.Time, max int) map[string][]string {
	t.Helper()
	tools := filepath.Join(repoRoot, "tools", "icalcheck")
	tooltest.Need(t, filepath.Join(tools, "node_modules", "ical.js", "package.json"))
	file := filepath.Join(t.TempDir(), "feed.ics")
	os.WriteFile(file, []byte(feed), 0o600)
	cmd := exec.Command(tooltest.Need(t, "node"), filepath.Join(tools, "expand.mjs"), file, from.Format(time.RFC3339), to.Format(time.RFC3339), fmt.Sprint(max))
	cmd.Env = append(os.Environ(), "TZ="+zone)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, out)
	}
	var evs []struct{ Summary, Start string }
	if err := json.Unmarshal(out, &evs); err != nil {
		t.Fatalf("ical.js: %v\n%s", err, out)
	}
	want := map[string][]string{}
	for _, e := range evs {
		at, err := time.Parse(time.RFC3339, e.Start)
		if err != nil {
			t.Fatal(err)
		}
		want[e.Summary] = append(want[e.Summary], at.UTC().Format(time.RFC3339))
	}
	for _, starts := range want {
		slices.Sort(starts)
	}
	return want
}

// outlookFeed is a calendar as Outlook publishes it: Windows zone names,
// each defined by a VTIMEZONE of its own.
const outlookFeed = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nX-WR-CALNAME:Conference\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Pacific Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\n" +
	"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0800\r\n" +
	"TZOFFSETTO:-0700\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n" +
	"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\n" +
	"TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E00800000000SF\r\nSUMMARY:Bay Area meetup\r\nDTSTART;TZID=Pacific Standard Time:20261210T180000\r\n" +
	"DTEND;TZID=Pacific Standard Time:20261210T200000\r\nRRULE:FREQ=WEEKLY;COUNT=20;INTERVAL=1;BYDAY=TH;WKST=SU\r\nDTSTAMP:20261101T000000Z\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E00800000000MU\r\nSUMMARY:Munich keynote\r\nDTSTART;TZID=W. Europe Standard Time:20270415T090000\r\n" +
	"DTEND;TZID=W. Europe Standard Time:20270415T100000\r\nDTSTAMP:20261101T000000Z\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// TestOutlookCalendar: the zones of a calendar Outlook publishes are
// Windows names ("Pacific Standard Time"); its events are read in the zone
// each stands for — as ical.js reads them from the file's own VTIMEZONE
// definitions, across the change to summer time — and take it as their
// zone. Before, they were read in the user's zone: an evening in San
// Francisco at 18:00 UTC, eight hours early.
func TestOutlookCalendar(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	src := newICSServer(t)
	src.set(outlookFeed)
	cal := s.MustCreate(t, tok, "/v1/calendars", map[string]any{"url": src.URL + "/feed.ics", "name": "Conference", "tags": []string{"feed"}})
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+cal["id"].(string)+"/sync", tok, nil), 200)
	got := feedEvents(t, s, tok)
	want := icalExpand(t, outlookFeed, "UTC", apptest.Start.Add(-calendar.RecurBack), apptest.Start.Add(calendar.RecurAhead), calendar.MaxOccurrences)
	for title, starts := range want {
		if !slices.Equal(got[title], starts) {
			t.Errorf("%s:\n Rapport %v\n ical.js %v", title, got[title], starts)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Rapport %d series, ical.js %d", len(got), len(want))
	}
	// By hand: 18:00 in San Francisco is 02:00Z the next day in winter and
	// 01:00Z in summer; 09:00 in Munich in April is 07:00Z.
	evenings := strings.Join(got["Bay Area meetup"], " ")
	if !strings.Contains(evenings, "2026-12-11T02:00:00Z") || !strings.Contains(evenings, "2027-03-19T01:00:00Z") || fmt.Sprint(got["Munich keynote"]) != "[2027-04-15T07:00:00Z]" {
		t.Errorf("Bay Area %s; Munich %v", evenings, got["Munich keynote"])
	}
	zones := map[string]string{}
	for _, e := range items(t, s.Do(t, "GET", "/v1/events?tag=feed&limit=200", tok, nil)) {
		zones[e["title"].(string)] = e["timezone"].(string)
	}
	if zones["Bay Area meetup"] != "America/Los_Angeles" || zones["Munich keynote"] != "Europe/Berlin" {
		t.Errorf("the events' zones: %v", zones)
	}
}
