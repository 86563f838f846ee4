package dav_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

func (s *server) tasksClient(t *testing.T, u *user) *caldav.Client {
	t.Helper()
	c, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(http.DefaultClient, u.Email, u.token), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pending returns the user's pending follow-ups.
func (s *server) pending(t *testing.T, u *user) []followup.FollowUp {
	t.Helper()
	fs, err := s.crm.Followups.PendingOf(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

var todoQuery = &caldav.CalendarQuery{CompFilter: caldav.CompFilter{Name: "VCALENDAR", Comps: []caldav.CompFilter{{Name: "VTODO"}}}}

// TestTasks: the follow-ups are tasks in one list found from the
// well-known URL; completing one marks the follow-up done (and it stays
// listed, COMPLETED), a new DUE re-dates it, DELETE cancels it, a stale
// ETag is 412, and another user's task is 404.
func TestTasks(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	ctx := t.Context()
	for _, m := range []string{"GET", "PROPFIND"} { // clients ask both
		r := s.do(t, nil, m, "/.well-known/caldav", "")
		if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != dav.TasksPrincipal {
			t.Fatalf("%s well-known: %d → %q", m, r.StatusCode, r.Header.Get("Location"))
		}
	}
	cl := s.tasksClient(t, u)
	home, err := cl.FindCalendarHomeSet(ctx, dav.TasksPrincipal)
	if err != nil {
		t.Fatal(err)
	}
	lists, err := cl.FindCalendars(ctx, home)
	if err != nil || len(lists) != 1 || lists[0].Name != "Rapport follow-ups" {
		t.Fatalf("task lists %+v, %v", lists, err)
	}
	objs, err := cl.QueryCalendar(ctx, dav.TaskListPath, todoQuery)
	fs := s.pending(t, u)
	if err != nil || len(objs) != len(fs) || len(fs) < 2 {
		t.Fatalf("%d tasks for %d pending follow-ups, %v", len(objs), len(fs), err)
	}
	byID := map[string]caldav.CalendarObject{}
	for _, o := range objs {
		todo := o.Data.Children[0]
		byID[todo.Props.Get(ical.PropUID).Value] = o
		if sum := todo.Props.Get(ical.PropSummary).Value; !strings.HasSuffix(sum, ": Ada Lovelace") {
			t.Errorf("SUMMARY %q", sum)
		}
		if todo.Props.Get(ical.PropStatus).Value != "NEEDS-ACTION" || todo.Props.Get(ical.PropDue) == nil || len(todo.Children) != 1 {
			t.Errorf("task %v", todo.Props)
		}
	}
	first, second := fs[0], fs[1]

	// Completed in the app: done in Rapport, still listed as COMPLETED.
	done := byID[first.ID].Data
	done.Children[0].Props.SetText(ical.PropStatus, "COMPLETED")
	done.Children[0].Props.SetDateTime(ical.PropCompleted, time.Now().UTC())
	if _, err := cl.PutCalendarObject(ctx, dav.TaskListPath+first.ID+".ics", done); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.crm.Followups.Get(ctx, u.ID, first.ID); f.Status != followup.Done {
		t.Fatalf("completed in the app, %s in Rapport", f.Status)
	}
	if o, err := cl.GetCalendarObject(ctx, dav.TaskListPath+first.ID+".ics"); err != nil || o.Data.Children[0].Props.Get(ical.PropStatus).Value != "COMPLETED" {
		t.Fatalf("the done task: %v", err)
	}

	// A new DUE re-dates; the old ETag is stale afterwards.
	oldTag := byID[second.ID].ETag
	moved := byID[second.ID].Data
	due := second.DueAt.Add(72 * time.Hour).UTC().Truncate(time.Second)
	moved.Children[0].Props.SetDateTime(ical.PropDue, due)
	if _, err := cl.PutCalendarObject(ctx, dav.TaskListPath+second.ID+".ics", moved); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.crm.Followups.Get(ctx, u.ID, second.ID); !f.DueAt.Equal(due) {
		t.Fatalf("due %v, want %v", f.DueAt, due)
	}
	var raw strings.Builder
	ical.NewEncoder(&raw).Encode(moved)
	r := s.do(t, u, "PUT", dav.TaskListPath+second.ID+".ics", raw.String(), "Content-Type", "text/calendar", "If-Match", `"`+oldTag+`"`)
	if r.StatusCode != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d", r.StatusCode)
	}

	// Another user sees nothing and reaches nothing.
	other := s.signup(t, "other@example.com")
	if r := s.do(t, other, "GET", dav.TaskListPath+second.ID+".ics", ""); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another user's task: %d", r.StatusCode)
	}
	if r := s.do(t, other, "DELETE", dav.TaskListPath+second.ID+".ics", ""); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another user's DELETE: %d", r.StatusCode)
	}

	// Deleted in the app: cancelled.
	if r := s.do(t, u, "DELETE", dav.TaskListPath+second.ID+".ics", ""); r.StatusCode/100 != 2 {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	if f, _ := s.crm.Followups.Get(ctx, u.ID, second.ID); f.Status != followup.Cancelled {
		t.Fatalf("deleted in the app, %s in Rapport", f.Status)
	}
}

// TestTodomanCompletesATask: vdirsyncer syncs the task list to a local
// directory, todoman marks a task done there, and the next sync makes the
// follow-up done in Rapport.
func TestTodomanCompletesATask(t *testing.T) {
	todoman := tooltest.Need(t, "todoman")
	vds := tooltest.Need(t, "vdirsyncer")
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	dir := t.TempDir()
	local := filepath.Join(dir, "lists", "followups")
	os.MkdirAll(local, 0o700)
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[general]
status_path = %q

[pair tasks]
a = "rapport"
b = "phone"
collections = null

[storage rapport]
type = "caldav"
url = %q
username = %q
password = %q
item_types = ["VTODO"]

[storage phone]
type = "filesystem"
path = %q
fileext = ".ics"
`, filepath.Join(dir, "status"), s.URL+dav.TaskListPath, u.Email, u.token, local)), 0o600)
	env := append(os.Environ(), "HOME="+dir, "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CACHE_HOME="+dir)
	run := func(bin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader("y\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, out)
		}
		return string(out)
	}
	run(vds, "-c", cfg, "discover", "tasks")
	run(vds, "-c", cfg, "sync")
	todoCfg := filepath.Join(dir, "todoman.py") // todoman 4 reads a Python file
	os.WriteFile(todoCfg, []byte(fmt.Sprintf("path = %q\ndate_format = \"%%Y-%%m-%%d\"\ntime_format = \"%%H:%%M\"\ndefault_list = \"followups\"\n", filepath.Join(dir, "lists", "*"))), 0o600)
	var listed []struct {
		ID      int    `json:"id"`
		Summary string `json:"summary"`
	}
	out := run(todoman, "--config", todoCfg, "--porcelain", "list")
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) == 0 {
		t.Fatalf("todoman lists %q (%v)", out, err)
	}
	pendingBefore := len(s.pending(t, u))
	run(todoman, "--config", todoCfg, "done", fmt.Sprint(listed[0].ID))
	run(vds, "-c", cfg, "sync")
	if n := len(s.pending(t, u)); n != pendingBefore-1 {
		t.Fatalf("%d pending after completing %q in todoman, want %d", n, listed[0].Summary, pendingBefore-1)
	}

	// Another given a day and no time: due that day at the user's nudge
	// hour in their zone (it was midnight UTC).
	run(todoman, "--config", todoCfg, "edit", fmt.Sprint(listed[1].ID), "--due", "2027-01-15")
	if files, _ := filepath.Glob(filepath.Join(local, "*.ics")); !strings.Contains(readAll(t, files), "DUE;VALUE=DATE:20270115") {
		t.Fatalf("todoman wrote no DUE of a day alone:\n%s", readAll(t, files))
	}
	run(vds, "-c", cfg, "sync")
	want := time.Date(2027, 1, 15, u.NudgeHour, 0, 0, 0, u.Location())
	var found bool
	for _, f := range s.pending(t, u) {
		found = found || f.DueAt.Equal(want)
	}
	if !found {
		t.Fatalf("no follow-up due %v after todoman's edit: %+v", want, s.pending(t, u))
	}
}

// readAll is the files' contents, one after the other.
func readAll(t *testing.T, files []string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// TestBrokenTaskIs400: a calendar go-ical panics on (a quoted parameter
// value followed by a stray character) is a 400, not a 500.
func TestBrokenTaskIs400(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	f := s.pending(t, u)[0]
	body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:" + f.ID + "\r\nDUE;X=\"a\"b:20261130T090000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
	r := s.do(t, u, "PUT", dav.TaskListPath+f.ID+".ics", body, "Content-Type", "text/calendar")
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("a calendar go-ical panics on: %d %s", r.StatusCode, body)
	}
}
