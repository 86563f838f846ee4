package mongodb

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
)

// Insights is the insights.Source on MongoDB.
type Insights struct{ DB *mongo.Database }

var _ insights.Source = (*Insights)(nil)

// Facts counts a user's insight facts with aggregation pipelines both
// MongoDB-wire stores run (no $lookup; FerretDB 1.24's $group knows only $sum and
// $count, so comparisons between fields are made here on small reads).
func (s *Insights) Facts(ctx context.Context, userID string, from, to, now time.Time) (*insights.Facts, error) {
	db := s.DB
	prev := from.Add(-to.Sub(from))
	f := insights.NewFacts()
	user := bson.M{"user_id": userID}
	and := func(parts ...bson.M) bson.M { return allOf(parts...) }

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
		// events_user_starts (a projected read of the talks, and of what
		// says whether the user saw them)
		talks, err := aggregate[struct {
			ID    string `bson:"_id"`
			Talks []struct {
				Title string `bson:"title"`
			} `bson:"talks"`
			Status string `bson:"status"`
			Source *struct {
				CalendarID string `bson:"calendar_id"`
			} `bson:"source"`
			StartsAt time.Time `bson:"starts_at"`
		}](ctx, db.Collection("events"), "event", stage("$match", and(user, window("starts_at", w.from, w.to))),
			stage("$project", bson.M{"talks.title": 1, "status": 1, "source.calendar_id": 1, "starts_at": 1}))
		if err != nil {
			return nil, err
		}
		for _, r := range talks {
			if i == 0 && len(r.Talks) > 0 {
				f.TalkEvents[r.ID] = insights.TalkEvent{Status: r.Status, Followed: r.Source != nil, StartsAt: r.StartsAt}
			}
			for _, t := range r.Talks {
				for _, x := range insights.Hashtag.FindAllStringSubmatch(t.Title, -1) {
					m[strings.ToLower(x[1])]++
				}
			}
		}
	}

	// Speakers: talks per (speaker, event); the events' status and source
	// were read with their talk titles above.
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
	f.MetAt = func(ids []string) (map[string]bool, error) {
		return (&Contacts{DB: s.DB}).EventsMetAt(ctx, userID, ids)
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
	f.People = func(ids []string) (map[string]insights.PersonInsight, error) {
		cs, err := (&Contacts{DB: s.DB}).ContactsByID(ctx, userID, ids)
		out := map[string]insights.PersonInsight{}
		for id, c := range cs {
			out[id] = insights.PersonInsight{Name: c.Name, LastContactedAt: c.LastContactedAt}
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
	if overdueTo := insights.Earlier(to, now); from.Before(overdueTo) {
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
	return f, nil
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
		return nil, translate(err, what)
	}
	var out []T
	return out, translate(cur.All(ctx, &out), what)
}

func stage(op string, v any) bson.D { return bson.D{{Key: op, Value: v}} }

// TopicMonths implements insights.Source: the window's encounters and
// events are read projected (user_id and time lead their indexes) and
// counted by month here — no date operators, which FerretDB lacks.
func (s *Insights) TopicMonths(ctx context.Context, userID string, from, to time.Time) (insights.TopicMonths, error) {
	out := insights.TopicMonths{}
	add := func(at time.Time, topics []string) {
		month := at.UTC().Format("2006-01")
		m := out[month]
		if m == nil {
			m = map[string]int{}
			out[month] = m
		}
		for _, t := range topics {
			m[strings.TrimSpace(t)]++
		}
	}
	user := bson.M{"user_id": userID}
	encs, err := aggregate[struct {
		At     time.Time `bson:"met_at"`
		Topics []string  `bson:"topics_lower"`
	}](ctx, s.DB.Collection("encounters"), "encounter", stage("$match", allOf(user, window("met_at", from, to))),
		stage("$project", bson.M{"met_at": 1, "topics_lower": 1}))
	if err != nil {
		return nil, err
	}
	for _, e := range encs {
		add(e.At, e.Topics)
	}
	evs, err := aggregate[struct {
		At   time.Time `bson:"starts_at"`
		Tags []string  `bson:"tags_lower"`
	}](ctx, s.DB.Collection("events"), "event", stage("$match", allOf(user, window("starts_at", from, to))),
		stage("$project", bson.M{"starts_at": 1, "tags_lower": 1}))
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		add(e.At, e.Tags)
	}
	return out, nil
}
