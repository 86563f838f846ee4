package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// The contacts' links to their companies (contacts_user_company): how many
// work at each, who works at one, setting and clearing the link, and the
// contacts not yet linked (a one-time scan).

// Headcounts implements contacts.Store (contacts_user_company).
func (s *Contacts) Headcounts(ctx context.Context, userID string, companyIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(companyIDs) == 0 {
		return out, nil
	}
	cur, err := s.contacts().Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.M{"user_id": userID, "company_id": bson.M{"$in": companyIDs}}}},
		{{Key: "$group", Value: bson.M{"_id": "$company_id", "n": bson.M{"$sum": 1}}}},
	})
	if err != nil {
		return nil, translate(err, "contact")
	}
	var docs []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err, "contact")
	}
	for _, d := range docs {
		out[d.ID] = d.N
	}
	return out, nil
}

// ContactsAtCompany returns the user's contacts at a company
// (contacts_user_company), in name order.
func (s *Contacts) ContactsAtCompany(ctx context.Context, userID, companyID string, cur *record.Cursor, limit int) (*record.Page[contacts.Contact], error) {
	if err := contacts.CheckCursor(contacts.SortName, cur); err != nil {
		return nil, err
	}
	if companyID == "" {
		return &record.Page[contacts.Contact]{Items: []contacts.Contact{}}, nil
	}
	return findPage(ctx, s.contacts(), pageQuery{Filter: bson.M{"user_id": userID, "company_id": companyID}, SortField: "name_lower", Limit: limit, Cursor: cur},
		nameCursor(func(c *contacts.Contact) (string, string) { return c.Name, c.ID }), "contact")
}

// SetCompanies sets the company_id of the user's contacts companyOf
// names: which are the user's is read first (contacts._id), then
// unordered bulk writes set them, a statement a company, and the journal
// names them.
func (s *Contacts) SetCompanies(ctx context.Context, userID string, companyOf map[string]string) error {
	if len(companyOf) == 0 {
		return nil
	}
	ids := make([]string, 0, len(companyOf))
	for id := range companyOf {
		ids = append(ids, id)
	}
	// contacts._id, scoped by user_id
	var found []struct {
		ID string `bson:"_id"`
	}
	if err := findAll(ctx, s.contacts(), "contact", &found, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID}, options.Find().SetProjection(bson.M{"_id": 1})); err != nil {
		return err
	}
	if len(found) == 0 {
		return nil
	}
	owned := make([]string, len(found))
	var companies []string
	atCompany := map[string][]string{}
	for i, f := range found {
		owned[i] = f.ID
		company := companyOf[f.ID]
		if _, ok := atCompany[company]; !ok {
			companies = append(companies, company)
		}
		atCompany[company] = append(atCompany[company], f.ID)
	}
	// A statement a company (most contacts share theirs with others:
	// contacts._id, scoped by user_id), at most maxStatements a write.
	// FerretDB never answered once a hundred or so statements of one
	// contact each had run, in one write or in several (the restore of a
	// backup from before companies links 500 contacts a page).
	models := make([]mongo.WriteModel, len(companies))
	for i, company := range companies {
		models[i] = mongo.NewUpdateManyModel().SetFilter(bson.M{"_id": bson.M{"$in": atCompany[company]}, "user_id": userID}).
			SetUpdate(bson.M{"$set": bson.M{"company_id": company}})
	}
	for len(models) > 0 {
		n := min(len(models), maxStatements)
		if _, err := s.contacts().BulkWrite(ctx, models[:n], options.BulkWrite().SetOrdered(false)); err != nil {
			return translate(err, "contact")
		}
		models = models[n:]
	}
	journal(ctx, s.DB, userID, "cards", owned...)
	return nil
}

// DetachCompany clears company_id of the contacts at a company (contacts_user_company).
func (s *Contacts) DetachCompany(ctx context.Context, userID, companyID string) error {
	_, err := s.contacts().UpdateMany(ctx, bson.M{"user_id": userID, "company_id": companyID}, bson.M{"$unset": bson.M{"company_id": ""}})
	return translate(err, "contact")
}

// UnlinkedContacts returns contacts without a company_id (a one-time scan
// of the user's contacts by _id).
func (s *Contacts) UnlinkedContacts(ctx context.Context, userID, afterID string, limit int) ([]contacts.Contact, error) {
	filter := bson.M{"user_id": userID, "_id": bson.M{"$gt": afterID},
		"$or": bson.A{bson.M{"company_id": bson.M{"$exists": false}}, bson.M{"company_id": ""}}}
	return s.find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}
