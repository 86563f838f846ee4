package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

func (s *Contacts) imports() *mongo.Collection { return s.DB.Collection("imports") }

// CreateImport stores an import's record (collection imports).
func (s *Contacts) CreateImport(ctx context.Context, im *contacts.Import) error {
	_, err := s.imports().InsertOne(ctx, im)
	return translate(err, "import")
}

// UpdateImport replaces one of the user's import records (imports._id,
// scoped by user_id).
func (s *Contacts) UpdateImport(ctx context.Context, im *contacts.Import) error {
	res, err := s.imports().ReplaceOne(ctx, bson.M{"_id": im.ID, "user_id": im.UserID}, im)
	if err != nil {
		return translate(err, "import")
	}
	if res.MatchedCount == 0 {
		return apperr.E(apperr.NotFound, "no such import")
	}
	return nil
}

// Imports returns one page of the user's import records, newest first,
// without their lists (imports_user).
func (s *Contacts) Imports(ctx context.Context, userID string, limit int, cur *record.Cursor) (*record.Page[contacts.Import], error) {
	if cur != nil && cur.T == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	page, err := findPage(ctx, s.imports(), pageQuery{Filter: bson.M{"user_id": userID}, SortField: "created_at", Descending: true, Limit: limit, Cursor: cur},
		func(im *contacts.Import) record.Cursor { return record.Cursor{T: &im.CreatedAt, ID: im.ID} }, "import")
	if err != nil {
		return nil, err
	}
	for i := range page.Items {
		page.Items[i].Created, page.Items[i].Before, page.Items[i].ExtraFilled, page.Items[i].Added = nil, nil, nil, nil
	}
	return page, nil
}

// Import returns one of the user's import records (imports._id).
func (s *Contacts) Import(ctx context.Context, userID, id string) (*contacts.Import, error) {
	var im contacts.Import
	if err := s.imports().FindOne(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&im); err != nil {
		return nil, translate(err, "import")
	}
	return &im, nil
}

// DeleteImport removes one of the user's import records.
func (s *Contacts) DeleteImport(ctx context.Context, userID, id string) error {
	res, err := s.imports().DeleteOne(ctx, bson.M{"_id": id, "user_id": userID})
	if err != nil {
		return translate(err, "import")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such import")
	}
	return nil
}
