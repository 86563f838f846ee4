package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// MoveContact implements contacts.Store without a transaction: each step
// is a write that a second run finds done (filters on from), so a merge
// cut short leaves both contacts with all their records between them, and
// running it again finishes it.
func (s *Contacts) MoveContact(ctx context.Context, userID, from, to string, at time.Time) ([]string, error) {
	// intros_user_contacts: the intros between the two go.
	between, err := s.introsWith(ctx, bson.M{"user_id": userID, "contact_ids": bson.M{"$all": bson.A{from, to}}})
	if err != nil {
		return nil, err
	}
	gone := []string{}
	for _, it := range between {
		gone = append(gone, it.ID)
	}
	if len(gone) > 0 {
		if _, err := s.intros().DeleteMany(ctx, bson.M{"_id": bson.M{"$in": gone}, "user_id": userID}); err != nil {
			return nil, translate(err, "intro")
		}
	}
	// encounters_user_contact, interactions_user_contact
	for _, c := range []*mongo.Collection{s.encounters(), s.interactions()} {
		if _, err := c.UpdateMany(ctx, bson.M{"user_id": userID, "contact_id": from}, bson.M{"$set": bson.M{"contact_id": to}}); err != nil {
			return nil, translate(err, "contact")
		}
	}
	// intros_user_contacts: one update each, the pair rewritten only while it still names from.
	intros, err := s.introsWith(ctx, bson.M{"user_id": userID, "contact_ids": from})
	if err != nil {
		return nil, err
	}
	cards := []string{to}
	for _, it := range intros {
		ids := append([]string{}, it.ContactIDs...)
		for i := range ids {
			if ids[i] == from {
				ids[i] = to
			} else {
				cards = append(cards, ids[i])
			}
		}
		if _, err := s.intros().UpdateOne(ctx, bson.M{"_id": it.ID, "user_id": userID, "contact_ids": from},
			bson.M{"$set": bson.M{"contact_ids": ids, "updated_at": record.Time(at)}}); err != nil {
			return nil, translate(err, "intro")
		}
	}
	// contact_keys_contact: from's emails and LinkedIn URLs are to's now.
	if _, err := s.keys().UpdateMany(ctx, bson.M{"user_id": userID, "contact_id": from}, bson.M{"$set": bson.M{"contact_id": to}}); err != nil {
		return nil, translate(err, "contact")
	}
	journal(ctx, s.DB, userID, "cards", cards...)
	return gone, nil
}

func (s *Contacts) introsWith(ctx context.Context, filter bson.M) ([]contacts.Intro, error) {
	out := []contacts.Intro{}
	return out, findAll(ctx, s.intros(), "intro", &out, filter)
}

// MoveContact implements followup.Store: one update per pending follow-up
// — re-keyed, or cancelled when to has one of its kind pending already
// (looked up first: FerretDB reports a unique index's refusal of an update
// as an internal error; the index still refuses a race) — then the rest at
// once.
func (s *Followups) MoveContact(ctx context.Context, userID, from, to string, at time.Time) error {
	now := record.Time(at)
	// followups_user_contact_due
	var pending []followup.FollowUp
	if err := findAll(ctx, s.c(), "follow-up", &pending, bson.M{"user_id": userID, "contact_id": from, "status": followup.Pending}); err != nil {
		return err
	}
	var moved []string
	for _, f := range pending {
		moved = append(moved, f.ID)
		if f.PendingKey != userID+"|"+from+"|"+f.Kind {
			continue // custom and opportunity steps keep their keys
		}
		key := userID + "|" + to + "|" + f.Kind
		// followups_pending_key: to has one of this kind pending already?
		n, err := s.c().CountDocuments(ctx, bson.M{"pending_key": key})
		if err == nil && n == 0 {
			_, err = s.c().UpdateOne(ctx, bson.M{"_id": f.ID, "contact_id": from, "status": followup.Pending},
				bson.M{"$set": bson.M{"contact_id": to, "pending_key": key, "updated_at": now}})
		}
		if n > 0 || mongo.IsDuplicateKeyError(err) {
			_, err = s.c().UpdateOne(ctx, bson.M{"_id": f.ID, "contact_id": from, "status": followup.Pending},
				bson.M{"$set": bson.M{"contact_id": to, "status": followup.Cancelled, "pending_key": f.ID, "updated_at": now, "ended_at": now}})
		}
		if err != nil {
			return translate(err, "follow-up")
		}
	}
	// Ended ones, custom and opportunity steps: only the contact changes.
	if _, err := s.c().UpdateMany(ctx, bson.M{"user_id": userID, "contact_id": from}, bson.M{"$set": bson.M{"contact_id": to, "updated_at": now}}); err != nil {
		return translate(err, "follow-up")
	}
	journal(ctx, s.DB, userID, "tasks", moved...)
	return nil
}
