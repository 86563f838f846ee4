package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/events"
)

// TestBegun: a window of events is read page by page, earliest first,
// until it ends or max are read (the page that reaches max kept whole);
// the window's edges and another user's events are left out.
func TestBegun(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var es []*events.Event
	for i := range 450 { // 25 November, two minutes apart from midnight
		at := day.Add(time.Duration(i) * 2 * time.Minute)
		es = append(es, &events.Event{ID: fmt.Sprintf("e%03d", i), UserID: "u1", Title: fmt.Sprint("Session ", i), Kind: "conference",
			StartsAt: at, EndsAt: at.Add(time.Minute), Timezone: "UTC", Status: "planned", Talks: []events.Talk{}, CreatedAt: clock, UpdatedAt: clock})
	}
	other := *es[0]
	other.ID, other.UserID = "x1", "u2"
	if err := s.Store.ImportEvents(ctx, append(es, &other)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to    time.Time
		max, want   int
		first, last string
	}{
		{day, day.AddDate(0, 0, 1), 2000, 450, "e000", "e449"},
		{day, day.AddDate(0, 0, 1), 250, 400, "e000", "e399"}, // two pages: the second reaches 250
		{day.Add(2 * time.Minute), day.Add(20 * time.Minute), 2000, 9, "e001", "e009"},
		{day.AddDate(0, 0, 1), day.AddDate(0, 0, 2), 2000, 0, "", ""},
	} {
		got, err := s.Begun(ctx, "u1", tc.from, tc.to, tc.max)
		if err != nil {
			t.Fatal(err)
		}
		first, last := "", ""
		if len(got) > 0 {
			first, last = got[0].ID, got[len(got)-1].ID
		}
		if len(got) != tc.want || first != tc.first || last != tc.last {
			t.Errorf("[%s, %s) max %d: %d events, %s to %s; want %d, %s to %s", tc.from.Format(time.TimeOnly), tc.to.Format(time.TimeOnly),
				tc.max, len(got), first, last, tc.want, tc.first, tc.last)
		}
	}
}
