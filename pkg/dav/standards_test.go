package dav_test

import (
	"encoding/xml"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// TestPutETagOnlyWhenStoredAsSent: a PUT whose stored form differs from
// what was sent (a card without the generated section, a task whose
// SUMMARY edit is ignored) answers without an ETag, so the client reads
// it again (RFC 6352 §6.3.2.3, RFC 4791 §5.3.4); a card sent back exactly
// as served keeps its ETag.
func TestPutETagOnlyWhenStoredAsSent(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	path := dav.BookPath + c.ID + ".vcf"
	r := s.do(t, u, "GET", path, "")
	served, etag := body(t, r), r.Header.Get("ETag")

	r = s.do(t, u, "PUT", path, served, "Content-Type", "text/vcard", "If-Match", etag)
	if r.StatusCode/100 != 2 || r.Header.Get("ETag") != etag {
		t.Fatalf("PUT of the card as served: %d, ETag %q, want %q", r.StatusCode, r.Header.Get("ETag"), etag)
	}

	i := strings.Index(served, "NOTE:")
	j := strings.Index(served[i:], "\r\n")
	for j+i+2 < len(served) && served[i+j+2] == ' ' { // a folded NOTE goes on
		j += 2 + strings.Index(served[i+j+2:], "\r\n")
	}
	edited := served[:i] + "NOTE:Likes punch cards.\\nCall after 10." + served[i+j:]
	edited = strings.Replace(edited, "TITLE:", "TITLE:x", 1)
	edited = strings.Replace(edited, "FN:", "TITLE:Countess\r\nFN:", 1)
	r = s.do(t, u, "PUT", path, edited, "Content-Type", "text/vcard", "If-Match", etag)
	if r.StatusCode/100 != 2 {
		t.Fatalf("PUT: %d %s", r.StatusCode, body(t, r))
	}
	if got := r.Header.Get("ETag"); got != "" {
		t.Fatalf("PUT of a card stored otherwise answered ETag %s", got)
	}
	if got, _ := s.crm.Contacts.Store.Contact(t.Context(), u.ID, c.ID); got.Title != "Countess" || got.Notes != "Likes punch cards.\nCall after 10." {
		t.Fatalf("stored title %q notes %q", got.Title, got.Notes)
	}

	// A task whose SUMMARY the client changed: ignored, so no ETag.
	f := s.pending(t, u)[0]
	tpath := dav.TaskListPath + f.ID + ".ics"
	r = s.do(t, u, "GET", tpath, "")
	task, tag := body(t, r), r.Header.Get("ETag")
	task = strings.Replace(task, "SUMMARY:", "SUMMARY:Renamed ", 1)
	r = s.do(t, u, "PUT", tpath, task, "Content-Type", "text/calendar", "If-Match", tag)
	if r.StatusCode/100 != 2 {
		t.Fatalf("PUT task: %d %s", r.StatusCode, body(t, r))
	}
	if got := r.Header.Get("ETag"); got != "" {
		t.Fatalf("PUT of a task stored otherwise answered ETag %s", got)
	}
}

// TestRevFollowsTheCard: logging another encounter rewrites the card's
// NOTE, and its REV, ETag and Last-Modified move with it.
func TestRevFollowsTheCard(t *testing.T) {
	t.Parallel() // it waits out MongoDB's journal window: beside the others that do
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	path := dav.BookPath + c.ID + ".vcf"
	rev := func() (string, string) {
		r := s.do(t, u, "GET", path, "")
		for _, l := range strings.Split(body(t, r), "\r\n") {
			if v, ok := strings.CutPrefix(l, "REV:"); ok {
				return v, r.Header.Get("ETag")
			}
		}
		t.Fatal("no REV")
		return "", ""
	}
	rev1, etag1 := rev()
	ev := s.eventOf(t, u)
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) // REV counts seconds
	if _, err := s.crm.LogEncounter(t.Context(), u.User, ev, contacts.EncounterInput{ContactID: c.ID, Moment: "before_talk", Notes: "again"}); err != nil {
		t.Fatal(err)
	}
	rev2, etag2 := rev()
	if rev2 == rev1 || etag2 == etag1 {
		t.Fatalf("after an encounter REV %s → %s, ETag %s → %s", rev1, rev2, etag1, etag2)
	}
}

// TestTaskSaysWhereYouMet: a reminder's DESCRIPTION names the event where
// the encounter was, and its day (PRODUCT.md §6).
func TestTaskSaysWhereYouMet(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	f := s.pending(t, u)[0]
	r := s.do(t, u, "GET", dav.TaskListPath+f.ID+".ics", "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET task: %d", r.StatusCode)
	}
	unfolded := strings.ReplaceAll(body(t, r), "\r\n ", "")
	if !strings.Contains(unfolded, "DESCRIPTION:Met at Go Meetup Berlin on Tue 24 Nov 2026") {
		t.Fatalf("task:\n%s", unfolded)
	}
}

// TestCardNamesAreEachUsersOwn: a resource name a client gives a new card
// is only that user's name for it (PRODUCT.md §2): it never becomes an id,
// so another user may use the same name, and a name can neither take an
// id before the server hands it out nor tell whether another user's id
// exists. A named card deleted is reported by sync-collection under its
// name.
func TestCardNamesAreEachUsersOwn(t *testing.T) {
	t.Parallel() // it waits out MongoDB's journal window: beside the others that do
	s := serve(t)
	a := s.signup(t, "a@example.com")
	b := s.signup(t, "b@example.com")
	ctx := t.Context()
	put := func(u *user, name, fn string) {
		t.Helper()
		card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + fn + "\r\nUID:uid-" + name + "\r\nEND:VCARD\r\n"
		if r := s.do(t, u, "PUT", dav.BookPath+name+".vcf", card, "Content-Type", "text/vcard", "If-None-Match", "*"); r.StatusCode != http.StatusCreated {
			t.Fatalf("%s PUT %s: %d %s", u.Email, name, r.StatusCode, body(t, r))
		}
	}
	put(b, "shared-name", "Bob's card")
	put(a, "shared-name", "Alice's card")
	for _, u := range []*user{a, b} {
		page, err := s.crm.Contacts.Store.Contacts(ctx, u.ID, contacts.Filter{Limit: 10})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("%s has %d contacts, %v", u.Email, len(page.Items), err)
		}
		if id := page.Items[0].ID; id == "shared-name" || len(id) != 36 {
			t.Fatalf("a card's name became the id %q", id)
		}
	}
	if r := s.do(t, a, "GET", dav.BookPath+"shared-name.vcf", ""); !strings.Contains(body(t, r), "Alice's card") {
		t.Fatalf("a's card under the shared name: %d", r.StatusCode)
	}
	// b's contact made through the API, after b's PUTs, is unaffected.
	if _, err := s.crm.CreateContact(ctx, b.User, contacts.Input{Name: "Carol"}); err != nil {
		t.Fatal(err)
	}

	cl := s.client(t, a)
	if os.Getenv("RAPPORT_TEST_ENGINE") == "mongodb" {
		time.Sleep(2100 * time.Millisecond) // the journal's token is a time there
	}
	first, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.do(t, a, "DELETE", dav.BookPath+"shared-name.vcf", ""); r.StatusCode/100 != 2 {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	if os.Getenv("RAPPORT_TEST_ENGINE") == "mongodb" {
		time.Sleep(2100 * time.Millisecond)
	}
	next, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: first.SyncToken})
	if err != nil || !slices.Contains(next.Deleted, dav.BookPath+"shared-name.vcf") {
		t.Fatalf("sync after deleting a named card: deleted %v, %v", next.Deleted, err)
	}
}

// TestHTTPMethodsAsTheRFCsSay: HEAD and a conditional GET of a card, 201
// for a new card and 204 for an update, 405 with an honest Allow for what
// is not served (OPTIONS advertises only what is), an empty PROPFIND body
// as allprop, a Depth 0 propname on a collection with its names, and
// PROPPATCH refusing every property in one propstat.
func TestHTTPMethodsAsTheRFCsSay(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	path := dav.BookPath + c.ID + ".vcf"

	get := s.do(t, u, "GET", path, "")
	etag := get.Header.Get("ETag")
	head := s.do(t, u, "HEAD", path, "")
	if head.StatusCode != http.StatusOK || head.Header.Get("ETag") != etag || body(t, head) != "" {
		t.Fatalf("HEAD: %d, ETag %q (GET %q)", head.StatusCode, head.Header.Get("ETag"), etag)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		if r := s.do(t, u, "GET", path, "", "If-None-Match", inm); r.StatusCode != http.StatusNotModified || r.Header.Get("ETag") != etag {
			t.Fatalf("GET If-None-Match %s: %d", inm, r.StatusCode)
		}
	}
	if r := s.do(t, u, "GET", path, "", "If-None-Match", `"other"`); r.StatusCode != http.StatusOK {
		t.Fatalf("GET If-None-Match of another ETag: %d", r.StatusCode)
	}

	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace\r\nEND:VCARD\r\n"
	if r := s.do(t, u, "PUT", dav.BookPath+"grace.vcf", card, "Content-Type", "text/vcard"); r.StatusCode != http.StatusCreated {
		t.Fatalf("PUT of a new card: %d", r.StatusCode)
	}
	card = strings.Replace(card, "FN:Grace", "FN:Grace Hopper", 1)
	if r := s.do(t, u, "PUT", dav.BookPath+"grace.vcf", card, "Content-Type", "text/vcard"); r.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT of an update: %d, want 204", r.StatusCode)
	}

	methodsAndProperties(t, s, u, path)
}

// methodsAndProperties: the DAV methods the tree does not serve are 405 with
// Allow, OPTIONS lists what it does, and PROPFIND and PROPPATCH answer as
// RFC 4918 says (path is a card's).
func methodsAndProperties(t *testing.T, s *server, u *user, path string) {
	// Every method of the DAV family the tree does not serve (dav.Methods
	// past the three it does).
	for _, m := range dav.Methods {
		if m == "PROPFIND" || m == "PROPPATCH" || m == "REPORT" {
			continue
		}
		for _, p := range []string{dav.BookPath, path, dav.TaskListPath} {
			r := s.do(t, u, m, p, "")
			if allow := r.Header.Get("Allow"); r.StatusCode != http.StatusMethodNotAllowed || allow == "" || strings.Contains(allow, m) {
				t.Fatalf("%s %s: %d, Allow %q", m, p, r.StatusCode, allow)
			}
		}
	}
	for _, p := range []string{dav.BookPath, dav.TaskListPath, dav.PrincipalPath} {
		r := s.do(t, u, "OPTIONS", p, "")
		if allow := r.Header.Get("Allow"); strings.Contains(allow, "MKCOL") || strings.Contains(allow, "DELETE") || !strings.Contains(allow, "PROPFIND") {
			t.Fatalf("OPTIONS %s: Allow %q", p, allow)
		}
	}
	if allow := s.do(t, u, "OPTIONS", path, "").Header.Get("Allow"); !strings.Contains(allow, "PUT") || !strings.Contains(allow, "HEAD") {
		t.Fatalf("OPTIONS of a card: Allow %q", allow)
	}

	for _, p := range []string{dav.PrincipalPath, dav.BookPath, path, dav.TasksPrincipal} {
		r := s.do(t, u, "PROPFIND", p, "", "Depth", "0", "Content-Type", "application/xml")
		if b := body(t, r); r.StatusCode != http.StatusMultiStatus || !strings.Contains(b, "200 OK") {
			t.Fatalf("an empty PROPFIND of %s: %d\n%s", p, r.StatusCode, b)
		}
	}
	r := s.do(t, u, "PROPFIND", dav.BookPath, `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>`, "Depth", "0")
	if b := body(t, r); !strings.Contains(b, "<d:propstat>") || !strings.Contains(b, "displayname") || strings.Contains(b, "Rapport</") {
		t.Fatalf("propname of the address book:\n%s", b)
	}

	r = s.do(t, u, "PROPPATCH", dav.BookPath, `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><d:displayname>Mine</d:displayname><x:color>red</x:color></d:prop></d:set></d:propertyupdate>`,
		"Content-Type", "application/xml")
	b := body(t, r)
	if r.StatusCode != http.StatusMultiStatus || strings.Count(b, "<d:status>") != 1 || !strings.Contains(b, "403 Forbidden") ||
		!strings.Contains(b, "displayname") || !strings.Contains(b, "color") || strings.Contains(b, "<prop><prop") {
		t.Fatalf("PROPPATCH: %d\n%s", r.StatusCode, b)
	}
}

// TestPropfindIsBounded: a PROPFIND may name at most dav.MaxProps
// properties, may not ask for Depth: infinity nor for the cards' data, and
// its body is small; within those bounds the answer of a collection is at
// most a few kilobytes a card, however many properties are named.
func TestPropfindIsBounded(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	for i := range 25 {
		if _, err := s.crm.CreateContact(t.Context(), u.User, contacts.Input{Name: "Person " + strings.Repeat("x", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	propfind := func(n int) string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:x="urn:x"><d:prop><d:getetag/>`)
		for i := range n - 1 {
			b.WriteString("<x:p" + strings.Repeat("q", i%7) + "/>")
		}
		b.WriteString(`</d:prop></d:propfind>`)
		return b.String()
	}
	r := s.do(t, u, "PROPFIND", dav.BookPath, propfind(dav.MaxProps), "Depth", "1")
	b := body(t, r)
	if r.StatusCode != http.StatusMultiStatus || strings.Count(b, "<d:response>") != 26 || strings.Count(b, "<d:getetag>") != 25 {
		t.Fatalf("PROPFIND of %d properties: %d, %d responses", dav.MaxProps, r.StatusCode, strings.Count(b, "<d:response>"))
	}
	if perCard := len(b) / 26; perCard > 8<<10 {
		t.Fatalf("the answer is %d bytes a card", perCard)
	}
	if r := s.do(t, u, "PROPFIND", dav.BookPath, propfind(dav.MaxProps+1), "Depth", "1"); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("PROPFIND of %d properties: %d, want 400", dav.MaxProps+1, r.StatusCode)
	}
	// The attack as it was reported: 80,000 properties in 960 KB.
	big := strings.Replace(propfind(2), "<x:p/>", strings.Repeat("<x:p/>", 80_000), 1)
	if r := s.do(t, u, "PROPFIND", dav.BookPath, big, "Depth", "1"); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("PROPFIND of 80,000 properties: %d, want 413", r.StatusCode)
	}
	if r := s.do(t, u, "PROPFIND", dav.BookPath, propfind(2), "Depth", "infinity"); r.StatusCode != http.StatusForbidden || !strings.Contains(body(t, r), "propfind-finite-depth") {
		t.Fatalf("Depth: infinity: %d", r.StatusCode)
	}
	data := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><c:address-data/></d:prop></d:propfind>`
	if r := s.do(t, u, "PROPFIND", dav.BookPath, data, "Depth", "1"); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("address-data in a PROPFIND: %d, want 400", r.StatusCode)
	}
}

// TestQueryFilters: task queries honour VTODO time-ranges, text-match is
// case-insensitive by default and honours negate-condition, is-not-defined
// excludes a defined property; an address-book query matches any EMAIL of
// a card, and one cut by its limit says so with a 507 (RFC 6352 §8.6.1).
func TestQueryFilters(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	if _, err := s.crm.CreateContact(t.Context(), u.User, contacts.Input{Name: "Grace Hopper", Emails: []string{"grace@navy.example", "GRACE@home.example"}}); err != nil {
		t.Fatal(err)
	}
	fs := s.pending(t, u)
	tasks := func(filter string) int {
		t.Helper()
		r := s.do(t, u, "REPORT", dav.TaskListPath, `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>`+
			`<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO">`+filter+`</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`,
			"Depth", "1", "Content-Type", "application/xml")
		b := body(t, r)
		if r.StatusCode != http.StatusMultiStatus {
			t.Fatalf("calendar-query %s: %d %s", filter, r.StatusCode, b)
		}
		return strings.Count(b, "</href>")
	}
	due := fs[0].DueAt
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{``, len(fs)},
		{`<c:time-range start="` + due.Add(-time.Hour).Format("20060102T150405Z") + `" end="` + due.Add(time.Hour).Format("20060102T150405Z") + `"/>`, 1},
		{`<c:time-range start="20000101T000000Z" end="20000102T000000Z"/>`, 0},
		{`<c:time-range start="20000101T000000Z"/>`, len(fs)},
		{`<c:prop-filter name="SUMMARY"><c:text-match>ADA LOVELACE</c:text-match></c:prop-filter>`, len(fs)},
		{`<c:prop-filter name="SUMMARY"><c:text-match negate-condition="yes">ada lovelace</c:text-match></c:prop-filter>`, 0},
		{`<c:prop-filter name="SUMMARY"><c:text-match collation="i;octet">ADA LOVELACE</c:text-match></c:prop-filter>`, 0},
		{`<c:prop-filter name="DESCRIPTION"><c:is-not-defined/></c:prop-filter>`, 0},
		{`<c:prop-filter name="X-NOT-THERE"><c:is-not-defined/></c:prop-filter>`, len(fs)},
	} {
		if got := tasks(tc.filter); got != tc.want {
			t.Errorf("tasks matching %s: %d, want %d", tc.filter, got, tc.want)
		}
	}

	cards := func(filter, limit string) string {
		t.Helper()
		r := s.do(t, u, "REPORT", dav.BookPath, `<?xml version="1.0"?><c:addressbook-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop>`+
			`<c:filter>`+filter+`</c:filter>`+limit+`</c:addressbook-query>`, "Depth", "1", "Content-Type", "application/xml")
		if r.StatusCode != http.StatusMultiStatus {
			t.Fatalf("addressbook-query: %d", r.StatusCode)
		}
		return body(t, r)
	}
	if b := cards(`<c:prop-filter name="EMAIL"><c:text-match match-type="starts-with">grace@home</c:text-match></c:prop-filter>`, ""); strings.Count(b, "<href>") != 1 {
		t.Errorf("the second EMAIL, another case:\n%s", b)
	}
	if b := cards(`<c:prop-filter name="FN"><c:text-match negate-condition="yes">grace</c:text-match></c:prop-filter>`, ""); strings.Count(b, "<href>") != 1 || strings.Contains(b, "Grace") {
		t.Errorf("negated FN:\n%s", b)
	}
	b := cards(`<c:prop-filter name="FN"/>`, `<c:limit><c:nresults>1</c:nresults></c:limit>`)
	if strings.Count(b, "getetag") < 2 || !strings.Contains(b, "507") || !strings.Contains(b, "number-of-matches-within-limits") {
		t.Errorf("a query cut by its limit:\n%s", b)
	}
}

// TestVCard4WhenAsked: the address book advertises vCard 3.0 and 4.0 and
// serves each when asked for it (address-data's version, GET's Accept);
// 3.0 otherwise.
func TestVCard4WhenAsked(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	path := dav.BookPath + c.ID + ".vcf"
	if b := body(t, s.do(t, u, "GET", path, "")); !strings.Contains(b, "VERSION:3.0") {
		t.Fatalf("default:\n%s", b)
	}
	if b := body(t, s.do(t, u, "GET", path, "", "Accept", "text/vcard; version=4.0")); !strings.Contains(b, "VERSION:4.0") {
		t.Fatalf("GET asking for 4.0:\n%s", b)
	}
	for version, want := range map[string]string{"4.0": "VERSION:4.0", "3.0": "VERSION:3.0"} {
		r := s.do(t, u, "REPORT", dav.BookPath, `<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/>`+
			`<c:address-data content-type="text/vcard" version="`+version+`"/></d:prop><d:href>`+path+`</d:href></c:addressbook-multiget>`, "Depth", "1", "Content-Type", "application/xml")
		if b := body(t, r); !strings.Contains(b, want) {
			t.Fatalf("multiget asking for %s:\n%s", version, b)
		}
	}
}

// TestErrorsCarryNoDriverText: a card or task that is not there is a 404
// saying so, without the store's own words (PRODUCT.md §2).
func TestErrorsCarryNoDriverText(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	for _, tc := range []struct{ method, path string }{
		{"GET", dav.BookPath + "nobody.vcf"}, {"DELETE", dav.BookPath + "nobody.vcf"},
		{"GET", dav.TaskListPath + "nothing.ics"}, {"DELETE", dav.TaskListPath + "nothing.ics"},
	} {
		r := s.do(t, u, tc.method, tc.path, "")
		b := strings.ToLower(body(t, r))
		if r.StatusCode != http.StatusNotFound || strings.Contains(b, "sql") || strings.Contains(b, "rows") || strings.Contains(b, "mongo") || strings.Contains(b, "document") {
			t.Errorf("%s %s: %d %q", tc.method, tc.path, r.StatusCode, b)
		}
	}
}

// TestTasksFolded: a task's lines are folded at 75 octets (RFC 5545
// §3.1), never inside a character, as GET, a calendar-query and a
// sync-collection serve it (go-ical writes a line of any length), and the
// folded task reads back with the whole note.
func TestTasksFolded(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	f := s.pending(t, u)[0]
	note := strings.Repeat("Ask about the FFI notes, é and 日本. ", 8)
	if _, err := s.crm.Followups.Update(t.Context(), u.ID, f.ID, followup.Patch{Note: &note}); err != nil {
		t.Fatal(err)
	}
	check := func(what, served string) {
		t.Helper()
		for _, l := range strings.Split(served, "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) {
				t.Errorf("%s: a line of %d octets, UTF-8 %v: %q", what, len(l), utf8.ValidString(l), l)
			}
		}
		cal, err := ical.NewDecoder(strings.NewReader(served)).Decode()
		if err != nil {
			t.Fatalf("%s does not read: %v", what, err)
		}
		if d, _ := cal.Children[0].Props.Text(ical.PropDescription); !strings.Contains(d, strings.TrimSpace(note)) {
			t.Errorf("%s lacks the note: %q", what, d)
		}
	}
	r := s.do(t, u, "GET", dav.TaskListPath+f.ID+".ics", "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET task: %d", r.StatusCode)
	}
	check("GET", body(t, r))
	for what, report := range map[string]string{
		"calendar-query": `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>` +
			`<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/></c:comp-filter></c:filter></c:calendar-query>`,
		"sync-collection": `<d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token/><d:sync-level>1</d:sync-level>` +
			`<d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>`,
	} {
		r = s.do(t, u, "REPORT", dav.TaskListPath, `<?xml version="1.0"?>`+report, "Depth", "1", "Content-Type", "application/xml")
		var ms struct {
			Responses []struct {
				Data string `xml:"propstat>prop>calendar-data"`
			} `xml:"response"`
		}
		if err := xml.NewDecoder(r.Body).Decode(&ms); err != nil || r.StatusCode != http.StatusMultiStatus {
			t.Fatalf("%s: %d %v", what, r.StatusCode, err)
		}
		found := false
		for _, resp := range ms.Responses {
			if strings.Contains(resp.Data, f.ID) {
				check(what, resp.Data)
				found = true
			}
		}
		if !found {
			t.Fatalf("%s did not serve the task: %+v", what, ms)
		}
	}
}
