package api_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// TestFeedKeepsAllDayEvents: a followed calendar's all-day event is an
// all-day event in the user's feed, as ical.js and python-icalendar read
// it: DTSTART;VALUE=DATE, DTEND the day after the last. It came out as
// midnight to midnight UTC times, an hour off the days in Berlin, which
// phones draw as a two-day block across the hours. A timed event stays
// timed.
func TestFeedKeepsAllDayEvents(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}), 200)
	src := newICSServer(t)
	src.set("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:devops@x\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261212\r\nSUMMARY:DevOpsDays\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:night@x\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261214T180000Z\r\nDTEND:20261214T200000Z\r\nSUMMARY:Gophers night\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n")
	cal := s.MustCreate(t, tok, "/v1/calendars", map[string]any{"url": src.URL + "/days.ics", "name": "Days"})
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+cal["id"].(string)+"/sync", tok, nil), 200)
	body := s.Do(t, "GET", feedPath(s.feedURLs(t, tok)["events"].(string)), "", nil).Body
	if b := string(body); !strings.Contains(b, "DTSTART;VALUE=DATE:20261210\r\n") || !strings.Contains(b, "DTEND;VALUE=DATE:20261212\r\n") ||
		!strings.Contains(b, "DTSTART:20261214T180000Z\r\n") {
		t.Fatalf("feed:\n%s", b)
	}
	file := filepath.Join(t.TempDir(), "events.ics")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}

	tools := filepath.Join(repoRoot, "tools", "icalcheck")
	tooltest.Need(t, filepath.Join(tools, "node_modules", "ical.js", "package.json"))
	out, err := exec.Command(tooltest.Need(t, "node"), filepath.Join(tools, "check.mjs"), file).CombinedOutput()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, out)
	}
	var js struct {
		Events []struct {
			Summary, StartDay, EndDay string
			AllDay                    bool
		}
	}
	if err := json.Unmarshal([]byte(strings.SplitN(string(out), "\n", 2)[0]), &js); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, ev := range js.Events {
		if ev.Summary == "DevOpsDays" && (!ev.AllDay || ev.StartDay != "2026-12-10" || ev.EndDay != "2026-12-12") ||
			ev.Summary == "Gophers night" && ev.AllDay {
			t.Errorf("ical.js reads %+v", ev)
		}
	}
	python := tooltest.NeedPython(t, "icalendar", "vobject")
	out, err = exec.Command(python, filepath.Join(tools, "check.py"), file).CombinedOutput()
	if err != nil {
		t.Fatalf("python-icalendar/vobject: %v\n%s", err, out)
	}
	var py struct {
		ICalendar []struct{ Summary, Start, End string } `json:"icalendar"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(string(out), "\n", 2)[0]), &py); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, ev := range py.ICalendar {
		if ev.Summary == "DevOpsDays" && (ev.Start != "2026-12-10" || ev.End != "2026-12-12") {
			t.Errorf("python-icalendar reads %+v", ev)
		}
	}
}
