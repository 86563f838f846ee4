package web_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestContactsTable filters the contacts table (tag, company, event and
// moment, pending follow-up, last contact), sorts it, and applies bulk
// actions: a tag added and removed, a delete that asks first. Another
// user's id in a bulk form is a 404 and changes nothing.
func TestContactsTable(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-20T18:00:00Z"})
	logAt := func(name, moment, company string) string {
		var out struct{ Contact struct{ ID string } }
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": name, "company": company},
			"moment": moment, "met_at": "2026-11-20T19:00:00Z"}, 201, &out)
		return out.Contact.ID
	}
	before := logAt("Bea Before", "before_talk", "Acme")
	after := logAt("Al After", "after_talk", "Initech")
	old := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Olga Old", "tags": []string{"vip"}})
	b := s.signedIn(t, "ada@example.com", tok)
	names := func(page string) string {
		var out []string
		for _, n := range []string{"Al After", "Bea Before", "Olga Old"} {
			if strings.Contains(page, ">"+n+"</a></td>") {
				out = append(out, n)
			}
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"":                                   "Al After,Bea Before,Olga Old",
		"tag=vip":                            "Olga Old",
		"event=" + ev:                        "Al After,Bea Before",
		"event=" + ev + "&moment=after_talk": "Al After",
		"followup=pending":                   "Al After,Bea Before",
		"after=2026-11-19":                   "Al After,Bea Before",
		"before=2026-11-19":                  "Olga Old",
	} {
		st, page := b.get("/app/contacts?" + q)
		if st != 200 {
			t.Fatalf("%s: %d", q, st)
		}
		if got := names(page); got != want {
			t.Errorf("%s: %s, want %s", q, got, want)
		}
	}
	var co struct{ Items []struct{ ID, Name string } }
	s.api(t, "GET", "/v1/companies?q=acme", tok, nil, 200, &co)
	if _, page := b.get("/app/contacts?company=" + co.Items[0].ID); names(page) != "Bea Before" {
		t.Errorf("company filter: %s", names(page))
	}
	if _, page := b.get("/app/contacts?sort=since"); strings.Index(page, "Bea Before") > strings.Index(page, "Olga Old") {
		t.Error("known since: the oldest contact is not first")
	}
	if st, page := b.get("/app/contacts?before=yesterday"); st != 200 || !strings.Contains(page, "must be a date") {
		t.Errorf("a bad date: %d", st)
	}

	// Bulk: tag two, untag one, delete one after the question.
	b.get("/app/contacts")
	if st, page := b.post("/app/contacts/bulk", url.Values{"ids": {before, after}, "action": {"add_tag"}, "tag": {"GoDays-2026"}}); st != 200 || !strings.Contains(page, "Tagged 2 contacts") {
		t.Fatalf("bulk tag: %d", st)
	}
	if _, page := b.get("/app/contacts?tag=godays-2026"); names(page) != "Al After,Bea Before" {
		t.Fatalf("after tagging: %s", names(page))
	}
	if st, page := b.post("/app/contacts/bulk", url.Values{"ids": {after}, "action": {"remove_tag"}, "tag": {"godays-2026"}}); st != 200 || !strings.Contains(page, "Untagged 1 contact “godays-2026”.") {
		t.Fatalf("bulk untag: %d", st)
	}
	if _, page := b.get("/app/contacts?tag=godays-2026"); names(page) != "Bea Before" {
		t.Fatalf("after untagging: %s", names(page))
	}
	st, page := b.post("/app/contacts/bulk", url.Values{"ids": {old}, "action": {"delete"}})
	if st != 200 || !strings.Contains(page, "Delete Olga Old?") {
		t.Fatalf("the question: %d", st)
	}
	s.api(t, "GET", "/v1/contacts/"+old, tok, nil, 200, nil) // not yet
	if st, page = b.post("/app/contacts/bulk", form(page, "/app/contacts/bulk")); st != 200 || !strings.Contains(page, "Deleted Olga Old.") {
		t.Fatalf("delete: %d %s", st, page)
	}
	s.api(t, "GET", "/v1/contacts/"+old, tok, nil, 404, nil)

	// Another user's contact among the ids: 404, nothing changed.
	eveTok := s.signup(t, "eve@example.com")
	theirs := s.create(t, eveTok, "/v1/contacts", map[string]any{"name": "Their Contact"})
	b.get("/app/contacts")
	if st, _ := b.post("/app/contacts/bulk", url.Values{"ids": {before, theirs}, "action": {"delete"}, "confirm": {"yes"}}); st != 404 {
		t.Fatalf("another user's id in a bulk delete: %d", st)
	}
	s.api(t, "GET", "/v1/contacts/"+theirs, eveTok, nil, 200, nil)
	s.api(t, "GET", "/v1/contacts/"+before, tok, nil, 200, nil)
}

// TestDeleteContactFromItsPage: a contact's page offers to delete it; the
// question comes first, keeping goes back to the contact, and deleting
// takes its history with it. Another user's contact is 404.
func TestDeleteContactFromItsPage(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ann@example.com")
	b := s.signedIn(t, "ann@example.com", tok)
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go Meetup", "starts_at": "2026-11-20T18:00:00Z"})
	var logged struct{ Contact struct{ ID string } }
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Max Mistake"}, "moment": "after_talk"}, 201, &logged)
	id := logged.Contact.ID

	_, page := b.get("/app/contacts/" + id)
	mustContain(t, page, `href="/app/contacts/`+id+`/delete"`)
	st, page := b.get("/app/contacts/" + id + "/delete")
	if st != 200 {
		t.Fatalf("the question: %d", st)
	}
	mustContain(t, page, "Delete Max Mistake?", "Keep Max Mistake", `href="/app/contacts/`+id+`"`)
	s.api(t, "GET", "/v1/contacts/"+id, tok, nil, 200, nil) // asking deletes nothing

	eveTok := s.signup(t, "eve@example.com")
	theirs := s.create(t, eveTok, "/v1/contacts", map[string]any{"name": "Their Contact"})
	if st, page := b.get("/app/contacts/" + theirs + "/delete"); st != 404 || strings.Contains(page, "Their Contact") {
		t.Fatalf("another user's contact: %d", st)
	}

	if st, page = b.post("/app/contacts/bulk", form(page, "/app/contacts/bulk")); st != 200 {
		t.Fatalf("delete: %d", st)
	}
	mustContain(t, page, "Deleted Max Mistake.")
	s.api(t, "GET", "/v1/contacts/"+id, tok, nil, 404, nil)
	var encs struct{ Items []any }
	s.api(t, "GET", "/v1/events/"+ev+"/encounters", tok, nil, 200, &encs)
	if len(encs.Items) != 0 {
		t.Fatalf("%d encounters of the deleted contact left", len(encs.Items))
	}
	s.api(t, "GET", "/v1/contacts/"+theirs, eveTok, nil, 200, nil)
}

// TestContactsBulkAllOrNone: a bulk tag among whose contacts one holds
// the most tags already is refused, naming that contact, and tags none of
// them; a bulk delete removes every contact ticked with its history. The
// contacts ticked before the full one were tagged, one at a time.
func TestContactsBulkAllOrNone(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	full := make([]string, 50)
	for i := range full {
		full[i] = fmt.Sprint("t", i)
	}
	bea := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bea", "tags": []string{"vip"}})
	max := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Max", "tags": full})
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/contacts")
	st, page := b.post("/app/contacts/bulk", url.Values{"ids": {bea, max}, "action": {"add_tag"}, "tag": {"rust"}})
	if st != 200 || !strings.Contains(page, "Not tagged: Max has 50 tags already, the most a contact holds.") {
		t.Fatalf("a bulk tag with a full contact among them: %d %s", st, page)
	}
	b.get("/app/contacts")
	st, page = b.post("/app/contacts/bulk", url.Values{"ids": {bea}, "action": {"add_tag"}, "tag": {strings.Repeat("x", 70)}})
	if st != 200 || !strings.Contains(page, "Not tagged: the tag is 70 characters long") {
		t.Fatalf("a tag too long: %d %s", st, page)
	}
	var got struct{ Tags []string }
	s.api(t, "GET", "/v1/contacts/"+bea, tok, nil, 200, &got)
	if strings.Join(got.Tags, ",") != "vip" {
		t.Fatalf("Bea's tags after the refusals: %v", got.Tags)
	}
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-20T18:00:00Z"})
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": bea, "moment": "other"}, 201, nil)
	b.get("/app/contacts")
	if st, page = b.post("/app/contacts/bulk", url.Values{"ids": {bea, max}, "action": {"delete"}, "confirm": {"yes"}}); st != 200 || !strings.Contains(page, "Deleted 2 contacts.") {
		t.Fatalf("bulk delete: %d", st)
	}
	for _, id := range []string{bea, max} {
		s.api(t, "GET", "/v1/contacts/"+id, tok, nil, 404, nil)
	}
	var encs struct{ Items []any }
	s.api(t, "GET", "/v1/events/"+ev+"/encounters", tok, nil, 200, &encs)
	if len(encs.Items) != 0 {
		t.Fatalf("%d encounters of the deleted contacts left", len(encs.Items))
	}
}

// TestContactsTableSortedPages: sorted by last contact, the table pages
// through every contact in that order (the next page keeps the order),
// TestContactsTableAnyCompany: the company filter reaches every company,
// typed by name in any spelling its key folds, or by id from a link; it
// offered the first 200 by name, and the others (an import from LinkedIn
// brings hundreds) could not be picked. A name no company has says so,
// and shows nobody rather than everybody.
func TestContactsTableAnyCompany(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	for i := range 200 {
		s.create(t, tok, "/v1/companies", map[string]any{"name": fmt.Sprintf("Co %03d", i)})
	}
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Amy Early", "company": "Co 000"})
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Zed Zeller", "company": "Zeta Corp"})
	var co struct{ Items []struct{ ID, Name string } }
	s.api(t, "GET", "/v1/companies?q=zeta", tok, nil, 200, &co)
	if len(co.Items) != 1 {
		t.Fatalf("companies named zeta: %+v", co.Items)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	rows := func(page string) string {
		var out []string
		for _, n := range []string{"Amy Early", "Zed Zeller"} {
			if strings.Contains(page, ">"+n+"</a></td>") {
				out = append(out, n)
			}
		}
		return strings.Join(out, ",")
	}
	for _, q := range []string{"zeta  corp", "ZETA Corp.", co.Items[0].ID} {
		st, page := b.get("/app/contacts?company=" + url.QueryEscape(q))
		if st != 200 || rows(page) != "Zed Zeller" {
			t.Errorf("company=%q: %d, rows %q, want Zed Zeller", q, st, rows(page))
		}
		if q == co.Items[0].ID && !strings.Contains(page, `name="company" type="text" list="f-companies" autocomplete="off" value="Zeta Corp"`) {
			t.Errorf("by id: the filter does not show the company's name")
		}
	}
	st, page := b.get("/app/contacts?company=Nobody+Inc")
	if st != 200 || rows(page) != "" || !strings.Contains(html.UnescapeString(page), "no company of yours is named “Nobody Inc”") ||
		!strings.Contains(page, "Nobody matches these filters.") {
		t.Errorf("an unknown company: %d, rows %q", st, rows(page))
	}
}

// the never contacted last; no sort here is capped.
func TestContactsTableSortedPages(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	var want, ids []string
	for i := range 56 {
		name := fmt.Sprintf("Person %02d", i)
		id := s.create(t, tok, "/v1/contacts", map[string]any{"name": name})
		ids = append(ids, id)
		if i < 53 { // the last three were never contacted
			s.api(t, "POST", "/v1/contacts/"+id+"/interactions", tok, map[string]any{"kind": "email",
				"at": s.Clock.Now().Add(-time.Duration(i) * time.Hour).Format(time.RFC3339)}, 201, nil)
		}
		want = append(want, name)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	rowRe := regexp.MustCompile(`>(Person \d+)</a></td>`)
	var got []string
	path := "/app/contacts?sort=last"
	for pages := 0; path != "" && pages < 5; pages++ {
		_, page := b.get(path)
		for _, m := range rowRe.FindAllStringSubmatch(page, -1) {
			got = append(got, m[1])
		}
		path = ""
		if m := regexp.MustCompile(`href="(/app/contacts\?page=[^"]+)">Next page`).FindStringSubmatch(page); m != nil {
			path = html.UnescapeString(m[1])
			if !strings.Contains(path, "sort=last") {
				t.Fatalf("the next page forgets the order: %s", path)
			}
		}
	}
	// Latest contact first: Person 00 (an hour ago is Person 01, …), then
	// the three never contacted, the greatest id first (ids made in one
	// millisecond are in no order, so not necessarily the newest first).
	never := []int{53, 54, 55}
	sort.Slice(never, func(a, b int) bool { return ids[never[a]] > ids[never[b]] })
	neverNames := []string{want[never[0]], want[never[1]], want[never[2]]}
	if fmt.Sprint(got) != fmt.Sprint(append(append([]string{}, want[:53]...), neverNames...)) {
		t.Fatalf("by last contact over the pages:\n%v", got)
	}
	if _, page := b.get("/app/contacts?sort=sideways"); !strings.Contains(page, "is one of name, last and since") {
		t.Error("an unknown order is not refused")
	}
}

// TestContactsTableWhenEmpty: a new account's table says there is nobody
// yet and where people come from; a filter that matches nobody says so.
func TestContactsTableWhenEmpty(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	for _, q := range []string{"", "?sort=last"} {
		_, page := b.get("/app/contacts" + q)
		mustContain(t, page, `No contacts yet: <a href="/app">log someone you met</a>`, `<a href="/app/import">import the people you know</a>`)
		if strings.Contains(page, "Nobody matches these filters") {
			t.Errorf("%q: an empty account's table says no contact matches its filters", q)
		}
	}
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Olga Old"})
	_, page := b.get("/app/contacts?tag=vip")
	mustContain(t, page, "Nobody matches these filters.")
	if strings.Contains(page, "No contacts yet") {
		t.Error("a filter matching nobody says there are no contacts")
	}
}
