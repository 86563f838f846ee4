package crm

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
	"github.com/rapport-crm/rapport/pkg/store"
)

// The insights types live in pkg/insights; these names keep the API's.
type (
	// Insights answers GET /v1/insights.
	Insights = insights.Insights
	// PersonInsight ranks a contact by encounters and intros in the window.
	PersonInsight = insights.PersonInsight
)

// DefaultInsightWindow is the default window of insights.
const DefaultInsightWindow = insights.DefaultWindow

// InsightWindow validates a window (see insights.Window).
func InsightWindow(from, to *time.Time, now time.Time) (time.Time, time.Time, error) {
	return insights.Window(from, to, now)
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
		ins, _ = insights.Assemble(d.facts(from, to, now), from, to, now) // the ledger's people lookup cannot fail
	})
	return ins, err
}

// facts counts from the ledger what the pipelines of InsightsFromStore count.
func (d *ledgerData) facts(from, to, now time.Time) *insights.Facts {
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
	f := insights.NewFacts()
	for _, e := range d.encounters {
		w := which(e.metAt)
		if w < 0 {
			continue
		}
		if w == 0 {
			f.Met[e.contact]++
		}
		for _, t := range e.topics {
			f.Topics[w][strings.TrimSpace(t)]++
		}
	}
	for id, e := range d.events {
		w := which(e.startsAt)
		if w < 0 {
			continue
		}
		if w == 0 {
			for _, sp := range e.speakers {
				f.Talks[insights.SpeakerAt{Speaker: sp, Event: id}]++
			}
		}
		for _, t := range e.tags {
			f.Topics[w][strings.TrimSpace(t)]++
		}
		for _, t := range e.hashtags {
			f.Topics[w][t]++
		}
	}
	for _, it := range d.intros {
		if in(it.created, from, to) {
			for _, c := range it.contacts {
				f.Introduced[c]++
			}
		}
	}
	overdueTo := insights.Earlier(to, now)
	for _, fu := range d.followups {
		if in(fu.due, from, to) {
			if fu.status != followup.Cancelled {
				f.Due++
			}
			if fu.status == followup.Done {
				f.Done++
				if fu.onTime {
					f.OnTime++
				}
			}
		}
		if fu.status == followup.Pending && in(fu.due, from, overdueTo) {
			f.Overdue++
		}
	}
	for id, c := range d.contacts {
		if c.cadence > 0 {
			f.Cadenced = append(f.Cadenced, insights.Cadenced{ID: id, Name: c.name, Days: c.cadence, Last: c.last, Created: c.created})
		}
	}
	f.People = func(ids []string) (map[string]PersonInsight, error) {
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
	f := insights.NewFacts()
	user := bson.M{"user_id": u.ID}
	and := func(parts ...bson.M) bson.M { return store.And(parts...) }

	// Topics: encounter topics, event tags and talk #hashtags, each window,
	// by lowercased name.
	for i, w := range []struct{ from, to time.Time }{{from, to}, {prev, from}} {
		m := f.Topics[i]
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
				for _, x := range insights.Hashtag.FindAllStringSubmatch(t.Title, -1) {
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
		f.Talks[insights.SpeakerAt{Speaker: r.ID.S, Event: r.ID.E}] += r.N
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
		f.Met[r.ID] += r.N
	}
	for _, r := range introPer {
		f.Introduced[r.ID] += r.N
	}
	f.People = func(ids []string) (map[string]PersonInsight, error) {
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
			f.Due += r.N
		}
		if r.ID == followup.Done {
			f.Done = r.N
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
		if insights.DoneOnTime(&r) {
			f.OnTime++
		}
	}
	if overdueTo := insights.Earlier(to, s.Now()); from.Before(overdueTo) {
		// followups_user_status_due
		od, err := aggregate[countRow](ctx, db.Collection("followups"), "follow-up",
			stage("$match", and(user, window("due_at", from, overdueTo), bson.M{"status": followup.Pending})), stage("$count", "n"))
		if err != nil {
			return nil, err
		}
		if len(od) > 0 {
			f.Overdue = od[0].N
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
		f.Cadenced = append(f.Cadenced, insights.Cadenced{ID: c.ID, Name: c.Name, Days: c.Cadence, Last: c.Last, Created: c.Created})
	}
	return insights.Assemble(f, from, to, s.Now())
}

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
