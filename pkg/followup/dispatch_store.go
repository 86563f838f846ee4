package followup

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/store"
)

// nudgeDoc records that a follow-up was nudged (or given up on) for one
// due time. Its _id is the follow-up's id and due time, so recording is an
// idempotent insert, and re-dating a follow-up makes it due for a nudge again.
type nudgeDoc struct {
	ID         string    `bson:"_id"`
	UserID     string    `bson:"user_id"`
	FollowUpID string    `bson:"followup_id"`
	At         time.Time `bson:"at"`
	Failed     bool      `bson:"failed,omitempty"`
	Error      string    `bson:"error,omitempty"`
}

func nudgeKey(id string, due time.Time) string {
	return id + "@" + strconv.FormatInt(due.UnixMilli(), 10)
}

// nudgedKeys returns the nudge records of the user (all, or among keys).
func (s *Service) nudgedKeys(ctx context.Context, userID string, keys []string) (map[string]nudgeDoc, error) {
	q := bson.M{"user_id": userID}
	if keys != nil {
		q["_id"] = bson.M{"$in": keys}
	}
	// nudged_user
	cur, err := s.nudged.Find(ctx, q)
	if err != nil {
		return nil, store.Err(err, "nudge record")
	}
	var docs []nudgeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, store.Err(err, "nudge record")
	}
	out := make(map[string]nudgeDoc, len(docs))
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}

// unnotifiedOf returns the user's pending follow-ups due by `by` (all if nil),
// oldest first, without the ones already nudged for their due time.
func (s *Service) unnotifiedOf(ctx context.Context, userID string, by *time.Time) ([]FollowUp, error) {
	q := bson.M{"user_id": userID, "status": Pending}
	if by != nil {
		q["due_at"] = bson.M{"$lte": *by}
	}
	// followups_user_status_due
	cur, err := s.c.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, store.Err(err, "follow-up")
	}
	var fs []FollowUp
	if err := cur.All(ctx, &fs); err != nil {
		return nil, store.Err(err, "follow-up")
	}
	if len(fs) == 0 {
		return fs, nil
	}
	done, err := s.nudgedKeys(ctx, userID, nil)
	if err != nil {
		return nil, err
	}
	out := fs[:0]
	for _, f := range fs {
		if _, ok := done[nudgeKey(f.ID, f.DueAt)]; !ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// byIDs returns the user's pending follow-ups among ids.
func (s *Service) byIDs(ctx context.Context, userID string, ids []string) ([]FollowUp, error) {
	// followups._id, scoped by user_id
	cur, err := s.c.Find(ctx, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID, "status": Pending})
	if err != nil {
		return nil, store.Err(err, "follow-up")
	}
	out := []FollowUp{}
	return out, store.Err(cur.All(ctx, &out), "follow-up")
}

// record inserts nudge records for a batch's items; records that exist
// already (a batch re-sent after a crash) are left as they are.
func (s *Service) record(ctx context.Context, userID string, items []BatchItem, now time.Time, failed bool, msg string) error {
	docs := make([]any, len(items))
	for i, it := range items {
		docs[i] = nudgeDoc{ID: nudgeKey(it.ID, it.DueAt), UserID: userID, FollowUpID: it.ID, At: store.Time(now), Failed: failed, Error: msg}
	}
	_, err := s.nudged.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return store.Err(err, "nudge record")
	}
	return nil
}

// Decorate fills NotifiedAt and DeliveryError of the user's follow-ups from
// their nudge records and from a batch still being retried.
func (s *Service) Decorate(ctx context.Context, userID string, fs []FollowUp) error {
	if len(fs) == 0 {
		return nil
	}
	keys := make([]string, len(fs))
	for i := range fs {
		keys[i] = nudgeKey(fs[i].ID, fs[i].DueAt)
	}
	recs, err := s.nudgedKeys(ctx, userID, keys)
	if err != nil {
		return err
	}
	st, err := s.loadState(ctx, userID)
	if err != nil {
		return err
	}
	retrying := map[string]string{}
	if b := st.Batch; b != nil && b.Attempts > 0 {
		for _, it := range b.Items {
			retrying[nudgeKey(it.ID, it.DueAt)] = b.errors() + " (retrying)"
		}
	}
	for i := range fs {
		k := keys[i]
		if r, ok := recs[k]; ok {
			if r.Failed {
				fs[i].DeliveryError = r.Error
			} else {
				at := r.At
				fs[i].NotifiedAt = &at
			}
		} else if msg, ok := retrying[k]; ok {
			fs[i].DeliveryError = msg
		}
	}
	return nil
}

// PurgeNudged deletes nudge records that no longer matter: their follow-up
// is no longer pending, or is due at another time now.
func (s *Service) PurgeNudged(ctx context.Context) (int64, error) {
	cur, err := s.c.Find(ctx, bson.M{"status": Pending}, options.Find().SetProjection(bson.M{"due_at": 1}))
	if err != nil {
		return 0, store.Err(err, "follow-up")
	}
	live := map[string]bool{}
	for cur.Next(ctx) {
		var f FollowUp
		if err := cur.Decode(&f); err != nil {
			return 0, store.Err(err, "follow-up")
		}
		live[nudgeKey(f.ID, f.DueAt)] = true
	}
	ncur, err := s.nudged.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return 0, store.Err(err, "nudge record")
	}
	var stale []string
	for ncur.Next(ctx) {
		var n nudgeDoc
		if err := ncur.Decode(&n); err != nil {
			return 0, store.Err(err, "nudge record")
		}
		if !live[n.ID] {
			stale = append(stale, n.ID)
		}
	}
	if len(stale) == 0 {
		return 0, nil
	}
	res, err := s.nudged.DeleteMany(ctx, bson.M{"_id": bson.M{"$in": stale}})
	if err != nil {
		return 0, store.Err(err, "nudge record")
	}
	return res.DeletedCount, nil
}

// loadState returns the user's dispatcher state (empty if none yet).
func (s *Service) loadState(ctx context.Context, userID string) (*State, error) {
	st := &State{UserID: userID}
	// dispatch_state._id
	err := s.state.FindOne(ctx, bson.M{"_id": userID}).Decode(st)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, store.Err(err, "dispatch state")
	}
	return st, nil
}

// saveState stores the user's dispatcher state; only the lease holder calls it.
func (s *Service) saveState(ctx context.Context, st *State) error {
	// dispatch_state._id
	_, err := s.state.ReplaceOne(context.WithoutCancel(ctx), bson.M{"_id": st.UserID}, st, options.Replace().SetUpsert(true))
	return store.Err(err, "dispatch state")
}

// Sweep recomputes when each user next needs the dispatcher from the
// follow-ups themselves (one scan) and the agenda schedules, and
// lowers next_at where a wake was lost to a concurrent write. It is the
// safety net behind wakes and runs every few minutes, apart from the tick.
func (s *Service) Sweep(ctx context.Context, users []accounts.User) (int, error) {
	// Two projected scans; FerretDB 1.24's $group has only $sum and $count,
	// so the minimum per user is taken here.
	ncur, err := s.nudged.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return 0, store.Err(err, "nudge record")
	}
	done := map[string]bool{}
	for ncur.Next(ctx) {
		var n nudgeDoc
		if err := ncur.Decode(&n); err != nil {
			return 0, store.Err(err, "nudge record")
		}
		done[n.ID] = true
	}
	// followups_user_status_due
	cur, err := s.c.Find(ctx, bson.M{"status": Pending}, options.Find().SetProjection(bson.M{"user_id": 1, "due_at": 1}))
	if err != nil {
		return 0, store.Err(err, "follow-up")
	}
	next := map[string]time.Time{}
	for cur.Next(ctx) {
		var f FollowUp
		if err := cur.Decode(&f); err != nil {
			return 0, store.Err(err, "follow-up")
		}
		if done[nudgeKey(f.ID, f.DueAt)] {
			continue
		}
		if t, ok := next[f.UserID]; !ok || f.DueAt.Before(t) {
			next[f.UserID] = f.DueAt
		}
	}
	if err := cur.Err(); err != nil {
		return 0, store.Err(err, "follow-up")
	}
	states := map[string]*State{}
	scur, err := s.state.Find(ctx, bson.M{})
	if err != nil {
		return 0, store.Err(err, "dispatch state")
	}
	var sts []State
	if err := scur.All(ctx, &sts); err != nil {
		return 0, store.Err(err, "dispatch state")
	}
	for i := range sts {
		states[sts[i].UserID] = &sts[i]
	}
	for i := range users {
		u := &users[i]
		st := states[u.ID]
		if st == nil {
			st = &State{UserID: u.ID}
		}
		if a := agendaDue(u, st); a != nil {
			if t, ok := next[u.ID]; !ok || a.Before(t) {
				next[u.ID] = *a
			}
		}
		if st.Batch != nil {
			if t, ok := next[u.ID]; !ok || st.Batch.RetryAt.Before(t) {
				next[u.ID] = st.Batch.RetryAt
			}
		}
	}
	for userID, t := range next {
		if err := s.wake(ctx, userID, t); err != nil {
			return 0, err
		}
	}
	return len(next), nil
}

// PurgeLeases deletes lease documents left behind by crashed dispatchers
// (older than an hour; a live lease lasts at most a slot).
func (s *Service) PurgeLeases(ctx context.Context) (int64, error) {
	// dispatch_leases_at
	res, err := s.leases.DeleteMany(ctx, bson.M{"at": bson.M{"$lt": store.Time(s.Now().Add(-time.Hour))}})
	if err != nil {
		return 0, store.Err(err, "dispatch lease")
	}
	return res.DeletedCount, nil
}

// NotifiedTimes returns a function telling when a follow-up of the user was
// nudged for its current due time (nil if not), from one read of the records.
func (s *Service) NotifiedTimes(ctx context.Context, userID string) (func(*FollowUp) *time.Time, error) {
	recs, err := s.nudgedKeys(ctx, userID, nil)
	if err != nil {
		return nil, err
	}
	return func(f *FollowUp) *time.Time {
		if r, ok := recs[nudgeKey(f.ID, f.DueAt)]; ok && !r.Failed {
			at := r.At
			return &at
		}
		return nil
	}, nil
}

// Restored records the nudges of restored pending follow-ups that had been
// nudged (so they are not nudged again) and wakes the dispatcher for the rest.
func (s *Service) Restored(ctx context.Context, userID string, pending []FollowUp) error {
	var first *time.Time
	for i := range pending {
		f := &pending[i]
		if f.NotifiedAt != nil {
			if err := s.record(ctx, userID, []BatchItem{{ID: f.ID, DueAt: f.DueAt}}, *f.NotifiedAt, false, ""); err != nil {
				return err
			}
			continue
		}
		if first == nil || f.DueAt.Before(*first) {
			first = &f.DueAt
		}
	}
	if first != nil {
		return s.wake(ctx, userID, *first)
	}
	return nil
}
