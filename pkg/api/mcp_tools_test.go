package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
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

// TestBriefKeepsTheNewestMeetings: with more meetings than a brief lists,
// it shows the newest, newest first, and the topics of all of them.
func TestBriefKeepsTheNewestMeetings(t *testing.T) {
	s := MustServe(t, openSignup)
	uid, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, nil)
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane"})
	for i := 0; i < 260; i++ {
		s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact_id": jane, "moment": "other", "followup": false,
			"met_at": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).Format(time.RFC3339), "topics": []string{fmt.Sprint("t", i)}})
	}
	b, err := s.CRM.Brief(t.Context(), uid, jane)
	if err != nil {
		t.Fatal(err)
	}
	newest := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(259 * time.Hour)
	if len(b.Met) != 50 || !b.Met[0].MetAt.Equal(newest) || !b.Met[49].MetAt.Equal(newest.Add(-49*time.Hour)) {
		t.Fatalf("%d meetings, first %v, last %v", len(b.Met), b.Met[0].MetAt, b.Met[len(b.Met)-1].MetAt)
	}
	if len(b.Topics) != 260 || b.Topics[0] != "t0" {
		t.Fatalf("%d topics, first %q", len(b.Topics), b.Topics[0])
	}
	if first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); b.FirstMetAt == nil || !b.FirstMetAt.Equal(first) {
		t.Fatalf("first met %v, want %v (pages past the kept 50)", b.FirstMetAt, first)
	}
}

// TestMCPLogsLateAtTheEvent: an assistant told of a meeting two weeks
// after the event, with no met_at, logs it at the event's time for the
// moment (its end after the talk), as the desk does, and the new contact
// is known since then; a met_at given stands, and a meeting at an event
// on now is dated now. The API keeps PRODUCT.md's default of now.
func TestMCPLogsLateAtTheEvent(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	old := s.MustCreateEvent(t, tok, map[string]any{"title": "Rust Night", "starts_at": "2026-11-10T18:00:00Z", "ends_at": "2026-11-10T21:00:00Z"})
	today := s.MustCreateEvent(t, tok, map[string]any{"title": "Go Night", "starts_at": "2026-11-24T16:00:00Z"})
	cs := mustMCP(t, s, tok)
	for _, c := range []struct {
		name, event, moment, metAt, want string
	}{
		{"Jose Valim", old, "after_talk", "", "2026-11-10T21:00:00Z"},
		{"Ann Before", old, "before_talk", "", "2026-11-10T17:59:00Z"}, // before the talk, which starts with the event
		{"Bob Given", old, "other", "2026-11-10T19:15:00Z", "2026-11-10T19:15:00Z"},
		{"Cat Today", today, "after_talk", "", "2026-11-24T17:00:00Z"},
	} {
		args := map[string]any{"event_id": c.event, "moment": c.moment, "contact": map[string]any{"name": c.name}}
		if c.metAt != "" {
			args["met_at"] = c.metAt
		}
		out, errText := call(t, cs, "log_encounter", args)
		if errText != "" {
			t.Fatalf("%s: %s", c.name, errText)
		}
		enc, contact := out["encounter"].(map[string]any), out["contact"].(map[string]any)
		if enc["met_at"] != c.want || contact["known_since"] != c.want || contact["last_contacted_at"] != c.want {
			t.Errorf("%s: met_at %v, known_since %v, last contact %v; want all %s", c.name, enc["met_at"], contact["known_since"], contact["last_contacted_at"], c.want)
		}
	}
	r := s.Do(t, "POST", "/v1/events/"+old+"/encounters", tok, map[string]any{"moment": "after_talk", "contact": map[string]any{"name": "Dan API"}})
	MustStatus(t, r, 201)
	if got := r.JSON(t)["encounter"].(map[string]any)["met_at"]; got != "2026-11-24T17:00:00Z" {
		t.Errorf("the API dated a met_at left out %v, want now (PRODUCT.md)", got)
	}
}
