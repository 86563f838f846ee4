package crm

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/store"
)

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
	DefaultInsightWindow = 90 * 24 * time.Hour
	maxInsightWindow     = 3 * 366 * 24 * time.Hour
	insightListMax       = 20
	topicListMax         = 50
	// onTimeGrace is how late a follow-up may be done and still count as on time.
	onTimeGrace = 24 * time.Hour
)

// InsightWindow validates a window: to defaults to now (rounded up to the
// minute) and from to 90 days before to; it must be positive and at most
// three years.
func InsightWindow(from, to *time.Time, now time.Time) (time.Time, time.Time, error) {
	// Now rounded up to the minute: a contact logged a moment ago is in the
	// window, and the window (a cache key) stays put for a minute.
	t := now.UTC().Truncate(time.Minute)
	if t.Before(now) {
		t = t.Add(time.Minute)
	}
	if to != nil {
		t = *to
	}
	f := t.Add(-DefaultInsightWindow)
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

// hashtag finds #topics in talk titles ("Intro to #WASM").
var hashtag = regexp.MustCompile(`#([\pL\pN][\pL\pN_+.-]*)`)

func window(field string, from, to time.Time) bson.M {
	return bson.M{field: bson.M{"$gte": from, "$lt": to}}
}

type countRow struct {
	ID string `bson:"_id"`
	N  int    `bson:"n"`
}

func aggregate[T any](ctx context.Context, c *mongo.Collection, what string, pipeline ...bson.D) ([]T, error) {
	cur, err := c.Aggregate(ctx, mongo.Pipeline(pipeline))
	if err != nil {
		return nil, store.Err(err, what)
	}
	var out []T
	return out, store.Err(cur.All(ctx, &out), what)
}

func stage(op string, v any) bson.D { return bson.D{{Key: op, Value: v}} }

// insightFacts are the counts insights are made of, gathered from the
// ledger or by the pipelines; assemble ranks and trims them.
type insightFacts struct {
	topics     [2]map[string]int // by lowercased name: the window, the one before
	talks      map[speakerAt]int // talks per speaker (as written) and event
	met        map[string]int    // encounters per contact
	introduced map[string]int    // intros per contact
	due, done  int
	onTime     int
	overdue    int
	cadenced   []cadencedContact
	// people returns the name and last contact of contacts by id; missing
	// ones (deleted meanwhile) are left out.
	people func(ids []string) (map[string]PersonInsight, error)
}

type speakerAt struct{ speaker, event string }

type cadencedContact struct {
	id, name string
	days     int
	last     *time.Time
	created  time.Time
}

func newFacts() *insightFacts {
	return &insightFacts{topics: [2]map[string]int{{}, {}}, talks: map[speakerAt]int{},
		met: map[string]int{}, introduced: map[string]int{}}
}

// Insights computes what topics are hot, who the players are and which
// relationships lapse, for the user and window. When this process is the
// only writer of its store (SoleWriter) it counts from the user's insights
// ledger (see ledger.go); otherwise it runs the aggregation pipelines of
// InsightsFromStore, which MongoDB answers from its indexes.
func (s *Service) Insights(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	if !s.SoleWriter {
		return s.InsightsFromStore(ctx, u, from, to)
	}
	var ins *Insights
	err := s.ledger.with(ctx, u.ID, func(d *ledgerData) {
		now := s.Now()
		ins, _ = assemble(d.facts(from, to, now), from, to, now) // the ledger's people lookup cannot fail
	})
	return ins, err
}

// facts counts from the ledger what the pipelines of InsightsFromStore count.
func (d *ledgerData) facts(from, to, now time.Time) *insightFacts {
	prev := from.Add(-to.Sub(from))
	in := func(t, a, b time.Time) bool { return !t.Before(a) && t.Before(b) }
	// which says which topic window t is in: 0 this one, 1 the one before, -1 neither.
	which := func(t time.Time) int {
		switch {
		case in(t, from, to):
			return 0
		case in(t, prev, from):
			return 1
		}
		return -1
	}
	f := newFacts()
	for _, e := range d.encounters {
		w := which(e.metAt)
		if w < 0 {
			continue
		}
		if w == 0 {
			f.met[e.contact]++
		}
		for _, t := range e.topics {
			f.topics[w][strings.TrimSpace(t)]++
		}
	}
	for id, e := range d.events {
		w := which(e.startsAt)
		if w < 0 {
			continue
		}
		if w == 0 {
			for _, sp := range e.speakers {
				f.talks[speakerAt{sp, id}]++
			}
		}
		for _, t := range e.tags {
			f.topics[w][strings.TrimSpace(t)]++
		}
		for _, t := range e.hashtags {
			f.topics[w][t]++
		}
	}
	for _, it := range d.intros {
		if in(it.created, from, to) {
			for _, c := range it.contacts {
				f.introduced[c]++
			}
		}
	}
	overdueTo := earlier(to, now)
	for _, fu := range d.followups {
		if in(fu.due, from, to) {
			if fu.status != followup.Cancelled {
				f.due++
			}
			if fu.status == followup.Done {
				f.done++
				if fu.onTime {
					f.onTime++
				}
			}
		}
		if fu.status == followup.Pending && in(fu.due, from, overdueTo) {
			f.overdue++
		}
	}
	for id, c := range d.contacts {
		if c.cadence > 0 {
			f.cadenced = append(f.cadenced, cadencedContact{id: id, name: c.name, days: c.cadence, last: c.last, created: c.created})
		}
	}
	f.people = func(ids []string) (map[string]PersonInsight, error) {
		out := map[string]PersonInsight{}
		for _, id := range ids {
			if c, ok := d.contacts[id]; ok {
				out[id] = PersonInsight{Name: c.name, LastContactedAt: c.last}
			}
		}
		return out, nil
	}
	return f
}

// InsightsFromStore computes insights with aggregation pipelines both
// stores run (no $lookup; FerretDB 1.24's $group knows only $sum and
// $count, so comparisons between fields are made here on small reads).
// Insights uses it unless this process is its store's only writer; tests
// compare the two.
func (s *Service) InsightsFromStore(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	db := s.stamps.Database()
	prev := from.Add(-to.Sub(from))
	f := newFacts()
	user := bson.M{"user_id": u.ID}
	and := func(parts ...bson.M) bson.M { return store.And(parts...) }

	// Topics: encounter topics, event tags and talk #hashtags, each window,
	// by lowercased name.
	for i, w := range []struct{ from, to time.Time }{{from, to}, {prev, from}} {
		m := f.topics[i]
		// encounters_user_event (user_id prefix)
		enc, err := aggregate[countRow](ctx, db.Collection("encounters"), "encounter",
			stage("$match", and(user, window("met_at", w.from, w.to))), stage("$unwind", "$topics_lower"),
			stage("$group", bson.M{"_id": "$topics_lower", "n": bson.M{"$sum": 1}}))
		if err != nil {
			return nil, err
		}
		// events_user_starts
		tags, err := aggregate[countRow](ctx, db.Collection("events"), "event",
			stage("$match", and(user, window("starts_at", w.from, w.to))), stage("$unwind", "$tags_lower"),
			stage("$group", bson.M{"_id": "$tags_lower", "n": bson.M{"$sum": 1}}))
		if err != nil {
			return nil, err
		}
		for _, r := range append(enc, tags...) {
			m[strings.TrimSpace(r.ID)] += r.N
		}
		// events_user_starts (a projected read of the talk titles)
		talks, err := aggregate[struct {
			Talks []struct {
				Title string `bson:"title"`
			} `bson:"talks"`
		}](ctx, db.Collection("events"), "event", stage("$match", and(user, window("starts_at", w.from, w.to))),
			stage("$project", bson.M{"talks.title": 1}))
		if err != nil {
			return nil, err
		}
		for _, r := range talks {
			for _, t := range r.Talks {
				for _, x := range hashtag.FindAllStringSubmatch(t.Title, -1) {
					m[strings.ToLower(x[1])]++
				}
			}
		}
	}

	// Speakers: talks per (speaker, event).
	type spRow struct {
		ID struct {
			S string `bson:"s"`
			E string `bson:"e"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	// events_user_starts
	sp, err := aggregate[spRow](ctx, db.Collection("events"), "event",
		stage("$match", and(user, window("starts_at", from, to))), stage("$unwind", "$talks"),
		stage("$group", bson.M{"_id": bson.M{"s": "$talks.speaker", "e": "$_id"}, "n": bson.M{"$sum": 1}}))
	if err != nil {
		return nil, err
	}
	for _, r := range sp {
		f.talks[speakerAt{r.ID.S, r.ID.E}] += r.N
	}

	// People: encounters and intros per contact in the window.
	// encounters_user_contact (user_id prefix)
	encPer, err := aggregate[countRow](ctx, db.Collection("encounters"), "encounter",
		stage("$match", and(user, window("met_at", from, to))), stage("$group", bson.M{"_id": "$contact_id", "n": bson.M{"$sum": 1}}))
	if err != nil {
		return nil, err
	}
	// intros_user_contacts
	introPer, err := aggregate[countRow](ctx, db.Collection("intros"), "intro",
		stage("$match", and(user, window("created_at", from, to))), stage("$unwind", "$contact_ids"),
		stage("$group", bson.M{"_id": "$contact_ids", "n": bson.M{"$sum": 1}}))
	if err != nil {
		return nil, err
	}
	for _, r := range encPer {
		f.met[r.ID] += r.N
	}
	for _, r := range introPer {
		f.introduced[r.ID] += r.N
	}
	f.people = func(ids []string) (map[string]PersonInsight, error) {
		cs, err := s.Contacts.GetMany(ctx, u.ID, ids)
		out := map[string]PersonInsight{}
		for id, c := range cs {
			out[id] = PersonInsight{Name: c.Name, LastContactedAt: c.LastContactedAt}
		}
		return out, err
	}

	// Follow-ups due in the window, by status; on time and overdue need a
	// comparison of two times, made here.
	// followups_user_due
	byStatus, err := aggregate[countRow](ctx, db.Collection("followups"), "follow-up",
		stage("$match", and(user, window("due_at", from, to))), stage("$group", bson.M{"_id": "$status", "n": bson.M{"$sum": 1}}))
	if err != nil {
		return nil, err
	}
	for _, r := range byStatus {
		if r.ID != followup.Cancelled {
			f.due += r.N
		}
		if r.ID == followup.Done {
			f.done = r.N
		}
	}
	// followups_user_due
	doneRows, err := aggregate[followup.FollowUp](ctx, db.Collection("followups"), "follow-up",
		stage("$match", and(user, window("due_at", from, to), bson.M{"status": followup.Done})),
		stage("$project", bson.M{"due_at": 1, "ended_at": 1, "updated_at": 1}))
	if err != nil {
		return nil, err
	}
	for _, r := range doneRows {
		if doneOnTime(&r) {
			f.onTime++
		}
	}
	if overdueTo := earlier(to, s.Now()); from.Before(overdueTo) {
		// followups_user_status_due
		od, err := aggregate[countRow](ctx, db.Collection("followups"), "follow-up",
			stage("$match", and(user, window("due_at", from, overdueTo), bson.M{"status": followup.Pending})), stage("$count", "n"))
		if err != nil {
			return nil, err
		}
		if len(od) > 0 {
			f.overdue = od[0].N
		}
	}

	// Contacts with a cadence, for lapsed ones.
	// contacts_user_name (user_id prefix)
	lc, err := aggregate[struct {
		ID      string     `bson:"_id"`
		Name    string     `bson:"name"`
		Cadence int        `bson:"cadence_days"`
		Last    *time.Time `bson:"last_contacted_at"`
		Created time.Time  `bson:"created_at"`
	}](ctx, db.Collection("contacts"), "contact",
		stage("$match", and(user, bson.M{"cadence_days": bson.M{"$gt": 0}})),
		stage("$project", bson.M{"name": 1, "cadence_days": 1, "last_contacted_at": 1, "created_at": 1}))
	if err != nil {
		return nil, err
	}
	for _, c := range lc {
		f.cadenced = append(f.cadenced, cadencedContact{id: c.ID, name: c.Name, days: c.Cadence, last: c.Last, created: c.Created})
	}
	return assemble(f, from, to, s.Now())
}

// assemble ranks and trims the facts into the answer.
func assemble(f *insightFacts, from, to, now time.Time) (*Insights, error) {
	ins := &Insights{From: from, To: to, PreviousFrom: from.Add(-to.Sub(from)), Topics: []TopicInsight{},
		People: []PersonInsight{}, Speakers: []SpeakerInsight{}, Lapsed: []LapsedContact{}}

	cur, pre := f.topics[0], f.topics[1]
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

	// Speakers: spellings are merged case-insensitively, over distinct events.
	type spAcc struct {
		spellings map[string]int
		talks     int
		events    map[string]bool
	}
	speakers := map[string]*spAcc{}
	for k, n := range f.talks {
		name := strings.TrimSpace(k.speaker)
		if name == "" {
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
		a.events[k.event] = true
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

	ranked := make([]PersonInsight, 0, len(f.met)+len(f.introduced))
	for id, n := range f.met {
		ranked = append(ranked, PersonInsight{ContactID: id, Encounters: n, Intros: f.introduced[id]})
	}
	for id, n := range f.introduced {
		if _, ok := f.met[id]; !ok {
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
	known, err := f.people(ids)
	if err != nil {
		return nil, err
	}
	for _, p := range ranked {
		if k, ok := known[p.ContactID]; ok {
			p.Name, p.LastContactedAt = k.Name, k.LastContactedAt
			ins.People = append(ins.People, p)
		}
	}

	ins.Followups = FollowupInsight{Due: f.due, DoneOnTime: f.onTime, Overdue: f.overdue}
	if f.due > 0 {
		ins.Followups.CompletionRate = float64(int(float64(f.done)/float64(f.due)*1000+0.5)) / 1000
	}

	// Lapsed: contacts with a cadence whose last contact (or creation) is
	// older than it, as of now; the oldest first.
	type lapsed struct {
		LapsedContact
		since time.Time
	}
	var ls []lapsed
	for _, c := range f.cadenced {
		since := c.created
		if c.last != nil {
			since = *c.last
		}
		if now.Sub(since) > time.Duration(c.days)*24*time.Hour {
			ls = append(ls, lapsed{LapsedContact{ContactID: c.id, Name: c.name, LastContactedAt: c.last}, since})
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

// doneOnTime says whether a follow-up was ended within onTimeGrace of its
// due time (by ended_at; documents from before it existed, by updated_at).
func doneOnTime(f *followup.FollowUp) bool {
	ended := f.UpdatedAt
	if f.EndedAt != nil {
		ended = *f.EndedAt
	}
	return !ended.After(f.DueAt.Add(onTimeGrace))
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
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
