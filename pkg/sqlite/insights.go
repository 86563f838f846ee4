package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
)

// Insights is the insights.Source of the embedded store: every count is a
// SQL aggregate over one user's rows in the window, through an index.
// Lower-casing is done in Go (SQLite's lower() folds ASCII only), on the
// grouped rows.
type Insights struct {
	DB *DB
	// MaxOutside is how many of a user's encounters may fall outside a
	// window for the people met most to start from the kept counts
	// (metLeaders); 0 is 5,000, below 0 never (the tests run both ways).
	MaxOutside int
}

var _ insights.Source = (*Insights)(nil)

// countRows runs a query of (key, count) rows and adds them to into, the key
// trimmed and lower-cased.
func (s *Insights) countRows(ctx context.Context, into map[string]int, query string, args ...any) error {
	type kv struct {
		k string
		n int
	}
	rows, err := queryAll(ctx, s.DB, "insight", func(r scanner) (*kv, error) {
		var x kv
		var k sql.NullString
		if err := r.Scan(&k, &x.n); err != nil {
			return nil, translate(err, "insight")
		}
		x.k = k.String
		return &x, nil
	}, query, args...)
	for _, r := range rows {
		into[strings.TrimSpace(strings.ToLower(r.k))] += r.n
	}
	return err
}

// Facts counts the user's facts for the window and the one before it.
func (s *Insights) Facts(ctx context.Context, userID string, from, to, now time.Time) (*insights.Facts, error) {
	f := insights.NewFacts()
	prev := from.Add(-to.Sub(from))
	for i, w := range []struct{ from, to time.Time }{{from, to}, {prev, from}} {
		a, b := formatTime(w.from), formatTime(w.to)
		if err := s.countTopics(ctx, f.Topics[i], userID, w.from, w.to); err != nil {
			return nil, err
		}
		titles, err := queryAll(ctx, s.DB, "insight", func(r scanner) (*string, error) {
			var t sql.NullString
			err := r.Scan(&t)
			return &t.String, translate(err, "insight")
		}, `SELECT json_extract(t.value, '$.title') FROM events e, json_each(e.talks) t
			WHERE e.user_id = ? AND e.starts_at >= ? AND e.starts_at < ?`, userID, a, b)
		if err != nil {
			return nil, err
		}
		for _, t := range titles {
			for _, x := range insights.Hashtag.FindAllStringSubmatch(t, -1) {
				f.Topics[i][strings.ToLower(x[1])]++
			}
		}
	}
	a, b := formatTime(from), formatTime(to)

	// Speakers: talks per (speaker, event) (events_user_starts), with what
	// says whether the user saw them.
	type spRow struct {
		speaker, event string
		n              int
		seen           insights.TalkEvent
	}
	sp, err := queryAll(ctx, s.DB, "insight", func(r scanner) (*spRow, error) {
		var x spRow
		var speaker sql.NullString
		var starts string
		err := r.Scan(&speaker, &x.event, &x.n, &x.seen.Status, &x.seen.Followed, &starts)
		x.speaker = speaker.String
		if err == nil {
			x.seen.StartsAt, err = parseTime(starts)
		}
		return &x, translate(err, "insight")
	}, `SELECT json_extract(t.value, '$.speaker'), e.id, count(*), e.status, e.source_calendar_id IS NOT NULL, e.starts_at
		FROM events e, json_each(e.talks) t
		WHERE e.user_id = ? AND e.starts_at >= ? AND e.starts_at < ? GROUP BY 1, 2`, userID, a, b)
	if err != nil {
		return nil, err
	}
	for _, r := range sp {
		f.Talks[insights.SpeakerAt{Speaker: r.speaker, Event: r.event}] += r.n
		f.TalkEvents[r.event] = r.seen
	}
	f.MetAt = func(ids []string) (map[string]bool, error) {
		return (&Contacts{DB: s.DB}).EventsMetAt(ctx, userID, ids)
	}

	// People: intros per contact (intros_user_created), then encounters
	// per contact (encounters_user_contact: grouped in index order, no
	// sort) of only the PeopleMax leaders by encounters and of the people
	// introduced — an account can meet 50,000 people in a window, and
	// anyone else ranks below those leaders in insights.Assemble's order.
	if err := s.countIDs(ctx, f.Introduced, `SELECT c, count(*) FROM (
		SELECT contact_a AS c FROM intros WHERE user_id = ? AND created_at >= ? AND created_at < ?
		UNION ALL SELECT contact_b FROM intros WHERE user_id = ? AND created_at >= ? AND created_at < ?) GROUP BY c`,
		userID, a, b, userID, a, b); err != nil {
		return nil, err
	}
	if err := s.metLeaders(ctx, f.Met, userID, a, b); err != nil {
		return nil, err
	}
	var introduced []string
	for id := range f.Introduced {
		if _, ok := f.Met[id]; !ok {
			introduced = append(introduced, id)
		}
	}
	if len(introduced) > 0 {
		if err := s.countIDs(ctx, f.Met, `SELECT contact_id, count(*) FROM encounters INDEXED BY encounters_user_contact
			WHERE user_id = ? AND contact_id IN (SELECT value FROM json_each(?)) AND met_at >= ? AND met_at < ? GROUP BY contact_id`,
			userID, jsonList(introduced), a, b); err != nil {
			return nil, err
		}
	}
	f.People = func(ids []string) (map[string]insights.PersonInsight, error) {
		cs, err := (&Contacts{DB: s.DB}).ContactsByID(ctx, userID, ids)
		out := map[string]insights.PersonInsight{}
		for id, c := range cs {
			out[id] = insights.PersonInsight{Name: c.Name, LastContactedAt: c.LastContactedAt}
		}
		return out, err
	}

	// Follow-ups due in the window (followups_user_due).
	byStatus := map[string]int{}
	if err := s.countIDs(ctx, byStatus, `SELECT status, count(*) FROM followups
		WHERE user_id = ? AND due_at >= ? AND due_at < ? GROUP BY status`, userID, a, b); err != nil {
		return nil, err
	}
	for status, n := range byStatus {
		if status != followup.Cancelled {
			f.Due += n
		}
	}
	f.Done = byStatus[followup.Done]
	done, err := queryAll(ctx, s.DB, "insight", scanFollowup, `SELECT `+followupColumns+` FROM followups
		WHERE user_id = ? AND status = 'done' AND due_at >= ? AND due_at < ?`, userID, a, b)
	if err != nil {
		return nil, err
	}
	for i := range done {
		if insights.DoneOnTime(&done[i]) {
			f.OnTime++
		}
	}
	if overdueTo := insights.Earlier(to, now); from.Before(overdueTo) {
		// followups_user_status_due
		if err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT count(*) FROM followups WHERE user_id = ? AND status = 'pending'
			AND due_at >= ? AND due_at < ?`, userID, a, formatTime(overdueTo)).Scan(&f.Overdue); err != nil {
			return nil, translate(err, "insight")
		}
	}

	// Contacts with a cadence, for lapsed ones (contacts_user_cadence).
	cad, err := queryAll(ctx, s.DB, "insight", func(r scanner) (*insights.Cadenced, error) {
		var c insights.Cadenced
		var last sql.NullString
		var created string
		if err := r.Scan(&c.ID, &c.Name, &c.Days, &last, &created); err != nil {
			return nil, translate(err, "insight")
		}
		var err error
		if c.Last, err = parseNullTime(last); err == nil {
			c.Created, err = parseTime(created)
		}
		return &c, translate(err, "insight")
	}, `SELECT id, name, cadence_days, last_contacted_at, created_at FROM contacts WHERE user_id = ? AND cadence_days > 0`, userID)
	if err != nil {
		return nil, err
	}
	f.Cadenced = cad
	return f, nil
}

// countTopics adds the user's topics of [from, to) to into: the whole UTC
// days inside it from topic_days (migration 00029), the partial days at
// its ends from the encounters (encounters_user_met) and events
// (events_user_starts) themselves.
func (s *Insights) countTopics(ctx context.Context, into map[string]int, userID string, from, to time.Time) error {
	first := from.UTC().Truncate(24 * time.Hour)
	if first.Before(from) {
		first = first.Add(24 * time.Hour)
	}
	last := to.UTC().Truncate(24 * time.Hour)
	direct := func(from, to time.Time) error {
		if !from.Before(to) {
			return nil
		}
		a, b := formatTime(from), formatTime(to)
		if err := s.countRows(ctx, into, `SELECT j.value, count(*) FROM encounters e, json_each(e.topics) j
			WHERE e.user_id = ? AND e.met_at >= ? AND e.met_at < ? GROUP BY j.value`, userID, a, b); err != nil {
			return err
		}
		return s.countRows(ctx, into, `SELECT j.value, count(*) FROM events e, json_each(e.tags) j
			WHERE e.user_id = ? AND e.starts_at >= ? AND e.starts_at < ? GROUP BY j.value`, userID, a, b)
	}
	if !first.Before(last) {
		return direct(from, to)
	}
	if err := direct(from, first); err != nil {
		return err
	}
	if err := direct(last, to); err != nil {
		return err
	}
	return s.countRows(ctx, into, `SELECT topic, sum(n) FROM topic_days WHERE user_id = ? AND day >= ? AND day < ? GROUP BY topic`,
		userID, first.Format(time.DateOnly), last.Format(time.DateOnly))
}

// outsideCounts counts per contact the user's encounters before the
// window (?2) and from its end (?3): two ranges of encounters_user_met,
// not a scan of all.
const outsideCounts = `SELECT contact_id, count(*) FROM (
	SELECT contact_id FROM encounters WHERE user_id = ?1 AND met_at < ?2
	UNION ALL SELECT contact_id FROM encounters WHERE user_id = ?1 AND met_at >= ?3) GROUP BY contact_id`

// keptLeaders reads the contacts met most from the kept counts, in
// encounter_counts_user_n order (no sort).
const keptLeaders = `SELECT contact_id, n FROM encounter_counts WHERE user_id = ? ORDER BY n DESC, contact_id LIMIT ?`

// maxOutside is Insights.MaxOutside's default.
const maxOutside = 5000

// metLeaders counts the encounters in [a, b) of the PeopleMax contacts
// met most. When all but a few of the user's encounters fall in the window
// (a young or dense account), it starts from the counts triggers keep in
// encounter_counts (migration 00034) and takes away the encounters
// outside the window: the true leaders are among the PeopleMax plus as
// many as those encounters touch, read in encounter_counts_user_n order.
// Else the window's encounters are grouped in encounters_user_contact
// order (no sort).
func (s *Insights) metLeaders(ctx context.Context, into map[string]int, userID, a, b string) error {
	most := cmp.Or(s.MaxOutside, maxOutside)
	var outside int
	// encounters_user_met: the ranges before and after the window, each read to maxOutside at most.
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM encounters WHERE user_id = ?1 AND met_at < ?2 LIMIT ?4)) +
		(SELECT count(*) FROM (SELECT 1 FROM encounters WHERE user_id = ?1 AND met_at >= ?3 LIMIT ?4))`,
		userID, a, b, max(most+1, 0)).Scan(&outside)
	if err != nil {
		return translate(err, "insight")
	}
	if outside > most {
		return s.countIDs(ctx, into, `SELECT contact_id, count(*) FROM encounters INDEXED BY encounters_user_contact
			WHERE user_id = ? AND met_at >= ? AND met_at < ? GROUP BY contact_id ORDER BY count(*) DESC, contact_id LIMIT ?`,
			userID, a, b, insights.PeopleMax)
	}
	out := map[string]int{}
	if outside > 0 {
		if err := s.countIDs(ctx, out, outsideCounts, userID, a, b); err != nil {
			return err
		}
	}
	kept := map[string]int{}
	if err := s.countIDs(ctx, kept, keptLeaders, userID, insights.PeopleMax+len(out)); err != nil {
		return err
	}
	type kv struct {
		id string
		n  int
	}
	in := make([]kv, 0, len(kept))
	for id, n := range kept {
		if n -= out[id]; n > 0 {
			in = append(in, kv{id, n})
		}
	}
	slices.SortFunc(in, func(x, y kv) int { return cmp.Or(cmp.Compare(y.n, x.n), strings.Compare(x.id, y.id)) })
	for _, x := range in[:min(len(in), insights.PeopleMax)] {
		into[x.id] += x.n
	}
	return nil
}

// countIDs runs a query of (key, count) rows and adds them to into as they are.
func (s *Insights) countIDs(ctx context.Context, into map[string]int, query string, args ...any) error {
	type kv struct {
		k string
		n int
	}
	rows, err := queryAll(ctx, s.DB, "insight", func(r scanner) (*kv, error) {
		var x kv
		err := r.Scan(&x.k, &x.n)
		return &x, translate(err, "insight")
	}, query, args...)
	for _, r := range rows {
		into[r.k] += r.n
	}
	return err
}

// TopicMonths implements insights.Source from topic_days (migration
// 00029), which triggers keep as encounters and events are written: the
// months [from, to) touches, their days summed.
func (s *Insights) TopicMonths(ctx context.Context, userID string, from, to time.Time) (insights.TopicMonths, error) {
	out := insights.TopicMonths{}
	type row struct {
		month, topic string
		n            int
	}
	last := to.UTC().Add(-time.Nanosecond).Format("2006-01")
	rows, err := queryAll(ctx, s.DB, "insight", func(r scanner) (*row, error) {
		var x row
		if err := r.Scan(&x.month, &x.topic, &x.n); err != nil {
			return nil, translate(err, "insight")
		}
		return &x, nil
	}, `SELECT substr(day, 1, 7), topic, sum(n) FROM topic_days WHERE user_id = ? AND day >= ? AND day < ? GROUP BY 1, 2`,
		userID, from.UTC().Format("2006-01")+"-01", last+"-32")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		m := out[r.month]
		if m == nil {
			m = map[string]int{}
			out[r.month] = m
		}
		m[r.topic] += r.n
	}
	return out, nil
}
