package crm

import (
	"context"
	"regexp"
	"sort"
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

// InsightWindow validates a window: to defaults to now and from to 90 days
// before to; it must be positive and at most three years.
func InsightWindow(from, to *time.Time, now time.Time) (time.Time, time.Time, error) {
	t := now.UTC().Truncate(time.Minute)
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

// Insights computes what topics are hot, who the players are and which
// relationships lapse, for the user and window, with aggregation pipelines
// both stores run (no $lookup; FerretDB 1.24's $group knows only $sum and
// $count, so comparisons between fields are made here on small reads).
func (s *Service) Insights(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	db := s.stamps.Database()
	prev := from.Add(-to.Sub(from))
	ins := &Insights{From: from, To: to, PreviousFrom: prev, Topics: []TopicInsight{}, People: []PersonInsight{},
		Speakers: []SpeakerInsight{}, Lapsed: []LapsedContact{}}
	user := bson.M{"user_id": u.ID}
	and := func(parts ...bson.M) bson.M { return store.And(parts...) }

	// Topics: encounter topics, event tags and talk #hashtags, each window,
	// by lowercased name.
	cur, pre := map[string]int{}, map[string]int{}
	for _, w := range []struct {
		m        map[string]int
		from, to time.Time
	}{{cur, from, to}, {pre, prev, from}} {
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
			w.m[strings.TrimSpace(r.ID)] += r.N
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
				for _, m := range hashtag.FindAllStringSubmatch(t.Title, -1) {
					w.m[strings.ToLower(m[1])]++
				}
			}
		}
	}

	// Speakers: talks per (speaker, event) in the pipeline; spellings are
	// merged case-insensitively here, over distinct events.
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
	type spAcc struct {
		spellings map[string]int
		talks     int
		events    map[string]bool
	}
	speakers := map[string]*spAcc{}
	for _, r := range sp {
		name := strings.TrimSpace(r.ID.S)
		if name == "" {
			continue
		}
		k := strings.ToLower(name)
		a := speakers[k]
		if a == nil {
			a = &spAcc{spellings: map[string]int{}, events: map[string]bool{}}
			speakers[k] = a
		}
		a.spellings[name] += r.N
		a.talks += r.N
		a.events[r.ID.E] = true
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
	sort.Slice(ins.Speakers, func(i, j int) bool {
		a, b := ins.Speakers[i], ins.Speakers[j]
		if a.Talks != b.Talks {
			return a.Talks > b.Talks
		}
		if a.Events != b.Events {
			return a.Events > b.Events
		}
		return a.Name < b.Name
	})
	ins.Speakers = ins.Speakers[:min(len(ins.Speakers), insightListMax)]

	for name, n := range cur {
		ins.Topics = append(ins.Topics, TopicInsight{Name: name, Count: n, PreviousCount: pre[name], Trend: trend(n, pre[name])})
	}
	for name, n := range pre {
		if _, ok := cur[name]; !ok && name != "" {
			ins.Topics = append(ins.Topics, TopicInsight{Name: name, PreviousCount: n, Trend: "falling"})
		}
	}
	sort.Slice(ins.Topics, func(i, j int) bool {
		a, b := ins.Topics[i], ins.Topics[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.PreviousCount != b.PreviousCount {
			return a.PreviousCount > b.PreviousCount
		}
		return a.Name < b.Name
	})
	ins.Topics = ins.Topics[:min(len(ins.Topics), topicListMax)]

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
	people := map[string]*PersonInsight{}
	for _, r := range encPer {
		people[r.ID] = &PersonInsight{ContactID: r.ID, Encounters: r.N}
	}
	for _, r := range introPer {
		if people[r.ID] == nil {
			people[r.ID] = &PersonInsight{ContactID: r.ID}
		}
		people[r.ID].Intros = r.N
	}
	ranked := make([]*PersonInsight, 0, len(people))
	for _, p := range people {
		ranked = append(ranked, p)
	}
	sort.Slice(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if a.Encounters+a.Intros != b.Encounters+b.Intros {
			return a.Encounters+a.Intros > b.Encounters+b.Intros
		}
		if a.Encounters != b.Encounters {
			return a.Encounters > b.Encounters
		}
		return a.ContactID < b.ContactID
	})
	ranked = ranked[:min(len(ranked), insightListMax)]
	ids := make([]string, len(ranked))
	for i, p := range ranked {
		ids[i] = p.ContactID
	}
	cs, err := s.Contacts.GetMany(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range ranked {
		if c := cs[p.ContactID]; c != nil {
			p.Name, p.LastContactedAt = c.Name, c.LastContactedAt
			ins.People = append(ins.People, *p)
		}
	}

	// Follow-ups due in the window, by status; on time and overdue need a
	// comparison of two times, made here.
	// followups_user_due
	byStatus, err := aggregate[countRow](ctx, db.Collection("followups"), "follow-up",
		stage("$match", and(user, window("due_at", from, to))), stage("$group", bson.M{"_id": "$status", "n": bson.M{"$sum": 1}}))
	if err != nil {
		return nil, err
	}
	done := 0
	for _, r := range byStatus {
		if r.ID != followup.Cancelled {
			ins.Followups.Due += r.N
		}
		if r.ID == followup.Done {
			done = r.N
		}
	}
	// followups_user_due
	doneRows, err := aggregate[struct {
		Due     time.Time `bson:"due_at"`
		Updated time.Time `bson:"updated_at"`
	}](ctx, db.Collection("followups"), "follow-up",
		stage("$match", and(user, window("due_at", from, to), bson.M{"status": followup.Done})),
		stage("$project", bson.M{"due_at": 1, "updated_at": 1}))
	if err != nil {
		return nil, err
	}
	for _, r := range doneRows {
		if !r.Updated.After(r.Due.Add(onTimeGrace)) {
			ins.Followups.DoneOnTime++
		}
	}
	now := s.Now()
	overdueTo := to
	if now.Before(overdueTo) {
		overdueTo = now
	}
	if from.Before(overdueTo) {
		// followups_user_status_due
		od, err := aggregate[countRow](ctx, db.Collection("followups"), "follow-up",
			stage("$match", and(user, window("due_at", from, overdueTo), bson.M{"status": followup.Pending})), stage("$count", "n"))
		if err != nil {
			return nil, err
		}
		if len(od) > 0 {
			ins.Followups.Overdue = od[0].N
		}
	}
	if ins.Followups.Due > 0 {
		ins.Followups.CompletionRate = float64(int(float64(done)/float64(ins.Followups.Due)*1000+0.5)) / 1000
	}

	// Lapsed: contacts with a cadence whose last contact (or creation) is
	// older than it, as of now; the oldest first.
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
	type lapsed struct {
		LapsedContact
		since time.Time
	}
	var ls []lapsed
	for _, c := range lc {
		since := c.Created
		if c.Last != nil {
			since = *c.Last
		}
		if now.Sub(since) > time.Duration(c.Cadence)*24*time.Hour {
			ls = append(ls, lapsed{LapsedContact{ContactID: c.ID, Name: c.Name, LastContactedAt: c.Last}, since})
		}
	}
	sort.Slice(ls, func(i, j int) bool {
		if !ls[i].since.Equal(ls[j].since) {
			return ls[i].since.Before(ls[j].since)
		}
		return ls[i].ContactID < ls[j].ContactID
	})
	for i := 0; i < len(ls) && i < topicListMax; i++ {
		ins.Lapsed = append(ins.Lapsed, ls[i].LapsedContact)
	}
	return ins, nil
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
