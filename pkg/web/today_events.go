package web

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Bounds of Today's "The next 14 days": the events read (all of the
// fortnight's, page by page), and how many of one followed calendar's on
// one day are listed each before they are one line.
const (
	todayEventsRead = 2000
	daySessions     = 3
)

// nextEvents returns the rows of Today's "The next 14 days": those under
// way (a conference on its second day, said so: the list began at now and
// left them out), then the first todayEvents events from now, where a
// followed calendar's events of one day (in the user's time zone), when it
// has more than daySessions, are one row — its first, and how many more. A
// followed conference schedule brought 50 sessions a day, and its first 20
// were the whole list: next week's meetup was not on it.
func (s *pages) nextEvents(ctx context.Context, u *accounts.User, now time.Time) ([]eventRow, error) {
	loc, soon := u.Location(), now.AddDate(0, 0, 14)
	evs, err := s.CRM.RunningInto(ctx, u.ID, now)
	if err != nil {
		return nil, err
	}
	underWay := len(evs)
	err = record.EachPage(func(cur *record.Cursor) (*record.Page[events.Event], error) {
		return s.CRM.Events.Store.Events(ctx, u.ID, events.Filter{From: &now, To: &soon, Limit: record.MaxLimit, Cursor: cur})
	}, func(items []events.Event) bool {
		evs = append(evs, items...)
		return len(evs)-underWay < todayEventsRead
	})
	if err != nil {
		return nil, err
	}
	type calendarDay struct{ calendar, day string }
	dayOf := func(e *events.Event) (calendarDay, bool) {
		if e.Source == nil || e.Source.CalendarID == "" {
			return calendarDay{}, false
		}
		return calendarDay{e.Source.CalendarID, e.StartsAt.In(loc).Format(time.DateOnly)}, true
	}
	count := map[calendarDay]int{} // of those from now on
	for i := underWay; i < len(evs); i++ {
		if k, ok := dayOf(&evs[i]); ok {
			count[k]++
		}
	}
	var names map[string]string
	listed := map[calendarDay]bool{}
	var rows []eventRow
	for i := 0; i < len(evs) && len(rows) < todayEvents; i++ {
		e := &evs[i]
		row := eventRowOf(e, loc)
		if i < underWay {
			row.More = "under way, until " + e.EndsAt.In(loc).Format("Mon 2 Jan, 15:04")
		} else if k, ok := dayOf(e); ok && count[k] > daySessions {
			if listed[k] {
				continue
			}
			listed[k] = true
			if names == nil {
				if names, err = s.calendarNames(ctx, u.ID); err != nil {
					return nil, err
				}
			}
			from := names[k.calendar]
			if from == "" {
				from = "a calendar you followed"
			}
			row.More = fmt.Sprintf("and %d more from %s that day", count[k]-1, from)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// calendarNames are the names of the user's followed calendars by id.
func (s *pages) calendarNames(ctx context.Context, userID string) (map[string]string, error) {
	cals, err := s.CRM.Events.Store.Calendars(ctx, userID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(cals))
	for _, c := range cals {
		names[c.ID] = c.Name
	}
	return names, nil
}
