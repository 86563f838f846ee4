package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Docs is the kinds.Docs on MongoDB: one collection, kind_docs, for every
// kind (docKindDoc).
type Docs struct{ DB *mongo.Database }

var _ kinds.Docs = (*Docs)(nil)

func (s *Docs) docs() *mongo.Collection { return s.DB.Collection("kind_docs") }

// EnsureIndexes creates the index of the documents' one list.
func (s *Docs) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, s.docs(),
		Index{Name: "kind_docs_user", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "kind", Value: 1}, {Key: "_id", Value: -1}}})
}

// Doc returns one of the user's documents of kind (kind_docs._id).
func (s *Docs) Doc(ctx context.Context, userID, kind, id string) (*kinds.Doc, error) {
	var d kinds.Doc
	if err := s.docs().FindOne(ctx, bson.M{"_id": id, "user_id": userID, "kind": kind}).Decode(&d); err != nil {
		return nil, translate(err, "record")
	}
	return &d, nil
}

// Docs returns one page of the user's documents of kind, newest first
// (kind_docs_user).
func (s *Docs) Docs(ctx context.Context, userID, kind string, limit int, cursor *record.Cursor) (*record.Page[kinds.Doc], error) {
	limit = record.PageSize(limit)
	filter := bson.M{"user_id": userID, "kind": kind}
	if cursor != nil {
		if cursor.T != nil || cursor.S != nil {
			return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
		}
		filter["_id"] = bson.M{"$lt": cursor.ID}
	}
	cur, err := s.docs().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit+1)))
	if err != nil {
		return nil, translate(err, "record")
	}
	items := []kinds.Doc{}
	if err := cur.All(ctx, &items); err != nil {
		return nil, translate(err, "record")
	}
	page := &record.Page[kinds.Doc]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = record.Cursor{ID: items[limit-1].ID}.Encode()
	}
	return page, nil
}

// CreateDoc stores a new document (kind_docs._id: Conflict if taken).
func (s *Docs) CreateDoc(ctx context.Context, d *kinds.Doc) error {
	_, err := s.docs().InsertOne(ctx, d)
	return translate(err, "record")
}

// UpdateDoc replaces the body of the user's document (kind_docs._id).
func (s *Docs) UpdateDoc(ctx context.Context, d *kinds.Doc) error {
	res, err := s.docs().UpdateOne(ctx, bson.M{"_id": d.ID, "user_id": d.UserID, "kind": d.Kind}, bson.M{"$set": bson.M{"body": d.Body}})
	if err != nil {
		return translate(err, "record")
	}
	if res.MatchedCount == 0 {
		return apperr.E(apperr.NotFound, "no such record")
	}
	return nil
}

// DeleteDoc removes one of the user's documents of kind (kind_docs._id).
func (s *Docs) DeleteDoc(ctx context.Context, userID, kind, id string) error {
	res, err := s.docs().DeleteOne(ctx, bson.M{"_id": id, "user_id": userID, "kind": kind})
	if err != nil {
		return translate(err, "record")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such record")
	}
	return nil
}

// DocArchive walks and restores the user's documents of every kind.
func (s *Docs) DocArchive() record.Archive[kinds.Doc] {
	return archive[kinds.Doc]{db: s.DB, coll: "kind_docs"}
}
