package api_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestSearch drives GET /v1/search end to end: records written through
// the API are found by folded prefixes with their people and events
// named, the query is checked, another user's words are never found, and
// the phone's contact search uses it.
func TestSearch(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	jose := s.MustCreateContact(t, tok, map[string]any{"name": "José Núñez", "company": "Globex"})
	grace := s.MustCreateContact(t, tok, map[string]any{"name": "Grace Hopper"})
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "GoDays Berlin", "starts_at": "2026-11-20T18:00:00Z", "ends_at": "2026-11-20T21:00:00Z",
		"talks": []map[string]any{{"title": "Kubernetes in anger", "speaker": "Rob Pike"}}})
	enc := s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact_id": jose, "moment": "after_talk",
		"topics": []string{"flame graphs"}, "notes": "wants the slides"})["encounter"].(map[string]any)["id"].(string)
	intro := s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jose, grace}, "context": "both profile Go services"})["id"].(string)
	s.MustCreateContact(t, eve, map[string]any{"name": "Eve Flame"})

	items := func(token, query string) []map[string]any {
		t.Helper()
		r := s.Do(t, "GET", "/v1/search?"+query, token, nil)
		MustStatus(t, r, 200)
		var out []map[string]any
		for _, it := range r.JSON(t)["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	got := items(tok, "q=flame")
	if len(got) != 1 || got[0]["type"] != "encounter" || got[0]["id"] != enc || got[0]["title"] != "José Núñez at GoDays Berlin" ||
		got[0]["contact_id"] != jose || got[0]["event_id"] != ev || got[0]["at"] == nil || !strings.Contains(got[0]["snippet"].(string), "flame") {
		t.Fatalf("flame: %v", got)
	}
	if got := items(tok, "q=PROFILE+go"); len(got) != 1 || got[0]["id"] != intro || got[0]["title"] != "José Núñez ↔ Grace Hopper" {
		t.Fatalf("intro: %v", got)
	}
	if got := items(tok, "q=jose"); len(got) == 0 || got[0]["id"] != jose || got[0]["title"] != "José Núñez" {
		t.Fatalf("jose: %v", got)
	}
	if got := items(tok, "q=kube&types=event,company"); len(got) != 1 || got[0]["id"] != ev || got[0]["title"] != "GoDays Berlin" {
		t.Fatalf("kube: %v", got)
	}
	if got := items(tok, "q="+url.QueryEscape(`flame" OR "eve`)); len(got) != 0 {
		t.Fatalf("an operator matched: %v", got)
	}
	if got := items(eve, "q=flame"); len(got) != 1 || got[0]["title"] != "Eve Flame" {
		t.Fatalf("Eve's search: %v", got)
	}
	// One folding for search and q=, ø ł đ ß æ included (issue 24.14).
	jan := s.MustCreateContact(t, tok, map[string]any{"name": "Jan Sørensen", "company": "Łódź Straße Æsir"})
	for _, q := range []string{"sorensen", "SØRENSEN", "strasse", "lodz", "aesir"} {
		if got := items(tok, "types=contact&q="+url.QueryEscape(q)); len(got) != 1 || got[0]["id"] != jan {
			t.Errorf("search %s: %v", q, got)
		}
		r := s.Do(t, "GET", "/v1/contacts?q="+url.QueryEscape(q), tok, nil)
		if MustStatus(t, r, 200); !strings.Contains(string(r.Body), jan) {
			t.Errorf("contacts q=%s: %s", q, r.Body)
		}
	}
	if r := s.Do(t, "GET", "/v1/contacts?q=nunez", tok, nil); !strings.Contains(string(r.Body), jose) {
		t.Errorf("contacts q=nunez: %s", r.Body)
	}
	MustProblem(t, s.Do(t, "GET", "/v1/search?q=+*+", tok, nil), 422, "q")
	MustProblem(t, s.Do(t, "GET", "/v1/search?q=go&types=people", tok, nil), 422, "types")
	MustProblem(t, s.Do(t, "GET", "/v1/search?q=go&limit=500", tok, nil), 422, "limit")
	MustProblem(t, s.Do(t, "GET", "/v1/search?q="+strings.Repeat("x", 300), tok, nil), 422, "q")
	MustStatus(t, s.Do(t, "GET", "/v1/search?q=go", "", nil), 401)
}
