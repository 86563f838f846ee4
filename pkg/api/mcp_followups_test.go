package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestMCPListsDoneLatestFirst: list_followups lists done follow-ups the
// latest due first, and its next_cursor, passed back as cursor, is the
// next page. An assistant asking what was done lately got the oldest, and
// had no way to the rest.
func TestMCPListsDoneLatestFirst(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	c := s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "Grace Hopper"}).JSON(t)
	for day := 1; day <= 7; day++ {
		f := s.Do(t, "POST", "/v1/followups", tok, map[string]any{"contact_id": c["id"], "due_at": fmt.Sprintf("2026-12-%02dT09:00:00Z", day),
			"note": fmt.Sprint("step ", day)}).JSON(t)
		if day <= 5 {
			MustStatus(t, s.Do(t, "POST", "/v1/followups/"+f["id"].(string)+"/done", tok, nil), 200)
		}
	}
	cs := mustMCP(t, s, tok)
	list := func(args map[string]any) ([]string, any) {
		t.Helper()
		res, msg := call(t, cs, "list_followups", args)
		if msg != "" {
			t.Fatalf("list_followups(%v): %s", args, msg)
		}
		var notes []string
		for _, it := range res["items"].([]any) {
			notes = append(notes, it.(map[string]any)["note"].(string))
		}
		return notes, res["next_cursor"]
	}
	first, next := list(map[string]any{"status": "done", "limit": 2})
	if got := strings.Join(first, ", "); got != "step 5, step 4" || next == nil {
		t.Fatalf("done, 2 a page: %s (next %v); want the latest two, the latest first, and a next page", got, next)
	}
	second, _ := list(map[string]any{"status": "done", "limit": 2, "cursor": next})
	if got := strings.Join(second, ", "); got != "step 3, step 2" {
		t.Fatalf("done, the next page: %s; want step 3, step 2", got)
	}
	if pending, _ := list(map[string]any{}); strings.Join(pending, ", ") != "step 6, step 7" {
		t.Fatalf("pending: %v; want the soonest due first", pending)
	}
	if _, msg := call(t, cs, "list_followups", map[string]any{"status": "done", "cursor": "not a cursor"}); !strings.Contains(msg, "cursor") {
		t.Fatalf("list_followups with a bad cursor: %q; want an error naming cursor", msg)
	}
}
