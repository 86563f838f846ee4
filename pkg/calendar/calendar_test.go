package calendar_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/rapport-crm/rapport/pkg/calendar"
)

func TestEncode(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 11, 24, 19, 0, 0, 0, berlin)
	alarm := 15 * time.Minute
	long := strings.Repeat("Grüße, Käse; Tschüß \\ 🎉 ", 12)
	out, err := calendar.Encode(calendar.Calendar{Name: "Rapport: events", Refresh: time.Hour, Events: []calendar.Event{{
		UID: "e1@rapport", Summary: long, Description: "line one\r\nline two\rthree\x00", Location: "Café, Berlin; 2nd floor",
		Start: start, End: start.Add(2 * time.Hour), Stamp: start, LastModified: start, Sequence: 3, Status: "CONFIRMED",
		Categories: []string{"go", "a,b"}, Alarm: &alarm,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"PRODID:-//Rapport//Rapport CRM//EN\r\n", "VERSION:2.0\r\n", "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n",
		"X-PUBLISHED-TTL:PT1H\r\n", "X-WR-CALNAME:Rapport: events\r\n", "DTSTART:20261124T180000Z\r\n", "SEQUENCE:3\r\n",
		"DESCRIPTION:line one\\nline two\\nthree\r\n", "LOCATION:Café\\, Berlin\\; 2nd floor\r\n", "TRIGGER:-PT15M\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(s, "TZID") {
		t.Errorf("output has a TZID: times must be UTC")
	}
	for _, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("folding split a UTF-8 character: %q", line)
		}
	}
	if strings.Count(s, "\n") != strings.Count(s, "\r\n") {
		t.Errorf("bare LF in output")
	}
	// go-ical reads it back with the same text.
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := cal.Events()[0].Props.Text(ical.PropSummary)
	if summary != long {
		t.Fatalf("summary round trip:\n%q\n%q", summary, long)
	}
}

func TestEncodeEmpty(t *testing.T) {
	out, err := calendar.Encode(calendar.Calendar{Name: "Empty"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "X-RAPPORT") || !strings.HasPrefix(string(out), "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(string(out), "END:VCALENDAR\r\n") {
		t.Fatalf("empty calendar:\n%s", out)
	}
	if _, err := ical.NewDecoder(bytes.NewReader(out)).Decode(); err != nil {
		t.Fatalf("empty calendar does not parse: %v", err)
	}
}

// TestEncodeAfterChange: an entry encoded before and then changed (same
// UID) is encoded afresh, never served from the entry cache; the same
// content under another UID is its own entry.
func TestEncodeAfterChange(t *testing.T) {
	at := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	e := calendar.Event{UID: "ev1@rapport", Summary: "Go meetup", Start: at, End: at.Add(time.Hour), Stamp: at, LastModified: at}
	many := make([]calendar.Event, 1200) // enough for parallel chunks
	for i := range many {
		many[i] = e
		many[i].UID = fmt.Sprintf("ev%d@rapport", i)
	}
	first, err := calendar.Encode(calendar.Calendar{Events: many})
	if err != nil {
		t.Fatal(err)
	}
	many[600].Summary = "Rust meetup"
	second, err := calendar.Encode(calendar.Calendar{Events: many})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first, second) || !bytes.Contains(second, []byte("SUMMARY:Rust meetup")) || bytes.Count(second, []byte("SUMMARY:Go meetup")) != 1199 {
		t.Fatal("the changed entry was not encoded afresh")
	}
	if bytes.Count(second, []byte("UID:ev")) != 1200 || !bytes.Contains(second, []byte("UID:ev600@rapport")) {
		t.Fatal("entries lost or out of order")
	}
	if i, j := bytes.Index(second, []byte("UID:ev599@")), bytes.Index(second, []byte("UID:ev600@")); i < 0 || j < i {
		t.Fatal("entries out of order")
	}
}

// TestEncodeAllDay: an all-day entry is written as the dates it falls on
// in its own location (VALUE=DATE, DTEND the day after the last), and the
// same instants at another location's midnight are other days, not the
// cached entry.
func TestEncodeAllDay(t *testing.T) {
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	start := time.Date(2026, 11, 19, 0, 0, 0, 0, auckland)
	e := calendar.Event{UID: "days@rapport", Summary: "DevOpsDays", Start: start, End: start.AddDate(0, 0, 2), Stamp: start, AllDay: true}
	out, err := calendar.Encode(calendar.Calendar{Events: []calendar.Event{e}})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out); !strings.Contains(s, "DTSTART;VALUE=DATE:20261119\r\n") || !strings.Contains(s, "DTEND;VALUE=DATE:20261121\r\n") {
		t.Fatalf("all-day entry:\n%s", s)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if p := cal.Events()[0].Props.Get(ical.PropDateTimeStart); p.ValueType() != ical.ValueDate {
		t.Fatalf("DTSTART read back as %v", p.ValueType())
	}
	e.Start, e.End = e.Start.UTC(), e.End.UTC() // 18 to 20 November, 11:00 UTC
	out, err = calendar.Encode(calendar.Calendar{Events: []calendar.Event{e}})
	if err != nil || !strings.Contains(string(out), "DTSTART;VALUE=DATE:20261118\r\n") {
		t.Fatalf("the same instants in UTC (%v):\n%s", err, out)
	}
}
