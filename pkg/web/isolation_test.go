package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/routetest"
)

// TestEveryPageHidesAnotherUsersRecords: every page and form of the desk
// that names a record in its path answers another user's record with 404,
// and changes nothing of it. The routes are read from the app, not listed
// here: a route added with an id this test does not know fails it until
// the test is given a record of that kind.
func TestEveryPageHidesAnotherUsersRecords(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	ada := s.signup(t, "ada@example.com")
	mine := adasRecords(t, s, ada)
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	csrf := eve.csrf()

	for _, rt := range routetest.Paths(t, s.Routes, "/app/", func(route string) bool { return strings.Contains(route, ":") }, mine) {
		method, path := rt.Method, rt.Path
		var code int
		if method == "GET" {
			code, _ = eve.get(path)
		} else {
			v := plausibleForm(mine)
			v.Set("csrf", csrf)
			code, _ = eve.post(path, v)
		}
		if code != http.StatusNotFound {
			t.Errorf("Eve's %s %s with Ada's record: %d, want 404", method, path, code)
		}
	}
	mine.untouched(t, s, ada)
}

// TestNoFormTakesAnotherUsersIDs: every form of the desk, sent with
// another user's contact or event in each field that names a record (the
// other person of an intro or a merge, the event met at, the contacts of a
// bulk action, an opportunity's source and recruiters, a guest), links
// nothing of theirs: the user's backup names none of their ids afterwards,
// and theirs is as it was.
func TestNoFormTakesAnotherUsersIDs(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	ada := s.signup(t, "ada@example.com")
	mine := adasRecords(t, s, ada)
	eve := s.signup(t, "eve@example.com")
	theirs := []string{s.create(t, eve, "/v1/contacts", map[string]any{"name": "Mallory"}),
		s.create(t, eve, "/v1/events", map[string]any{"title": "Eve's party", "starts_at": "2026-11-20T18:00:00Z"})}
	b := s.signedIn(t, "ada@example.com", ada)
	csrf := b.csrf()
	for _, rt := range mine.forms(t, s) {
		for _, id := range theirs {
			v := plausibleForm(mine)
			v.Set("csrf", csrf)
			for _, f := range []string{"other_id", "merge_other", "other", "event_id", "ids", "attendee_id", "source", "recruiters", "contact_id"} {
				v.Set(f, id)
			}
			v.Set("form_id", "theirs-"+id)
			if code, _ := b.post(rt.Path, v); code >= 500 || code == http.StatusForbidden { // 403: the form was not read
				t.Errorf("%s with another user's %s: %d", rt.Route, id, code)
			}
		}
	}
	if backup := string(s.Do(t, "GET", "/v1/export", ada, nil).Body); strings.Contains(backup, theirs[0]) || strings.Contains(backup, theirs[1]) {
		t.Errorf("Ada's records name another user's:\n%.3000s", backup)
	}
	var got struct{ Items []struct{ ID, Name string } }
	s.api(t, "GET", "/v1/contacts", eve, nil, 200, &got)
	if len(got.Items) != 1 || got.Items[0].Name != "Mallory" {
		t.Errorf("Eve's contacts after Ada's forms: %+v", got.Items)
	}
	var evs struct{ Items []struct{ ID, Title string } }
	s.api(t, "GET", "/v1/events", eve, nil, 200, &evs)
	if len(evs.Items) != 1 || evs.Items[0].Title != "Eve's party" {
		t.Errorf("Eve's events after Ada's forms: %+v", evs.Items)
	}
}

// adas are Ada's records, one of each kind a page's path names, keyed by
// the path before the id (or the parameter's name).
type adas map[string]string

// adasRecords makes one record of each kind for the user of tok (a
// followed calendar's feed served for the test).
func adasRecords(t *testing.T, s *server, tok string) adas {
	t.Helper()
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		fmt.Fprint(w, feedOf(1))
	}))
	t.Cleanup(feed.Close)
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Acme"})
	kim := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Kim"})
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": "2026-11-20T18:00:00Z"})
	var enc struct{ Encounter struct{ ID string } }
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": jane, "moment": "after_talk"}, 201, &enc)
	s.api(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": []map[string]any{{"name": "Zed"}}}, 200, nil)
	var att struct{ Items []struct{ ID string } }
	s.api(t, "GET", "/v1/events/"+ev+"/attendees", tok, nil, 200, &att)
	var co struct{ Items []struct{ ID string } }
	s.api(t, "GET", "/v1/companies", tok, nil, 200, &co)
	imp, _ := s.Do(t, "POST", "/v1/contacts/import", tok, "name,email\nImported,imported@example.com\n", "Content-Type", "text/csv").JSON(t)["import_id"].(string)
	var set struct{ ID string }
	s.api(t, "POST", "/v1/feeds", tok, map[string]any{"name": "Laptop"}, 201, &set)
	if len(att.Items) != 1 || len(co.Items) != 1 || imp == "" {
		t.Fatalf("Ada's records: %d attendees, %d companies, import %q", len(att.Items), len(co.Items), imp)
	}
	mine := adas{
		"/app/contacts/":                jane,
		"/app/events/":                  ev,
		":eid":                          enc.Encounter.ID,
		":aid":                          att.Items[0].ID,
		"/app/followups/":               s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2026-12-01T09:00:00Z"}),
		"/app/intros/":                  s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, kim}}),
		"/app/pipeline/":                s.create(t, tok, "/v1/opportunities", map[string]any{"title": "CTO", "kind": "job"}),
		"/app/companies/":               co.Items[0].ID,
		"/app/interactions/":            s.create(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "call"}),
		"/app/calendars/":               s.create(t, tok, "/v1/calendars", map[string]any{"url": feed.URL + "/go.ics"}),
		"/app/imports/":                 imp,
		"/app/settings/devices/tokens/": s.create(t, tok, "/v1/tokens", map[string]any{"name": "Phone"}),
		"/app/settings/devices/":        set.ID,
		"other":                         kim,
	}
	// One record of each kind (pkg/kinds), whose pages are /app/<name>.
	for _, k := range s.CRM.Kinds {
		mine["/app/"+k.Name()+"/"] = s.create(t, tok, "/v1/"+k.Name(), json.RawMessage(k.Example()))
	}
	return mine
}

// forms are the desk's forms (its POST routes) filled with Ada's records,
// but those that would end the session or the account; those that take
// records away (delete, merge, undo, revoke, restore, bulk actions) come
// last, so that each form before them finds hers.
func (mine adas) forms(t *testing.T, s *server) []routetest.Path {
	t.Helper()
	forms := routetest.Paths(t, s.Routes, "/app/", func(route string) bool {
		p, ok := strings.CutPrefix(route, "POST /app/")
		return ok && !strings.HasPrefix(p, "log") && !strings.HasPrefix(p, "sign") && p != "settings/delete" && p != "settings/password"
	}, mine)
	takes := func(route string) bool {
		return strings.Contains(route, "delete") || strings.Contains(route, "merge") || strings.Contains(route, "bulk") ||
			strings.Contains(route, "undo") || strings.Contains(route, "revoke") || strings.Contains(route, "restore")
	}
	sort.SliceStable(forms, func(i, j int) bool { return !takes(forms[i].Route) && takes(forms[j].Route) })
	return forms
}

// plausibleForm is a form each of the desk's forms would take, so that a
// refusal comes from whose record it is, not from what was typed.
func plausibleForm(mine adas) url.Values {
	v := url.Values{"form_id": {"isolation"}}
	for k, x := range map[string]string{"name": "Jane Roe", "title": "CTO", "kind": "call", "moment": "after_talk", "note": "hi",
		"notes": "hi", "due": "2026-12-10", "days": "7", "stage": "applied", "status": "accepted", "outcome": "went well",
		"other_id": mine["other"], "merge_other": mine["other"], "confirm": "yes", "sure": "yes", "context": "both hiring",
		"starts_at": "2026-12-10T18:00", "email": "jane@example.com", "text": "hi", "company": "Acme"} {
		v.Set(k, x)
	}
	return v
}

// untouched checks that Ada's records are all there, as they were.
func (mine adas) untouched(t *testing.T, s *server, tok string) {
	t.Helper()
	for path, want := range map[string][2]string{
		"/v1/contacts/" + mine["/app/contacts/"]:      {"name", "Jane Doe"},
		"/v1/events/" + mine["/app/events/"]:          {"title", "Go meetup"},
		"/v1/intros/" + mine["/app/intros/"]:          {"status", "made"},
		"/v1/opportunities/" + mine["/app/pipeline/"]: {"stage", "lead"},
		"/v1/companies/" + mine["/app/companies/"]:    {"name", "Acme"},
		"/v1/calendars/" + mine["/app/calendars/"]:    {"url", "/go.ics"},
		"/v1/followups/" + mine["/app/followups/"]:    {"status", "pending"},
	} {
		var got map[string]any
		s.api(t, "GET", path, tok, nil, 200, &got)
		if v, _ := got[want[0]].(string); !strings.HasSuffix(v, want[1]) {
			t.Errorf("%s: %s is %q, want %q", path, want[0], v, want[1])
		}
	}
	var lists struct{ Items []map[string]any }
	for path, want := range map[string]string{
		"/v1/followups?status=pending":                             mine["/app/followups/"],
		"/v1/contacts/" + mine["/app/contacts/"] + "/interactions": mine["/app/interactions/"],
		"/v1/events/" + mine["/app/events/"] + "/encounters":       mine[":eid"],
		"/v1/events/" + mine["/app/events/"] + "/attendees":        mine[":aid"],
		"/v1/tokens":  mine["/app/settings/devices/tokens/"],
		"/v1/imports": mine["/app/imports/"],
	} {
		lists.Items = nil
		s.api(t, "GET", path, tok, nil, 200, &lists)
		if !strings.Contains(fmt.Sprint(lists.Items), want) || strings.Contains(fmt.Sprint(lists.Items), "undone_at:20") {
			t.Errorf("%s lost or changed Ada's %s: %v", path, want, lists.Items)
		}
	}
	for _, k := range s.CRM.Kinds {
		var got map[string]any
		s.api(t, "GET", "/v1/"+k.Name()+"/"+mine["/app/"+k.Name()+"/"], tok, nil, 200, &got)
		if got["created_at"] != got["updated_at"] {
			t.Errorf("another user changed Ada's %s: %v", k.Name(), got)
		}
	}
	var feeds struct{ Sets []struct{ ID string } }
	s.api(t, "GET", "/v1/feeds", tok, nil, 200, &feeds)
	if !strings.Contains(fmt.Sprint(feeds.Sets), mine["/app/settings/devices/"]) {
		t.Errorf("another user revoked Ada's calendar links: %v", feeds.Sets)
	}
}
