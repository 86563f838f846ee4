package insights

import (
	"sort"
	"time"
)

// The giving ledger (PRODUCT.md §11): what you gave — help, introductions,
// your time to the organisers, talks — and what you were given, and who
// helped you with nothing given back.

// GivingEntry is one fact of the ledger: Kind is helped (you helped them),
// helped_me, volunteered, spoke, or intro (an introduction you made,
// given to each of its two people: one entry each).
type GivingEntry struct {
	Kind      string
	ContactID string
	At        time.Time
}

// Giving answers insights' giving.
type Giving struct {
	Given             int    `json:"given"`
	Received          int    `json:"received"`
	EventsVolunteered int    `json:"events_volunteered"`
	TalksGiven        int    `json:"talks_given"`
	Owed              []Owed `json:"owed"`
}

// Owed is someone who helped you in the last OwedWindow with nothing
// given back since the window began.
type Owed struct {
	ContactID   string     `json:"contact_id"`
	Name        string     `json:"name"`
	Received    int        `json:"received"`
	LastGivenAt *time.Time `json:"last_given_at"`
}

// Reciprocity is what you gave one contact and what they gave you.
type Reciprocity struct {
	Given       int        `json:"given"`
	Received    int        `json:"received"`
	LastGivenAt *time.Time `json:"last_given_at"`
}

// OwedWindow is how far back "nothing given back" looks.
const OwedWindow = 180 * 24 * time.Hour

// given reports whether an entry is something you gave a contact.
func given(kind string) bool { return kind == "helped" || kind == "intro" }

// Ledger sums entries: Given, Received, EventsVolunteered and TalksGiven
// over [from, to); Owed as of now (received in the last OwedWindow, nothing
// given in it), most received first, then name; names by contact id (a
// contact not named is gone and left out).
func Ledger(entries []GivingEntry, from, to, now time.Time, names map[string]string) Giving {
	g := Giving{Owed: []Owed{}}
	since := now.Add(-OwedWindow)
	received := map[string]int{}
	gaveSince := map[string]bool{}
	lastGiven := map[string]time.Time{}
	for _, e := range entries {
		in := !e.At.Before(from) && e.At.Before(to)
		switch {
		case given(e.Kind):
			if in {
				g.Given++
			}
			if e.At.After(lastGiven[e.ContactID]) {
				lastGiven[e.ContactID] = e.At
			}
			if !e.At.Before(since) {
				gaveSince[e.ContactID] = true
			}
		case e.Kind == "helped_me":
			if in {
				g.Received++
			}
			if !e.At.Before(since) && !e.At.After(now) {
				received[e.ContactID]++
			}
		case e.Kind == "volunteered" && in:
			g.EventsVolunteered++
		case e.Kind == "spoke" && in:
			g.TalksGiven++
		}
	}
	for id, n := range received {
		name, ok := names[id]
		if !ok || gaveSince[id] {
			continue
		}
		o := Owed{ContactID: id, Name: name, Received: n}
		if t, ok := lastGiven[id]; ok {
			o.LastGivenAt = &t
		}
		g.Owed = append(g.Owed, o)
	}
	sort.Slice(g.Owed, func(i, j int) bool {
		if g.Owed[i].Received != g.Owed[j].Received {
			return g.Owed[i].Received > g.Owed[j].Received
		}
		return g.Owed[i].Name < g.Owed[j].Name
	})
	if len(g.Owed) > insightListMax {
		g.Owed = g.Owed[:insightListMax]
	}
	return g
}

// ReciprocityOf sums one contact's entries (all of them are theirs).
func ReciprocityOf(entries []GivingEntry) Reciprocity {
	var r Reciprocity
	for _, e := range entries {
		switch {
		case given(e.Kind):
			r.Given++
			if r.LastGivenAt == nil || e.At.After(*r.LastGivenAt) {
				at := e.At
				r.LastGivenAt = &at
			}
		case e.Kind == "helped_me":
			r.Received++
		}
	}
	return r
}
