package events

import (
	"fmt"
	"strings"
	"testing"
)

// TestRankToMeet: each reason's weight, their sum, the order (score, then
// name), and declined guests left out.
func TestRankToMeet(t *testing.T) {
	guest := func(name, company, title, status string) Attendee {
		return Attendee{ID: "id-" + name, Name: name, Company: company, Title: title, Status: status}
	}
	as := []Attendee{
		guest("Nobody Special", "", "", AttendeeGoing),
		guest("Ada Lovelace", "Analytical", "", AttendeeGoing),                // a target by name
		guest("Grace Hopper", "Navy", "Rust and WASM lead", AttendeeWaitlist), // target company, warm, 2 topics
		guest("Linus T.", "Initech GmbH", "Go developer", AttendeeGoing),      // opening, topic
		guest("Dee Clined", "Navy", "", AttendeeDeclined),
		guest("Ken Thompson", "ACME", "", AttendeeCheckedIn), // a target company named by text
	}
	f := PrepFacts{
		Targets:      []Target{{Name: " ada  LOVELACE"}, {CompanyID: "co-navy"}, {Name: "Acme"}},
		CompanyNames: map[string]string{"co-navy": "US Navy", "co-ini": "Initech"},
		CompanyOf:    map[string]string{"Navy": "co-navy", "Initech GmbH": "co-ini"},
		Openings:     map[string]Opening{"co-ini": {ID: "op1", Title: "Staff engineer"}},
		Warm:         map[string]int{"co-navy": 2, "co-ini": 0},
		CompanyTags:  map[string][]string{"co-navy": {"wasm"}},
		HotTopics:    []string{"go", "wasm", "rust"},
	}
	var got []string
	for _, m := range RankToMeet(as, f) {
		var rs []string
		for _, r := range m.Reasons {
			rs = append(rs, r.Kind+":"+r.Text)
		}
		got = append(got, fmt.Sprintf("%d %s [%s]", m.Score, m.Attendee.Name, strings.Join(rs, "; ")))
	}
	want := []string{
		"17 Grace Hopper [target:You wanted to meet someone from US Navy; warm_path:You know 2 people at US Navy; topics:Into wasm and rust, your hot topics]",
		"10 Ada Lovelace [target:You wanted to meet Ada Lovelace]",
		"10 Ken Thompson [target:You wanted to meet someone from ACME]",
		`10 Linus T. [opportunity:Works at Initech, where "Staff engineer" is open; topics:Into go, one of your hot topics]`,
		"0 Nobody Special []",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ranked\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}
