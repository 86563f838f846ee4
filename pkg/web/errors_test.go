package web_test

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestPagesAnswerFailuresWithPages: a request to the pages that fails
// answers with a page a browser shows (the API's status kept), never the
// API's problem+json: a stale form, another user's record, a page that
// does not exist. A refused opening comes back on the contact's page with
// the title as typed.
func TestPagesAnswerFailuresWithPages(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Acme"})
	b := s.signedIn(t, "ada@example.com", tok)
	isPage := func(t *testing.T, what string, st, want int, page string, says ...string) {
		t.Helper()
		if st != want || !strings.HasPrefix(page, "<!doctype html>") || strings.Contains(page, "urn:rapport:problem") {
			t.Fatalf("%s: %d, want %d and a page:\n%.300s", what, st, want, page)
		}
		mustContain(t, page, says...)
	}

	t.Run("ErrOpeningTooLong", func(t *testing.T) {
		_, page := b.get("/app/contacts/" + jane)
		for _, k := range opportunities.Kinds {
			mustContain(t, page, `<option value="`+k+`"`)
		}
		sent := form(page, "/app/contacts/"+jane+"/opportunities")
		long := strings.Repeat("t", 201)
		sent.Set("title", long)
		sent.Set("kind", "advisory")
		st, page := b.post("/app/contacts/"+jane+"/opportunities", sent)
		isPage(t, "an opening's title past 200 characters", st, 422, page,
			"title: is 201 characters long; at most 200", `value="`+long+`"`, `<option value="advisory" selected>`)
		var got struct{ Items []any }
		s.api(t, "GET", "/v1/opportunities", tok, nil, 200, &got)
		if len(got.Items) != 0 {
			t.Fatalf("a refused opening was filed: %v", got.Items)
		}
	})
	t.Run("ErrStaleForm", func(t *testing.T) {
		b.get("/app/contacts/" + jane)
		st, page := b.post("/app/contacts/"+jane+"/opportunities", url.Values{"csrf": {"an-old-one"}, "title": {"CTO"}})
		isPage(t, "a form from a session that ended", st, 403, page,
			"<title>Not allowed · Rapport</title>", "the form is stale or came from another site", "reload the page and send the form again",
			`<a href="/app/today">`, `action="/app/logout"`)
	})
	t.Run("ErrAnotherUsers", func(t *testing.T) {
		eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
		eve.get("/app/contacts")
		st, page := eve.post("/app/contacts/"+jane+"/opportunities", url.Values{"title": {"CTO"}})
		isPage(t, "another user's contact", st, 404, page, "No such contact.")
		// Calendar links: another user's (or none) are not found, and
		// stay; they were said to be revoked.
		var set struct{ ID string }
		s.api(t, "POST", "/v1/feeds", tok, map[string]any{"name": "Laptop"}, 201, &set)
		st, page = eve.post("/app/settings/devices/"+set.ID+"/revoke", url.Values{})
		isPage(t, "another user's calendar links", st, 404, page, "No such calendar links.")
		var feeds struct{ Sets []struct{ ID string } }
		s.api(t, "GET", "/v1/feeds", tok, nil, 200, &feeds)
		if !strings.Contains(fmt.Sprint(feeds), set.ID) {
			t.Fatalf("another user revoked the links: %+v", feeds)
		}
	})
	t.Run("ErrNoSuchPage", func(t *testing.T) {
		st, page := b.get("/app/no-such-page")
		isPage(t, "a page that does not exist", st, 404, page, "<title>Not found · Rapport</title>", "No such page.", `<a href="/app/today">`)
		// Only the pages' own paths: one that merely starts alike is the API's.
		for _, path := range []string{"/calendars-of-mine", "/cards", "/application"} {
			if st, page := b.get(path); st != 404 || !strings.Contains(page, "urn:rapport:problem:not_found") {
				t.Fatalf("GET %s: %d %.200s, want the API's 404", path, st, page)
			}
		}
	})
}

// TestPagesAnswerTheirOwnFailure: when the server fails (here its store
// is closed under it), a page says so with the request id, and the log has
// the cause under that id; the page shows no driver text.
func TestPagesAnswerTheirOwnFailure(t *testing.T) {
	t.Parallel()
	var logged lockedBuffer
	s := MustServe(t, openSignup, func(_ *api.Deps, w *web.Deps) { w.Logger = slog.New(slog.NewTextHandler(&logged, nil)) })
	if s.SQL == nil {
		t.Skip("closing the store under the server is done on SQLite")
	}
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	if err := s.SQL.Close(); err != nil {
		t.Fatal(err)
	}
	st, page := b.get("/app/contacts")
	if st != 500 || !strings.HasPrefix(page, "<!doctype html>") || strings.Contains(page, "sql") {
		t.Fatalf("a failure of the server's: %d\n%s", st, page)
	}
	mustContain(t, page, "<title>Something went wrong · Rapport</title>", "not yours", "under this request id")
	id := regexp.MustCompile(`<code>([0-9a-f]+)</code>`).FindStringSubmatch(page)
	if id == nil {
		t.Fatalf("no request id on the page:\n%s", page)
	}
	if log := logged.tail(1 << 16); !strings.Contains(log, "request_id="+id[1]) || !strings.Contains(log, "closed") {
		t.Fatalf("the log does not have the cause under %s:\n%s", id[1], log)
	}
}
