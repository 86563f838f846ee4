package dav_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
)

// TestSyncCollection: the address book offers sync-collection; an empty
// token gets every card, and later tokens get exactly what changed since —
// an edited contact, a contact met again, a deleted one — and nothing when
// nothing changed. On MongoDB a token also returns what was journaled in
// the two seconds before it (writes may land out of seq order there), so
// the test lets that window pass before it takes a token it checks exactly.
func TestSyncCollection(t *testing.T) {
	t.Parallel() // it waits out MongoDB's journal window: beside the others that do
	settle := func() {
		if os.Getenv("RAPPORT_TEST_ENGINE") == "mongodb" {
			time.Sleep(2100 * time.Millisecond)
		}
	}
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ada := s.ada(t, u)
	ctx := t.Context()
	grace, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: "Grace Hopper", Emails: []string{"grace@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	alan, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: "Alan Turing"})
	if err != nil {
		t.Fatal(err)
	}

	r := s.do(t, u, "PROPFIND", dav.BookPath, `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:sync-token/><cs:getctag/><d:supported-report-set/><d:displayname/><d:quota-used-bytes/></d:prop></d:propfind>`,
		"Depth", "0", "Content-Type", "application/xml")
	props := body(t, r)
	for _, want := range []string{"<d:sync-token>urn:rapport:sync:cards:", "<cs:getctag>", "<d:sync-collection/>", "<d:displayname>Rapport</d:displayname>", "quota-used-bytes", "404 Not Found"} {
		if !strings.Contains(props, want) {
			t.Errorf("PROPFIND of the address book lacks %q:\n%s", want, props)
		}
	}

	cl := s.client(t, u)
	settle()
	first, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil || len(first.Updated) != 3 || first.SyncToken == "" {
		t.Fatalf("initial sync: %d cards, token %q, %v", len(first.Updated), first.SyncToken, err)
	}
	none, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: first.SyncToken})
	if err != nil || len(none.Updated)+len(none.Deleted) != 0 {
		t.Fatalf("nothing changed, sync returned %d updated and %d deleted, %v", len(none.Updated), len(none.Deleted), err)
	}

	settle()
	if _, err := s.crm.UpdateContact(ctx, u.User, grace.ID, []byte(`{"title":"Rear Admiral"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.crm.DeleteContact(ctx, u.ID, alan.ID); err != nil {
		t.Fatal(err)
	}
	settle() // the token this sync returns is checked exactly below
	next, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: none.SyncToken, DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Updated) != 1 || !strings.HasSuffix(next.Updated[0].Path, grace.ID+".vcf") || next.Updated[0].ETag == "" {
		t.Fatalf("after an edit: updated %+v", next.Updated)
	}
	if len(next.Deleted) != 1 || !strings.HasSuffix(next.Deleted[0], alan.ID+".vcf") {
		t.Fatalf("after a delete: deleted %v", next.Deleted)
	}

	w := &syncScenario{s: s, u: u, ada: ada, cl: cl, settle: settle, first: first, next: next}
	w.meetingAgain(t)
	w.tokensAndOthers(t)
}

// syncScenario is what TestSyncCollection's steps share: the server, the
// user, their Ada and CardDAV client, settle, and the syncs so far.
type syncScenario struct {
	s                  *server
	u                  *user
	ada                *contacts.Contact
	cl                 *carddav.Client
	settle             func()
	first, next, again *carddav.SyncResponse
}

// meetingAgain: meeting Ada again changes her card, also through an
// encounter logged late, dated before her last contact.
func (w *syncScenario) meetingAgain(t *testing.T) {
	s, u, ada, cl, settle, next := w.s, w.u, w.ada, w.cl, w.settle, w.next
	ctx := t.Context()
	// Meeting Ada again changes her card's "How we met".
	settle()
	if _, err := s.crm.LogEncounter(ctx, u.User, s.eventOf(t, u), contacts.EncounterInput{ContactID: ada.ID, Moment: "before_talk"}); err != nil {
		t.Fatal(err)
	}
	again, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: next.SyncToken})
	if err != nil || len(again.Updated) != 1 || !strings.HasSuffix(again.Updated[0].Path, ada.ID+".vcf") {
		t.Fatalf("after meeting Ada again: %+v, %v", again.Updated, err)
	}
	// An encounter logged late, dated before her last contact, leaves her
	// contact as it was but changes her card: it is journaled itself.
	settle()
	earlier := time.Now().Add(-72 * time.Hour).Format(time.RFC3339)
	if _, err := s.crm.LogEncounter(ctx, u.User, s.eventOf(t, u), contacts.EncounterInput{ContactID: ada.ID, Moment: "after_talk", MetAt: earlier}); err != nil {
		t.Fatal(err)
	}
	late, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: again.SyncToken})
	if err != nil || len(late.Updated) != 1 || !strings.HasSuffix(late.Updated[0].Path, ada.ID+".vcf") {
		t.Fatalf("after an encounter logged late: %+v, %v", late.Updated, err)
	}
	w.again = again
}

// tokensAndOthers: a foreign token and one older than the pruned journal are
// refused; another user sees none of my cards; a completed follow-up comes
// back through the task list's sync.
func (w *syncScenario) tokensAndOthers(t *testing.T) {
	s, u, cl, first, again := w.s, w.u, w.cl, w.first, w.again
	ctx := t.Context()
	// A token that is not ours is refused, so the client starts over.
	if _, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: "urn:other:1"}); err == nil {
		t.Fatal("a foreign sync token was accepted")
	}

	// Pruned down to the newest change, an old token asks for a full sync
	// (403 valid-sync-token); a full sync still works.
	if _, err := s.changes.Prune(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: first.SyncToken}); err == nil {
		t.Fatal("a token older than the pruned journal was accepted")
	}
	if all, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{}); err != nil || len(all.Updated) != 2 {
		t.Fatalf("full sync after pruning: %v, %v", all, err)
	}

	// Another user sees none of mine, from scratch or with my token.
	other := s.signup(t, "other@example.com")
	ocl := s.client(t, other)
	got, err := ocl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{})
	if err != nil || len(got.Updated)+len(got.Deleted) != 0 {
		t.Fatalf("another user's full sync: %v, %v", got, err)
	}
	if got, err := ocl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: again.SyncToken}); err == nil && len(got.Updated)+len(got.Deleted) != 0 {
		t.Fatalf("another user with my token: %d updated, %d deleted", len(got.Updated), len(got.Deleted))
	}

	// Tasks: a completed follow-up comes back through the task list's sync.
	tr := s.do(t, u, "REPORT", dav.TaskListPath, `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
		"Content-Type", "application/xml")
	tasks := body(t, tr)
	if tr.StatusCode != 207 || strings.Count(tasks, "<d:response>") != len(s.pending(t, u)) || !strings.Contains(tasks, "urn:rapport:sync:tasks:") {
		t.Fatalf("task sync: %d\n%s", tr.StatusCode, tasks)
	}
}

// eventOf returns the id of one of the user's events.
func (s *server) eventOf(t *testing.T, u *user) string {
	t.Helper()
	evs, err := s.crm.Events.Store.AllEvents(t.Context(), u.ID)
	if err != nil || len(evs) == 0 {
		t.Fatalf("no event: %v", err)
	}
	return evs[0].ID
}

// TestTasksAgeOut: a completed task leaves the list DoneKept after it was
// done, which no write announces; the sweep's AgeOut journals it, so a
// client syncing with a token from while it was listed gets it as deleted.
func TestTasksAgeOut(t *testing.T) {
	t.Parallel() // it waits out MongoDB's journal window: beside the others that do
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	ctx := t.Context()
	f, err := s.crm.Followups.MarkDone(ctx, u.ID, s.pending(t, u)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	sync := func(token string) string {
		t.Helper()
		r := s.do(t, u, "REPORT", dav.TaskListPath, `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>`+token+
			`</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`, "Content-Type", "application/xml")
		if r.StatusCode != 207 {
			t.Fatalf("sync: %d", r.StatusCode)
		}
		return body(t, r)
	}
	first := sync("")
	if !strings.Contains(first, f.ID) {
		t.Fatalf("the done task is not listed:\n%s", first)
	}
	token := first[strings.Index(first, "urn:rapport:sync:tasks:"):]
	token = token[:strings.Index(token, "<")]
	if os.Getenv("RAPPORT_TEST_ENGINE") == "mongodb" {
		time.Sleep(2100 * time.Millisecond) // past the token's replay window
	}

	s.later.Store(int64(dav.DoneKept + time.Hour))
	from, to := dav.AgeOutWindow(f.EndedAt.Add(-time.Minute+dav.DoneKept), f.EndedAt.Add(time.Minute+dav.DoneKept))
	if n, err := s.changes.AgeOut(ctx, from, to); err != nil || n != 1 {
		t.Fatalf("AgeOut: %d, %v", n, err)
	}
	got := sync(token)
	at := strings.Index(got, f.ID)
	if at < 0 || !strings.Contains(got[at:], "404") {
		t.Fatalf("after the task left the list, the sync does not drop it:\n%s", got)
	}
	if full := sync(""); strings.Contains(full, f.ID) {
		t.Fatalf("a full sync still lists the aged task:\n%s", full)
	}
}

// TestCardsChangeWithTheJournal: a card's ETag is the same however it is
// read (the whole book, a multiget, alone), and it changes only when the
// journal lists the card, so a client that syncs by sync-collection holds
// the ETag a PUT is checked against. An edit of an intro's other side or
// of an event shows on no card until a name or a title changes; renaming
// the other side lists the card, a change of time zone lists every card,
// and moving an event lists the tasks that name it.
func TestCardsChangeWithTheJournal(t *testing.T) {
	t.Parallel() // it waits out MongoDB's journal window: beside the others that do
	// No settling on MongoDB (see TestSyncCollection): every check below is
	// of a card or task listed, never of one left out, and a token that
	// also returns what was journaled in the two seconds before it lists
	// more, not less.
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	ada := s.ada(t, u)
	grace, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: "Grace Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.crm.CreateIntro(ctx, u.User, contacts.IntroInput{ContactIDs: []string{ada.ID, grace.ID}}); err != nil {
		t.Fatal(err)
	}
	cl := s.client(t, u)
	adaPath := dav.BookPath + ada.ID + ".vcf"
	// The ETag of Ada's card read alone, and in the whole book's listing.
	etags := func() (alone, listed string) {
		t.Helper()
		obj, err := cl.GetAddressObject(ctx, adaPath)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Trim(obj.ETag, `"`), s.listedETag(t, u, ada.ID)
	}
	alone, listed := etags()
	if alone != listed {
		t.Fatalf("Ada's card read alone has ETag %s, listed %s", alone, listed)
	}
	tok, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Grace's title and the event's place are on neither Ada's card nor in
	// the journal for it (a second on: REV counts seconds).
	time.Sleep(1100 * time.Millisecond)
	if _, err := s.crm.UpdateContact(ctx, u.User, grace.ID, []byte(`{"title":"Rear Admiral"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.crm.UpdateEvent(ctx, u.User, s.eventOf(t, u), []byte(`{"location":"Kreuzberg"}`)); err != nil {
		t.Fatal(err)
	}
	if a, l := etags(); a != alone || l != listed {
		t.Fatalf("Ada's ETag moved with nothing on her card: %s, %s (was %s)", a, l, alone)
	}
	// Grace's new name is on Ada's card ("Introduced to"): the journal
	// lists it, and its ETag moves the same everywhere.
	if _, err := s.crm.UpdateContact(ctx, u.User, grace.ID, []byte(`{"name":"Grace B. Hopper"}`)); err != nil {
		t.Fatal(err)
	}
	next, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: tok.SyncToken})
	if err != nil {
		t.Fatal(err)
	}
	var listedAda bool
	for _, o := range next.Updated {
		listedAda = listedAda || o.Path == adaPath
	}
	if !listedAda {
		t.Fatalf("renaming Grace changed Ada's card, and the sync lists %+v", next.Updated)
	}
	renamed, _ := etags()
	if a, l := etags(); a != l || a == alone {
		t.Fatalf("after the rename Ada's ETag is %s alone, %s listed (was %s)", a, l, alone)
	}

	// The dates on every card are in the user's time zone: moving lists
	// them all.
	if _, err := s.acc.UpdateSettings(ctx, u.ID, []byte(`{"timezone":"Asia/Tokyo"}`)); err != nil {
		t.Fatal(err)
	}
	moved, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: next.SyncToken})
	if err != nil || len(moved.Updated) != 2 {
		t.Fatalf("after a change of time zone the sync lists %+v, %v; want both cards", moved.Updated, err)
	}
	if a, l := etags(); a != l || a == renamed {
		t.Fatalf("after a change of time zone Ada's ETag is %s alone, %s listed (was %s)", a, l, renamed)
	}

	// A task names the event it follows up and its day.
	tasksSince := func(token string) (string, int) {
		t.Helper()
		r := s.do(t, u, "REPORT", dav.TaskListPath, `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>`+token+
			`</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`, "Content-Type", "application/xml")
		ms := body(t, r)
		m := regexp.MustCompile(`<d:sync-token>([^<]+)</d:sync-token>`).FindStringSubmatch(ms)
		if r.StatusCode != 207 || m == nil {
			t.Fatalf("task sync: %d\n%s", r.StatusCode, ms)
		}
		return m[1], strings.Count(ms, "<d:response>")
	}
	taskToken, _ := tasksSince("")
	if _, err := s.crm.UpdateEvent(ctx, u.User, s.eventOf(t, u), []byte(`{"starts_at":"2026-11-25T18:00:00Z"}`)); err != nil {
		t.Fatal(err)
	}
	if _, n := tasksSince(taskToken); n == 0 {
		t.Fatal("after the event moved a day the task sync lists none of its tasks")
	}
}

// TestSyncCollectionSeesNamedCards: an edit on the desk to a card a phone
// made (named by the phone) or a restore kept (named by the contact's old
// id), and meeting that contact again, reach sync-collection as an update
// of the card under its own name. The journal names a changed contact by
// its id, which finds no card so named: the sync answered a 404 for an
// href no client knew, and the phone never saw the edit.
func TestSyncCollectionSeesNamedCards(t *testing.T) {
	t.Parallel() // it waits out MongoDB's journal window: beside the others that do
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nUID:phone-uid-1\r\nEND:VCARD\r\n"
	if r := s.do(t, u, "PUT", dav.BookPath+"phone-made-1.vcf", card, "Content-Type", "text/vcard", "If-None-Match", "*"); r.StatusCode != http.StatusCreated {
		t.Fatalf("PUT: %d %s", r.StatusCode, body(t, r))
	}
	doc := `{"format":"rapport-backup","version":1,"contacts":[{"id":"c1","name":"Jane Doe","created_at":"2026-11-01T18:00:00Z","updated_at":"2026-11-01T18:00:00Z"}]}`
	if _, err := backup.Import(ctx, s.crm, s.acc, s.holds, u.User, strings.NewReader(doc)); err == nil {
		t.Fatal("a restore into an account with a contact")
	}
	other := s.signup(t, "restored@example.com")
	if _, err := backup.Import(ctx, s.crm, s.acc, s.holds, other.User, strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		u    *user
		href string
	}{{u, dav.BookPath + "phone-made-1.vcf"}, {other, dav.BookPath + "c1.vcf"}} {
		if os.Getenv("RAPPORT_TEST_ENGINE") == "mongodb" {
			time.Sleep(2100 * time.Millisecond)
		}
		cl := s.client(t, tc.u)
		first, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{})
		if err != nil || len(first.Updated) != 1 || first.Updated[0].Path != tc.href {
			t.Fatalf("initial sync: %+v, %v", first, err)
		}
		page, err := s.crm.Contacts.Store.Contacts(ctx, tc.u.ID, contacts.Filter{Limit: 1})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("contacts: %v", err)
		}
		if _, err := s.crm.UpdateContact(ctx, tc.u.User, page.Items[0].ID, []byte(`{"title":"Rear admiral"}`)); err != nil {
			t.Fatal(err)
		}
		res, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: first.SyncToken})
		if err != nil || len(res.Updated) != 1 || res.Updated[0].Path != tc.href || len(res.Deleted) != 0 {
			t.Fatalf("sync after an edit on the desk: %+v, %v; want %s updated", res, err, tc.href)
		}
		if r := s.do(t, tc.u, "GET", tc.href, ""); !strings.Contains(body(t, r), "TITLE:Rear admiral\r\n") {
			t.Errorf("%s after the edit: %d", tc.href, r.StatusCode)
		}
	}
}
