package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Opportunities is the opportunities.Store on MongoDB: collection opportunities.
type Opportunities struct{ DB *mongo.Database }

var _ opportunities.Store = (*Opportunities)(nil)

func (s *Opportunities) c() *mongo.Collection { return s.DB.Collection("opportunities") }

// EnsureIndexes creates the indexes of the opportunities' query shapes.
func (s *Opportunities) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, s.c(),
		Index{Name: "opportunities_user", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}},
		Index{Name: "opportunities_user_company", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "company_id", Value: 1}}},
		Index{Name: "opportunities_user_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "source_contact_id", Value: 1}}},
		Index{Name: "opportunities_user_recruiters", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "recruiter_ids", Value: 1}}},
	)
}

// CreateOpportunity stores o.
func (s *Opportunities) CreateOpportunity(ctx context.Context, o *opportunities.Opportunity) error {
	_, err := s.c().InsertOne(ctx, opportunityDoc(o))
	return translate(err, "opportunity")
}

// Opportunity returns one of the user's opportunities (opportunities._id).
func (s *Opportunities) Opportunity(ctx context.Context, userID, id string) (*opportunities.Opportunity, error) {
	var o opportunities.Opportunity
	if err := s.c().FindOne(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&o); err != nil {
		return nil, translate(err, "opportunity")
	}
	return &o, nil
}

// UpdateOpportunity replaces one of the user's opportunities.
func (s *Opportunities) UpdateOpportunity(ctx context.Context, o *opportunities.Opportunity) error {
	res, err := s.c().ReplaceOne(ctx, bson.M{"_id": o.ID, "user_id": o.UserID}, opportunityDoc(o))
	if err != nil {
		return translate(err, "opportunity")
	}
	if res.MatchedCount == 0 {
		return apperr.E(apperr.NotFound, "no such opportunity")
	}
	return nil
}

// DeleteOpportunity removes one of the user's opportunities.
func (s *Opportunities) DeleteOpportunity(ctx context.Context, userID, id string) error {
	res, err := s.c().DeleteOne(ctx, bson.M{"_id": id, "user_id": userID})
	if err != nil {
		return translate(err, "opportunity")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such opportunity")
	}
	return nil
}

// Opportunities returns one page of the user's opportunities, newest first.
func (s *Opportunities) Opportunities(ctx context.Context, userID string, q opportunities.Query) (*record.Page[opportunities.Opportunity], error) {
	filter := bson.M{"user_id": userID}
	if q.Stage != "" {
		filter["stage"] = q.Stage
	}
	if q.CompanyID != "" {
		filter["company_id"] = q.CompanyID
	}
	if q.EventID != "" {
		filter["source_event_id"] = q.EventID
	}
	if q.ContactID != "" {
		filter["$or"] = bson.A{bson.M{"source_contact_id": q.ContactID}, bson.M{"recruiter_ids": q.ContactID}}
	}
	if q.Cursor != nil && q.Cursor.T == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return findPage(ctx, s.c(), pageQuery{Filter: filter, SortField: "created_at", Descending: true, Limit: q.Limit, Cursor: q.Cursor},
		func(o *opportunities.Opportunity) record.Cursor { return record.Cursor{T: &o.CreatedAt, ID: o.ID} }, "opportunity")
}

// Detach clears a deleted record's id from the user's opportunities.
func (s *Opportunities) Detach(ctx context.Context, userID string, ref opportunities.Ref, refIDs []string, at time.Time) ([]string, error) {
	if len(refIDs) == 0 {
		return nil, nil
	}
	in := bson.M{"$in": refIDs}
	gone := map[string]bool{}
	for _, id := range refIDs {
		gone[id] = true
	}
	var filter, update bson.M
	switch ref {
	case opportunities.RefCompany:
		filter, update = bson.M{"user_id": userID, "company_id": in}, bson.M{"$set": bson.M{"company_id": "", "updated_at": at}}
	case opportunities.RefEvent:
		filter, update = bson.M{"user_id": userID, "source_event_id": in}, bson.M{"$set": bson.M{"source_event_id": "", "updated_at": at}}
	case opportunities.RefContact:
		filter = bson.M{"user_id": userID, "$or": bson.A{bson.M{"source_contact_id": in}, bson.M{"recruiter_ids": in}}}
	default:
		return nil, nil
	}
	var os []opportunities.Opportunity
	if err := findAll(ctx, s.c(), "opportunity", &os, filter); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(os))
	for i := range os {
		o := &os[i]
		ids = append(ids, o.ID)
		if ref == opportunities.RefContact {
			if gone[o.SourceContactID] {
				o.SourceContactID = ""
			}
			kept := []string{}
			for _, r := range o.RecruiterIDs {
				if !gone[r] {
					kept = append(kept, r)
				}
			}
			o.RecruiterIDs, o.UpdatedAt = kept, at
			if err := s.UpdateOpportunity(ctx, o); err != nil {
				return nil, err
			}
		}
	}
	if ref != opportunities.RefContact && len(ids) > 0 {
		if _, err := s.c().UpdateMany(ctx, filter, update); err != nil {
			return nil, translate(err, "opportunity")
		}
	}
	return ids, nil
}

// OpportunityArchive walks and restores the user's opportunities.
func (s *Opportunities) OpportunityArchive() record.Archive[opportunities.Opportunity] {
	return archive[opportunities.Opportunity]{db: s.DB, coll: "opportunities", doc: opportunityDoc}
}
