package insights

import (
	"fmt"
	"testing"
	"time"
)

func TestWorth(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 18, 0, 0, 0, time.UTC) }
	events, series := Worth([]EventFacts{
		{EventID: "a", Title: "Gophers Oct", Series: "Gophers", StartsAt: d(1), NewPeople: 4, ReturningPeople: 2},
		{EventID: "b", Title: "Gophers Nov", Series: "Gophers", StartsAt: d(15), NewPeople: 2, IntrosGiven: 1, Opportunities: 1},
		{EventID: "c", Title: "Big Conf", StartsAt: d(10), NewPeople: 8},
		{EventID: "d", Title: "Rust Night", Series: "Rust", StartsAt: d(20), NewPeople: 1, HelpGiven: 1},
		{EventID: "e", Title: "Quiet", Series: "Rust", StartsAt: d(5)},
	})
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprintf("%s:%d", e.EventID, e.Score))
	}
	// b: 2 + 2 + 5 = 9; c: 8; a: 4; d: 1 + 2 = 3; e: 0.
	if fmt.Sprint(got) != "[b:9 c:8 a:4 d:3 e:0]" {
		t.Fatalf("events %v", got)
	}
	if len(series) != 2 || series[0].Series != "Gophers" || series[0].Events != 2 || series[0].NewPeoplePerEvent != 3 ||
		series[0].OpportunitiesPerEvent != 0.5 || !series[0].LastAttendedAt.Equal(d(15)) || series[1].NewPeoplePerEvent != 0.5 {
		t.Fatalf("series %+v", series)
	}
	if e, s := Worth(nil); len(e) != 0 || len(s) != 0 || e == nil || s == nil {
		t.Fatal("no events: empty lists, not null")
	}
}
