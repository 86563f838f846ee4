package web

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/events"
)

// daySessions is how many of one followed calendar's events on one day
// Today's "The next 14 days" lists, each, before they are one line.
const daySessions = 3

// nextEvents returns the rows of Today's "The next 14 days": those under
// way (a conference on its second day, said so: the list began at now and
// left them out), then the first todayEvents events from now, where a
// followed calendar's events of one day (in the user's time zone), when it
// has more than daySessions, are one row — its first, and how many more. A
// followed conference schedule brought 50 sessions a day, and its first 20
// were the whole list: next week's meetup was not on it.
func (s *pages) nextEvents(ctx context.Context, u *accounts.User, now time.Time) ([]eventRow, error) {
	loc, soon := u.Location(), now.AddDate(0, 0, 14)
	evs, err := s.CRM.EventsOfDays(ctx, u.ID, now, soon) // those under way first: begun before now
	if err != nil {
		return nil, err
	}
	underWay := 0
	for underWay < len(evs) && evs[underWay].StartsAt.Before(now) {
		underWay++
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
			row.More = "under way, until " + eventUntil(e, loc)
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
