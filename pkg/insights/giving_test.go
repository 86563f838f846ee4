package insights

import (
	"fmt"
	"testing"
	"time"
)

func TestLedger(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return now.AddDate(0, 0, -d) }
	entries := []GivingEntry{
		{"helped_me", "ann", day(10)}, {"helped_me", "ann", day(20)}, // owed: twice, nothing back
		{"helped_me", "bob", day(30)}, {"helped", "bob", day(5)}, // given back
		{"helped_me", "cid", day(40)}, {"intro", "cid", day(100)}, // an intro counts as given (within 180 days)
		{"helped_me", "dan", day(50)}, {"helped", "dan", day(300)}, // given, but before the window: owed
		{"helped_me", "eve", day(200)}, // helped too long ago
		{"helped_me", "gone", day(3)},  // deleted contact
		{"volunteered", "", day(15)}, {"spoke", "", day(25)}, {"spoke", "", day(200)},
	}
	names := map[string]string{"ann": "Ann", "bob": "Bob", "cid": "Cid", "dan": "Dan", "eve": "Eve"}
	g := Ledger(entries, now.AddDate(0, 0, -90), now, now, names)
	if g.Given != 1 || g.Received != 6 || g.EventsVolunteered != 1 || g.TalksGiven != 1 {
		t.Fatalf("sums %+v", g)
	}
	var owed []string
	for _, o := range g.Owed {
		last := "never"
		if o.LastGivenAt != nil {
			last = o.LastGivenAt.Format("2006-01-02")
		}
		owed = append(owed, fmt.Sprintf("%s:%d:%s", o.Name, o.Received, last))
	}
	if fmt.Sprint(owed) != "[Ann:2:never Dan:1:2026-02-05]" {
		t.Fatalf("owed %v", owed)
	}
	r := ReciprocityOf([]GivingEntry{{"helped", "bob", day(5)}, {"intro", "bob", day(50)}, {"helped_me", "bob", day(30)}, {"email", "bob", day(1)}})
	if r.Given != 2 || r.Received != 1 || !r.LastGivenAt.Equal(day(5)) {
		t.Fatalf("reciprocity %+v", r)
	}
}
