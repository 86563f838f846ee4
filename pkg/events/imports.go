package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/record"
)

// MaxFeedSize bounds a calendar a sync downloads.
const MaxFeedSize = 5 << 20

// MaxFeedEvents is how many of a feed's events a sync reads: the upcoming
// ones soonest first, then the past ones latest first. Each is written,
// its guest list filled and its brief planned; a 5 MiB feed can hold
// 26,000 (37 s of the server's work the first time, 9 s every sync after).
const MaxFeedEvents = 1000

// FeedParses is how many feeds are parsed at once in the process: parsing
// a 5 MiB feed takes about 100 MB, so without a bound one user's syncs at
// once could take the server's memory (sixteen took 1.6 GB at peak; one at
// a time 307 MB, in the same 9 s). The turn is taken once the feed is
// downloaded, so a feed's server slow to send holds none.
const FeedParses = 1

var parseTurns = make(chan struct{}, FeedParses)

// userParses lets one feed of a user at a time wait for parseTurns, which
// are given in the order they were asked for: one user syncing 32 big
// feeds at once queued 32 parses ahead of everyone else (another user's
// one-event feed synced in 3.1 s instead of 10 ms). A user's feeds are
// parsed one at a time all the same, so theirs take no longer.
var userParses ratelimit.Turns

// MaxCalendars is how many calendars one user may follow: every sync tick
// fetches each of them, for every user, with the same few workers.
const MaxCalendars = 100

// Calendar is an external iCal feed the user follows (a Meetup group, a
// Luma calendar); its events are kept in step by sync.
type Calendar struct {
	ID         string     `json:"id"`
	UserID     string     `json:"-"`
	URL        string     `json:"url"`
	Name       string     `json:"name"`
	Tags       []string   `json:"tags"`
	LastSyncAt *time.Time `json:"last_sync_at"`
	LastError  string     `json:"last_error,omitempty"`
	// LastResult counts what the last successful sync did.
	LastResult *SyncResult `json:"last_result,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
}

// SyncResult counts what a sync did.
type SyncResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Cancelled int `json:"cancelled"`
	// Skipped counts the feed's events past MaxFeedEvents, left as they
	// are.
	Skipped int `json:"skipped,omitempty"`
}

// CalendarInput is the body of POST /v1/calendars.
type CalendarInput struct {
	URL  string   `json:"url"`
	Name string   `json:"name,omitempty"`
	Tags []string `json:"tags,omitempty"`
}

// Importer syncs calendars over HTTP.
type Importer struct {
	Events *Service
	// HTTP fetches feeds: a netguard client with bounded time and redirects.
	HTTP  *http.Client
	Guard netguard.Guard
	// Guests, when set, fills each event's guest list from its ATTENDEE
	// lines.
	Guests AttendeeStore
	// Planned, when set, is told the events a sync wrote or gave a guest
	// list (the brief before each is planned there).
	Planned func(ctx context.Context, userID string, eventIDs []string) error
}

// CreateCalendar subscribes the user to a feed (webcal:// is read as
// https://); Conflict if they follow MaxCalendars already.
func (im *Importer) CreateCalendar(ctx context.Context, userID string, in CalendarInput) (*Calendar, error) {
	var c input.Checker
	raw := strings.TrimSpace(in.URL)
	if rest, ok := strings.CutPrefix(raw, "webcal://"); ok {
		raw = "https://" + rest
	}
	if raw == "" {
		c.Add("url", "is required")
	} else if why := im.Guard.CheckURL(raw); why != "" {
		c.Add("url", "%s", why)
	}
	cal := &Calendar{ID: record.NewID(), UserID: userID, URL: raw, CreatedAt: record.Time(im.Events.Now())}
	cal.Name = c.Text("name", in.Name, input.MaxName)
	cal.Tags = c.Tags("tags", in.Tags)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if cal.Name == "" {
		cal.Name = raw
	}
	have, err := im.Events.Store.Calendars(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(have) >= MaxCalendars {
		return nil, apperr.E(apperr.Conflict, "you follow %d calendars, the most one account may; unfollow one first", MaxCalendars)
	}
	if err := im.Events.Store.CreateCalendar(ctx, cal); err != nil {
		return nil, err
	}
	return cal, nil
}

// Sync fetches the calendar and upserts its events by source UID: new ones
// are created with the calendar's tags; changed ones get the source's title,
// time, place, URL and organizer while the user's notes and tags stay;
// upcoming events that vanished from the source are cancelled. A feed that
// cannot be fetched or parsed changes nothing and is recorded as last_error.
func (im *Importer) Sync(ctx context.Context, cal *Calendar, defTZ string) (*SyncResult, error) {
	now := record.Time(im.Events.Now())
	feed, err := im.fetch(ctx, cal.UserID, cal.URL, defTZ)
	if err != nil && ctx.Err() != nil {
		// Stopped on this side (a tick out of time, a client gone): not
		// the feed's failure, so nothing is recorded against it.
		return nil, apperr.Wrap(apperr.Unavailable, ctx.Err(), "the calendar's sync was stopped")
	}
	if err != nil {
		msg := err.Error()
		im.Events.Store.RecordSync(ctx, cal.ID, now, nil, msg)
		cal.LastError, cal.LastSyncAt = msg, &now
		return nil, apperr.Wrap(apperr.Invalid, err, "the calendar could not be synced: %s", msg)
	}
	parsed, skipped := nearest(feed.Events, now, MaxFeedEvents)
	series := seriesOf(cal, feed.Name)
	res, lists, err := im.Events.upsertFromSource(ctx, cal, series, parsed, skipped, defTZ, now)
	if err != nil {
		return nil, err
	}
	if series != cal.Name { // followed without a name: the feed's is its name from now on
		if err := im.Events.Store.NameCalendar(ctx, cal.ID, series); err != nil {
			return nil, err
		}
		cal.Name = series
	}
	res.Skipped = len(skipped)
	if im.Guests != nil {
		for eventID, as := range lists {
			if len(as) == 0 {
				continue
			}
			if _, _, err := im.Guests.UpsertAttendees(ctx, cal.UserID, eventID, guestsOf(as, now)); err != nil {
				return nil, err
			}
		}
	}
	if im.Planned != nil && len(lists) > 0 {
		ids := make([]string, 0, len(lists))
		for id := range lists {
			ids = append(ids, id)
		}
		if err := im.Planned(ctx, cal.UserID, ids); err != nil {
			return nil, err
		}
	}
	if err := im.Events.Store.RecordSync(ctx, cal.ID, now, res, ""); err != nil {
		return nil, err
	}
	cal.LastSyncAt, cal.LastError, cal.LastResult = &now, "", res
	return res, nil
}

// seriesOf is the series a calendar's events are of (PRODUCT.md §11):
// the calendar's name — or, when it was followed without one (its name
// is then its URL), the name the feed gives itself (X-WR-CALNAME: a
// Meetup group's), cut to a name's length, which the calendar then takes.
func seriesOf(cal *Calendar, feedName string) string {
	if cal.Name == cal.URL && feedName != "" {
		return feedText(feedName, input.MaxName)
	}
	return cal.Name
}

// fetch downloads and parses a feed within the size, time and redirect bounds.
func (im *Importer) fetch(ctx context.Context, userID, url, defTZ string) (*calendar.Feed, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL")
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	req.Header.Set("User-Agent", "Rapport-Calendar-Sync/1")
	resp, err := im.HTTP.Do(req)
	if err != nil {
		return nil, errors.New(netguard.Describe(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxFeedSize+1))
	if err != nil {
		return nil, errors.New(netguard.Describe(err))
	}
	if len(body) > MaxFeedSize {
		return nil, fmt.Errorf("the calendar is larger than %d MiB", MaxFeedSize>>20)
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("BEGIN:VCALENDAR")) {
		return nil, fmt.Errorf("the URL does not serve an iCalendar file")
	}
	loc, err := time.LoadLocation(defTZ)
	if err != nil {
		loc = time.UTC
	}
	mine, err := userParses.Take(ctx, userID)
	if err != nil {
		return nil, err
	}
	defer mine()
	select {
	case parseTurns <- struct{}{}:
		defer func() { <-parseTurns }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return calendar.ParseFeed(ctx, body, loc, im.Events.Now())
}

// upsertFromSource writes a sync's events, parsed each UID once (those of
// skipped, still in the feed, are left as they are), and returns by event
// id the ATTENDEE lines of each event written or kept, and every event
// created, changed or cancelled (with no lines when it has none).
func (s *Service) upsertFromSource(ctx context.Context, cal *Calendar, series string, parsed []calendar.Parsed, skipped map[string]bool, defTZ string, now time.Time) (*SyncResult, map[string][]calendar.Attendee, error) {
	existing, err := s.Store.EventsFromCalendar(ctx, cal.UserID, cal.ID)
	if err != nil {
		return nil, nil, err
	}
	lists := map[string][]calendar.Attendee{}
	byUID := make(map[string]*Event, len(existing))
	for i := range existing {
		byUID[existing[i].Source.UID] = &existing[i]
	}
	res := &SyncResult{}
	seen := make(map[string]bool, len(parsed)+len(skipped))
	for uid := range skipped {
		seen[uid] = true // still in the feed: not cancelled, left as it is
	}
	var inserts []*Event
	for _, p := range parsed { // each UID once (nearest)
		seen[p.UID] = true
		old := byUID[p.UID]
		var e Event
		if old != nil {
			e = *old
			if e.Series == cal.URL { // named by a URL before the feed's own name was read
				e.Series = series
			}
		} else {
			e = Event{ID: record.NewID(), UserID: cal.UserID, Kind: "meetup", Timezone: defTZ, Tags: cal.Tags, Series: series,
				Notes: feedText(p.Description, input.MaxNotes), Status: "planned", Source: &Source{CalendarID: cal.ID, UID: p.UID}, CreatedAt: now}
			if p.TZID != "" { // an IANA name (calendar.ZoneName)
				e.Timezone = p.TZID
			}
		}
		in := inputOf(&e)
		fromFeed(&in, &p)
		switch {
		case p.Cancelled:
			in.Status = "cancelled"
		case old != nil && old.Status == "cancelled":
			in.Status = "planned" // back in the source
		}
		next := e
		if err := in.apply(&next, defTZ); err != nil {
			continue // an event the rules refuse is left out rather than failing the sync
		}
		if len(p.Attendees) > 0 {
			lists[next.ID] = p.Attendees
		}
		if old == nil {
			inserts = append(inserts, &next)
			res.Created++
			lists[next.ID] = p.Attendees
			continue
		}
		if !sameFromSource(old, &next) {
			next.Sequence++
			next.UpdatedAt = now
			if err := s.Store.UpdateEvent(ctx, &next); err != nil {
				return nil, nil, err
			}
			res.Updated++
			lists[next.ID] = p.Attendees
		} else {
			res.Unchanged++
		}
	}
	if len(inserts) > 0 {
		for _, x := range inserts {
			x.UpdatedAt = now
		}
		if err := s.Store.ImportEvents(ctx, inserts); err != nil {
			return nil, nil, err
		}
	}
	for uid, old := range byUID {
		if seen[uid] || old.Status == "cancelled" || !old.StartsAt.After(now) {
			continue
		}
		next := *old
		next.Status, next.Sequence, next.UpdatedAt = "cancelled", old.Sequence+1, now
		if err := s.Store.UpdateEvent(ctx, &next); err != nil {
			return nil, nil, err
		}
		res.Cancelled++
		lists[next.ID] = nil
	}
	if res.Created+res.Updated+res.Cancelled > 0 {
		s.changed(ctx, cal.UserID)
	}
	return res, lists, nil
}

// guestsOf makes a guest list of an event's ATTENDEE lines: the common
// name (else the address), the address, and PARTSTAT as a state
// (ACCEPTED or none: going; TENTATIVE, NEEDS-ACTION: waitlist;
// DECLINED, DELEGATED: declined).
func guestsOf(as []calendar.Attendee, now time.Time) []Attendee {
	out := make([]Attendee, 0, len(as))
	seen := map[string]bool{}
	for _, a := range as {
		// Cleaned as a guest list's fields are, so a restore takes it back.
		g := Attendee{ID: record.NewID(), Name: feedText(firstNonEmpty(a.Name, a.Email), input.MaxName),
			Email: strings.ToLower(feedText(a.Email, input.MaxShort)), Status: AttendeeGoing, CreatedAt: now, UpdatedAt: now}
		if g.Name == "" {
			continue // only control characters: nobody to name
		}
		switch a.PartStat {
		case "TENTATIVE", "NEEDS-ACTION":
			g.Status = AttendeeWaitlist
		case "DECLINED", "DELEGATED":
			g.Status = AttendeeDeclined
		}
		g.Key = AttendeeKey(&g, func(string) string { return "" })
		if seen[g.Key] {
			continue
		}
		seen[g.Key] = true
		out = append(out, g)
	}
	return out
}

// fromFeed puts into in what a feed says of its event, each field made
// fit for the event's rules, so that a flaw costs the field, never the
// event: text as feedText makes it; a URL that is not an http(s) URL of
// at most MaxURL bytes left out (a cut URL is no URL).
func fromFeed(in *Input, p *calendar.Parsed) {
	in.Title = firstNonEmpty(feedText(p.Summary, input.MaxName), "(untitled)")
	in.StartsAt, in.EndsAt = p.Start.Format(time.RFC3339Nano), p.End.Format(time.RFC3339Nano) // calendar.Parse ends none before it starts
	in.Location, in.Organizer = feedText(p.Location, input.MaxShort), feedText(p.Organizer, input.MaxShort)
	var c input.Checker
	in.URL = c.URL("url", p.URL)
	if c.Err() != nil {
		in.URL = ""
	}
}

func sameFromSource(a, b *Event) bool {
	return a.Title == b.Title && a.StartsAt.Equal(b.StartsAt) && a.EndsAt.Equal(b.EndsAt) && a.Location == b.Location &&
		a.URL == b.URL && a.Organizer == b.Organizer && a.Status == b.Status && a.Series == b.Series
}

// feedText is a text a feed gives — an event's, a guest's, the
// calendar's own name — as Rapport keeps it: cleaned (input.CleanText: a
// Windows exporter's Latin-1 bytes, control characters) and cut to max,
// so that the rules take it and a flawed field never costs its event (a
// calendar's name, which every one of its events takes as their series,
// would cost them all). It cuts without "…": what is kept is the name.
func feedText(s string, max int) string {
	r := []rune(strings.TrimSpace(input.CleanText(s)))
	if len(r) > max {
		r = r[:max]
	}
	return string(r)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// nearest is parsed, each UID once (the first), cut to at most limit events:
// the upcoming ones soonest first, then the past ones latest first; the
// UIDs it leaves out are returned apart.
func nearest(parsed []calendar.Parsed, now time.Time, limit int) ([]calendar.Parsed, map[string]bool) {
	once := make([]calendar.Parsed, 0, len(parsed))
	seen := make(map[string]bool, len(parsed))
	for _, p := range parsed {
		if !seen[p.UID] {
			seen[p.UID] = true
			once = append(once, p)
		}
	}
	if len(once) <= limit {
		return once, nil
	}
	slices.SortStableFunc(once, func(a, b calendar.Parsed) int {
		aUp, bUp := !a.Start.Before(now), !b.Start.Before(now)
		switch {
		case aUp != bUp:
			if aUp {
				return -1
			}
			return 1
		case aUp:
			return a.Start.Compare(b.Start)
		default:
			return b.Start.Compare(a.Start)
		}
	})
	skipped := make(map[string]bool, len(once)-limit)
	for _, p := range once[limit:] {
		skipped[p.UID] = true
	}
	return once[:limit], skipped
}
