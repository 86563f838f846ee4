package web_test

import (
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// TestImportPreviewAndUndo uploads LinkedIn's Connections.csv on the
// import page: the preview counts new contacts and merges (into a contact
// you have, and into a row above) and writes nothing; Import writes them;
// the import is listed and Undo puts everything back.
func TestImportPreviewAndUndo(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith", "emails": []string{"bob@initech.example"}})
	file, err := os.ReadFile("testdata/Connections.csv")
	if err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/import")
	count := func() int {
		var list struct{ Items []struct{ ID string } }
		s.api(t, "GET", "/v1/contacts?limit=200", tok, nil, 200, &list)
		return len(list.Items)
	}

	st, page := b.upload("/app/import", "file", "Connections.csv", file, map[string][]string{})
	if st != 200 {
		t.Fatalf("preview: %d %s", st, page)
	}
	mustContain(t, page, "<strong>2</strong> new contacts, <strong>1</strong> merged into contacts you have, <strong>1</strong> row combined", "Bob Smith", "Jane Doe (again)", "(line 5)")
	// Which columns become which field, and which are left out.
	mustContain(t, page, "Columns read: First Name → name, Last Name → name, URL → LinkedIn URL, Email Address → email, Company → company, Position → title, Connected On → known since.")
	if strings.Contains(page, "Columns left out") {
		t.Fatal("the preview says columns are left out")
	}
	if n := count(); n != 1 {
		t.Fatalf("the preview wrote: %d contacts", n)
	}
	confirm := form(page, "/app/import/confirm")
	if confirm == nil {
		t.Fatal("no Import form on the preview")
	}
	st, page = b.upload("/app/import/confirm", "", "", nil, confirm)
	if st != 200 || !strings.Contains(page, "2 new, 1 merged into contacts you had") {
		t.Fatalf("import: %d %s", st, page)
	}
	mustContain(t, page, "Imported Connections.csv: 2 new", `id="done-h"`, "Undo this import")
	if n := count(); n != 3 {
		t.Fatalf("%d contacts after the import, want 3", n)
	}
	// Sent again (a double click, a reload of the answer): imported once,
	// and answered as the first was.
	imports := func() int {
		var list struct{ Items []struct{ ID string } }
		s.api(t, "GET", "/v1/imports", tok, nil, 200, &list)
		return len(list.Items)
	}
	if st, again := b.upload("/app/import/confirm", "", "", nil, confirm); st != 200 || !strings.Contains(again, "Imported Connections.csv: 2 new") || !strings.Contains(again, `id="done-h"`) {
		t.Fatalf("sent again: %d %s", st, again)
	}
	if n := imports(); n != 1 {
		t.Fatalf("%d imports after sending the form twice, want 1", n)
	}
	var got struct {
		LinkedInURL string `json:"linkedin_url"`
		KnownSince  string `json:"known_since"`
	}
	s.api(t, "GET", "/v1/contacts/"+bob, tok, nil, 200, &got)
	if got.LinkedInURL != "https://www.linkedin.com/in/bobsmith" || got.KnownSince != "2026-02-02T12:00:00Z" {
		t.Fatalf("Bob not merged, or not known since Connected On: %+v", got)
	}
	// The contacts table, longest known first: Søren (connected on 1 Jan),
	// Bob (2 Feb), Jane (24 Nov, noon: before the import).
	_, table := b.get("/app/contacts?sort=since")
	if i, j, k := strings.Index(table, "Søren Kierkegaard"), strings.Index(table, "Bob Smith"), strings.Index(table, "Jane Doe"); i < 0 || !(i < j && j < k) ||
		!strings.Contains(table, "1 Jan 2026") {
		t.Fatalf("the table by known since: Søren at %d, Bob at %d, Jane at %d", i, j, k)
	}

	// Listed, and undone from the list.
	st, page = b.get("/app/import")
	undo := strings.Index(page, `/undo"`)
	if st != 200 || undo < 0 {
		t.Fatalf("the import is not listed with Undo")
	}
	action := page[strings.LastIndex(page[:undo], `action="`)+len(`action="`) : undo+len("/undo")]
	if st, page = b.post(action, map[string][]string{}); st != 200 || !strings.Contains(page, "Undone: 2 contacts removed, what it added taken out of 1") {
		t.Fatalf("undo: %d %s", st, page)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d contacts after the undo, want 1", n)
	}
	s.api(t, "GET", "/v1/contacts/"+bob, tok, nil, 200, &got)
	if got.LinkedInURL != "" || got.KnownSince != "2026-11-24T17:00:00Z" {
		t.Fatalf("Bob not put back: %+v", got)
	}

	// No file: the error next to the field. Not a contacts file: said so.
	if st, page = b.upload("/app/import", "", "", nil, map[string][]string{}); st != 422 || !strings.Contains(page, `id="file-error"`) {
		t.Fatalf("no file: %d", st)
	}
	b.get("/app/import")
	if st, page = b.upload("/app/import", "file", "notes.txt", []byte("just some words\nno header here\n"), map[string][]string{}); st >= 500 {
		t.Fatalf("a text file: %d %s", st, page)
	}
	// Another user's import: a 404 page.
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/import")
	if st, _ := eve.post(action, map[string][]string{}); st != 404 {
		t.Fatalf("undoing another user's import: %d", st)
	}
}

// TestBackupOnTheDesk downloads a backup from the import page and restores
// it into a new account.
func TestBackupOnTheDesk(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "notes": "Two\nlines"})
	b := s.signedIn(t, "ada@example.com", tok)
	st, backup := b.get("/app/backup.json")
	if st != 200 || !strings.Contains(backup, "Jane Doe") {
		t.Fatalf("backup: %d %.200s", st, backup)
	}
	// It takes the user's turn at downloading the whole account: while
	// another download (an API export here) is being sent, it waits.
	held, err := s.Downloads.Take(t.Context(), s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(held)
	type answer struct {
		status int
		body   string
	}
	answered := make(chan answer, 1)
	go func() {
		st, body := b.get("/app/backup.json")
		answered <- answer{st, body}
	}()
	select {
	case a := <-answered:
		t.Fatalf("a backup while another download is sent: %d, at once", a.status)
	case <-time.After(200 * time.Millisecond):
	}
	held()
	if a := <-answered; a.status != 200 || a.body != backup {
		t.Fatalf("the backup once the other download ended: %d %.200s", a.status, a.body)
	}
	other := s.signup(t, "ada2@example.com")
	b2 := s.signedIn(t, "ada2@example.com", other)
	b2.get("/app/import")
	if st, page := b2.upload("/app/backup/restore", "backup", "rapport-backup.json", []byte(backup), map[string][]string{}); st != 200 || !strings.Contains(page, "Restored") {
		t.Fatalf("restore: %d %s", st, page)
	}
	var list struct {
		Items []struct{ Name, Notes string }
	}
	s.api(t, "GET", "/v1/contacts", other, nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].Notes != "Two\nlines" {
		t.Fatalf("restored %+v", list.Items)
	}
	// Restoring into an account that has contacts is refused, in words.
	b2.get("/app/import")
	if st, page := b2.upload("/app/backup/restore", "backup", "rapport-backup.json", []byte(backup), map[string][]string{}); st != 200 || !strings.Contains(page, "Not restored") {
		t.Fatalf("a second restore: %d", st)
	}
}

// TestImportsListPages: the list of imports shows the latest 20 and pages
// on to the older ones.
func TestImportsListPages(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	for i := range 22 {
		r := s.Do(t, "POST", "/v1/contacts/import", tok, fmt.Sprintf("name,email\nPerson %02d,p%d@example.com\n", i, i), "Content-Type", "text/csv")
		MustStatus(t, r, 200)
		s.Clock.Add(time.Minute)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/import")
	if n := strings.Count(page, `action="/app/imports/`); n != 20 {
		t.Fatalf("the list shows %d imports, want 20", n)
	}
	m := regexp.MustCompile(`href="/app/import\?page=([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no link to the older imports")
	}
	_, older := b.get("/app/import?page=" + html.UnescapeString(m[1]))
	if n := strings.Count(older, `action="/app/imports/`); n != 2 || strings.Contains(older, "Older imports") {
		t.Fatalf("the older imports: %d", n)
	}
	if _, bad := b.get("/app/import?page=nonsense"); !strings.Contains(bad, "not one this list gave") || strings.Count(bad, `action="/app/imports/`) != 20 {
		t.Fatal("a made-up page of imports")
	}
}

// TestUndoARunningImport: an import still running as far as anyone can
// tell (here its process died a moment ago, which no one can know yet) is
// listed as running without Undo; an undo sent anyway is refused with the
// reason and deletes nothing. Once it has gone stale it is listed as
// interrupted, and Undo removes what it wrote.
func TestUndoARunningImport(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	uid := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["id"].(string)
	apptest.ImportDies(s.CRM.Contacts, uid, "ImportContacts", 2, func(fn func(contacts.Row) error) error {
		for i := range 1100 { // the first chunk (1,000) written
			if err := fn(contacts.Row{Line: i + 2, Input: contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("p%d@example.com", i)}}}); err != nil {
				return err
			}
		}
		return nil
	})
	count := func() int {
		var list struct{ Items []struct{ ID string } }
		s.api(t, "GET", "/v1/contacts?limit=200", tok, nil, 200, &list)
		return len(list.Items)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/import")
	mustContain(t, page, "<td>running</td>", "once it has finished")
	if strings.Contains(page, `/undo"`) {
		t.Fatal("a running import is listed with Undo")
	}
	var list struct{ Items []struct{ ID string } }
	s.api(t, "GET", "/v1/imports", tok, nil, 200, &list)
	if st, page := b.post("/app/imports/"+list.Items[0].ID+"/undo", url.Values{}); st != 200 || !strings.Contains(html.UnescapeString(page), "this import is still running") {
		t.Fatalf("undo of a running import: %d %s", st, page)
	}
	if n := count(); n != 200 {
		t.Fatalf("a refused undo left %d of a page of 200 contacts", n)
	}

	s.Clock.Add(contacts.ImportStale + time.Second)
	_, page = b.get("/app/import")
	mustContain(t, page, "<td>interrupted</td>")
	undo := strings.Index(page, `/undo"`)
	if undo < 0 {
		t.Fatal("an interrupted import is listed without Undo")
	}
	action := page[strings.LastIndex(page[:undo], `action="`)+len(`action="`) : undo+len("/undo")]
	if st, page := b.post(action, url.Values{}); st != 200 || !strings.Contains(page, "Undone: 1000 contacts removed") {
		t.Fatalf("undo of the interrupted import: %d %s", st, page)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d contacts after the undo", n)
	}
}

// TestDeskWritesInBulkOneAtATime: while a write in bulk runs in the
// account (a restore here, sent from another tab), the desk's import,
// undo and guest list say so — on the page, as a problem, with nothing
// written — and go through once it has ended.
func TestDeskWritesInBulkOneAtATime(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	uid := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["id"].(string)
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": "2026-12-10T18:00:00Z"})
	earlier := s.Do(t, "POST", "/v1/contacts/import", tok, "name,email\nEarlier,earlier@example.org\n", "Content-Type", "text/csv").JSON(t)["import_id"].(string)
	file, err := os.ReadFile("testdata/Connections.csv")
	if err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/import")
	_, page := b.upload("/app/import", "file", "Connections.csv", file, url.Values{})
	confirm := form(page, "/app/import/confirm")
	if confirm == nil {
		t.Fatal("no Import form on the preview")
	}

	_, release, err := s.Idempotency.Hold(t.Context(), uid, idempotency.Bulk, "a backup is being restored into this account", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	const busy = "a backup is being restored into this account already; wait for it to finish"
	if st, page := b.upload("/app/import/confirm", "", "", nil, confirm); st != 200 || !strings.Contains(html.UnescapeString(page), "Not imported: conflict: "+busy) {
		t.Fatalf("import while a restore runs: %d %s", st, page)
	}
	b.get("/app/import")
	if st, page := b.post("/app/imports/"+earlier+"/undo", url.Values{}); st != 200 || !strings.Contains(html.UnescapeString(page), busy) {
		t.Fatalf("undo while a restore runs: %d %s", st, page)
	}
	b.get("/app/events/" + ev + "/guests")
	if st, page := b.upload("/app/events/"+ev+"/guests", "file", "guests.csv", []byte("name,email\nGuest,guest@example.org\n"), url.Values{}); st != 422 || !strings.Contains(html.UnescapeString(page), busy) {
		t.Fatalf("guest list while a restore runs: %d %s", st, page)
	}
	var list struct{ Items []struct{ ID string } }
	s.api(t, "GET", "/v1/contacts", tok, nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d contacts after the refused writes, want the earlier import's 1", len(list.Items))
	}

	release()
	if st, page := b.upload("/app/import/confirm", "", "", nil, confirm); st != 200 || !strings.Contains(page, "3 new, 0 merged") {
		t.Fatalf("import once the restore ended: %d %s", st, page)
	}
}

// TestPagesTakeTurns: the pages run a user's requests in the turns the
// API gives them (a few at a time; here all of them held by requests
// already running): a page waits for one, and is served once one is
// given back.
func TestPagesTakeTurns(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	uid := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["id"].(string)
	b := s.signedIn(t, "ada@example.com", tok)
	running := apptest.HoldTurns(t, s.Requests, uid)
	answered := make(chan int, 1)
	go func() {
		st, _ := b.get("/app/import")
		answered <- st
	}()
	select {
	case st := <-answered:
		t.Fatalf("a page while the user's turns are all held: %d, at once", st)
	case <-time.After(200 * time.Millisecond):
	}
	running[0]()
	if st := <-answered; st != 200 {
		t.Fatalf("the page once a turn was given back: %d", st)
	}
}

// TestContactsForAnotherApp: the import page downloads the contacts as CSV
// and as vCard (the API's exports, on the session): the CSV, imported
// again into another account, makes the same people; the vCard is read by
// vobject as khard and vdirsyncer read it, every card. Only the API gave
// them out.
func TestContactsForAnotherApp(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@acme.example"}, "company": "Acme", "tags": []string{"go", "hiring"}})
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "José Núñez, Jr.", "phones": []string{"+34 600 000 000"}, "notes": "Two\nlines; and a comma, too"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/import")
	mustContain(t, page, `href="/app/export/contacts.csv"`, `href="/app/export/contacts.vcf"`)

	st, csv := b.get("/app/export/contacts.csv")
	if st != 200 || !strings.Contains(csv, "Jane Doe") {
		t.Fatalf("CSV: %d\n%s", st, csv)
	}
	st, vcf := b.get("/app/export/contacts.vcf")
	if st != 200 || strings.Count(vcf, "BEGIN:VCARD") != 2 {
		t.Fatalf("vCard: %d\n%s", st, vcf)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "contacts.vcf"), []byte(vcf), 0o600); err != nil {
		t.Fatal(err)
	}
	tooltest.ValidateVCards(t, dir)

	other := s.signup(t, "bob@example.com")
	b2 := s.signedIn(t, "bob@example.com", other)
	b2.get("/app/import")
	if st, page := b2.upload("/app/import", "file", "contacts.csv", []byte(csv), url.Values{}); st != 200 || !strings.Contains(page, "2 new") {
		t.Fatalf("the CSV previewed in another account: %d\n%.2000s", st, page)
	}
	if _, body := s.visitor(t).get("/app/export/contacts.csv"); strings.Contains(body, "Jane Doe") || !strings.Contains(body, `action="/app/login"`) {
		t.Fatal("the export without a session is not the sign-in page")
	}
}

// TestImportPreviewNamesSkippedRows: the preview's lines skipped or
// changed name the row's person, so the bad rows of a long file can be
// found; a guest list's bad lines name their guest too.
func TestImportPreviewNamesSkippedRows(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/import")
	file := "name,email,company\nJane Good,jane@example.com,Acme\nBob Bad,not an email,Initech\n"
	st, page := b.upload("/app/import", "file", "people.csv", []byte(file), url.Values{})
	if st != 200 {
		t.Fatalf("preview: %d %s", st, page)
	}
	mustContain(t, page, "<li>line 3 (Bob Bad): kept without emails[0]")

	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-24T16:00:00Z"})
	b.get("/app/events/" + ev + "/guests")
	st, page = b.upload("/app/events/"+ev+"/guests", "file", "guests.csv", []byte("name,email\nZoe Quinn,zoe@example.com\nBob Bad,not an email\n"), url.Values{})
	if st != 200 {
		t.Fatalf("guest list: %d %s", st, page)
	}
	mustContain(t, page, "<li>Line 3 (Bob Bad): email: ")
}
