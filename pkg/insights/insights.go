// Package insights turns counts of what a user did in a window (Facts) into
// the answer of GET /v1/insights: hot topics with trends, the players,
// speakers, follow-up figures and lapsed contacts. The counts come from a
// Source: each store computes them with its own engine (SQL aggregates,
// MongoDB pipelines).
package insights

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// Source counts a user's facts for a window [from, to) and the window of
// the same length before it; now bounds "overdue".
type Source interface {
	Facts(ctx context.Context, userID string, from, to, now time.Time) (*Facts, error)
	// TopicMonths counts the user's topics (encounter topics and event
	// tags, lower-cased) by UTC calendar month, for the whole months
	// [from, to) touches (callers pass month starts).
	TopicMonths(ctx context.Context, userID string, from, to time.Time) (TopicMonths, error)
}

// Insights answers GET /v1/insights.
type Insights struct {
	From         time.Time        `json:"from"`
	To           time.Time        `json:"to"`
	PreviousFrom time.Time        `json:"previous_from"`
	Topics       []TopicInsight   `json:"topics"`
	People       []PersonInsight  `json:"people"`
	Speakers     []SpeakerInsight `json:"speakers"`
	Followups    FollowupInsight  `json:"followups"`
	Lapsed       []LapsedContact  `json:"lapsed"`
	Pipeline     Pipeline         `json:"pipeline"`
	Giving       Giving           `json:"giving"`
	Events       []EventWorth     `json:"events"`
	Series       []SeriesWorth    `json:"series"`
}

// Pipeline is what the opportunities created in the window came to, and
// where they came from: which meetups and which people.
type Pipeline struct {
	ByStage  map[string]int    `json:"by_stage"`
	Sources  []PipelineSource  `json:"sources"`
	Contacts []PipelineContact `json:"contacts"`
}

// PipelineSource is an event and the opportunities it sourced.
type PipelineSource struct {
	EventID       string `json:"event_id"`
	Title         string `json:"title"`
	Opportunities int    `json:"opportunities"`
}

// PipelineContact is a contact and the opportunities they sourced or
// recruited for.
type PipelineContact struct {
	ContactID     string `json:"contact_id"`
	Name          string `json:"name"`
	Opportunities int    `json:"opportunities"`
}

// TopicInsight counts a topic in the window and the one before it.
type TopicInsight struct {
	Name          string `json:"name"`
	Count         int    `json:"count"`
	PreviousCount int    `json:"previous_count"`
	Trend         string `json:"trend"`
}

// PersonInsight ranks a contact by encounters and intros in the window.
type PersonInsight struct {
	ContactID       string     `json:"contact_id"`
	Name            string     `json:"name"`
	Encounters      int        `json:"encounters"`
	Intros          int        `json:"intros"`
	LastContactedAt *time.Time `json:"last_contacted_at"`
}

// SpeakerInsight counts a speaker's talks and events in the window.
type SpeakerInsight struct {
	Name   string `json:"name"`
	Talks  int    `json:"talks"`
	Events int    `json:"events"`
}

// FollowupInsight sums up follow-ups due in the window.
type FollowupInsight struct {
	Due            int     `json:"due"`
	DoneOnTime     int     `json:"done_on_time"`
	Overdue        int     `json:"overdue"`
	CompletionRate float64 `json:"completion_rate"`
}

// LapsedContact is a contact with a cadence whose last contact is older than it.
type LapsedContact struct {
	ContactID       string     `json:"contact_id"`
	Name            string     `json:"name"`
	LastContactedAt *time.Time `json:"last_contacted_at"`
}

// Insight limits and rules.
const (
	DefaultWindow    = 90 * 24 * time.Hour
	maxInsightWindow = 3 * 366 * 24 * time.Hour
	insightListMax   = 20
	// PeopleMax is how many people insights rank: a Source may count only
	// the PeopleMax leaders of Met and Introduced (by their sum, then
	// encounters, then id), the rest of the answer is the same.
	PeopleMax    = insightListMax
	topicListMax = 50
	// onTimeGrace is how late a follow-up may be done and still count as on time.
	onTimeGrace = 24 * time.Hour
)

// Window validates a window: to defaults to now (rounded up to the
// minute) and from to 90 days before to; it must be positive and at most
// three years.
func Window(from, to *time.Time, now time.Time) (time.Time, time.Time, error) {
	// Now rounded up to the minute: a contact logged a moment ago is in the
	// window, and the window (a cache key) stays put for a minute.
	t := now.UTC().Truncate(time.Minute)
	if t.Before(now) {
		t = t.Add(time.Minute)
	}
	if to != nil {
		t = *to
	}
	f := t.Add(-DefaultWindow)
	if from != nil {
		f = *from
	}
	if !f.Before(t) {
		return f, t, apperr.InvalidField("from", "must be before to")
	}
	if t.Sub(f) > maxInsightWindow {
		return f, t, apperr.InvalidField("from", "the window may be at most three years")
	}
	return f, t, nil
}

// Hashtag finds #topics in talk titles ("Intro to #WASM").
var Hashtag = regexp.MustCompile(`#([\pL\pN][\pL\pN_+.-]*)`)

// Facts are the counts insights are made of; Assemble ranks and trims them.
type Facts struct {
	Topics     [2]map[string]int // by lowercased name: the window, the one before
	Talks      map[SpeakerAt]int // talks per speaker (as written) and event
	Met        map[string]int    // encounters per contact (at least the PeopleMax leaders')
	Introduced map[string]int    // intros per contact (likewise)
	Due, Done  int               // due in the window and not cancelled; done
	OnTime     int               // done within a day of due
	Overdue    int               // pending and due in the window before now
	Cadenced   []Cadenced        // contacts with a stay-in-touch cadence
	// TalkEvents are the events of Talks by id, and MetAt says at which of
	// the ids someone was met (nil: at none): a speaker counts only at an
	// event the user went to (events.Went) before now.
	TalkEvents map[string]TalkEvent
	MetAt      func(eventIDs []string) (map[string]bool, error)
	// People returns the name and last contact of contacts by id; missing
	// ones (deleted meanwhile) are left out.
	People func(ids []string) (map[string]PersonInsight, error)
}

// SpeakerAt is a speaker (as written) at one event.
type SpeakerAt struct{ Speaker, Event string }

// TalkEvent is what says whether the user saw an event's talks.
type TalkEvent struct {
	Status   string
	Followed bool // brought in by a followed calendar
	StartsAt time.Time
}

// Cadenced is a contact with a stay-in-touch cadence of Days.
type Cadenced struct {
	ID, Name string
	Days     int
	Last     *time.Time
	Created  time.Time
}

// NewFacts returns empty facts.
func NewFacts() *Facts {
	return &Facts{Topics: [2]map[string]int{{}, {}}, Talks: map[SpeakerAt]int{}, TalkEvents: map[string]TalkEvent{},
		Met: map[string]int{}, Introduced: map[string]int{}}
}

// Assemble ranks and trims the facts into the answer.
func Assemble(f *Facts, from, to, now time.Time) (*Insights, error) {
	ins := &Insights{From: from, To: to, PreviousFrom: from.Add(-to.Sub(from)), Topics: []TopicInsight{},
		People: []PersonInsight{}, Speakers: []SpeakerInsight{}, Lapsed: []LapsedContact{}}

	cur, pre := f.Topics[0], f.Topics[1]
	for name, n := range cur {
		if name != "" {
			ins.Topics = append(ins.Topics, TopicInsight{Name: name, Count: n, PreviousCount: pre[name], Trend: trend(n, pre[name])})
		}
	}
	for name, n := range pre {
		if _, ok := cur[name]; !ok && name != "" {
			ins.Topics = append(ins.Topics, TopicInsight{Name: name, PreviousCount: n, Trend: "falling"})
		}
	}
	slices.SortFunc(ins.Topics, func(a, b TopicInsight) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(b.PreviousCount, a.PreviousCount), strings.Compare(a.Name, b.Name))
	})
	ins.Topics = ins.Topics[:min(len(ins.Topics), topicListMax)]

	seen, err := f.talksSeen(now)
	if err != nil {
		return nil, err
	}
	// Speakers: spellings are merged case-insensitively, over distinct events.
	type spAcc struct {
		spellings map[string]int
		talks     int
		events    map[string]bool
	}
	speakers := map[string]*spAcc{}
	for k, n := range f.Talks {
		name := strings.TrimSpace(k.Speaker)
		if name == "" || !seen[k.Event] {
			continue
		}
		lk := strings.ToLower(name)
		a := speakers[lk]
		if a == nil {
			a = &spAcc{spellings: map[string]int{}, events: map[string]bool{}}
			speakers[lk] = a
		}
		a.spellings[name] += n
		a.talks += n
		a.events[k.Event] = true
	}
	for _, a := range speakers {
		best := ""
		for sp, n := range a.spellings { // the most used spelling, then the smallest
			if best == "" || n > a.spellings[best] || n == a.spellings[best] && sp < best {
				best = sp
			}
		}
		ins.Speakers = append(ins.Speakers, SpeakerInsight{Name: best, Talks: a.talks, Events: len(a.events)})
	}
	slices.SortFunc(ins.Speakers, func(a, b SpeakerInsight) int {
		return cmp.Or(cmp.Compare(b.Talks, a.Talks), cmp.Compare(b.Events, a.Events), strings.Compare(a.Name, b.Name))
	})
	ins.Speakers = ins.Speakers[:min(len(ins.Speakers), insightListMax)]

	ranked := make([]PersonInsight, 0, len(f.Met)+len(f.Introduced))
	for id, n := range f.Met {
		ranked = append(ranked, PersonInsight{ContactID: id, Encounters: n, Intros: f.Introduced[id]})
	}
	for id, n := range f.Introduced {
		if _, ok := f.Met[id]; !ok {
			ranked = append(ranked, PersonInsight{ContactID: id, Intros: n})
		}
	}
	slices.SortFunc(ranked, func(a, b PersonInsight) int {
		return cmp.Or(cmp.Compare(b.Encounters+b.Intros, a.Encounters+a.Intros), cmp.Compare(b.Encounters, a.Encounters),
			strings.Compare(a.ContactID, b.ContactID))
	})
	ranked = ranked[:min(len(ranked), insightListMax)]
	ids := make([]string, len(ranked))
	for i, p := range ranked {
		ids[i] = p.ContactID
	}
	known, err := f.People(ids)
	if err != nil {
		return nil, err
	}
	for _, p := range ranked {
		if k, ok := known[p.ContactID]; ok {
			p.Name, p.LastContactedAt = k.Name, k.LastContactedAt
			ins.People = append(ins.People, p)
		}
	}

	ins.Followups = FollowupInsight{Due: f.Due, DoneOnTime: f.OnTime, Overdue: f.Overdue}
	if f.Due > 0 {
		ins.Followups.CompletionRate = float64(int(float64(f.Done)/float64(f.Due)*1000+0.5)) / 1000
	}

	// Lapsed: contacts with a cadence whose last contact (or creation) is
	// older than it, as of now; the oldest first.
	type lapsed struct {
		LapsedContact
		since time.Time
	}
	var ls []lapsed
	for _, c := range f.Cadenced {
		since := c.Created
		if c.Last != nil {
			since = *c.Last
		}
		if now.Sub(since) > time.Duration(c.Days)*24*time.Hour {
			ls = append(ls, lapsed{LapsedContact{ContactID: c.ID, Name: c.Name, LastContactedAt: c.Last}, since})
		}
	}
	slices.SortFunc(ls, func(a, b lapsed) int {
		return cmp.Or(a.since.Compare(b.since), strings.Compare(a.ContactID, b.ContactID))
	})
	for i := 0; i < len(ls) && i < topicListMax; i++ {
		ins.Lapsed = append(ins.Lapsed, ls[i].LapsedContact)
	}
	return ins, nil
}

// talksSeen returns the events of Talks whose talks the user saw: begun
// before now and gone to (events.Went), asking MetAt only about those
// from a followed calendar that were not marked.
func (f *Facts) talksSeen(now time.Time) (map[string]bool, error) {
	seen := map[string]bool{}
	var ask []string
	for id, e := range f.TalkEvents {
		switch {
		case !e.StartsAt.Before(now):
		case events.Went(e.Status, e.Followed, false):
			seen[id] = true
		case events.Went(e.Status, e.Followed, true):
			ask = append(ask, id)
		}
	}
	if len(ask) == 0 || f.MetAt == nil {
		return seen, nil
	}
	met, err := f.MetAt(ask)
	for id := range met {
		seen[id] = true
	}
	return seen, err
}

// DoneOnTime says whether a follow-up was ended within onTimeGrace of its
// due time (by ended_at; documents from before it existed, by updated_at).
func DoneOnTime(f *followup.FollowUp) bool {
	ended := f.UpdatedAt
	if f.EndedAt != nil {
		ended = *f.EndedAt
	}
	return !ended.After(f.DueAt.Add(onTimeGrace))
}

// Earlier returns the earlier of a and b.
func Earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// trend compares a count with the previous window's: new when there was
// none before, rising at +25% or more, falling at -20% or more, else steady.
func trend(n, prev int) string {
	switch {
	case prev == 0 && n > 0:
		return "new"
	case n*4 >= prev*5:
		return "rising"
	case n*5 <= prev*4:
		return "falling"
	default:
		return "steady"
	}
}
