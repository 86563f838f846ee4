package events_test

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/events"
)

// TestFeedEventsWithFlawsKept: an event of a followed feed with a flawed
// field — a URL that is no URL, bytes that are not UTF-8 (a Windows
// exporter's é), a control character, an end before its start — is kept,
// the flawed field mended or left out; only the flaw is lost, never the
// evening.
func TestFeedEventsWithFlawsKept(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	flawed := func(uid, extra string) string {
		return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261210T180000Z\r\n" + extra + "END:VEVENT\r\n"
	}
	fs := &feedServer{}
	fs.set(feed(
		flawed("url@x", "SUMMARY:No host\r\nURL:http://\r\n"),
		flawed("escape@x", "SUMMARY:Bad escape\r\nURL:https://example.com/%zz\r\n"),
		flawed("long@x", "SUMMARY:Long URL\r\nURL:https://example.com/"+strings.Repeat("é", 2100)+"\r\n"),
		flawed("latin@x", "SUMMARY:Caf\xe9 night\r\nLOCATION:Caf\xe9 Nord\r\nDESCRIPTION:Bring \xe9clairs\r\nORGANIZER;CN=Jos\xe9:mailto:jose@example.com\r\n"),
		flawed("nul@x", "SUMMARY:Go\x00 night\r\nDESCRIPTION:a\x00b\r\n"),
		flawed("ends@x", "SUMMARY:Ends first\r\nDTEND:20261210T170000Z\r\n"),
	), 0)
	im := testImporter(s)
	cal, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: served(t, fs)})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := im.Sync(ctx, cal, "UTC"); err != nil || res.Created != 6 {
		t.Fatalf("sync: %+v, %v; want all six events", res, err)
	}
	kept, err := s.Store.EventsFromCalendar(ctx, "u1", cal.ID)
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[string]events.Event{}
	for _, e := range kept {
		byUID[e.Source.UID] = e
	}
	for uid, want := range map[string]string{"url@x": "No host", "escape@x": "Bad escape", "long@x": "Long URL",
		"latin@x": "Caf\uFFFD night", "nul@x": "Go night", "ends@x": "Ends first"} {
		e := byUID[uid]
		if e.Title != want {
			t.Errorf("%s: title %q, want %q", uid, e.Title, want)
		}
		if strings.HasSuffix(uid, "url@x") || uid == "escape@x" || uid == "long@x" {
			if e.URL != "" {
				t.Errorf("%s: URL %q kept", uid, e.URL)
			}
		}
	}
	if e := byUID["latin@x"]; e.Location != "Caf\uFFFD Nord" || e.Notes != "Bring \uFFFDclairs" {
		t.Errorf("latin: %q / %q", e.Location, e.Notes)
	}
	if e := byUID["nul@x"]; e.Notes != "ab" {
		t.Errorf("nul: notes %q", e.Notes)
	}
	if e := byUID["ends@x"]; e.EndsAt.Before(e.StartsAt) {
		t.Errorf("ends first: %v – %v", e.StartsAt, e.EndsAt)
	}
}

// TestFeedNamedInLatin1: a followed calendar whose own name (X-WR-CALNAME)
// is not UTF-8 — the name its events' series and the calendar then take —
// still brings its events, the name's bad bytes replaced.
func TestFeedNamedInLatin1(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	fs := &feedServer{}
	fs.set(strings.Replace(feed(vevent("a@x", "Go night", "20261210T180000Z")), "PRODID:-//test//EN\r\n", "PRODID:-//test//EN\r\nX-WR-CALNAME:Caf\xe9 Go\x00\r\n", 1), 0)
	im := testImporter(s)
	cal, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: served(t, fs)})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := im.Sync(ctx, cal, "UTC"); err != nil || res.Created != 1 {
		t.Fatalf("sync: %+v, %v; want the event", res, err)
	}
	kept, err := s.Store.EventsFromCalendar(ctx, "u1", cal.ID)
	if err != nil || len(kept) != 1 || kept[0].Series != "Caf\uFFFD Go" {
		t.Fatalf("events: %+v, %v", kept, err)
	}
}
