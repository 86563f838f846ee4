package api_test

import (
	"fmt"
	"net/url"
	"testing"
)

func TestEvents(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}), 200)

	t.Run("OK_CreateDefaults", func(t *testing.T) {
		e := s.MustCreate(t, tok, "/v1/events", map[string]any{
			"title": "Go meetup", "starts_at": "2026-11-24T18:30:00+01:00",
			"talks": []map[string]any{{"title": "Generics in anger", "speaker": "Rob"}}, "tags": []string{"go", "Go", " backend "},
		})
		for k, want := range map[string]any{
			"kind": "meetup", "status": "planned", "timezone": "Europe/Berlin", "sequence": 0.0,
			"starts_at": "2026-11-24T17:30:00Z", "ends_at": "2026-11-24T19:30:00Z",
		} {
			if got := e[k]; got != want {
				t.Errorf("%s=%v, want %v", k, got, want)
			}
		}
		if got := fmt.Sprint(e["tags"]); got != "[go backend]" {
			t.Errorf("tags=%s, want [go backend] (trimmed, deduplicated case-insensitively)", got)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		MustProblem(t, s.Do(t, "POST", "/v1/events", tok, map[string]any{"kind": "party", "starts_at": "tomorrow", "url": "javascript:alert(1)"}),
			422, "title", "kind", "starts_at", "url")
		MustProblem(t, s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "x", "starts_at": "2026-11-24T18:00:00Z", "ends_at": "2026-11-24T17:00:00Z"}), 422, "ends_at")
		MustProblem(t, s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "x", "starts_at": "2026-11-24T18:00:00Z", "talks": []map[string]any{{"speaker": "nobody"}}}), 422, "talks[0].title")
		MustProblem(t, s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": map[string]any{"$gt": ""}, "starts_at": "2026-11-24T18:00:00Z"}), 422, "title")
		tags := make([]string, 51)
		for i := range tags {
			tags[i] = fmt.Sprint("t", i)
		}
		MustProblem(t, s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "x", "starts_at": "2026-11-24T18:00:00Z", "tags": tags}), 422, "tags")
	})
	t.Run("OK_PatchSequence", func(t *testing.T) {
		id := s.MustCreateEvent(t, tok, map[string]any{"title": "Conf", "starts_at": "2026-12-01T09:00:00Z", "ends_at": "2026-12-01T17:00:00Z", "notes": "n"})
		r := s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"notes": "bring cards"})
		MustStatus(t, r, 200)
		if got := r.JSON(t)["sequence"]; got != 0.0 {
			t.Fatalf("sequence=%v after a notes change, want 0", got)
		}
		r = s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"starts_at": "2026-12-02T09:00:00Z"})
		MustStatus(t, r, 200)
		e := r.JSON(t)
		if e["sequence"] != 1.0 || e["ends_at"] != "2026-12-02T17:00:00Z" || e["notes"] != "bring cards" {
			t.Fatalf("after moving: %v; want sequence 1, same duration, notes kept", e)
		}
		r = s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"location": "Berlin", "status": "attended"})
		if got := r.JSON(t)["sequence"]; got != 2.0 {
			t.Fatalf("sequence=%v, want 2", got)
		}
		r = s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"notes": nil})
		if got := r.JSON(t)["notes"]; got != "" {
			t.Fatalf("notes=%v after null, want empty", got)
		}
		MustProblem(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"status": "maybe", "sequence": 9}), 422, "sequence")
		MustProblem(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"status": "maybe"}), 422, "status")
	})
	t.Run("OK_ListFilters", func(t *testing.T) {
		s := MustServe(t)
		_, tok := s.MustSignup(t, "ada@example.com")
		for i := 0; i < 7; i++ {
			tags := []string{"ai"}
			if i%2 == 0 {
				tags = []string{"golang"}
			}
			s.MustCreateEvent(t, tok, map[string]any{"title": fmt.Sprintf("Event %d (c++ night)", i),
				"starts_at": fmt.Sprintf("2026-11-%02dT18:00:00Z", 10+i), "tags": tags})
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/events?from=2026-11-12T00:00:00Z&to=2026-11-15T00:00:00Z", tok, nil))); got != 3 {
			t.Errorf("range: %d events, want 3", got)
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/events?tag=GOLANG", tok, nil))); got != 4 {
			t.Errorf("tag: %d events, want 4", got)
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/events?q="+url.QueryEscape("C++ NIGHT"), tok, nil))); got != 7 {
			t.Errorf("q with regex metacharacters: %d events, want 7", got)
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/events?q="+url.QueryEscape(".*"), tok, nil))); got != 0 {
			t.Errorf("q=.* matched %d events; it must be plain text", got)
		}
		// Page through all with limit 3: 3 + 3 + 1, in starts_at order, no repeats.
		var seen []string
		cursor := ""
		for pages := 0; pages < 5; pages++ {
			r := s.Do(t, "GET", "/v1/events?limit=3&cursor="+cursor, tok, nil)
			MustStatus(t, r, 200)
			var p struct {
				Items      []struct{ Title string }
				NextCursor string `json:"next_cursor"`
			}
			r.Decode(t, &p)
			for _, it := range p.Items {
				seen = append(seen, it.Title)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if got := fmt.Sprint(seen); got != "[Event 0 (c++ night) Event 1 (c++ night) Event 2 (c++ night) Event 3 (c++ night) Event 4 (c++ night) Event 5 (c++ night) Event 6 (c++ night)]" {
			t.Errorf("paged titles=%s", got)
		}
		MustProblem(t, s.Do(t, "GET", "/v1/events?limit=201", tok, nil), 422, "limit")
		MustProblem(t, s.Do(t, "GET", "/v1/events?cursor=garbage", tok, nil), 422, "cursor")
		MustProblem(t, s.Do(t, "GET", "/v1/events?from=yesterday", tok, nil), 422, "from")
	})
	t.Run("OK_Delete", func(t *testing.T) {
		id := s.MustCreateEvent(t, tok, nil)
		MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+id, tok, nil), 204)
		MustProblem(t, s.Do(t, "GET", "/v1/events/"+id, tok, nil), 404)
		MustProblem(t, s.Do(t, "DELETE", "/v1/events/"+id, tok, nil), 404)
	})
}
