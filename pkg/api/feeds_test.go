package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// feedURLs gets the user's feed URLs (creating the token).
func (s *TestServer) feedURLs(tb testing.TB, tok string) map[string]any {
	tb.Helper()
	r := s.Do(tb, "GET", "/v1/feeds", tok, nil)
	MustStatus(tb, r, 200)
	return r.JSON(tb)
}

// feedPath turns a feed URL (on the configured base URL) into a path on the test server.
func feedPath(u string) string { return strings.TrimPrefix(u, "http://rapport.test") }

// awkward are event texts that break naive calendar writers.
var awkward = []map[string]any{
	{"title": "Go, Rust; and \\ backslashes: a talk about \"quotes\" & <b>tags</b>", "starts_at": "2026-12-01T18:00:00Z",
		"location": "Café Zürich, 2nd floor; room \"A\"", "notes": "line one\r\nline two\rline three\nend", "tags": []string{"go", "rust"}},
	{"title": strings.TrimSpace(strings.Repeat("Überlange Veranstaltung mit Emoji 🎉🚀 und 日本語のタイトル ", 4)), "starts_at": "2026-12-02T05:30:00Z",
		"timezone": "Pacific/Kiritimati", "notes": strings.Repeat("ü", 300)},
	{"title": "Far west", "starts_at": "2026-12-03T23:00:00Z", "timezone": "Pacific/Pago_Pago", "url": "https://example.com/e?a=1&b=2,3;4"},
}

func TestFeeds(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	urls := s.feedURLs(t, tok)
	if urls["token_shown"] != true || !strings.HasPrefix(urls["webcal"].(map[string]any)["all"].(string), "webcal://rapport.test/ical/rfd_") {
		t.Fatalf("first GET /v1/feeds: %v", urls)
	}
	events := feedPath(urls["events"].(string))
	all := feedPath(urls["all"].(string))

	t.Run("OK_EmptyCalendar", func(t *testing.T) {
		r := s.Do(t, "GET", events, "", nil)
		MustStatus(t, r, 200)
		if body := string(r.Body); !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") || strings.Contains(body, "VEVENT") {
			t.Fatalf("empty feed:\n%s", body)
		}
	})
	t.Run("OK_SecondGetMasksToken", func(t *testing.T) {
		again := s.feedURLs(t, tok)
		if again["token_shown"] != false || strings.Contains(fmt.Sprint(again), feedToken(events)) {
			t.Fatalf("second GET /v1/feeds shows the token: %v", again)
		}
	})

	var ids []string
	for _, ev := range awkward {
		ids = append(ids, s.MustCreateEvent(t, tok, ev))
	}
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane, \"JD\"; Doe"})
	s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2026-12-05T09:00:00Z", "note": "ask about the\r\nslides"})

	t.Run("OK_HTTPSemantics", func(t *testing.T) {
		r := s.Do(t, "GET", all, "", nil)
		MustStatus(t, r, 200)
		if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Fatalf("Content-Type=%q", ct)
		}
		etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
		if !strings.HasPrefix(etag, `"`) || lm == "" {
			t.Fatalf("ETag=%q Last-Modified=%q", etag, lm)
		}
		body := string(r.Body)
		for _, want := range []string{"VERSION:2.0\r\n", "PRODID:", "X-WR-CALNAME:Rapport\r\n", "NAME:Rapport\r\n",
			"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n", "X-PUBLISHED-TTL:PT1H\r\n", "BEGIN:VALARM", "SUMMARY:Follow up: Jane\\, \"JD\"\\; Doe"} {
			if !strings.Contains(body, want) {
				t.Errorf("feed lacks %q", want)
			}
		}
		if strings.Count(body, "BEGIN:VEVENT") != 4 {
			t.Errorf("%d VEVENTs, want 3 events + 1 follow-up", strings.Count(body, "BEGIN:VEVENT"))
		}
		if again := s.Do(t, "GET", all, "", nil); string(again.Body) != body || again.Header.Get("ETag") != etag {
			t.Fatalf("an unchanged feed is not byte-identical")
		}
		MustStatus(t, s.Do(t, "GET", all, "", nil, "If-None-Match", etag), 304)
		// If-None-Match compares weakly (RFC 9110 §13.1.2).
		MustStatus(t, s.Do(t, "GET", all, "", nil, "If-None-Match", `"x", W/`+etag), 304)
		MustStatus(t, s.Do(t, "GET", all, "", nil, "If-None-Match", `"other"`, "If-Modified-Since", lm), 200)
		MustStatus(t, s.Do(t, "GET", all, "", nil, "If-Modified-Since", lm), 304)
		h := s.Do(t, "HEAD", all, "", nil)
		if h.Status != 200 || len(h.Body) != 0 || h.Header.Get("ETag") != etag {
			t.Fatalf("HEAD: %d, %d bytes, ETag %q", h.Status, len(h.Body), h.Header.Get("ETag"))
		}
		// A change changes the ETag and moves Last-Modified on.
		s.Clock.Add(2 * time.Second)
		MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+ids[2], tok, map[string]any{"location": "Pago Pago"}), 200)
		r2 := s.Do(t, "GET", all, "", nil, "If-None-Match", etag)
		MustStatus(t, r2, 200)
		if r2.Header.Get("Last-Modified") == lm {
			t.Fatalf("Last-Modified did not move")
		}
		// Deleting moves Last-Modified on too, though no remaining item changed.
		s.Clock.Add(2 * time.Second)
		tmp := s.MustCreateEvent(t, tok, nil)
		s.Clock.Add(2 * time.Second)
		lm2 := s.Do(t, "GET", all, "", nil).Header.Get("Last-Modified")
		s.Clock.Add(2 * time.Second)
		MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+tmp, tok, nil), 204)
		MustStatus(t, s.Do(t, "GET", all, "", nil, "If-Modified-Since", lm2), 200)
	})
	t.Run("OK_DoneFollowupLeavesCachedFeed", func(t *testing.T) {
		fu := s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2026-12-06T09:00:00Z", "note": "temporary"})
		if body := string(s.Do(t, "GET", all, "", nil).Body); !strings.Contains(body, fu["id"].(string)) {
			t.Fatalf("new follow-up missing from the feed")
		}
		MustStatus(t, s.Do(t, "POST", "/v1/followups/"+fu["id"].(string)+"/done", tok, nil), 200)
		if body := string(s.Do(t, "GET", all, "", nil).Body); strings.Contains(body, fu["id"].(string)) {
			t.Fatalf("done follow-up still in the (cached) feed")
		}
		MustStatus(t, s.Do(t, "PATCH", "/v1/contacts/"+jane, tok, map[string]any{"name": "Jane Renamed"}), 200)
		if body := string(s.Do(t, "GET", all, "", nil).Body); !strings.Contains(body, "Jane Renamed") {
			t.Fatalf("renamed contact not in the (cached) feed")
		}
		MustStatus(t, s.Do(t, "PATCH", "/v1/contacts/"+jane, tok, map[string]any{"name": "Jane, \"JD\"; Doe"}), 200)
	})
	t.Run("OK_CancelledKept30Days", func(t *testing.T) {
		id := s.MustCreateEvent(t, tok, map[string]any{"title": "Called off", "starts_at": "2026-12-10T18:00:00Z"})
		MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"status": "cancelled"}), 200)
		if body := string(s.Do(t, "GET", events, "", nil).Body); !strings.Contains(body, "STATUS:CANCELLED") || !strings.Contains(body, "Called off") {
			t.Fatalf("cancelled event missing from the feed")
		}
		s.Clock.Add(31 * 24 * time.Hour)
		if body := string(s.Do(t, "GET", events, "", nil).Body); strings.Contains(body, "Called off") {
			t.Fatalf("cancelled event still in the feed after 30 days")
		}
		s.Clock.Add(-31 * 24 * time.Hour)
	})
	t.Run("OK_EventICS", func(t *testing.T) {
		r := s.Do(t, "GET", "/v1/events/"+ids[0]+"/event.ics", tok, nil)
		MustStatus(t, r, 200)
		if !strings.Contains(string(r.Body), "UID:event-"+ids[0]+"@rapport") {
			t.Fatalf("event.ics:\n%s", r.Body)
		}
		MustProblem(t, s.Do(t, "GET", "/v1/events/"+ids[0]+"/event.ics", "", nil), 401)
	})
	t.Run("ErrUnknownAndRotated", func(t *testing.T) {
		MustProblem(t, s.Do(t, "GET", "/ical/rfd_"+strings.Repeat("x", 43)+"/all.ics", "", nil), 404)
		MustProblem(t, s.Do(t, "GET", "/ical/"+feedToken(events)+"/secrets.ics", "", nil), 404)
		r := s.Do(t, "POST", "/v1/feeds/rotate", tok, nil)
		MustStatus(t, r, 200)
		MustProblem(t, s.Do(t, "GET", all, "", nil), 404)
		MustStatus(t, s.Do(t, "GET", feedPath(r.JSON(t)["all"].(string)), "", nil), 200)
		all = feedPath(r.JSON(t)["all"].(string))
	})
	t.Run("OK_Parsers", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "all.ics")
		body := s.Do(t, "GET", all, "", nil).Body
		os.WriteFile(file, body, 0o600)
		empty := filepath.Join(dir, "empty.ics")
		_, other := s.MustSignup(t, "empty@example.com")
		os.WriteFile(empty, s.Do(t, "GET", feedPath(s.feedURLs(t, other)["all"].(string)), "", nil).Body, 0o600)
		checkWithParsers(t, file, empty)
		checkWithVdirsyncer(t, s.URL+all, strings.Count(string(body), "BEGIN:VEVENT"))
	})
}

func feedToken(path string) string { return strings.Split(path, "/")[2] }

var repoRoot = filepath.Join("..", "..")

// checkWithParsers parses files with ical.js, python-icalendar and vobject
// and checks that every event's text came through unchanged.
func checkWithParsers(t *testing.T, files ...string) {
	t.Helper()
	tools := filepath.Join(repoRoot, "tools", "icalcheck")
	tooltest.Need(t, filepath.Join(tools, "node_modules", "ical.js", "package.json"))
	node := tooltest.Need(t, "node")
	out, err := exec.Command(node, append([]string{filepath.Join(tools, "check.mjs")}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, out)
	}
	var js struct {
		Refresh map[string]any
		Events  []struct{ Summary, Description, Location, Start string }
	}
	json.Unmarshal([]byte(strings.SplitN(string(out), "\n", 2)[0]), &js)
	wantText := map[string]bool{}
	for _, ev := range awkward {
		wantText[ev["title"].(string)] = false
	}
	for _, ev := range js.Events {
		if _, ok := wantText[ev.Summary]; ok {
			wantText[ev.Summary] = true
		}
		if strings.HasPrefix(ev.Summary, "Go, Rust") && ev.Description != "line one\nline two\nline three\nend" {
			t.Errorf("ical.js description=%q", ev.Description)
		}
	}
	for title, seen := range wantText {
		if !seen {
			t.Errorf("ical.js did not read the title %q", title)
		}
	}
	python := tooltest.NeedPython(t, "icalendar", "vobject")
	cmd := exec.Command(python, append([]string{filepath.Join(tools, "check.py")}, files...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python-icalendar/vobject: %v\n%s", err, out)
	} else if !strings.Contains(string(out), "Go, Rust; and \\\\ backslashes") {
		t.Errorf("python-icalendar did not read the title back:\n%s", out)
	}
}

// checkWithVdirsyncer syncs a feed URL with vdirsyncer's http storage into a
// directory and checks it holds want items.
func checkWithVdirsyncer(t *testing.T, url string, want int) {
	t.Helper()
	vds := tooltest.Need(t, "vdirsyncer")
	dir := t.TempDir()
	local := filepath.Join(dir, "local")
	os.MkdirAll(local, 0o700)
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[general]
status_path = %q

[pair feed]
a = "remote"
b = "local"
collections = null

[storage remote]
type = "http"
url = %q

[storage local]
type = "filesystem"
path = %q
fileext = ".ics"
`, filepath.Join(dir, "status"), url, local)), 0o600)
	env := append(os.Environ(), "HOME="+dir, "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	for _, args := range [][]string{{"-c", cfg, "discover", "feed"}, {"-c", cfg, "sync"}} {
		cmd := exec.Command(vds, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader("y\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("vdirsyncer %v: %v\n%s", args, err, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(local, "*.ics"))
	if len(files) != want {
		t.Fatalf("vdirsyncer pulled %d items, want %d", len(files), want)
	}
}

// icsServer serves a calendar the test can change.
type icsServer struct {
	*httptest.Server
	mu   sync.Mutex
	body string
}

func newICSServer(t *testing.T) *icsServer {
	s := &icsServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "text/calendar")
		fmt.Fprint(w, s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *icsServer) set(body string) { s.mu.Lock(); s.body = body; s.mu.Unlock() }

const meetupFeed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Meetup//RemoteApi//EN\r\nX-WR-CALNAME:Berlin Gophers\r\n" +
	"BEGIN:VEVENT\r\nUID:event_1@meetup.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20261203T190000\r\nDTEND;TZID=Europe/Berlin:20261203T210000\r\n" +
	"SUMMARY:Gophers Night\\, December\r\nDESCRIPTION:Talks and pizza\r\nLOCATION:c-base\\, Berlin\r\nURL:https://www.meetup.com/berlin-gophers/events/1/\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:event_2@meetup.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261217T180000Z\r\nDTEND:20261217T200000Z\r\nSUMMARY:Holiday Special\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:event_0@meetup.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261001T180000Z\r\nDTEND:20261001T200000Z\r\nSUMMARY:October (past)\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestCalendarImport(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	src := newICSServer(t)
	src.set(meetupFeed)
	cal := s.MustCreate(t, tok, "/v1/calendars", map[string]any{"url": src.URL + "/feed.ics", "name": "Berlin Gophers", "tags": []string{"golang"}})
	calID := cal["id"].(string)

	r := s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil)
	MustStatus(t, r, 200)
	if res := r.JSON(t)["result"].(map[string]any); res["created"] != 3.0 {
		t.Fatalf("first sync: %v", res)
	}
	list := items(t, s.Do(t, "GET", "/v1/events?tag=golang", tok, nil))
	if len(list) != 3 {
		t.Fatalf("%d imported events, want 3", len(list))
	}
	var night map[string]any
	for _, e := range list {
		if e["title"] == "Gophers Night, December" {
			night = e
		}
	}
	if night == nil || night["starts_at"] != "2026-12-03T18:00:00Z" || night["location"] != "c-base, Berlin" || night["timezone"] != "Europe/Berlin" || night["notes"] != "Talks and pizza" ||
		night["series"] != "Berlin Gophers" { // a followed calendar names the series
		t.Fatalf("imported event: %v", night)
	}
	id := night["id"].(string)
	MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"notes": "bring stickers", "tags": []string{"golang", "must-go"}}), 200)

	// The source moves the night, drops the holiday special and keeps the past one.
	src.set(strings.Replace(strings.Replace(meetupFeed, "20261203T190000", "20261204T190000", 2),
		"BEGIN:VEVENT\r\nUID:event_2@meetup.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261217T180000Z\r\nDTEND:20261217T200000Z\r\nSUMMARY:Holiday Special\r\nEND:VEVENT\r\n", "", 1))
	r = s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil)
	MustStatus(t, r, 200)
	if res := r.JSON(t)["result"].(map[string]any); res["updated"] != 1.0 || res["cancelled"] != 1.0 || res["created"] != 0.0 {
		t.Fatalf("second sync: %v", res)
	}
	e := s.Do(t, "GET", "/v1/events/"+id, tok, nil).JSON(t)
	if e["starts_at"] != "2026-12-04T18:00:00Z" || e["notes"] != "bring stickers" || fmt.Sprint(e["tags"]) != "[golang must-go]" || e["sequence"] != 1.0 {
		t.Fatalf("after re-sync: %v", e)
	}
	cancelled := items(t, s.Do(t, "GET", "/v1/events?q=holiday", tok, nil))
	if len(cancelled) != 1 || cancelled[0]["status"] != "cancelled" {
		t.Fatalf("vanished upcoming event: %v", cancelled)
	}
	if n := len(items(t, s.Do(t, "GET", "/v1/events", tok, nil))); n != 3 {
		t.Fatalf("%d events after re-sync, want 3 (no duplicates)", n)
	}

	t.Run("ErrBrokenFeedChangesNothing", func(t *testing.T) {
		src.set("<html>oops</html>")
		MustProblem(t, s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil), 422, "url")
		c := s.Do(t, "GET", "/v1/calendars/"+calID, tok, nil).JSON(t)
		if !strings.Contains(fmt.Sprint(c["last_error"]), "iCalendar") {
			t.Fatalf("last_error=%v", c["last_error"])
		}
		src.set("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:no end\r\n")
		MustProblem(t, s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil), 422, "url")
		src.set("BEGIN:VCALENDAR\r\n" + strings.Repeat("X-PAD:"+strings.Repeat("x", 1000)+"\r\n", 5300) + "END:VCALENDAR\r\n")
		p := MustProblem(t, s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil), 422, "url")
		if !strings.Contains(fmt.Sprint(p["errors"]), "larger than 5 MiB") {
			t.Fatalf("oversized feed: %v", p)
		}
		if n := len(items(t, s.Do(t, "GET", "/v1/events", tok, nil))); n != 3 {
			t.Fatalf("a broken feed changed the events: %d", n)
		}
	})
	t.Run("ErrPrivateURLRefused", func(t *testing.T) {
		s.Importer.Guard.AllowPrivate = false
		defer func() { s.Importer.Guard.AllowPrivate = true }()
		MustProblem(t, s.Do(t, "POST", "/v1/calendars", tok, map[string]any{"url": "http://127.0.0.1:1/x.ics"}), 422, "url")
		MustProblem(t, s.Do(t, "POST", "/v1/calendars", tok, map[string]any{"url": "ftp://example.com/x.ics"}), 422, "url")
	})
	t.Run("OK_DeleteKeepsEvents", func(t *testing.T) {
		MustStatus(t, s.Do(t, "DELETE", "/v1/calendars/"+calID, tok, nil), 204)
		MustProblem(t, s.Do(t, "GET", "/v1/calendars/"+calID, tok, nil), 404)
		if n := len(items(t, s.Do(t, "GET", "/v1/events", tok, nil))); n != 3 {
			t.Fatalf("%d events after unsubscribing, want 3", n)
		}
	})
}

// TestFeedRoundTrip: our own feed, followed by another user through a
// calendar import, reproduces the events.
func TestFeedRoundTrip(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "a@example.com")
	_, b := s.MustSignup(t, "b@example.com")
	want := map[string]map[string]any{}
	for _, ev := range awkward {
		id := s.MustCreateEvent(t, a, ev)
		want[ev["title"].(string)] = s.Do(t, "GET", "/v1/events/"+id, a, nil).JSON(t)
	}
	feed := s.URL + feedPath(s.feedURLs(t, a)["events"].(string))
	cal := s.MustCreate(t, b, "/v1/calendars", map[string]any{"url": strings.Replace(feed, "http://", "webcal://", 1)})
	// webcal:// is read as https://; the test server speaks http, so point it back.
	MustStatus(t, s.Do(t, "DELETE", "/v1/calendars/"+cal["id"].(string), b, nil), 204)
	cal = s.MustCreate(t, b, "/v1/calendars", map[string]any{"url": feed})
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+cal["id"].(string)+"/sync", b, nil), 200)
	got := items(t, s.Do(t, "GET", "/v1/events", b, nil))
	if len(got) != len(want) {
		t.Fatalf("%d events imported, want %d", len(got), len(want))
	}
	for _, g := range got {
		w := want[g["title"].(string)]
		if w == nil {
			t.Fatalf("unexpected title %q", g["title"])
		}
		for _, k := range []string{"starts_at", "ends_at", "location", "url"} {
			if g[k] != w[k] {
				t.Errorf("%q: %s=%v, want %v", g["title"], k, g[k], w[k])
			}
		}
	}
}

// TestFeedSets: one set of links per device; revoking or rotating one
// never breaks another (issue 12.7).
func TestFeedSets(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	fetch := func(u any) int {
		t.Helper()
		return s.Do(t, "GET", feedPath(u.(string)), "", nil).Status
	}
	def := s.feedURLs(t, tok)
	ipad := s.MustCreate(t, tok, "/v1/feeds", map[string]any{"name": "iPad"})
	laptop := s.MustCreate(t, tok, "/v1/feeds", map[string]any{"name": "vdirsyncer on the laptop"})
	for _, u := range []any{def["all"], ipad["events"], ipad["followups"], ipad["all"], laptop["all"]} {
		if st := fetch(u); st != 200 {
			t.Fatalf("%v: %d", u, st)
		}
	}
	if w := ipad["webcal"].(map[string]any)["all"].(string); !strings.HasPrefix(w, "webcal://") {
		t.Fatalf("webcal=%v", w)
	}
	t.Run("ErrOtherUsersSet", func(t *testing.T) {
		MustProblem(t, s.Do(t, "DELETE", "/v1/feeds/"+ipad["id"].(string), eve, nil), 404)
		MustProblem(t, s.Do(t, "POST", "/v1/feeds", tok, map[string]any{"name": ""}), 422, "name")
	})
	MustStatus(t, s.Do(t, "DELETE", "/v1/feeds/"+ipad["id"].(string), tok, nil), 204)
	if st := fetch(ipad["all"]); st != 404 {
		t.Fatalf("revoked set answers %d, want 404", st)
	}
	if fetch(laptop["all"]) != 200 || fetch(def["all"]) != 200 {
		t.Fatal("revoking one set broke another")
	}
	r := s.Do(t, "POST", "/v1/feeds/rotate", tok, nil)
	MustStatus(t, r, 200)
	if fetch(def["all"]) != 404 || fetch(r.JSON(t)["all"]) != 200 || fetch(laptop["all"]) != 200 {
		t.Fatal("rotate must replace the default set only")
	}
	list := s.Do(t, "GET", "/v1/feeds", tok, nil)
	MustStatus(t, list, 200)
	if bytes.Contains(list.Body, []byte(strings.Split(feedPath(laptop["all"].(string)), "/")[2])) {
		t.Fatalf("GET /v1/feeds shows a set's token: %s", list.Body)
	}
	sets := list.JSON(t)["sets"].([]any)
	if len(sets) != 2 {
		t.Fatalf("sets=%v, want the default and the laptop's", sets)
	}
	for _, x := range sets {
		set := x.(map[string]any)
		if set["name"] == "vdirsyncer on the laptop" && set["last_used_at"] == nil {
			t.Fatalf("laptop set has no last_used_at after use: %v", set)
		}
	}
}

// TestCalendarWithoutANameTakesTheFeeds: a calendar followed without a
// name (its name is then its URL) takes the name the feed gives itself
// (X-WR-CALNAME: "Berlin Gophers") at its first sync, and gives it its
// events as their series, which "Worth it?" ranks series by; they had
// the URL for a series, and the calendar kept it for a name. Events made before by such a
// calendar, named by its URL, take the feed's name at the next sync; one
// whose series the user set stays as it is.
func TestCalendarWithoutANameTakesTheFeeds(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	src := newICSServer(t)
	src.set(meetupFeed)
	url := src.URL + "/feed.ics"
	cal := s.MustCreate(t, tok, "/v1/calendars", map[string]any{"url": url})
	calID := cal["id"].(string)
	if cal["name"] != url {
		t.Fatalf("a calendar followed without a name is named %v", cal["name"])
	}
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil), 200)
	series := func() map[string]any {
		out := map[string]any{}
		for _, e := range items(t, s.Do(t, "GET", "/v1/events", tok, nil)) {
			out[e["title"].(string)] = e["series"]
		}
		return out
	}
	for title, got := range series() {
		if got != "Berlin Gophers" {
			t.Errorf("%s is of the series %v, want the feed's name", title, got)
		}
	}
	if got := s.Do(t, "GET", "/v1/calendars/"+calID, tok, nil).JSON(t); got["name"] != "Berlin Gophers" || got["url"] != url {
		t.Fatalf("the calendar after its first sync: %v (it takes the feed's name)", got)
	}

	// Events named by the URL before: the next sync renames them, but not
	// one the user named.
	for _, e := range items(t, s.Do(t, "GET", "/v1/events", tok, nil)) {
		name := url
		if e["title"] == "Holiday Special" {
			name = "Christmas party"
		}
		MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+e["id"].(string), tok, map[string]any{"series": name}), 200)
	}
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+calID+"/sync", tok, nil), 200)
	if got := series(); got["Gophers Night, December"] != "Berlin Gophers" || got["Holiday Special"] != "Christmas party" {
		t.Fatalf("after the next sync: %v", got)
	}
}
