package mongodb

import (
	"context"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Companies is the companies.Store on MongoDB: collections companies and
// company_keys (one document per key, _id = user|key).
type Companies struct{ DB *mongo.Database }

var _ companies.Store = (*Companies)(nil)

func (s *Companies) companies() *mongo.Collection { return s.DB.Collection("companies") }
func (s *Companies) keys() *mongo.Collection      { return s.DB.Collection("company_keys") }

type companyKeyDoc struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CompanyID string    `bson:"company_id"`
	CreatedAt time.Time `bson:"created_at"`
}

// EnsureIndexes creates the indexes of the companies' query shapes.
func (s *Companies) EnsureIndexes(ctx context.Context) error {
	if err := ensureIndexes(ctx, s.companies(),
		Index{Name: "companies_user_name", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "name_lower", Value: 1}, {Key: "_id", Value: 1}}}); err != nil {
		return err
	}
	return ensureIndexes(ctx, s.keys(), Index{Name: "company_keys_company", Keys: bson.D{{Key: "company_id", Value: 1}}})
}

// CreateCompany claims c's keys, then stores it; a crash in between
// leaves keys without a company, which claim takes back after a while.
func (s *Companies) CreateCompany(ctx context.Context, c *companies.Company) error {
	keys := companies.Keys(c)
	if err := s.claim(ctx, c.UserID, c.ID, keys); err != nil {
		return err
	}
	if _, err := s.companies().InsertOne(ctx, companyDoc(c)); err != nil {
		s.release(context.WithoutCancel(ctx), c.UserID, c.ID, keys)
		return translate(err, "company")
	}
	return nil
}

// ring is the companies' name and domain keys (company_keys).
func (s *Companies) ring() keyring {
	return keyring{keys: s.keys(), records: s.companies(), owner: "company_id", what: "company", many: "companies", taken: func(k string) string {
		if strings.HasPrefix(k, "domain:") {
			return "this domain"
		}
		return "this name"
	}}
}

func (s *Companies) claim(ctx context.Context, userID, companyID string, keys []string) error {
	return s.ring().claim(ctx, userID, companyID, keys)
}

func (s *Companies) release(ctx context.Context, userID, companyID string, keys []string) {
	s.ring().release(ctx, userID, companyID, keys)
}

// Company returns one of the user's companies (companies._id).
func (s *Companies) Company(ctx context.Context, userID, id string) (*companies.Company, error) {
	var c companies.Company
	if err := s.companies().FindOne(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&c); err != nil {
		return nil, translate(err, "company")
	}
	return &c, nil
}

// CompanyByKey returns the user's company holding key (company_keys._id).
func (s *Companies) CompanyByKey(ctx context.Context, userID, key string) (*companies.Company, error) {
	var kd companyKeyDoc
	if err := s.keys().FindOne(ctx, bson.M{"_id": keyID(userID, key)}).Decode(&kd); err != nil {
		return nil, translate(err, "company")
	}
	return s.Company(ctx, userID, kd.CompanyID)
}

// CompanyIDsByKeys implements companies.Store (company_keys._id); a key
// whose company is gone (a crash between two writes) is left out.
func (s *Companies) CompanyIDsByKeys(ctx context.Context, userID string, keys []string) (map[string]string, error) {
	return s.ring().holders(ctx, userID, keys)
}

// UpdateCompany claims the new keys, replaces the company, then releases
// the keys it no longer has.
func (s *Companies) UpdateCompany(ctx context.Context, c *companies.Company) error {
	old, err := s.Company(ctx, c.UserID, c.ID)
	if err != nil {
		return err
	}
	added, removed := diff(companies.Keys(old), companies.Keys(c))
	if err := s.claim(ctx, c.UserID, c.ID, added); err != nil {
		return err
	}
	res, err := s.companies().ReplaceOne(ctx, bson.M{"_id": c.ID, "user_id": c.UserID}, companyDoc(c))
	if err != nil {
		s.release(context.WithoutCancel(ctx), c.UserID, c.ID, added)
		return translate(err, "company")
	}
	if res.MatchedCount == 0 {
		s.release(context.WithoutCancel(ctx), c.UserID, c.ID, added)
		return apperr.E(apperr.NotFound, "no such company")
	}
	s.release(ctx, c.UserID, c.ID, removed)
	return nil
}

// DeleteCompany removes the company, then its keys.
func (s *Companies) DeleteCompany(ctx context.Context, userID, id string) error {
	res, err := s.companies().DeleteOne(ctx, bson.M{"_id": id, "user_id": userID})
	if err != nil {
		return translate(err, "company")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such company")
	}
	_, err = s.keys().DeleteMany(ctx, bson.M{"company_id": id, "user_id": userID}) // company_keys_company
	return translate(err, "company")
}

// Companies returns one page of the user's companies in name order
// (companies_user_name); q is escaped, matched as plain text.
func (s *Companies) Companies(ctx context.Context, userID string, q companies.Query) (*record.Page[companies.Company], error) {
	filter := bson.M{"user_id": userID}
	if text := regexp.QuoteMeta(toLower(strings.TrimSpace(q.Q))); text != "" { // name_lower is lower-cased, not folded
		filter["$or"] = bson.A{bson.M{"name_lower": bson.M{"$regex": text}}, bson.M{"domain": bson.M{"$regex": text}}}
	}
	if q.Cursor != nil && q.Cursor.S == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return findPage(ctx, s.companies(), pageQuery{Filter: filter, SortField: "name_lower", Limit: q.Limit, Cursor: q.Cursor},
		nameCursor(func(c *companies.Company) (string, string) { return c.Name, c.ID }), "company")
}

// CompaniesByID returns those of ids that are the user's companies.
func (s *Companies) CompaniesByID(ctx context.Context, userID string, ids []string) (map[string]*companies.Company, error) {
	out := map[string]*companies.Company{}
	if len(ids) == 0 {
		return out, nil
	}
	var cs []companies.Company
	if err := findAll(ctx, s.companies(), "company", &cs, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID}); err != nil {
		return nil, err
	}
	for i := range cs {
		out[cs[i].ID] = &cs[i]
	}
	return out, nil
}

// CompanyArchive walks and restores the user's companies; a restore claims
// their keys first.
func (s *Companies) CompanyArchive() record.Archive[companies.Company] {
	return archive[companies.Company]{db: s.DB, coll: "companies", doc: companyDoc, keyColl: "company_keys",
		conflict: "two companies share a name or domain", keys: func(c *companies.Company) []any {
			var keys []any
			for _, k := range companies.Keys(c) {
				keys = append(keys, companyKeyDoc{ID: keyID(c.UserID, k), UserID: c.UserID, CompanyID: c.ID, CreatedAt: record.Time(c.CreatedAt)})
			}
			return keys
		}}
}
