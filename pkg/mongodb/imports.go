package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/store"
)

// CreateImport stores an import's record (collection imports).
func (s *Contacts) CreateImport(ctx context.Context, im *contacts.Import) error {
	_, err := s.DB.Collection("imports").InsertOne(ctx, im)
	return store.Err(err, "import")
}

// Import returns one of the user's import records (imports._id).
func (s *Contacts) Import(ctx context.Context, userID, id string) (*contacts.Import, error) {
	var im contacts.Import
	if err := s.DB.Collection("imports").FindOne(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&im); err != nil {
		return nil, store.Err(err, "import")
	}
	for i := range im.Before {
		stripped(&im.Before[i])
	}
	return &im, nil
}

// DeleteImport removes one of the user's import records.
func (s *Contacts) DeleteImport(ctx context.Context, userID, id string) error {
	res, err := s.DB.Collection("imports").DeleteOne(ctx, bson.M{"_id": id, "user_id": userID})
	if err != nil {
		return store.Err(err, "import")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such import")
	}
	return nil
}
