package mongodb

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Contacts is the contacts.Store on MongoDB: collections contacts and
// contact_keys (one document per key, _id = user|key).
type Contacts struct{ DB *mongo.Database }

var _ contacts.Store = (*Contacts)(nil)

func (s *Contacts) contacts() *mongo.Collection { return s.DB.Collection("contacts") }
func (s *Contacts) keys() *mongo.Collection     { return s.DB.Collection("contact_keys") }

type keyDoc struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	ContactID string    `bson:"contact_id"`
	CreatedAt time.Time `bson:"created_at"`
}

func keyID(userID, key string) string { return userID + "|" + key }

// EnsureIndexes creates the indexes of the contacts' query shapes, one per
// command (FerretDB 1.24 panics on a createIndexes naming two existing ones).
// An index keeps its name and keys once created, so an existing database
// is left as it is — but for contacts_user_known, which replaced
// contacts_user_since with the contacts' known_since (giveKnownSince, once).
func (s *Contacts) EnsureIndexes(ctx context.Context) error {
	if err := ensureIndexes(ctx, s.contacts(),
		Index{Name: "contacts_user_name", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "name_lower", Value: 1}, {Key: "_id", Value: 1}}},
		Index{Name: "contacts_user_tags", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "tags_lower", Value: 1}}},
		Index{Name: "contacts_user_last", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "last_contacted_at", Value: 1}, {Key: "_id", Value: 1}}},
		Index{Name: "contacts_user_known", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "known_since", Value: 1}, {Key: "_id", Value: 1}}},
		Index{Name: "contacts_user_company", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "company_id", Value: 1}, {Key: "name_lower", Value: 1}}},
	); err != nil {
		return err
	}
	if err := ensureIndexes(ctx, s.keys(), Index{Name: "contact_keys_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}}}); err != nil {
		return err
	}
	if err := ensureIndexes(ctx, s.imports(), Index{Name: "imports_user", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}}); err != nil {
		return err
	}
	if err := s.ensureCardGroupIndexes(ctx); err != nil {
		return err
	}
	if err := s.ensureEncounterIndexes(ctx); err != nil {
		return err
	}
	return s.giveKnownSince(ctx)
}

func toLower(x string) string { return strings.ToLower(x) }

// CreateContact claims c's keys first (insert-first: the unique _id is the
// lock), then stores c; on any failure the keys it claimed are released.
func (s *Contacts) CreateContact(ctx context.Context, c *contacts.Contact) error {
	keys := contacts.DedupeKeys(c)
	if err := s.claim(ctx, c.UserID, c.ID, keys); err != nil {
		return err
	}
	if _, err := s.contacts().InsertOne(ctx, contactDoc(c)); err != nil {
		s.release(context.WithoutCancel(ctx), c.UserID, c.ID, keys)
		return translate(err, "contact")
	}
	journal(ctx, s.DB, c.UserID, "cards", c.ID)
	return nil
}

// ImportContacts claims every key of cs with one unordered insert, stores
// the contacts whose keys all went in with one more, and releases the keys
// of the others (whose holders it reports). A crash in between leaves keys
// whose contact was never stored: CreateContact reclaims such orphans.
func (s *Contacts) ImportContacts(ctx context.Context, cs []*contacts.Contact) (map[int]string, error) {
	held := map[int]string{}
	if len(cs) == 0 {
		return held, nil
	}
	var docs []any
	var owner []int // index in cs of each key document
	for i, c := range cs {
		for _, k := range contacts.DedupeKeys(c) {
			docs = append(docs, keyDoc{ID: keyID(c.UserID, k), UserID: c.UserID, ContactID: c.ID, CreatedAt: record.Time(time.Now())})
			owner = append(owner, i)
		}
	}
	failed := map[int]bool{} // index in docs
	if len(docs) > 0 {
		// contact_keys._id
		_, err := s.keys().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) {
			for _, we := range bwe.WriteErrors {
				if !mongo.IsDuplicateKeyError(we) {
					s.releaseAll(ctx, cs)
					return nil, translate(err, "contact")
				}
				failed[we.Index] = true
			}
		} else if err != nil {
			s.releaseAll(ctx, cs)
			return nil, translate(err, "contact")
		}
	}
	for j := range docs {
		if !failed[j] {
			continue
		}
		i := owner[j]
		if _, done := held[i]; done {
			continue
		}
		var kd keyDoc
		if err := s.keys().FindOne(ctx, bson.M{"_id": docs[j].(keyDoc).ID}).Decode(&kd); err != nil {
			s.releaseAll(ctx, cs)
			return nil, translate(err, "contact")
		}
		held[i] = kd.ContactID
	}
	var fresh []any
	var ids []string
	for i, c := range cs {
		if _, ok := held[i]; ok {
			s.release(context.WithoutCancel(ctx), c.UserID, c.ID, contacts.DedupeKeys(c))
			continue
		}
		fresh = append(fresh, contactDoc(c))
		ids = append(ids, c.ID)
	}
	if len(fresh) > 0 {
		if _, err := s.contacts().InsertMany(ctx, fresh); err != nil {
			s.releaseAll(ctx, cs)
			return nil, translate(err, "contact")
		}
		journal(ctx, s.DB, cs[0].UserID, "cards", ids...)
	}
	return held, nil
}

// releaseAll releases the keys of every contact of cs (each only where it
// holds them).
func (s *Contacts) releaseAll(ctx context.Context, cs []*contacts.Contact) {
	for _, c := range cs {
		s.release(context.WithoutCancel(ctx), c.UserID, c.ID, contacts.DedupeKeys(c))
	}
}

// ring is the contacts' dedupe keys (contact_keys).
func (s *Contacts) ring() keyring {
	return keyring{keys: s.keys(), records: s.contacts(), owner: "contact_id", what: "contact", many: "contacts", taken: contacts.KeyTaken}
}

func (s *Contacts) claim(ctx context.Context, userID, contactID string, keys []string) error {
	return s.ring().claim(ctx, userID, contactID, keys)
}

func (s *Contacts) release(ctx context.Context, userID, contactID string, keys []string) {
	s.ring().release(ctx, userID, contactID, keys)
}

// Contact returns one of the user's contacts.
func (s *Contacts) Contact(ctx context.Context, userID, id string) (*contacts.Contact, error) {
	var c contacts.Contact
	// contacts._id, scoped by user_id
	if err := s.contacts().FindOne(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&c); err != nil {
		return nil, translate(err, "contact")
	}
	return &c, nil
}

// ContactByKey returns the user's contact that holds key.
func (s *Contacts) ContactByKey(ctx context.Context, userID, key string) (*contacts.Contact, error) {
	var kd keyDoc
	// contact_keys._id
	if err := s.keys().FindOne(ctx, bson.M{"_id": keyID(userID, key)}).Decode(&kd); err != nil {
		return nil, translate(err, "contact")
	}
	return s.Contact(ctx, userID, kd.ContactID)
}

// ContactIDsByKeys implements contacts.Store (contact_keys._id). A key
// whose contact is gone (a crash between the two writes) is left out.
func (s *Contacts) ContactIDsByKeys(ctx context.Context, userID string, keys []string) (map[string]string, error) {
	return s.ring().holders(ctx, userID, keys)
}

// UpdateContact claims the new keys, replaces the contact, then releases
// the keys it no longer has: a crash in between leaves a key held by its
// contact for longer, never a contact without its key.
func (s *Contacts) UpdateContact(ctx context.Context, c *contacts.Contact) error {
	old, err := s.Contact(ctx, c.UserID, c.ID)
	if err != nil {
		return err
	}
	added, removed := diff(contacts.DedupeKeys(old), contacts.DedupeKeys(c))
	if err := s.claim(ctx, c.UserID, c.ID, added); err != nil {
		return err
	}
	// contacts._id, scoped by user_id
	res, err := s.contacts().ReplaceOne(ctx, bson.M{"_id": c.ID, "user_id": c.UserID}, contactDoc(c))
	if err == nil && res.MatchedCount == 0 {
		err = apperr.E(apperr.NotFound, "no such contact")
	}
	if err != nil {
		s.release(context.WithoutCancel(ctx), c.UserID, c.ID, added)
		return translate(err, "contact")
	}
	s.release(ctx, c.UserID, c.ID, removed)
	journal(ctx, s.DB, c.UserID, "cards", c.ID)
	if old.Name != c.Name {
		// Tasks name the contact, and so do the cards of those it was
		// introduced to.
		journal(ctx, s.DB, c.UserID, "tasks", idsOf(ctx, s.DB.Collection("followups"), bson.M{"user_id": c.UserID, "contact_id": c.ID})...) // followups_user_contact_due
		journal(ctx, s.DB, c.UserID, "cards", s.introducedWith(ctx, bson.M{"user_id": c.UserID, "contact_ids": c.ID})...)
	}
	return nil
}

// TouchContact moves last_contacted_at forward to t with $max (never
// back), and known_since back to it with $min (never forward).
func (s *Contacts) TouchContact(ctx context.Context, userID, id string, t time.Time) (*contacts.Contact, error) {
	var c contacts.Contact
	// contacts._id, scoped by user_id
	err := s.contacts().FindOneAndUpdate(ctx, bson.M{"_id": id, "user_id": userID},
		bson.M{"$max": bson.M{"last_contacted_at": record.Time(t)}, "$min": bson.M{"known_since": record.Time(t)}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, translate(err, "contact")
	}
	journal(ctx, s.DB, userID, "cards", id)
	return &c, nil
}

// SetLastContacted sets last_contacted_at to t, or takes it away for nil
// (the field is left out when never contacted).
func (s *Contacts) SetLastContacted(ctx context.Context, userID, id string, t *time.Time) (*contacts.Contact, error) {
	update := bson.M{"$unset": bson.M{"last_contacted_at": ""}}
	if t != nil {
		update = bson.M{"$set": bson.M{"last_contacted_at": record.Time(*t)}}
	}
	var c contacts.Contact
	// contacts._id, scoped by user_id
	err := s.contacts().FindOneAndUpdate(ctx, bson.M{"_id": id, "user_id": userID}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, translate(err, "contact")
	}
	journal(ctx, s.DB, userID, "cards", id)
	return &c, nil
}

// ContactsByID returns those of ids that are the user's contacts.
func (s *Contacts) ContactsByID(ctx context.Context, userID string, ids []string) (map[string]*contacts.Contact, error) {
	out := map[string]*contacts.Contact{}
	if len(ids) == 0 {
		return out, nil
	}
	// contacts._id, scoped by user_id
	var cs []contacts.Contact
	if err := findAll(ctx, s.contacts(), "contact", &cs, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID}); err != nil {
		return nil, err
	}
	for i := range cs {
		out[cs[i].ID] = &cs[i]
	}
	return out, nil
}

// DeleteContact removes the contact, then its keys.
func (s *Contacts) DeleteContact(ctx context.Context, userID, id string) error {
	// contacts._id, scoped by user_id
	var gone struct {
		DAVName string `bson:"dav_name"`
	}
	// No projection: FerretDB does not take one on findAndModify.
	err := s.contacts().FindOneAndDelete(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&gone)
	if err != nil {
		return translate(err, "contact")
	}
	journal(ctx, s.DB, userID, "cards", goneCard(id, gone.DAVName))
	// contact_keys_contact
	if _, err := s.keys().DeleteMany(ctx, bson.M{"contact_id": id, "user_id": userID}); err != nil {
		return translate(err, "contact")
	}
	return nil
}

// goneCard is the name a deleted contact's card is journaled under: the
// name a client gave it, else its id (PRODUCT.md §6).
func goneCard(id, davName string) string {
	if davName != "" {
		return davName
	}
	return id
}

// DeleteContacts removes those of ids that are the user's contacts with
// one delete, then their keys with another, and journals their cards.
func (s *Contacts) DeleteContacts(ctx context.Context, userID string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var gone []struct {
		ID      string `bson:"_id"`
		DAVName string `bson:"dav_name"`
	}
	if err := findAll(ctx, s.contacts(), "contact", &gone, bson.M{"user_id": userID, "_id": bson.M{"$in": ids}},
		options.Find().SetProjection(bson.M{"_id": 1, "dav_name": 1})); err != nil {
		return 0, err
	}
	if len(gone) == 0 {
		return 0, nil
	}
	names, found := make([]string, len(gone)), make([]string, len(gone))
	for i, g := range gone {
		found[i], names[i] = g.ID, goneCard(g.ID, g.DAVName)
	}
	res, err := s.contacts().DeleteMany(ctx, bson.M{"user_id": userID, "_id": bson.M{"$in": found}})
	if err != nil {
		return 0, translate(err, "contact")
	}
	journal(ctx, s.DB, userID, "cards", names...)
	// contact_keys_contact
	if _, err := s.keys().DeleteMany(ctx, bson.M{"user_id": userID, "contact_id": bson.M{"$in": found}}); err != nil {
		return 0, translate(err, "contact")
	}
	return int(res.DeletedCount), nil
}

// find reads the contacts filter selects, without their query fields.
func (s *Contacts) find(ctx context.Context, filter bson.M, opts *options.FindOptionsBuilder) ([]contacts.Contact, error) {
	cs := []contacts.Contact{}
	if err := findAll(ctx, s.contacts(), "contact", &cs, filter, opts); err != nil {
		return nil, err
	}
	return cs, nil
}

// maxStatements bounds the statements of one bulk write.
const maxStatements = 50

// Contacts returns one page of the user's contacts in name order.
func (s *Contacts) Contacts(ctx context.Context, userID string, q contacts.ContactQuery) (*record.Page[contacts.Contact], error) {
	filter := bson.M{"user_id": userID}
	if tag := strings.ToLower(strings.TrimSpace(q.Tag)); tag != "" {
		filter["tags_lower"] = tag // contacts_user_tags
	} // else contacts_user_name
	if text := input.Search(q.Q); text != "" {
		filter["search"] = bson.M{"$regex": text} // escaped: plain text
	}
	if q.IDs != nil {
		filter["_id"] = bson.M{"$in": q.IDs}
	}
	if err := contacts.CheckCursor(q.Sort, q.Cursor); err != nil {
		return nil, err
	}
	var page *record.Page[contacts.Contact]
	var err error
	switch q.Sort {
	case contacts.SortLast:
		page, err = s.contactsByLast(ctx, filter, q)
	case contacts.SortSince:
		// contacts_user_known
		page, err = findPage(ctx, s.contacts(), pageQuery{Filter: filter, SortField: "known_since", Limit: q.Limit, Cursor: q.Cursor},
			func(c *contacts.Contact) record.Cursor { return record.Cursor{T: &c.KnownSince, ID: c.ID} }, "contact")
	default:
		page, err = findPage(ctx, s.contacts(), pageQuery{Filter: filter, SortField: "name_lower", Limit: q.Limit, Cursor: q.Cursor},
			nameCursor(func(c *contacts.Contact) (string, string) { return c.Name, c.ID }), "contact")
	}
	if err != nil {
		return nil, err
	}
	return page, nil
}

// contactsByLast reads a page of contacts by last contact, latest first
// (contacts_user_last, backwards): null and missing sort lowest, so the
// never contacted come last, by id descending.
func (s *Contacts) contactsByLast(ctx context.Context, filter bson.M, q contacts.ContactQuery) (*record.Page[contacts.Contact], error) {
	limit := record.PageSize(q.Limit)
	if cur := q.Cursor; cur != nil {
		if cur.T != nil {
			filter["$or"] = bson.A{
				bson.M{"last_contacted_at": bson.M{"$lt": *cur.T}},
				bson.M{"last_contacted_at": *cur.T, "_id": bson.M{"$lt": cur.ID}},
				bson.M{"last_contacted_at": nil},
			}
		} else {
			filter["last_contacted_at"] = nil
			filter["$and"] = bson.A{bson.M{"_id": bson.M{"$lt": cur.ID}}}
		}
	}
	c, err := s.contacts().Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "last_contacted_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit+1)))
	if err != nil {
		return nil, translate(err, "contact")
	}
	page := &record.Page[contacts.Contact]{Items: []contacts.Contact{}}
	if err := c.All(ctx, &page.Items); err != nil {
		return nil, translate(err, "contact")
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = contacts.CursorOf(contacts.SortLast, &page.Items[limit-1]).Encode()
	}
	return page, nil
}

// diff returns what b has that a lacks, and what a has that b lacks.
func diff(a, b []string) (added, removed []string) {
	in := func(xs []string, x string) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	for _, x := range b {
		if !in(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !in(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

// ContactArchive walks and restores the user's contacts; a restore claims
// their dedupe keys first.
func (s *Contacts) ContactArchive() record.Archive[contacts.Contact] {
	return archive[contacts.Contact]{db: s.DB, coll: "contacts", doc: contactDoc, keyColl: "contact_keys",
		conflict: "two contacts share an email or LinkedIn URL", keys: func(c *contacts.Contact) []any {
			var keys []any
			for _, k := range contacts.DedupeKeys(c) {
				keys = append(keys, keyDoc{ID: keyID(c.UserID, k), UserID: c.UserID, ContactID: c.ID, CreatedAt: record.Time(c.CreatedAt)})
			}
			return keys
		},
		changed: func(c *contacts.Contact) (string, string, []string) { return c.UserID, "cards", []string{c.ID} }}
}
