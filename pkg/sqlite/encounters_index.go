package sqlite

import (
	"context"
	"slices"
	"strconv"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// indexEncounters puts new encounters in the search index, adds them to
// the insights' counts (topics by day, encounters by contact) and
// journals their contacts' cards for sync-collection, a statement each
// for all of them; both paths that insert encounters (logging one,
// restoring a batch) call it in the same transaction. Four triggers did
// it for each row before migration 00041: a restore of 30,000 encounters
// ran them 30,000 times. The counts are summed here, and the cards listed
// once each, so each statement writes a row a count or a card, not one an
// encounter.
func (tx *Tx) indexEncounters(ctx context.Context, es []*contacts.Encounter) error {
	if len(es) == 0 {
		return nil
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	if err := tx.execAll(ctx, "encounter", encounterSearchQueries, jsonList(ids)); err != nil {
		return err
	}
	topics, met := encounterCounts(es)
	if len(topics) > 0 { // encounters logged without topics count none
		if err := tx.execAll(ctx, "encounter", []string{topicDaysQuery}, jsonRows(topics)); err != nil {
			return err
		}
	}
	if err := tx.execAll(ctx, "encounter", []string{encounterCountsQuery}, jsonRows(met)); err != nil {
		return err
	}
	return journalCards(ctx, tx, "encounter", es, func(e *contacts.Encounter) (string, string) { return e.UserID, e.ContactID })
}

// encounterCounts sums what es add to the insights' counts: each topic a
// day (user, day, topic as insights count it, n; a topic counts as often
// as an encounter names it, as the insights read the encounters
// themselves) and the encounters with each contact (user, contact, n),
// both in order.
func encounterCounts(es []*contacts.Encounter) (topics, met [][]string) {
	byTopic := map[[3]string]int{}
	byContact := map[[2]string]int{}
	for _, e := range es {
		day := formatTime(e.MetAt)[:len("2006-01-02")]
		for _, t := range e.Topics {
			if k := topicKey(t); k != "" {
				byTopic[[3]string{e.UserID, day, k}]++
			}
		}
		byContact[[2]string{e.UserID, e.ContactID}]++
	}
	for k, n := range byTopic {
		topics = append(topics, []string{k[0], k[1], k[2], strconv.Itoa(n)})
	}
	for k, n := range byContact {
		met = append(met, []string{k[0], k[1], strconv.Itoa(n)})
	}
	// By key: every field but the count.
	byKey := func(a, b []string) int { return slices.Compare(a[:len(a)-1], b[:len(b)-1]) }
	slices.SortFunc(topics, byKey)
	slices.SortFunc(met, byKey)
	return topics, met
}

// encounterSearchQueries put new encounters in the search index, each of
// a JSON list of their ids (?1).
var encounterSearchQueries = searchQueries("encounters_search")

// topicDaysQuery adds topic counts (encounterCounts' topics, a JSON array).
const topicDaysQuery = `INSERT INTO topic_days(user_id, day, topic, n)
	SELECT value->>0, value->>1, value->>2, CAST(value->>3 AS INTEGER) FROM json_each(?) WHERE true
	ON CONFLICT(user_id, day, topic) DO UPDATE SET n = n + excluded.n`

// encounterCountsQuery adds encounter counts (encounterCounts' met, a
// JSON array).
const encounterCountsQuery = `INSERT INTO encounter_counts(user_id, contact_id, n)
	SELECT value->>0, value->>1, CAST(value->>2 AS INTEGER) FROM json_each(?) WHERE true
	ON CONFLICT(user_id, contact_id) DO UPDATE SET n = n + excluded.n`
