package followup

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/store"
)

// unnotified selects pending follow-ups not yet nudged for their due time.
func unnotified(userID string) bson.M {
	return bson.M{"user_id": userID, "status": Pending, "notified_at": nil, "nudge_failed": bson.M{"$ne": true}}
}

// dueUnnotified returns up to maxBatch of the user's follow-ups that are due
// and not yet nudged, oldest first.
func (s *Service) dueUnnotified(ctx context.Context, userID string, now time.Time) ([]FollowUp, error) {
	q := unnotified(userID)
	q["due_at"] = bson.M{"$lte": now}
	// followups_user_status_due
	cur, err := s.c.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(maxBatch))
	if err != nil {
		return nil, store.Err(err, "follow-up")
	}
	out := []FollowUp{}
	return out, store.Err(cur.All(ctx, &out), "follow-up")
}

// earliestUnnotified returns the due time of the user's next follow-up to
// nudge, or nil if there is none.
func (s *Service) earliestUnnotified(ctx context.Context, userID string) (*time.Time, error) {
	var f FollowUp
	// followups_user_status_due
	err := s.c.FindOne(ctx, unnotified(userID), options.FindOne().SetSort(bson.D{{Key: "due_at", Value: 1}}).
		SetProjection(bson.M{"due_at": 1})).Decode(&f)
	if err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, store.Err(err, "follow-up")
	}
	return &f.DueAt, nil
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

// markNudged records that the follow-ups were delivered. Ones re-dated
// after the batch was made (due after it) keep waiting for their new time.
func (s *Service) markNudged(ctx context.Context, userID string, ids []string, batchAt, now time.Time) error {
	// followups._id, scoped by user_id
	_, err := s.c.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID, "status": Pending, "due_at": bson.M{"$lte": batchAt}},
		bson.M{"$set": bson.M{"notified_at": store.Time(now)}, "$unset": bson.M{"delivery_error": ""}})
	return store.Err(err, "follow-up")
}

// markFailed gives up delivering the follow-ups; they stay pending.
func (s *Service) markFailed(ctx context.Context, userID string, ids []string, msg string) error {
	// followups._id, scoped by user_id
	_, err := s.c.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID, "status": Pending},
		bson.M{"$set": bson.M{"nudge_failed": true, "delivery_error": msg}})
	return store.Err(err, "follow-up")
}

// setDeliveryError shows the last delivery error on the follow-ups.
func (s *Service) setDeliveryError(ctx context.Context, userID string, ids []string, msg string) error {
	// followups._id, scoped by user_id
	_, err := s.c.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID},
		bson.M{"$set": bson.M{"delivery_error": msg}})
	return store.Err(err, "follow-up")
}

// loadState returns the user's dispatcher state (empty if none yet).
func (s *Service) loadState(ctx context.Context, userID string) (*stateDoc, error) {
	st := &stateDoc{UserID: userID}
	// dispatch_state._id
	err := s.state.FindOne(ctx, bson.M{"_id": userID}).Decode(st)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, store.Err(err, "dispatch state")
	}
	return st, nil
}

// saveState stores the user's dispatcher state; only the lease holder calls it.
func (s *Service) saveState(ctx context.Context, st *stateDoc) error {
	// dispatch_state._id
	_, err := s.state.ReplaceOne(context.WithoutCancel(ctx), bson.M{"_id": st.UserID}, st, options.Replace().SetUpsert(true))
	return store.Err(err, "dispatch state")
}

// Sweep recomputes when each user next needs the dispatcher from the
// follow-ups themselves (one scan) and the agenda schedules, and
// lowers next_at where a wake was lost to a concurrent write. It is the
// safety net behind wakes and runs every few minutes, apart from the tick.
func (s *Service) Sweep(ctx context.Context, users []accounts.User) (int, error) {
	// One projected scan; FerretDB 1.24's $group has only $sum and $count,
	// so the minimum per user is taken here.
	// followups_user_status_due
	cur, err := s.c.Find(ctx, bson.M{"status": Pending, "notified_at": nil, "nudge_failed": bson.M{"$ne": true}},
		options.Find().SetProjection(bson.M{"user_id": 1, "due_at": 1}))
	if err != nil {
		return 0, store.Err(err, "follow-up")
	}
	next := map[string]time.Time{}
	for cur.Next(ctx) {
		var f FollowUp
		if err := cur.Decode(&f); err != nil {
			return 0, store.Err(err, "follow-up")
		}
		if t, ok := next[f.UserID]; !ok || f.DueAt.Before(t) {
			next[f.UserID] = f.DueAt
		}
	}
	if err := cur.Err(); err != nil {
		return 0, store.Err(err, "follow-up")
	}
	states := map[string]*stateDoc{}
	scur, err := s.state.Find(ctx, bson.M{})
	if err != nil {
		return 0, store.Err(err, "dispatch state")
	}
	var sts []stateDoc
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
			st = &stateDoc{UserID: u.ID}
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
