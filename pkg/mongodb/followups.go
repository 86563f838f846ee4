package mongodb

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Followups is the followup.Store on MongoDB: collections followups,
// dispatch (the queue), dispatch_leases, dispatch_state and nudged. Each
// queue, lease and state document is one user's, so a tick's cost follows
// the number of users, and claims are inserts (atomic through the unique
// _id on every MongoDB-wire server).
type Followups struct{ DB *mongo.Database }

var _ followup.Store = (*Followups)(nil)

func (s *Followups) c() *mongo.Collection        { return s.DB.Collection("followups") }
func (s *Followups) dispatch() *mongo.Collection { return s.DB.Collection("dispatch") }
func (s *Followups) leases() *mongo.Collection   { return s.DB.Collection("dispatch_leases") }
func (s *Followups) state() *mongo.Collection    { return s.DB.Collection("dispatch_state") }
func (s *Followups) nudged() *mongo.Collection   { return s.DB.Collection("nudged") }

// nudgeDoc is a nudge record; its _id is NudgeKey, so recording is an
// idempotent insert.
type nudgeDoc struct {
	ID         string    `bson:"_id"`
	UserID     string    `bson:"user_id"`
	FollowUpID string    `bson:"followup_id"`
	At         time.Time `bson:"at"`
	Failed     bool      `bson:"failed,omitempty"`
	Error      string    `bson:"error,omitempty"`
}

type leaseDoc struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	At    time.Time `bson:"at"`
}

// EnsureIndexes creates the indexes of the follow-ups' query shapes.
func (s *Followups) EnsureIndexes(ctx context.Context) error {
	// followups_user_contact_due took its place (user and contact, then
	// due_at: a contact's follow-ups in due order, of any status): absent
	// from a new database.
	s.c().Indexes().DropOne(ctx, "followups_user_contact")
	for _, x := range []struct {
		c   *mongo.Collection
		idx Index
	}{
		{s.c(), Index{Name: "followups_pending_key", Keys: bson.D{{Key: "pending_key", Value: 1}}, Unique: true}},
		{s.c(), Index{Name: "followups_user_due", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}}},
		// A contact's follow-ups of one status by due time (its page's timeline).
		{s.c(), Index{Name: "followups_user_contact_due", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}}},
		// An event's follow-ups by due time (its page, its review).
		{s.c(), Index{Name: "followups_user_event_due", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}}},
		{s.c(), Index{Name: "followups_user_status_due", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "status", Value: 1}, {Key: "due_at", Value: 1}}}},
		{s.c(), Index{Name: "followups_user_status_ended", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "status", Value: 1}, {Key: "ended_at", Value: 1}}}},
		{s.nudged(), Index{Name: "nudged_user", Keys: bson.D{{Key: "user_id", Value: 1}}}},
		{s.leases(), Index{Name: "dispatch_leases_at", Keys: bson.D{{Key: "at", Value: 1}}}},
		{s.dispatch(), Index{Name: "dispatch_next", Keys: bson.D{{Key: "next_at", Value: 1}}}},
	} {
		if err := ensureIndexes(ctx, x.c, x.idx); err != nil {
			return err
		}
	}
	return nil
}

// CreateFollowup inserts f; a duplicate pending key returns its holder.
func (s *Followups) CreateFollowup(ctx context.Context, f *followup.FollowUp) (*followup.FollowUp, error) {
	_, err := s.c().InsertOne(ctx, f)
	if err == nil {
		journal(ctx, s.DB, f.UserID, "tasks", f.ID)
		return nil, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return nil, translate(err, "follow-up")
	}
	var existing followup.FollowUp
	// followups_pending_key
	if err := s.c().FindOne(ctx, bson.M{"pending_key": f.PendingKey}).Decode(&existing); err != nil {
		return nil, translate(err, "follow-up")
	}
	return &existing, nil
}

// Followup returns one of the user's follow-ups (followups._id, owner checked).
func (s *Followups) Followup(ctx context.Context, userID, id string) (*followup.FollowUp, error) {
	var f followup.FollowUp
	if err := findOwned(ctx, s.c(), id, userID, &f, "follow-up"); err != nil {
		return nil, err
	}
	return &f, nil
}

// Followups returns one page of the user's follow-ups by due_at (followups_user_due).
func (s *Followups) Followups(ctx context.Context, userID string, q followup.Query) (*record.Page[followup.FollowUp], error) {
	f := bson.M{"user_id": userID}
	if q.Status != "" {
		f["status"] = q.Status
	}
	if q.ContactID != "" {
		f["contact_id"] = q.ContactID
	}
	if q.EventID != "" {
		f["event_id"] = q.EventID
	}
	due := bson.M{}
	if q.DueBefore != nil {
		due["$lt"] = *q.DueBefore
	}
	if q.DueFrom != nil {
		due["$gte"] = *q.DueFrom
	}
	if len(due) > 0 {
		f["due_at"] = due
	}
	if q.Cursor != nil && q.Cursor.T == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return findPage(ctx, s.c(), pageQuery{Filter: f, SortField: "due_at", Descending: q.NewestFirst, Limit: q.Limit, Cursor: q.Cursor},
		func(x *followup.FollowUp) record.Cursor { return record.Cursor{T: &x.DueAt, ID: x.ID} }, "follow-up")
}

// pendingFilter builds the filter of a PendingFilter.
func pendingFilter(userID string, f followup.PendingFilter) bson.M {
	q := bson.M{"user_id": userID, "status": followup.Pending}
	if f.Before != nil {
		q["due_at"] = bson.M{"$lt": *f.Before}
	}
	if f.IDs != nil {
		q["_id"] = bson.M{"$in": f.IDs}
	}
	if f.ContactID != "" {
		q["contact_id"] = f.ContactID
	}
	if f.Kind != "" {
		q["kind"] = f.Kind
	}
	if f.PendingKey != "" {
		q["pending_key"] = f.PendingKey
	}
	if f.Ref != "" {
		q[string(f.Ref)] = bson.M{"$in": f.RefIDs}
	}
	return q
}

// Pending returns the user's pending follow-ups f selects, by due_at
// (followups_user_status_due).
func (s *Followups) Pending(ctx context.Context, userID string, f followup.PendingFilter) ([]followup.FollowUp, error) {
	o := options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}})
	if f.Limit > 0 {
		o.SetLimit(int64(f.Limit))
	}
	out := []followup.FollowUp{}
	return out, findAll(ctx, s.c(), "follow-up", &out, pendingFilter(userID, f), o)
}

// DoneSince implements followup.Store (followups_user_status_ended).
func (s *Followups) DoneSince(ctx context.Context, userID string, since time.Time) ([]followup.FollowUp, error) {
	out := []followup.FollowUp{}
	return out, findAll(ctx, s.c(), "follow-up", &out, bson.M{"user_id": userID, "status": followup.Done, "ended_at": bson.M{"$gte": record.Time(since)}},
		options.Find().SetSort(bson.D{{Key: "ended_at", Value: 1}, {Key: "_id", Value: 1}}))
}

// ChangePending applies ch to a pending follow-up in one update.
func (s *Followups) ChangePending(ctx context.Context, userID, id string, ch followup.Change) (*followup.FollowUp, error) {
	set := bson.M{"updated_at": record.Time(ch.At)}
	update := bson.M{"$set": set}
	if ch.DueAt != nil {
		set["due_at"] = record.Time(*ch.DueAt)
		update["$inc"] = bson.M{"sequence": 1}
	}
	if ch.Note != nil {
		set["note"] = *ch.Note
	}
	var f followup.FollowUp
	// followups._id, scoped by user_id
	err := s.c().FindOneAndUpdate(ctx, bson.M{"_id": id, "user_id": userID, "status": followup.Pending}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&f)
	if err != nil {
		return nil, translate(err, "follow-up")
	}
	journal(ctx, s.DB, userID, "tasks", id)
	return &f, nil
}

// End ends those of ids still pending, one compare-and-set update each.
func (s *Followups) End(ctx context.Context, userID string, ids []string, status string, at time.Time) ([]followup.FollowUp, error) {
	out := []followup.FollowUp{}
	now := record.Time(at)
	for _, id := range ids {
		var f followup.FollowUp
		// followups._id; the pending key becomes the id, freeing the slot.
		err := s.c().FindOneAndUpdate(ctx, bson.M{"_id": id, "user_id": userID, "status": followup.Pending},
			bson.M{"$set": bson.M{"status": status, "pending_key": id, "updated_at": now, "ended_at": now}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&f)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // ended meanwhile
		}
		if err != nil {
			return out, translate(err, "follow-up")
		}
		out = append(out, f)
	}
	ended := make([]string, len(out))
	for i := range out {
		ended[i] = out[i].ID
	}
	journal(ctx, s.DB, userID, "tasks", ended...)
	return out, nil
}

// Detach clears ref of the user's follow-ups pointing at ids.
func (s *Followups) Detach(ctx context.Context, userID string, ref followup.Ref, ids []string, at time.Time) error {
	field := string(ref)
	_, err := s.c().UpdateMany(ctx, bson.M{"user_id": userID, field: bson.M{"$in": ids}},
		bson.M{"$unset": bson.M{field: ""}, "$set": bson.M{"updated_at": record.Time(at)}})
	return translate(err, "follow-up")
}

// DeleteForContact removes a contact's follow-ups (followups_user_contact_due).
func (s *Followups) DeleteForContacts(ctx context.Context, userID string, contactIDs []string) ([]string, error) {
	if len(contactIDs) == 0 {
		return nil, nil
	}
	return s.deleteWhere(ctx, userID, bson.M{"user_id": userID, "contact_id": bson.M{"$in": contactIDs}})
}

// DeleteFollowUps removes those of ids that are the user's follow-ups (by
// _id), with their nudge records, and journals them.
func (s *Followups) DeleteFollowUps(ctx context.Context, userID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.deleteWhere(ctx, userID, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID})
	return err
}

// deleteWhere deletes the user's follow-ups filter names, journals them
// and removes their nudge records (nudged_user); it returns their ids.
func (s *Followups) deleteWhere(ctx context.Context, userID string, filter bson.M) ([]string, error) {
	ids, err := deleteReturningIDs(ctx, s.c(), filter, "follow-up")
	if err != nil || len(ids) == 0 {
		return ids, err
	}
	journal(ctx, s.DB, userID, "tasks", ids...)
	_, err = s.nudged().DeleteMany(ctx, bson.M{"user_id": userID, "followup_id": bson.M{"$in": ids}})
	return ids, translate(err, "nudge record")
}

// Wake lowers the user's next look with $min and sets a new nonce (dispatch._id).
func (s *Followups) Wake(ctx context.Context, userID string, at time.Time, nonce string) error {
	err := upsertOne(ctx, s.dispatch(), bson.M{"_id": userID},
		bson.M{"$min": bson.M{"next_at": record.Time(at)}, "$set": bson.M{"wake_nonce": nonce}})
	return translate(err, "dispatch queue")
}

// DueUsers returns the users due for a look (dispatch_next).
func (s *Followups) DueUsers(ctx context.Context, now time.Time, limit int) ([]followup.QueueEntry, error) {
	out := []followup.QueueEntry{}
	return out, findAll(ctx, s.dispatch(), "dispatch queue", &out, bson.M{"next_at": bson.M{"$lte": record.Time(now)}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}}).SetLimit(int64(limit)))
}

// SetNextLook sets the next look if no wake came since nonce (dispatch._id).
func (s *Followups) SetNextLook(ctx context.Context, userID, nonce string, at time.Time) error {
	_, err := s.dispatch().UpdateOne(ctx, bson.M{"_id": userID, "wake_nonce": nonce}, bson.M{"$set": bson.M{"next_at": record.Time(at)}})
	return translate(err, "dispatch queue")
}

// ForgetUser removes a deleted user's queue entry and state.
func (s *Followups) ForgetUser(ctx context.Context, userID string) error {
	s.state().DeleteOne(ctx, bson.M{"_id": userID})
	_, err := s.dispatch().DeleteOne(ctx, bson.M{"_id": userID})
	return translate(err, "dispatch queue")
}

// ClaimLease inserts a lease (dispatch_leases._id).
func (s *Followups) ClaimLease(ctx context.Context, id, owner string, at time.Time) (bool, error) {
	_, err := s.leases().InsertOne(ctx, leaseDoc{ID: id, Owner: owner, At: record.Time(at)})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, translate(err, "dispatch lease")
}

// ReleaseLease deletes a lease (dispatch_leases._id).
func (s *Followups) ReleaseLease(ctx context.Context, id string) error {
	_, err := s.leases().DeleteOne(ctx, bson.M{"_id": id})
	return translate(err, "dispatch lease")
}

// PurgeLeases removes leases taken before a time (dispatch_leases_at).
func (s *Followups) PurgeLeases(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.leases().DeleteMany(ctx, bson.M{"at": bson.M{"$lt": record.Time(before)}})
	if err != nil {
		return 0, translate(err, "dispatch lease")
	}
	return res.DeletedCount, nil
}

// State returns the user's dispatcher state (dispatch_state._id).
func (s *Followups) State(ctx context.Context, userID string) (*followup.State, error) {
	st := &followup.State{UserID: userID}
	err := s.state().FindOne(ctx, bson.M{"_id": userID}).Decode(st)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, translate(err, "dispatch state")
	}
	return st, nil
}

// SaveState replaces the user's dispatcher state (dispatch_state._id); only
// the lease holder writes it.
func (s *Followups) SaveState(ctx context.Context, st *followup.State) error {
	_, err := s.state().ReplaceOne(context.WithoutCancel(ctx), bson.M{"_id": st.UserID}, st, options.Replace().SetUpsert(true))
	return translate(err, "dispatch state")
}

// States returns every user's dispatcher state.
func (s *Followups) States(ctx context.Context) ([]followup.State, error) {
	out := []followup.State{}
	return out, findAll(ctx, s.state(), "dispatch state", &out, bson.M{})
}

// RecordNudges inserts nudge records; existing ones stay.
func (s *Followups) RecordNudges(ctx context.Context, ns []followup.Nudge) error {
	if len(ns) == 0 {
		return nil
	}
	docs := make([]any, len(ns))
	for i, n := range ns {
		docs[i] = nudgeDoc{ID: followup.NudgeKey(n.FollowUpID, n.DueAt), UserID: n.UserID, FollowUpID: n.FollowUpID,
			At: record.Time(n.At), Failed: n.Failed, Error: n.Error}
	}
	_, err := s.nudged().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return translate(err, "nudge record")
	}
	return nil
}

// Nudges returns the user's nudge records for refs (all when nil) (nudged_user).
func (s *Followups) Nudges(ctx context.Context, userID string, refs []followup.BatchItem) (map[string]followup.Nudge, error) {
	q := bson.M{"user_id": userID}
	if refs != nil {
		keys := make([]string, len(refs))
		for i, r := range refs {
			keys[i] = followup.NudgeKey(r.ID, r.DueAt)
		}
		q["_id"] = bson.M{"$in": keys}
	}
	var docs []nudgeDoc
	if err := findAll(ctx, s.nudged(), "nudge record", &docs, q); err != nil {
		return nil, err
	}
	out := make(map[string]followup.Nudge, len(docs))
	for _, d := range docs {
		n := followup.Nudge{UserID: d.UserID, FollowUpID: d.FollowUpID, At: d.At, Failed: d.Failed, Error: d.Error}
		if i := strings.LastIndexByte(d.ID, '@'); i >= 0 {
			if ms, err := strconv.ParseInt(d.ID[i+1:], 10, 64); err == nil {
				n.DueAt = time.UnixMilli(ms).UTC() // the key holds the due time
			}
		}
		out[d.ID] = n
	}
	return out, nil
}

// PurgeNudges removes records whose follow-up is no longer pending at that
// due time: two projected scans (FerretDB has no $lookup worth using).
func (s *Followups) PurgeNudges(ctx context.Context) (int64, error) {
	live, err := s.pendingKeys(ctx)
	if err != nil {
		return 0, err
	}
	ncur, err := s.nudged().Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return 0, translate(err, "nudge record")
	}
	var stale []string
	for ncur.Next(ctx) {
		var n nudgeDoc
		if err := ncur.Decode(&n); err != nil {
			return 0, translate(err, "nudge record")
		}
		if _, ok := live[n.ID]; !ok {
			stale = append(stale, n.ID)
		}
	}
	if len(stale) == 0 {
		return 0, nil
	}
	res, err := s.nudged().DeleteMany(ctx, bson.M{"_id": bson.M{"$in": stale}})
	if err != nil {
		return 0, translate(err, "nudge record")
	}
	return res.DeletedCount, nil
}

// pendingKeys returns the NudgeKey of every pending follow-up, with its user
// and due time.
func (s *Followups) pendingKeys(ctx context.Context) (map[string]followup.FollowUp, error) {
	cur, err := s.c().Find(ctx, bson.M{"status": followup.Pending}, options.Find().SetProjection(bson.M{"user_id": 1, "due_at": 1}))
	if err != nil {
		return nil, translate(err, "follow-up")
	}
	live := map[string]followup.FollowUp{}
	for cur.Next(ctx) {
		var f followup.FollowUp
		if err := cur.Decode(&f); err != nil {
			return nil, translate(err, "follow-up")
		}
		live[followup.NudgeKey(f.ID, f.DueAt)] = f
	}
	return live, translate(cur.Err(), "follow-up")
}

// EarliestUnnudged returns per user the earliest due time of a pending,
// not yet nudged follow-up (FerretDB 1.24's $group lacks $min, so the
// minimum is taken here).
func (s *Followups) EarliestUnnudged(ctx context.Context) (map[string]time.Time, error) {
	live, err := s.pendingKeys(ctx)
	if err != nil {
		return nil, err
	}
	ncur, err := s.nudged().Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return nil, translate(err, "nudge record")
	}
	for ncur.Next(ctx) {
		var n nudgeDoc
		if err := ncur.Decode(&n); err != nil {
			return nil, translate(err, "nudge record")
		}
		delete(live, n.ID)
	}
	next := map[string]time.Time{}
	for _, f := range live {
		if t, ok := next[f.UserID]; !ok || f.DueAt.Before(t) {
			next[f.UserID] = f.DueAt
		}
	}
	return next, nil
}

// OldestDue returns the earliest next look at or before now (dispatch_next).
func (s *Followups) OldestDue(ctx context.Context, now time.Time) (*time.Time, error) {
	var q followup.QueueEntry
	err := s.dispatch().FindOne(ctx, bson.M{"next_at": bson.M{"$lte": record.Time(now)}},
		options.FindOne().SetSort(bson.D{{Key: "next_at", Value: 1}})).Decode(&q)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "dispatch queue")
	}
	return &q.NextAt, nil
}

// FollowUpArchive walks and restores the user's follow-ups.
func (s *Followups) FollowUpArchive() record.Archive[followup.FollowUp] {
	return archive[followup.FollowUp]{db: s.DB, coll: "followups",
		changed: func(f *followup.FollowUp) (string, string, []string) { return f.UserID, "tasks", []string{f.ID} }}
}
