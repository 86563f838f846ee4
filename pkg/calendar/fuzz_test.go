package calendar_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// seeds are texts that have broken calendar writers.
var seeds = []string{
	"plain", "", "comma, semicolon; backslash \\ colon:", "line\r\nbreak\rcarriage\nnewline", "tab\there",
	strings.Repeat("é", 80), strings.Repeat("🎉", 40), strings.Repeat("x", 74) + "é", "日本語のイベント、東京",
	"\x00\x01\x1f control \x7f", "\"quoted\" 'single' <b>html</b> &amp;", "BEGIN:VEVENT\r\nEND:VCALENDAR", "trailing backslash \\",
	"\xff\xfe invalid utf-8", "\u2028 line separator \u2029",
}

// cleaned is what a text becomes in a calendar (line breaks to \n, other
// control characters dropped, invalid UTF-8 replaced).
func cleaned(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r >= 0x20 && r != 0x7f {
			return r
		}
		return -1
	}, s)
}

func build(texts ...string) calendar.Calendar {
	start := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	alarm := 15 * time.Minute
	cal := calendar.Calendar{Name: "fuzz", Refresh: time.Hour}
	for i, s := range texts {
		cal.Events = append(cal.Events, calendar.Event{UID: "fuzz-" + strconv.Itoa(i), Summary: s, Description: s, Location: s,
			Categories: []string{s, "x"}, Start: start, End: start.Add(time.Hour), Stamp: start, Alarm: &alarm})
	}
	return cal
}

// FuzzEncode: any event text gives a calendar that is well-formed (CRLF,
// lines of at most 75 octets, valid UTF-8) and reads back with the same text.
// CI runs it briefly: go test ./pkg/calendar -run '^$' -fuzz FuzzEncode -fuzztime 15s
func FuzzEncode(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := calendar.Encode(build(s))
		if err != nil {
			t.Fatalf("Encode(%q): %v", s, err)
		}
		if !bytes.HasSuffix(out, []byte("\r\n")) || bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
			t.Fatalf("line ends are not CRLF")
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
			if len(line) > 75 || !utf8.ValidString(line) {
				t.Fatalf("bad line (%d octets): %q", len(line), line)
			}
		}
		cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
		if err != nil {
			t.Fatalf("go-ical cannot read it back: %v", err)
		}
		got, _ := cal.Events()[0].Props.Text(ical.PropSummary)
		if want := cleaned(s); got != want {
			t.Fatalf("summary %q, want %q", got, want)
		}
	})
}

// TestCorpusParsesEverywhere runs the fuzz seeds and every input the fuzzer
// has saved (testdata/fuzz/FuzzEncode) through ical.js, python-icalendar
// and vobject. Without those tools it skips, except in CI.
func TestCorpusParsesEverywhere(t *testing.T) {
	texts := append([]string(nil), seeds...)
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzEncode", "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "string("); ok {
				if s, err := strconv.Unquote(strings.TrimSuffix(v, ")")); err == nil {
					texts = append(texts, s)
				}
			}
		}
	}
	out, err := calendar.Encode(build(texts...))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "corpus.ics")
	os.WriteFile(file, out, 0o600)
	tools := filepath.Join("..", "..", "tools", "icalcheck")
	tooltest.Need(t, filepath.Join(tools, "node_modules", "ical.js"))
	python := tooltest.NeedPython(t, "icalendar", "vobject")
	res, err := exec.Command(tooltest.Need(t, "node"), filepath.Join(tools, "check.mjs"), file).CombinedOutput()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, res)
	}
	var js struct{ Events []struct{ Summary string } }
	if err := json.Unmarshal(res, &js); err != nil || len(js.Events) != len(texts) {
		t.Fatalf("ical.js read %d events (%v), want %d", len(js.Events), err, len(texts))
	}
	for i, ev := range js.Events {
		if want := cleaned(texts[i]); ev.Summary != want {
			t.Errorf("ical.js summary %q, want %q", ev.Summary, want)
		}
	}
	if res, err := exec.Command(python, filepath.Join(tools, "check.py"), file).CombinedOutput(); err != nil {
		t.Fatalf("python-icalendar/vobject: %v\n%s", err, res)
	}
}

// FuzzParseRecurring: a feed's recurrence lines, however written, never
// panic the parse (the rule library's own panics included) and give at
// most MaxOccurrences events a series.
// go test ./pkg/calendar -run '^$' -fuzz FuzzParseRecurring -fuzztime 30s
func FuzzParseRecurring(f *testing.F) {
	for _, s := range []string{"RRULE:FREQ=WEEKLY;COUNT=3", "RRULE:FREQ=MONTHLY;BYDAY=2TU", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
		"RRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO", "RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU", "RDATE:20261201T080000Z,20261202T080000Z",
		"EXDATE;TZID=Europe/Berlin:20261208T190000", "RRULE:FREQ=SECONDLY", "RRULE:", "RDATE;VALUE=PERIOD:20261201T080000Z/PT1H",
		"RRULE:FREQ=WEEKLY;UNTIL=2026", "RRULE:FREQ=DAILY;INTERVAL=0", "RRULE:FREQ=YEARLY;BYYEARDAY=-366;BYMONTHDAY=-31"} {
		f.Add(s, "DTSTART;TZID=Europe/Berlin:20261201T190000")
		f.Add(s, "DTSTART;VALUE=DATE:20261201")
	}
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, rule, start string) {
		cal := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\nSUMMARY:x\r\n" + start + "\r\n" + rule + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		got, err := calendar.Parse(t.Context(), []byte(cal), time.UTC, now)
		if err == nil && len(got) > calendar.MaxOccurrences {
			t.Fatalf("%d events of one series", len(got))
		}
	})
}
