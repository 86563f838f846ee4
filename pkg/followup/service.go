package followup

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/store"
)

// Service stores follow-ups.
type Service struct {
	c, dispatch, leases, state, nudged *mongo.Collection
	Now                                func() time.Time
	// Changed, if set, is told after every write that changes what the
	// user's calendar feeds show (crm uses it to invalidate cached feeds).
	Changed func(ctx context.Context, userID string)
	// Observe, if set, is told of each follow-up written (*FollowUp) and
	// of removals (store.Removed).
	Observe store.Observer
}

// New returns a Service on db.
func New(db *mongo.Database) *Service {
	return &Service{c: db.Collection("followups"), dispatch: db.Collection("dispatch"),
		leases: db.Collection("dispatch_leases"), state: db.Collection("dispatch_state"), nudged: db.Collection("nudged"), Now: time.Now}
}

// EnsureIndexes creates the indexes the queries of this package name.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	if err := store.EnsureIndexes(ctx, s.c,
		store.Index{Name: "followups_pending_key", Keys: bson.D{{Key: "pending_key", Value: 1}}, Unique: true},
		store.Index{Name: "followups_user_due", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}},
		store.Index{Name: "followups_user_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}, {Key: "status", Value: 1}}},
		store.Index{Name: "followups_user_status_due", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "status", Value: 1}, {Key: "due_at", Value: 1}}},
	); err != nil {
		return err
	}
	if err := store.EnsureIndexes(ctx, s.nudged, store.Index{Name: "nudged_user", Keys: bson.D{{Key: "user_id", Value: 1}}}); err != nil {
		return err
	}
	if err := store.EnsureIndexes(ctx, s.leases, store.Index{Name: "dispatch_leases_at", Keys: bson.D{{Key: "at", Value: 1}}}); err != nil {
		return err
	}
	return store.EnsureIndexes(ctx, s.dispatch, store.Index{Name: "dispatch_next", Keys: bson.D{{Key: "next_at", Value: 1}}})
}

// Schedule stores a new follow-up. If one of the same kind is already
// pending for the contact, it stores nothing and returns that one with
// created false.
func (s *Service) Schedule(ctx context.Context, f *FollowUp) (out *FollowUp, created bool, err error) {
	out, created, err = s.insert(ctx, f)
	if err == nil && created {
		s.changed(ctx, f.UserID)
		err = s.wake(ctx, f.UserID, f.DueAt)
	}
	return out, created, err
}

// insert stores f as Schedule does, without telling the dispatcher or the
// feeds (callers inserting several do that once).
func (s *Service) insert(ctx context.Context, f *FollowUp) (out *FollowUp, created bool, err error) {
	now := store.Time(s.Now())
	f.ID = store.NewID()
	f.Status = Pending
	f.DueAt = store.Time(f.DueAt)
	f.CreatedAt, f.UpdatedAt = now, now
	f.PendingKey = pendingKey(f)
	_, err = s.c.InsertOne(ctx, f)
	if err == nil {
		s.Observe.Tell(f.UserID, f)
		return f, true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return nil, false, store.Err(err, "follow-up")
	}
	var existing FollowUp
	// followups_pending_key
	if err := s.c.FindOne(ctx, bson.M{"pending_key": f.PendingKey}).Decode(&existing); err != nil {
		return nil, false, store.Err(err, "follow-up")
	}
	return &existing, false, nil
}

// ForEncounter schedules the automatic thank-you and check-in after meeting
// a contact at metAt, per the user's policy (a policy of 0 days is off).
//
// note says why (the encounter's note and topics): nudges, feeds and the
// phone page show it.
func (s *Service) ForEncounter(ctx context.Context, u *accounts.User, contactID, encounterID, eventID, note string, metAt time.Time) ([]FollowUp, error) {
	out := []FollowUp{}
	var first *time.Time
	for _, k := range []struct {
		kind string
		days int
	}{{ThankYou, u.FollowupPolicy.ThankYouDays}, {CheckIn, u.FollowupPolicy.CheckInDays}} {
		if k.days <= 0 {
			continue
		}
		f, created, err := s.insert(ctx, &FollowUp{UserID: u.ID, ContactID: contactID, Kind: k.kind, Note: note,
			DueAt: DueAt(metAt, k.days, u.NudgeHour, u.Location()), EncounterID: encounterID, EventID: eventID})
		if err != nil {
			return nil, err
		}
		if created && (first == nil || f.DueAt.Before(*first)) {
			first = &f.DueAt
		}
		out = append(out, *f)
	}
	if first != nil { // one wake and one feed change for both
		s.changed(ctx, u.ID)
		return out, s.wake(ctx, u.ID, *first)
	}
	return out, nil
}

// ForIntro schedules the check on a made intro, for its first contact;
// note says whom they were introduced to.
func (s *Service) ForIntro(ctx context.Context, u *accounts.User, introID, contactID, note string, madeAt time.Time) (*FollowUp, error) {
	if u.FollowupPolicy.IntroCheckDays <= 0 {
		return nil, nil
	}
	f, _, err := s.Schedule(ctx, &FollowUp{UserID: u.ID, ContactID: contactID, Kind: IntroCheck, Note: note,
		DueAt: DueAt(madeAt, u.FollowupPolicy.IntroCheckDays, u.NudgeHour, u.Location()), IntroID: introID})
	return f, err
}

// ForCadence makes sure a contact with a stay-in-touch cadence has its
// pending follow-up cadenceDays after last; a pending one is re-dated.
// A cadence of 0 cancels a pending one.
func (s *Service) ForCadence(ctx context.Context, u *accounts.User, contactID string, cadenceDays int, last time.Time) error {
	key := u.ID + "|" + contactID + "|" + StayInTouch
	if cadenceDays <= 0 {
		_, err := s.setStatus(ctx, bson.M{"pending_key": key}, Cancelled)
		return err
	}
	due := DueAt(last, cadenceDays, u.NudgeHour, u.Location())
	f, created, err := s.Schedule(ctx, &FollowUp{UserID: u.ID, ContactID: contactID, Kind: StayInTouch, DueAt: due})
	if err != nil || created || f.DueAt.Equal(due) {
		return err
	}
	// followups_pending_key
	_, err = s.change(ctx, u.ID, f.ID, bson.M{"due_at": due}, &due)
	return err
}

// ResolveForInteraction marks done what an interaction at `at` takes care
// of: a pending thank-you created before it (any contact after meeting is
// the thank-you), and pending check-ins and stay-in-touch nudges due by it.
func (s *Service) ResolveForInteraction(ctx context.Context, userID, contactID string, at time.Time) error {
	at = store.Time(at)
	// followups_user_contact
	_, err := s.setStatus(ctx, bson.M{"user_id": userID, "contact_id": contactID, "status": Pending, "$or": bson.A{
		bson.M{"kind": ThankYou, "created_at": bson.M{"$lte": at}},
		bson.M{"kind": bson.M{"$in": bson.A{ThankYou, CheckIn, StayInTouch}}, "due_at": bson.M{"$lte": at}},
	}}, Done)
	return err
}

// setStatus ends the matching pending follow-ups (done or cancelled),
// freeing their pending keys, and returns how many it changed.
func (s *Service) setStatus(ctx context.Context, filter bson.M, status string) (int, error) {
	filter["status"] = Pending
	cur, err := s.c.Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return 0, store.Err(err, "follow-up")
	}
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return 0, store.Err(err, "follow-up")
	}
	n := 0
	now := store.Time(s.Now())
	for _, r := range rows {
		var f FollowUp
		// followups._id; the pending key becomes the id, freeing the slot.
		err := s.c.FindOneAndUpdate(ctx, bson.M{"_id": r.ID, "status": Pending},
			bson.M{"$set": bson.M{"status": status, "pending_key": r.ID, "updated_at": now, "ended_at": now}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&f)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // ended meanwhile
		}
		if err != nil {
			return n, store.Err(err, "follow-up")
		}
		s.Observe.Tell(f.UserID, &f)
		n++
	}
	if uid, ok := filter["user_id"].(string); ok && n > 0 {
		s.changed(ctx, uid)
	}
	return n, nil
}

// Get returns one of the user's follow-ups; NotFound if none.
func (s *Service) Get(ctx context.Context, userID, id string) (*FollowUp, error) {
	var f FollowUp
	// followups._id (owner checked in FindOwned)
	if err := store.FindOwned(ctx, s.c, id, userID, &f, "follow-up"); err != nil {
		return nil, err
	}
	one := []FollowUp{f}
	if err := s.Decorate(ctx, userID, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// DeleteForContact removes every follow-up of a deleted contact.
func (s *Service) DeleteForContact(ctx context.Context, userID, contactID string) error {
	// followups_user_contact
	ids, err := store.DeleteReturningIDs(ctx, s.c, bson.M{"user_id": userID, "contact_id": contactID}, "follow-up")
	s.Observe.Tell(userID, store.Removal("followups", ids, err))
	s.changed(ctx, userID)
	return err
}

// DetachFrom handles the deletion of encounters, intros or an event
// (field is "encounter_id", "intro_id" or "event_id"): pending follow-ups
// they created are cancelled, and no follow-up keeps pointing at them.
func (s *Service) DetachFrom(ctx context.Context, userID, field string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if field != "event_id" {
		if _, err := s.setStatus(ctx, bson.M{"user_id": userID, field: bson.M{"$in": ids}}, Cancelled); err != nil {
			return err
		}
	}
	_, err := s.c.UpdateMany(ctx, bson.M{"user_id": userID, field: bson.M{"$in": ids}},
		bson.M{"$unset": bson.M{field: ""}, "$set": bson.M{"updated_at": store.Time(s.Now())}})
	return store.Err(err, "follow-up")
}

// errNotPending is returned when acting on a follow-up that is done or cancelled.
func errNotPending(f *FollowUp) error {
	return apperr.E(apperr.Conflict, "the follow-up is %s, not pending", f.Status)
}

// changed reports a change of feed content to the Changed hook.
func (s *Service) changed(ctx context.Context, userID string) {
	if s.Changed != nil {
		s.Changed(ctx, userID)
	}
}
