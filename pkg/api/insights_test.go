package api_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestInsights seeds an account with known numbers and checks them exactly.
// Window: [2026-08-26T17:00Z, 2026-11-24T17:00Z), previous [2026-05-28T17:00Z, 2026-08-26T17:00Z).
func TestInsights(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, other := s.MustSignup(t, "eve@example.com")
	now := s.Clock.Now()
	at := func(ts string) { tt, _ := time.Parse(time.RFC3339, ts); s.Clock.Add(tt.Sub(s.Clock.Now())) }

	e1 := s.MustCreateEvent(t, tok, map[string]any{"title": "E1", "starts_at": "2026-10-01T18:00:00Z", "tags": []string{"Go", "AI "},
		"talks": []map[string]any{{"title": "Intro to #WASM", "speaker": "Rob Pike"}, {"title": "#go tips", "speaker": "rob pike"}}})
	e2 := s.MustCreateEvent(t, tok, map[string]any{"title": "E2", "starts_at": "2026-11-01T18:00:00Z", "tags": []string{"go"},
		"talks": []map[string]any{{"title": "LLMs", "speaker": "Ada"}}})
	e3 := s.MustCreateEvent(t, tok, map[string]any{"title": "E3", "starts_at": "2026-07-01T18:00:00Z", "tags": []string{"ai"},
		"talks": []map[string]any{{"title": "x", "speaker": "Ada"}}})
	s.MustCreateEvent(t, tok, map[string]any{"title": "E4", "starts_at": "2026-06-15T18:00:00Z", "tags": []string{"rust"}})
	enc := func(ev, name string, cadence int, met string, topics ...string) string {
		r := s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": name,
			"emails": []string{name + "@example.com"}, "cadence_days": cadence}, "moment": "after_talk", "met_at": met, "topics": topics, "followup": false})
		return r["contact"].(map[string]any)["id"].(string)
	}
	jane := enc(e1, "jane", 90, "2026-10-01T19:00:00Z", "go", "WASM")
	bob := enc(e1, "bob", 0, "2026-10-01T19:30:00Z", "ai")
	enc(e2, "jane", 90, "2026-11-01T19:00:00Z", "Go")
	enc(e3, "carol", 30, "2026-07-01T19:00:00Z", "ai", "rust")
	enc(e3, "dan", 0, "2026-07-01T19:10:00Z", "ai")
	enc(e3, "eve", 0, "2026-08-26T17:00:00Z", "edge")  // exactly at from: counted
	enc(e3, "late", 0, "2026-11-24T17:00:00Z", "late") // exactly at to: not counted
	at("2026-11-20T10:00:00Z")
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}})
	fu := func(due string) string {
		return s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": bob, "due_at": due})["id"].(string)
	}
	f1, f2 := fu("2026-10-10T09:00:00Z"), fu("2026-10-12T09:00:00Z")
	fu("2026-11-01T09:00:00Z") // stays pending: overdue
	fu("2026-12-10T09:00:00Z") // outside the window
	f5 := fu("2026-10-05T09:00:00Z")
	at("2026-10-10T12:00:00Z")
	MustStatus(t, s.Do(t, "POST", "/v1/followups/"+f1+"/done", tok, nil), 200) // on time
	at("2026-10-20T12:00:00Z")
	MustStatus(t, s.Do(t, "POST", "/v1/followups/"+f2+"/done", tok, nil), 200) // late
	MustStatus(t, s.Do(t, "DELETE", "/v1/followups/"+f5, tok, nil), 204)
	s.Clock.Add(now.Sub(s.Clock.Now()))

	// Another user's data is never counted.
	oe := s.MustCreateEvent(t, other, map[string]any{"title": "Other", "starts_at": "2026-10-02T18:00:00Z", "tags": []string{"go"},
		"talks": []map[string]any{{"title": "#go", "speaker": "Rob Pike"}}})
	s.MustCreate(t, other, "/v1/events/"+oe+"/encounters", map[string]any{"contact": map[string]any{"name": "x"}, "moment": "other", "met_at": "2026-10-02T19:00:00Z", "topics": []string{"go"}})

	r := s.Do(t, "GET", "/v1/insights", tok, nil)
	MustStatus(t, r, 200)
	var got struct {
		From, To string
		Topics   []struct {
			Name                 string
			Count, PreviousCount int
			Trend                string
		}
		People []struct {
			Name               string
			Encounters, Intros int
		}
		Speakers []struct {
			Name          string
			Talks, Events int
		}
		Followups struct {
			Due, DoneOnTime, Overdue int
			CompletionRate           float64
		}
		Lapsed []struct{ Name string }
	}
	fix := func(b []byte) []byte { // previous_count etc. into Go names
		var x any
		json.Unmarshal(b, &x)
		var walk func(any) any
		walk = func(v any) any {
			switch y := v.(type) {
			case map[string]any:
				m := map[string]any{}
				for k, val := range y {
					m[camel(k)] = walk(val)
				}
				return m
			case []any:
				for i := range y {
					y[i] = walk(y[i])
				}
			}
			return v
		}
		out, _ := json.Marshal(walk(x))
		return out
	}
	json.Unmarshal(fix(r.Body), &got)
	if got.From != "2026-08-26T17:00:00Z" || got.To != "2026-11-24T17:00:00Z" {
		t.Fatalf("window %s – %s", got.From, got.To)
	}
	if g := fmt.Sprint(got.Topics); g != "[{go 5 0 new} {ai 2 3 falling} {wasm 2 0 new} {edge 1 0 new} {rust 0 2 falling}]" {
		t.Errorf("topics %s", g)
	}
	if g := fmt.Sprint(got.People); g != "[{jane 2 1} {bob 1 1} {eve 1 0}]" {
		t.Errorf("people %s", g)
	}
	if g := fmt.Sprint(got.Speakers); g != "[{Rob Pike 2 1} {Ada 1 1}]" {
		t.Errorf("speakers %s", g)
	}
	if f := got.Followups; f.Due != 3 || f.DoneOnTime != 1 || f.Overdue != 1 || f.CompletionRate != 0.667 {
		t.Errorf("followups %+v", f)
	}
	if g := fmt.Sprint(got.Lapsed); g != "[{carol}]" {
		t.Errorf("lapsed %s", g)
	}

	t.Run("OK_CacheFollowsWrites", func(t *testing.T) {
		s.MustCreate(t, tok, "/v1/events/"+e2+"/encounters", map[string]any{"contact_id": bob, "moment": "other", "met_at": "2026-11-02T10:00:00Z", "topics": []string{"go"}, "followup": false})
		var again struct {
			Topics []struct {
				Name  string
				Count int
			}
		}
		s.Do(t, "GET", "/v1/insights", tok, nil).Decode(t, &again)
		if again.Topics[0].Name != "go" || again.Topics[0].Count != 6 {
			t.Fatalf("after a new encounter: %+v", again.Topics[0])
		}
	})
	t.Run("OK_ExplicitWindow", func(t *testing.T) {
		var w struct {
			Topics []struct {
				Name  string
				Count int
			}
		}
		s.Do(t, "GET", "/v1/insights?from=2026-07-01T00:00:00Z&to=2026-07-02T00:00:00Z", tok, nil).Decode(t, &w)
		if fmt.Sprint(w.Topics) != "[{ai 3} {rust 1}]" {
			t.Fatalf("July 1 topics: %v", w.Topics)
		}
	})
	t.Run("OK_EmptyAccount", func(t *testing.T) {
		_, empty := s.MustSignup(t, "empty@example.com")
		r := s.Do(t, "GET", "/v1/insights", empty, nil)
		MustStatus(t, r, 200)
		m := r.JSON(t)
		for _, k := range []string{"topics", "people", "speakers", "lapsed"} {
			if l, ok := m[k].([]any); !ok || len(l) != 0 {
				t.Errorf("%s=%v, want []", k, m[k])
			}
		}
		if f := m["followups"].(map[string]any); f["due"] != 0.0 || f["completion_rate"] != 0.0 {
			t.Errorf("followups=%v", f)
		}
	})
	t.Run("ErrWindow", func(t *testing.T) {
		MustProblem(t, s.Do(t, "GET", "/v1/insights?from=2026-11-01T00:00:00Z&to=2026-10-01T00:00:00Z", tok, nil), 422, "from")
		MustProblem(t, s.Do(t, "GET", "/v1/insights?from=2020-01-01T00:00:00Z&to=2026-10-01T00:00:00Z", tok, nil), 422, "from")
		MustProblem(t, s.Do(t, "GET", "/v1/insights?from=yesterday", tok, nil), 422, "from")
	})
}

// camel turns previous_count into PreviousCount for decoding into Go fields.
func camel(s string) string {
	out := []byte{}
	up := true
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			up = true
			continue
		}
		c := s[i]
		if up && c >= 'a' && c <= 'z' {
			c -= 32
		}
		up = false
		out = append(out, c)
	}
	return string(out)
}
