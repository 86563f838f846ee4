package mongodb

import (
	"cmp"
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

func (s *Contacts) cardGroups() *mongo.Collection { return s.DB.Collection("card_groups") }

// ensureCardGroupIndexes creates the unique key of a user's group cards,
// their resource name, which also lists them in name order.
func (s *Contacts) ensureCardGroupIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, s.cardGroups(),
		Index{Name: "card_groups_user_name", Unique: true, Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "dav_name", Value: 1}}})
}

// CardGroupArchive walks the user's group cards by _id and restores them
// as they are, journaled under their names.
func (s *Contacts) CardGroupArchive() record.Archive[contacts.CardGroup] {
	return archive[contacts.CardGroup]{db: s.DB, coll: "card_groups", doc: cardGroupDoc,
		changed: func(g *contacts.CardGroup) (string, string, []string) { return g.UserID, "cards", []string{g.DAVName} }}
}

// CardGroup returns the user's group card named davName
// (card_groups_user_name).
func (s *Contacts) CardGroup(ctx context.Context, userID, davName string) (*contacts.CardGroup, error) {
	var g contacts.CardGroup
	if err := s.cardGroups().FindOne(ctx, bson.M{"user_id": userID, "dav_name": davName}).Decode(&g); err != nil {
		return nil, translate(err, "group card")
	}
	return &g, nil
}

// CardGroups returns the user's group cards, by name
// (card_groups_user_name).
func (s *Contacts) CardGroups(ctx context.Context, userID string) ([]contacts.CardGroup, error) {
	out := []contacts.CardGroup{}
	if err := findAll(ctx, s.cardGroups(), "group card", &out, bson.M{"user_id": userID}, options.Find().SetSort(bson.D{{Key: "dav_name", Value: 1}})); err != nil {
		return nil, err
	}
	return out, nil
}

// storedCardGroup is a group card as PutCardGroup and a restore store it:
// the document, and its card's length beside it, which a listing of the
// names reads in place of the card.
type storedCardGroup struct {
	Doc       *docCardGroup `bson:",inline"`
	CardBytes int           `bson:"card_bytes"`
}

func cardGroupDoc(g *contacts.CardGroup) any {
	return &storedCardGroup{Doc: (*docCardGroup)(g), CardBytes: len(g.Card)}
}

// CardGroupEntries returns the user's group cards' names and sizes, by
// name (card_groups_user_name), reading card_bytes in place of the card.
// The cards stored before card_bytes was are read whole for their
// lengths, in one query.
func (s *Contacts) CardGroupEntries(ctx context.Context, userID string) ([]contacts.CardGroupEntry, error) {
	var heads []struct {
		DAVName   string `bson:"dav_name"`
		Name      string `bson:"name"`
		CardBytes *int   `bson:"card_bytes"`
	}
	opts := options.Find().SetSort(bson.D{{Key: "dav_name", Value: 1}}).SetProjection(bson.M{"dav_name": 1, "name": 1, "card_bytes": 1})
	if err := findAll(ctx, s.cardGroups(), "group card", &heads, bson.M{"user_id": userID}, opts); err != nil {
		return nil, err
	}
	out := make([]contacts.CardGroupEntry, len(heads))
	unsized := map[string]*contacts.CardGroupEntry{}
	for i, h := range heads {
		out[i] = contacts.CardGroupEntry{DAVName: h.DAVName, Name: h.Name}
		if h.CardBytes != nil {
			out[i].Bytes = *h.CardBytes
		} else {
			unsized[h.DAVName] = &out[i]
		}
	}
	if len(unsized) == 0 {
		return out, nil
	}
	names := make([]string, 0, len(unsized))
	for name := range unsized {
		names = append(names, name)
	}
	var cards []struct {
		DAVName string `bson:"dav_name"`
		Card    string `bson:"card"`
	}
	opts = options.Find().SetProjection(bson.M{"dav_name": 1, "card": 1})
	if err := findAll(ctx, s.cardGroups(), "group card", &cards, bson.M{"user_id": userID, "dav_name": bson.M{"$in": names}}, opts); err != nil {
		return nil, err
	}
	for _, c := range cards {
		unsized[c.DAVName].Bytes = len(c.Card)
	}
	return out, nil
}

// PutCardGroup stores g, or replaces the user's group card of its name
// (card_groups_user_name), keeping that card's id; of two puts racing to
// insert one name, the loser's upsert fails with a duplicate key and runs
// again, and then replaces. With no transaction to undo, the card is
// written, the user's cards counted after it, and when they would not
// fit the write is taken back (undoCardGroup): writers at once may both
// be taken back, but never both stay.
func (s *Contacts) PutCardGroup(ctx context.Context, g *contacts.CardGroup, fit func(n, bytes int) bool) error {
	filter := bson.M{"user_id": g.UserID, "dav_name": g.DAVName}
	update := bson.M{"$set": bson.M{"name": g.Name, "card": g.Card, "card_bytes": len(g.Card), "updated_at": g.UpdatedAt}, "$setOnInsert": bson.M{"_id": g.ID}}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.Before)
	var before contacts.CardGroup
	err := s.cardGroups().FindOneAndUpdate(ctx, filter, update, opts).Decode(&before)
	if mongo.IsDuplicateKeyError(err) {
		err = s.cardGroups().FindOneAndUpdate(ctx, filter, update, opts).Decode(&before)
	}
	inserted := errors.Is(err, mongo.ErrNoDocuments)
	if err != nil && !inserted {
		return translate(err, "group card")
	}
	journal(ctx, s.DB, g.UserID, "cards", g.DAVName)
	heads, err := s.CardGroupEntries(ctx, g.UserID)
	size := 0
	for _, h := range heads {
		size += h.Bytes
	}
	if err == nil && fit(len(heads), size) {
		if !inserted {
			g.ID = before.ID
		}
		return nil
	}
	if inserted {
		before = contacts.CardGroup{}
	}
	return cmp.Or(s.undoCardGroup(context.WithoutCancel(ctx), g, &before), err, contacts.ErrCardGroupsFull)
}

// undoCardGroup takes back PutCardGroup's write of g: the card it
// replaced put back (before), or, for none (before.ID ""), g removed. A
// card written since is left as it is.
func (s *Contacts) undoCardGroup(ctx context.Context, g *contacts.CardGroup, before *contacts.CardGroup) error {
	mine := bson.M{"user_id": g.UserID, "dav_name": g.DAVName, "card": g.Card, "updated_at": g.UpdatedAt}
	var err error
	if before.ID == "" {
		_, err = s.cardGroups().DeleteOne(ctx, mine)
	} else {
		_, err = s.cardGroups().UpdateOne(ctx, mine, bson.M{"$set": bson.M{"name": before.Name, "card": before.Card,
			"card_bytes": len(before.Card), "updated_at": before.UpdatedAt}})
	}
	if err != nil {
		return translate(err, "group card")
	}
	journal(ctx, s.DB, g.UserID, "cards", g.DAVName)
	return nil
}

// DeleteCardGroup removes the user's group card named davName
// (card_groups_user_name).
func (s *Contacts) DeleteCardGroup(ctx context.Context, userID, davName string) error {
	res, err := s.cardGroups().DeleteOne(ctx, bson.M{"user_id": userID, "dav_name": davName})
	if err != nil {
		return translate(err, "group card")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such group card")
	}
	journal(ctx, s.DB, userID, "cards", davName)
	return nil
}
