package mongodb

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Changes is the journal of changed cards and tasks (CardDAV/CalDAV
// sync-collection) on MongoDB. The adapters append to it after each write
// that changes a card or a task (journal below): without multi-document
// transactions it is best effort — a change whose journal write failed
// reaches clients at their next full sync.
//
// Seqs come from a counter per user and collection, so two writes may
// land out of seq order; a token therefore also carries its time, and
// Since returns what changed after its seq or was journaled in the two
// seconds before it (an item seen twice is harmless to a client).
type Changes struct{ DB *mongo.Database }

// tokenSlack covers journal writes still in flight when a token is made.
const tokenSlack = 2 * time.Second

func changesColl(db *mongo.Database) *mongo.Collection { return db.Collection("dav_changes") }
func seqColl(db *mongo.Database) *mongo.Collection     { return db.Collection("dav_seq") }

// EnsureIndexes creates the journal's indexes.
func (s *Changes) EnsureIndexes(ctx context.Context) error {
	err := ensureIndexes(ctx, changesColl(s.DB),
		Index{Name: "dav_changes_seq", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "coll", Value: 1}, {Key: "seq", Value: 1}}},
		Index{Name: "dav_changes_at", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "coll", Value: 1}, {Key: "at", Value: 1}}})
	if err != nil {
		return err
	}
	return ensureIndexes(ctx, s.DB.Collection("followups"),
		Index{Name: "followups_done_ended", Keys: bson.D{{Key: "status", Value: 1}, {Key: "ended_at", Value: 1}}})
}

// journal records that items of one of the user's collections changed.
// Errors are dropped (see Changes); it runs even if ctx was cancelled
// after the write it follows.
func journal(ctx context.Context, db *mongo.Database, userID, coll string, ids ...string) {
	seen := map[string]bool{}
	var items []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			items = append(items, id)
		}
	}
	if len(items) == 0 || userID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var c struct {
		Seq int64 `bson:"seq"`
	}
	err := seqColl(db).FindOneAndUpdate(ctx, bson.M{"_id": userID + "|" + coll}, bson.M{"$inc": bson.M{"seq": int64(len(items))}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return
	}
	at := record.Time(time.Now())
	docs := make([]any, len(items))
	for i, id := range items {
		docs[i] = bson.M{"user_id": userID, "coll": coll, "seq": c.Seq - int64(len(items)) + 1 + int64(i), "item_id": id, "at": at}
	}
	changesColl(db).InsertMany(ctx, docs)
}

// idsOf is the _ids of the documents of c that match, for the journal;
// nil if they cannot be read (the journal is best effort, see Changes).
func idsOf(ctx context.Context, c *mongo.Collection, match bson.M) []string {
	cur, err := c.Find(ctx, match, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return nil
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	cur.All(ctx, &docs)
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

// Token is "<seq>.<unix ms>": the counter now, and when.
func (s *Changes) Token(ctx context.Context, userID, coll string) (string, error) {
	var c struct {
		Seq int64 `bson:"seq"`
	}
	err := seqColl(s.DB).FindOne(ctx, bson.M{"_id": userID + "|" + coll}).Decode(&c)
	if err != nil && err != mongo.ErrNoDocuments {
		return "", translate(err, "change")
	}
	return fmt.Sprintf("%d.%d", c.Seq, time.Now().UnixMilli()), nil
}

// Since returns every item changed after token (limit is not applied: the
// answer is one list, however long).
func (s *Changes) Since(ctx context.Context, userID, coll, token string, _ int) (ids []string, next string, more bool, err error) {
	seqText, msText, ok := strings.Cut(token, ".")
	seq, err1 := strconv.ParseInt(seqText, 10, 64)
	ms, err2 := strconv.ParseInt(msText, 10, 64)
	if !ok || err1 != nil || err2 != nil || seq < 0 {
		return nil, "", false, record.ErrBadSyncToken
	}
	next, err = s.Token(ctx, userID, coll) // before reading: nothing falls between
	if err != nil {
		return nil, "", false, err
	}
	if now, _ := strconv.ParseInt(strings.SplitN(next, ".", 2)[0], 10, 64); seq > now {
		return nil, "", false, record.ErrBadSyncToken
	}
	var oldest struct {
		Seq int64 `bson:"seq"`
	}
	err = changesColl(s.DB).FindOne(ctx, bson.M{"user_id": userID, "coll": coll}, options.FindOne().SetSort(bson.D{{Key: "seq", Value: 1}})).Decode(&oldest)
	if err != nil && err != mongo.ErrNoDocuments {
		return nil, "", false, translate(err, "change")
	}
	if err == nil && seq < oldest.Seq-1 {
		return nil, "", false, record.ErrBadSyncToken // older than what Prune kept
	}
	since := time.UnixMilli(ms).Add(-tokenSlack).UTC()
	var docs []struct {
		Item string `bson:"item_id"`
		Seq  int64  `bson:"seq"`
	}
	if err := findAll(ctx, changesColl(s.DB), "change", &docs, bson.M{"user_id": userID, "coll": coll,
		"$or": bson.A{bson.M{"seq": bson.M{"$gt": seq}}, bson.M{"at": bson.M{"$gte": since}}}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetProjection(bson.M{"item_id": 1, "seq": 1})); err != nil {
		return nil, "", false, err
	}
	last := map[string]int64{}
	for _, d := range docs {
		last[d.Item] = d.Seq
	}
	for id := range last {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return last[ids[i]] < last[ids[j]] })
	return ids, next, false, nil
}

// Prune keeps the newest keep changes of each user's collection (by seq)
// and deletes the rest; older tokens then ask for a full sync.
func (s *Changes) Prune(ctx context.Context, keep int) (int64, error) {
	var counters []struct {
		ID  string `bson:"_id"`
		Seq int64  `bson:"seq"`
	}
	if err := findAll(ctx, seqColl(s.DB), "change", &counters, bson.M{"seq": bson.M{"$gt": keep}}); err != nil {
		return 0, err
	}
	var n int64
	for _, c := range counters {
		user, coll, ok := strings.Cut(c.ID, "|")
		if !ok {
			continue
		}
		res, err := changesColl(s.DB).DeleteMany(ctx, bson.M{"user_id": user, "coll": coll, "seq": bson.M{"$lte": c.Seq - int64(keep)}})
		if err != nil {
			return n, translate(err, "change")
		}
		n += res.DeletedCount
	}
	return n, nil
}

// AgeOut journals the follow-ups done in [from, to) in their users' task
// lists (followups_done_ended).
func (s *Changes) AgeOut(ctx context.Context, from, to time.Time) (int64, error) {
	var docs []struct {
		ID     string `bson:"_id"`
		UserID string `bson:"user_id"`
	}
	if err := findAll(ctx, s.DB.Collection("followups"), "change", &docs, bson.M{"status": followup.Done,
		"ended_at": bson.M{"$gte": record.Time(from), "$lt": record.Time(to)}}, options.Find().SetProjection(bson.M{"user_id": 1})); err != nil {
		return 0, err
	}
	byUser := map[string][]string{}
	for _, d := range docs {
		byUser[d.UserID] = append(byUser[d.UserID], d.ID)
	}
	for userID, ids := range byUser {
		journal(ctx, s.DB, userID, "tasks", ids...)
	}
	return int64(len(docs)), nil
}
