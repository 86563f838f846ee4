package dav_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// vdirsyncer is a two-way sync of the user's address book with a local
// directory of .vcf files, through the real vdirsyncer.
type vdirsyncer struct {
	t          *testing.T
	bin, cfg   string
	local, dir string
}

func newVdirsyncer(t *testing.T, s *server, u *user) *vdirsyncer {
	t.Helper()
	return newVdirsyncerFor(t, s, u, "carddav", dav.BookPath, ".vcf", "")
}

// newVdirsyncerFor syncs one DAV collection (storage type, path, file
// extension, extra storage lines) with a local directory.
func newVdirsyncerFor(t *testing.T, s *server, u *user, kind, collection, ext, extra string) *vdirsyncer {
	t.Helper()
	v := &vdirsyncer{t: t, bin: tooltest.Need(t, "vdirsyncer"), dir: t.TempDir()}
	v.local = filepath.Join(v.dir, "contacts")
	os.MkdirAll(v.local, 0o700)
	v.cfg = filepath.Join(v.dir, "config")
	os.WriteFile(v.cfg, []byte(fmt.Sprintf(`[general]
status_path = %q

[pair book]
a = "rapport"
b = "phone"
collections = null

[storage rapport]
type = %q
url = %q
username = %q
password = %q
%s
[storage phone]
type = "filesystem"
path = %q
fileext = %q
`, filepath.Join(v.dir, "status"), kind, s.URL+collection, u.Email, u.token, extra, v.local, ext)), 0o600)
	v.run("discover", "book")
	return v
}

// run runs vdirsyncer; the sync must succeed.
func (v *vdirsyncer) run(args ...string) {
	v.t.Helper()
	if out, err := v.try(args...); err != nil {
		v.t.Fatalf("vdirsyncer %v: %v\n%s", args, err, out)
	}
}

func (v *vdirsyncer) try(args ...string) (string, error) {
	cmd := exec.Command(v.bin, append([]string{"-c", v.cfg}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+v.dir, "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	cmd.Stdin = strings.NewReader("y\n")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// files returns the local items by file name.
func (v *vdirsyncer) files() map[string]string {
	v.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(v.local, "*.*"))
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			v.t.Fatal(err)
		}
		out[filepath.Base(p)] = string(b)
	}
	return out
}

// TestVdirsyncerTwoWay: vdirsyncer pulls every contact as a card; a phone
// number added on the local side, a card made there and a card deleted
// there reach Rapport; a change in Rapport reaches the local side; and an
// edit on both sides is a conflict that loses neither.
func TestVdirsyncerTwoWay(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ada := s.ada(t, u)
	ctx := t.Context()
	v := newVdirsyncer(t, s, u)
	v.run("sync")
	files := v.files()
	adaFile := ada.ID + ".vcf"
	if len(files) != 1 || !strings.Contains(files[adaFile], "How we met") {
		t.Fatalf("pulled %d cards: %v", len(files), files)
	}

	// A phone number added locally.
	edited := strings.Replace(files[adaFile], "END:VCARD", "TEL:+49 30 1234567\r\nEND:VCARD", 1)
	os.WriteFile(filepath.Join(v.local, adaFile), []byte(edited), 0o600)
	// A card made locally.
	os.WriteFile(filepath.Join(v.local, "grace-uid.vcf"), []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:grace-uid\r\nFN:Grace Hopper\r\nEMAIL:grace@example.com\r\nEND:VCARD\r\n"), 0o600)
	v.run("sync")
	got, err := s.crm.Contacts.Store.Contact(ctx, u.ID, ada.ID)
	if err != nil || len(got.Phones) != 1 || got.Notes != ada.Notes {
		t.Fatalf("after the local edit: %+v, %v", got, err)
	}
	page, _ := s.crm.Contacts.Store.Contacts(ctx, u.ID, contacts.Filter{Q: "grace", Limit: 10})
	if len(page.Items) != 1 {
		t.Fatalf("the local card became %d contacts", len(page.Items))
	}
	grace := page.Items[0]

	// A change in Rapport reaches the local side.
	if _, err := s.crm.UpdateContact(ctx, u.User, grace.ID, []byte(`{"company":"US Navy"}`)); err != nil {
		t.Fatal(err)
	}
	v.run("sync")
	found := false
	for _, body := range v.files() {
		found = found || strings.Contains(body, "ORG:US Navy")
	}
	if !found {
		t.Fatal("the change in Rapport did not reach the local side")
	}

	// Both sides edit Ada: vdirsyncer reports a conflict; neither is lost.
	if _, err := s.crm.UpdateContact(ctx, u.User, ada.ID, []byte(`{"title":"Countess"}`)); err != nil {
		t.Fatal(err)
	}
	local := strings.Replace(v.files()[adaFile], "END:VCARD", "TITLE:Mathematician\r\nEND:VCARD", 1)
	os.WriteFile(filepath.Join(v.local, adaFile), []byte(local), 0o600)
	if out, err := v.try("sync"); err == nil {
		t.Fatalf("an edit on both sides synced without a conflict:\n%s", out)
	}
	if got, _ := s.crm.Contacts.Store.Contact(ctx, u.ID, ada.ID); got.Title != "Countess" {
		t.Fatalf("Rapport's edit was lost: title %q", got.Title)
	}
	if !strings.Contains(v.files()[adaFile], "TITLE:Mathematician") {
		t.Fatal("the local edit was lost")
	}
	os.WriteFile(filepath.Join(v.local, adaFile), []byte(edited), 0o600) // resolve by hand

	// Deleted locally, deleted in Rapport.
	for name, body := range v.files() {
		if strings.Contains(body, "Grace Hopper") {
			os.Remove(filepath.Join(v.local, name))
		}
	}
	v.try("sync") // Ada is still in conflict; the delete goes through
	if _, err := s.crm.Contacts.Store.Contact(ctx, u.ID, grace.ID); err == nil {
		t.Fatal("deleted locally, still in Rapport")
	}
	// vdirsyncer lists every ETag on each sync: after the first, each
	// listing was the last one patched with what changed (on SQLite;
	// MongoDB keeps none).
	if n := s.dav.ListingPatches(u.ID); !enginetest.Mongo() && n < 1 {
		t.Errorf("vdirsyncer's listings were read whole each time (%d patches)", n)
	}
}

// TestKhardListsContacts: khard, reading the directory vdirsyncer filled,
// lists the contacts with their emails.
func TestKhardListsContacts(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	v := newVdirsyncer(t, s, u)
	v.run("sync")
	if out := v.khard(t, "", "email", "--parsable"); !strings.Contains(out, "ada@example.com") || !strings.Contains(out, "Lovelace, Ada") {
		t.Fatalf("khard lists:\n%s", out)
	}
}

// khard runs khard on the directory v fills, with stdin (if any) as its
// input, sorting and showing contacts by last name; it returns what khard
// printed.
func (v *vdirsyncer) khard(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := v.khardCmd(t, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := runCapped(cmd)
	if err != nil {
		t.Fatalf("khard %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// runCapped runs cmd and gives what it printed, the first MiB of it. A
// client that prints without end (khard asking which of several contacts
// it means, its input ended) is stopped there: it blocks on its output,
// and its command's timeout ends it (it once ran until the test binary's
// ten minutes, holding 14 GB of prompts).
func runCapped(cmd *exec.Cmd) (string, error) {
	out := &capped{max: 1 << 20}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	return out.buf.String(), err
}

// capped keeps the first max bytes written to it and refuses the rest.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		return 0, errors.New("more than a MiB of output")
	}
	return c.buf.Write(p)
}

// khardCmd is khard on the directory v fills, sorting and showing
// contacts by last name.
func (v *vdirsyncer) khardCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	khard := tooltest.Need(t, "khard")
	cfg := filepath.Join(v.dir, "khard.conf")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[addressbooks]\n[[rapport]]\npath = %s\n\n[general]\ndefault_action = list\n"+
		"[contact table]\ndisplay = last_name\nsort = last_name\n", v.local)), 0o600)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, khard, append([]string{"-c", cfg}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+v.dir, "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	return cmd
}

// TestKhardCardKeepsItsForm: a contact made in khard with a family name of
// three words, a labelled phone and email, and a department reaches a
// second device as it was made: khard there sorts it under "de la Cruz",
// labels the phone "cell" and the email "work", and shows the department.
// Rapport's own fields are what changed on the way before.
func TestKhardCardKeepsItsForm(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	phone, laptop := newVdirsyncer(t, s, u), newVdirsyncer(t, s, u)
	phone.run("sync")
	phone.khard(t, "First name : Juan\nLast name : de la Cruz\nOrganisation :\n  - [Acme, Engineering]\nTitle : Engineer\n"+
		"Phone :\n    cell : +1 555 0100\nEmail :\n    work : Juan@Example.com\n", "new")
	phone.run("sync")
	c, err := s.crm.Contacts.Store.Contacts(t.Context(), u.ID, contacts.Filter{Limit: 2})
	if err != nil || len(c.Items) != 1 || c.Items[0].Name != "Juan de la Cruz" || c.Items[0].Company != "Acme" {
		t.Fatalf("in Rapport: %+v, %v", c, err)
	}

	laptop.run("sync")
	for _, args := range [][]string{{"list", "--parsable"}, {"phone", "--parsable"}, {"email", "--parsable"}} {
		if out := laptop.khard(t, "", args...); !strings.Contains(out, "de la Cruz, Juan") {
			t.Errorf("khard %s on the laptop:\n%s", args[0], out)
		}
	}
	if out := laptop.khard(t, "", "phone", "--parsable"); !strings.Contains(out, "+1 555 0100\tde la Cruz, Juan\tcell") {
		t.Errorf("the phone's label:\n%s", out)
	}
	if out := laptop.khard(t, "", "email", "--parsable"); !strings.Contains(out, "\twork") {
		t.Errorf("the email's label:\n%s", out)
	}
	if out := laptop.khard(t, "", "show", "Juan"); !strings.Contains(out, "Engineering") {
		t.Errorf("the department:\n%s", out)
	}
	tooltest.ValidateVCards(t, laptop.local)
	for file := range laptop.files() {
		s.sendBackAsServed(t, u, file, c.Items[0].ID)
	}

	// The name changed in Rapport: the card's parts follow it, the labels
	// stay with their numbers.
	if _, err := s.crm.UpdateContact(t.Context(), u.User, c.Items[0].ID, []byte(`{"name":"Juana Cruz"}`)); err != nil {
		t.Fatal(err)
	}
	phone.run("sync")
	if out := phone.khard(t, "", "phone", "--parsable"); !strings.Contains(out, "+1 555 0100\tCruz, Juana\tcell") {
		t.Errorf("after a rename in Rapport:\n%s", out)
	}
}

// TestVdirsyncerTasksTwoWay: the task list through vdirsyncer: a new
// follow-up arrives as a task, a DUE moved locally re-dates it, a task
// deleted locally cancels it, a follow-up done in Rapport arrives
// COMPLETED, and an edit on both sides is a conflict that loses neither.
func TestVdirsyncerTasksTwoWay(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	ctx := t.Context()
	v := newVdirsyncerFor(t, s, u, "caldav", dav.TaskListPath, ".ics", "item_types = [\"VTODO\"]\n")
	v.run("sync")
	fs := s.pending(t, u)
	if got := len(v.files()); got != len(fs) || got < 2 {
		t.Fatalf("pulled %d tasks for %d follow-ups", got, len(fs))
	}
	file := func(id string) string { return filepath.Join(v.local, id+".ics") }
	read := func(id string) string {
		b, err := os.ReadFile(file(id))
		if err != nil {
			t.Fatalf("task %s: %v", id, err)
		}
		return string(b)
	}
	moved, gone, done := fs[0], fs[1], fs[0]

	// DUE moved locally: re-dated in Rapport.
	newDue := moved.DueAt.Add(48 * time.Hour).UTC()
	body := regexp.MustCompile(`(?m)^DUE[^\r\n]*`).ReplaceAllString(read(moved.ID), "DUE:"+newDue.Format("20060102T150405Z"))
	os.WriteFile(file(moved.ID), []byte(body), 0o600)
	// Deleted locally: cancelled in Rapport.
	os.Remove(file(gone.ID))
	v.run("sync")
	if f, _ := s.crm.Followups.Get(ctx, u.ID, moved.ID); !f.DueAt.Equal(newDue) {
		t.Fatalf("due %v, want %v", f.DueAt, newDue)
	}
	if f, _ := s.crm.Followups.Get(ctx, u.ID, gone.ID); f.Status != followup.Cancelled {
		t.Fatalf("deleted locally, %s in Rapport", f.Status)
	}

	// Done in Rapport: COMPLETED locally.
	if _, err := s.crm.Followups.MarkDone(ctx, u.ID, done.ID); err != nil {
		t.Fatal(err)
	}
	v.run("sync")
	if !strings.Contains(read(done.ID), "STATUS:COMPLETED") {
		t.Fatalf("done in Rapport, local task:\n%s", read(done.ID))
	}

	// A new follow-up in Rapport arrives; then both sides edit it.
	c, _ := s.crm.Contacts.Store.Contacts(ctx, u.ID, contacts.Filter{Limit: 1})
	nf, err := s.crm.CreateFollowup(ctx, u.User, followup.CustomInput{ContactID: c.Items[0].ID, DueAt: time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339), Note: "send the slides"})
	if err != nil {
		t.Fatal(err)
	}
	v.run("sync")
	local := read(nf.ID)
	if _, err := s.crm.Followups.Update(ctx, u.ID, nf.ID, followup.Patch{DueAt: ptr(time.Now().Add(96 * time.Hour).UTC().Format(time.RFC3339))}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file(nf.ID), []byte(strings.Replace(local, "STATUS:NEEDS-ACTION", "STATUS:COMPLETED", 1)), 0o600)
	if out, err := v.try("sync"); err == nil {
		t.Fatalf("an edit on both sides synced without a conflict:\n%s", out)
	}
	if f, _ := s.crm.Followups.Get(ctx, u.ID, nf.ID); f.Status != followup.Pending {
		t.Fatalf("Rapport's side was overwritten: %s", f.Status)
	}
	if !strings.Contains(read(nf.ID), "STATUS:COMPLETED") {
		t.Fatal("the local edit was lost")
	}
}

func ptr[T any](v T) *T { return &v }

// khardEdit runs `khard edit` on the contacts named like query in the
// directory vdirsyncer fills, with an editor that sets the title (the
// only change), as a person editing in khard would.
func khardEdit(t *testing.T, v *vdirsyncer, query, title string) {
	t.Helper()
	editor := filepath.Join(v.dir, "editor.sh")
	os.WriteFile(editor, []byte("#!/bin/sh\nsed -i 's/^Title *:.*/Title : "+title+"/' \"$1\"\n"), 0o700)
	cmd := v.khardCmd(t, "edit", query)
	cmd.Env = append(cmd.Env, "EDITOR="+editor)
	out, err := runCapped(cmd)
	if err != nil || !strings.Contains(out, "Modification successful") {
		t.Fatalf("khard edit: %v\n%s", err, out)
	}
}

// TestKhardEditKeepsNotes: a note with line breaks (typed on the phone,
// CRLF), semicolons, commas and backslashes, and an encounter note of two
// lines, survive vdirsyncer and two edits of the title in khard
// byte-identical; khard and vobject read every card served.
func TestKhardEditKeepsNotes(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	notes := "Semi; colon, comma \\ backslash\r\nsecond line\r\n\r\nthird; after a blank"
	ev, err := s.crm.Events.Create(ctx, u.ID, u.Timezone, events.Input{Title: "Rust; Go, and C\\C++", StartsAt: "2026-11-24T18:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.crm.LogEncounter(ctx, u.User, ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "Ada Lovelace",
		Emails: []string{"ada@example.com"}, Company: "Engines; Ltd.", Title: "Countess", Tags: []string{"go", "a, b"}, Notes: notes},
		Moment: "after_talk", MetAt: "2026-11-24T19:30:00Z", Topics: []string{"ffi"}, Notes: "first line\r\nsecond; line"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Contact.ID
	v := newVdirsyncer(t, s, u)
	v.run("sync")
	tooltest.ValidateVCards(t, v.local)
	for i, title := range []string{"Mathematician", "Poet"} {
		khardEdit(t, v, "Ada", title)
		v.run("sync")
		c, err := s.crm.Contacts.Store.Contact(ctx, u.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Title != title {
			t.Fatalf("edit %d: title %q, want %q", i+1, c.Title, title)
		}
		if c.Notes != notes {
			t.Fatalf("edit %d: notes\n%q\nwant\n%q", i+1, c.Notes, notes)
		}
		if c.Company != "Engines; Ltd." || !slices.Equal(c.Tags, []string{"go", "a, b"}) {
			t.Fatalf("edit %d: company %q tags %q", i+1, c.Company, c.Tags)
		}
		v.run("sync")
		tooltest.ValidateVCards(t, v.local)
	}
	if n := strings.Count(v.files()[firstFile(v)], "How we met"); n != 1 {
		t.Fatalf("the synced card holds %d How-we-met sections", n)
	}
}

func firstFile(v *vdirsyncer) string {
	for name := range v.files() {
		return name
	}
	return ""
}

// TestPythonCaldav: python-caldav (Debian's python3-caldav, the library
// whose functional suite CalDAV servers are tested with) discovers the one
// task list, lists the tasks, finds one by UID, by its SUMMARY (exactly:
// it asks i;octet) and by a time-range around its DUE (RFC 4791 §9.9),
// follows sync tokens, and completes a task — which its todos() then
// leaves out through negated STATUS matches, and which Rapport marks done.
func TestPythonCaldav(t *testing.T) {
	python := tooltest.NeedPython(t, "caldav")
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	before := s.pending(t, u)
	out, err := exec.Command(python, filepath.Join("..", "..", "tools", "caldavcheck", "check.py"), s.URL+dav.TaskListPath, u.Email, u.token).CombinedOutput()
	if err != nil {
		t.Fatalf("python-caldav: %v\n%s", err, out)
	}
	var got struct {
		Calendars          []string `json:"calendars"`
		Components         []string `json:"components"`
		Todos              []string `json:"todos"`
		Descriptions       []string `json:"descriptions"`
		FirstUID           string   `json:"first_uid"`
		ByUID              string   `json:"by_uid"`
		SummarySearch      int      `json:"summary_search"`
		SummarySearchUpper int      `json:"summary_search_upper"`
		RangeHit           []string `json:"range_hit"`
		RangeMiss          int      `json:"range_miss"`
		SyncAll            int      `json:"sync_all"`
		SyncChanged        []string `json:"sync_changed"`
		TodosAfter         []string `json:"todos_after"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python-caldav said:\n%s", out)
	}
	switch {
	case !slices.Equal(got.Calendars, []string{"Rapport follow-ups"}) || !slices.Equal(got.Components, []string{"VTODO"}):
		t.Fatalf("discovery: %v %v", got.Calendars, got.Components)
	case len(got.Todos) != len(before) || got.ByUID != got.Todos[0]:
		t.Fatalf("tasks %v (by UID %q) for %d follow-ups", got.Todos, got.ByUID, len(before))
	case !strings.HasPrefix(got.Descriptions[0], "Met at Go Meetup Berlin"):
		t.Fatalf("DESCRIPTION %q", got.Descriptions[0])
	case got.SummarySearch != len(before) || got.SummarySearchUpper != 0:
		t.Fatalf("SUMMARY searches: %d exact, %d in capitals", got.SummarySearch, got.SummarySearchUpper)
	case !slices.Equal(got.RangeHit, []string{got.FirstUID}) || got.RangeMiss != 0:
		t.Fatalf("time ranges: %v around its DUE, %d far away", got.RangeHit, got.RangeMiss)
	case got.SyncAll != len(before) || !slices.ContainsFunc(got.SyncChanged, func(h string) bool { return strings.HasSuffix(h, got.FirstUID+".ics") }):
		t.Fatalf("sync: %d, then %v", got.SyncAll, got.SyncChanged)
	case os.Getenv("RAPPORT_TEST_ENGINE") != "mongodb" && len(got.SyncChanged) != 1:
		// MongoDB's tokens also return what was journaled in the two
		// seconds before them (README, incremental sync).
		t.Fatalf("sync after one change: %v", got.SyncChanged)
	case len(got.TodosAfter) != len(before)-1 || slices.Contains(got.TodosAfter, got.FirstUID):
		t.Fatalf("todos after completing one: %v", got.TodosAfter)
	}
	if f, err := s.crm.Followups.Get(t.Context(), u.ID, got.FirstUID); err != nil || f.Status != followup.Done {
		t.Fatalf("the task completed in python-caldav: %+v, %v", f, err)
	}
}
