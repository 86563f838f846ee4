package contacts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/store"
)

// Service stores contacts, encounters, interactions and intros.
type Service struct {
	contacts, keys, encounters, interactions, intros *mongo.Collection
	Now                                              func() time.Time
	// Mutated, if set, is told after every write to the user's contacts
	// (the contact-list cache of the API is keyed by it).
	Mutated func(ctx context.Context, userID string)
	// Changed, if set, is told after every write that changes what the
	// user's calendar feeds show (crm uses it to invalidate cached feeds).
	Changed func(ctx context.Context, userID string)
	// Observe, if set, is told of each contact, encounter and intro written
	// (*Contact, *Encounter, *Intro) and of removals (store.Removed).
	Observe store.Observer
}

// New returns a Service on db.
func New(db *mongo.Database) *Service {
	return &Service{
		contacts: db.Collection("contacts"), keys: db.Collection("contact_keys"),
		encounters: db.Collection("encounters"), interactions: db.Collection("interactions"),
		intros: db.Collection("intros"), Now: time.Now,
	}
}

// EnsureIndexes creates the indexes the queries of this package name.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	for _, x := range []struct {
		c   *mongo.Collection
		idx []store.Index
	}{
		{s.contacts, []store.Index{
			{Name: "contacts_user_name", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "name_lower", Value: 1}, {Key: "_id", Value: 1}}},
			{Name: "contacts_user_tags", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "tags_lower", Value: 1}}},
		}},
		{s.keys, []store.Index{
			{Name: "contact_keys_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}}},
		}},
		{s.encounters, []store.Index{
			{Name: "encounters_user_event", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "met_at", Value: 1}}},
			{Name: "encounters_user_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}, {Key: "met_at", Value: 1}}},
		}},
		{s.interactions, []store.Index{
			{Name: "interactions_user_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}, {Key: "at", Value: 1}}},
		}},
		{s.intros, []store.Index{
			{Name: "intros_user_contacts", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_ids", Value: 1}}},
			{Name: "intros_user_created", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}},
		}},
	} {
		if err := store.EnsureIndexes(ctx, x.c, x.idx...); err != nil {
			return err
		}
	}
	return nil
}

// keyDoc reserves one dedupe key for a contact. Its _id is the user's id
// and the key, so the always-unique _id index makes two concurrent creates
// of the same person collide on insert: no lookup first, no race.
type keyDoc struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	ContactID string    `bson:"contact_id"`
	CreatedAt time.Time `bson:"created_at"`
}

func keyID(userID, key string) string { return userID + "|" + key }

// orphanAfter is how old a key must be, whose contact does not exist, before
// it counts as left behind by a crash rather than held by a create in flight.
const orphanAfter = 30 * time.Second

// claimKeys reserves keys for contactID. If one belongs to another contact it
// releases what it claimed and returns Conflict with that contact's id.
func (s *Service) claimKeys(ctx context.Context, userID, contactID string, keys []string) error {
	var claimed []string
	for _, k := range keys {
		for attempt := 0; ; attempt++ {
			now := store.Time(s.Now())
			_, err := s.keys.InsertOne(ctx, keyDoc{ID: keyID(userID, k), UserID: userID, ContactID: contactID, CreatedAt: now})
			if err == nil {
				claimed = append(claimed, k)
				break
			}
			if !mongo.IsDuplicateKeyError(err) || attempt == 2 {
				s.releaseKeys(ctx, userID, contactID, claimed)
				return store.Err(err, "contact")
			}
			var kd keyDoc
			// contact_keys._id
			if err := s.keys.FindOne(ctx, bson.M{"_id": keyID(userID, k)}).Decode(&kd); err != nil {
				if apperr.Is(store.Err(err, "contact"), apperr.NotFound) {
					continue // released in between: try again
				}
				s.releaseKeys(ctx, userID, contactID, claimed)
				return store.Err(err, "contact")
			}
			if kd.ContactID == contactID {
				claimed = append(claimed, k)
				break
			}
			if _, err := s.Get(ctx, userID, kd.ContactID); apperr.Is(err, apperr.NotFound) && now.Sub(kd.CreatedAt) > orphanAfter {
				// contact_keys._id: a key left behind by a crash; reclaim it.
				s.keys.DeleteOne(ctx, bson.M{"_id": kd.ID, "contact_id": kd.ContactID})
				continue
			}
			s.releaseKeys(ctx, userID, contactID, claimed)
			what := "an email"
			if k[0] == 'l' {
				what = "the LinkedIn URL"
			}
			return &apperr.Error{Kind: apperr.Conflict, ExistingID: kd.ContactID,
				Message: "a contact with " + what + " of this one exists already"}
		}
	}
	return nil
}

func (s *Service) releaseKeys(ctx context.Context, userID, contactID string, keys []string) {
	if len(keys) == 0 {
		return
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = keyID(userID, k)
	}
	// contact_keys._id; must run even if the request was cancelled.
	s.keys.DeleteMany(context.WithoutCancel(ctx), bson.M{"_id": bson.M{"$in": ids}, "contact_id": contactID})
}

// CreateOpts tune Create.
type CreateOpts struct {
	// Prefix is put before field names in validation errors ("contact.").
	Prefix string
	// LastContactedAt, if set, is stored with the new contact (an encounter
	// creating it is a contact), saving an update that would scan.
	LastContactedAt *time.Time
}

// Create validates in and stores a new contact. An email or LinkedIn URL one
// of the user's contacts already has is a Conflict carrying its ExistingID.
func (s *Service) Create(ctx context.Context, userID string, in Input, o CreateOpts) (*Contact, error) {
	now := store.Time(s.Now())
	c := &Contact{ID: store.NewID(), UserID: userID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(c, o.Prefix); err != nil {
		return nil, err
	}
	if o.LastContactedAt != nil {
		t := store.Time(*o.LastContactedAt)
		c.LastContactedAt = &t
	}
	keys := dedupeKeys(c)
	if err := s.claimKeys(ctx, userID, c.ID, keys); err != nil {
		return nil, err
	}
	if _, err := s.contacts.InsertOne(ctx, c); err != nil {
		s.releaseKeys(ctx, userID, c.ID, keys)
		return nil, store.Err(err, "contact")
	}
	s.Observe.Tell(userID, c)
	s.mutated(ctx, userID)
	return c, nil
}

// Get returns the user's contact with id; NotFound if the user has none.
func (s *Service) Get(ctx context.Context, userID, id string) (*Contact, error) {
	var c Contact
	// contacts._id (owner checked in FindOwned)
	if err := store.FindOwned(ctx, s.contacts, id, userID, &c, "contact"); err != nil {
		return nil, err
	}
	return &c, nil
}

// Update applies a merge patch to the user's contact. A new email or
// LinkedIn URL that another contact has is a Conflict with ExistingID.
func (s *Service) Update(ctx context.Context, userID, id string, patch []byte) (*Contact, error) {
	old, err := s.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	var in Input
	if err := input.MergePatch(inputOf(old), patch, &in); err != nil {
		return nil, err
	}
	c := *old
	if err := in.apply(&c, ""); err != nil {
		return nil, err
	}
	added, removed := diff(dedupeKeys(old), dedupeKeys(&c))
	if err := s.claimKeys(ctx, userID, c.ID, added); err != nil {
		return nil, err
	}
	c.UpdatedAt = store.Time(s.Now())
	// contacts._id, scoped by user_id
	res, err := s.contacts.ReplaceOne(ctx, bson.M{"_id": c.ID, "user_id": userID}, &c)
	if err != nil || res.MatchedCount == 0 {
		s.releaseKeys(ctx, userID, c.ID, added)
		if err != nil {
			return nil, store.Err(err, "contact")
		}
		return nil, apperr.E(apperr.NotFound, "contact not found")
	}
	s.releaseKeys(ctx, userID, c.ID, removed)
	s.Observe.Tell(userID, &c)
	s.mutated(ctx, userID)
	if c.Name != old.Name {
		s.changed(ctx, userID) // follow-up entries show the name
	}
	return &c, nil
}

// diff returns what is in b but not a, and what is in a but not b.
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

// FillBlanks copies into the stored contact the company, title and phones
// from in where the contact has none, so meeting someone again can add what
// was learnt without overwriting what the user wrote.
func (s *Service) FillBlanks(ctx context.Context, c *Contact, in Input) (*Contact, error) {
	patch := inputOf(c)
	if patch.Company == "" {
		patch.Company = in.Company
	}
	if patch.Title == "" {
		patch.Title = in.Title
	}
	if len(patch.Phones) == 0 {
		patch.Phones = in.Phones
	}
	next := *c
	if err := patch.apply(&next, "contact."); err != nil {
		return nil, err
	}
	if next.Company == c.Company && next.Title == c.Title && len(next.Phones) == len(c.Phones) {
		return c, nil
	}
	next.UpdatedAt = store.Time(s.Now())
	// contacts._id, scoped by user_id
	if _, err := s.contacts.ReplaceOne(ctx, bson.M{"_id": c.ID, "user_id": c.UserID}, &next); err != nil {
		return nil, store.Err(err, "contact")
	}
	s.Observe.Tell(c.UserID, &next)
	s.mutated(ctx, c.UserID)
	return &next, nil
}

// Delete removes the user's contact and its dedupe keys; NotFound if there
// is none. Callers remove what points at it first (crm.Service.DeleteContact).
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	// contacts._id, scoped by user_id
	if err := store.DeleteOwned(ctx, s.contacts, id, userID, "contact"); err != nil {
		return err
	}
	s.Observe.Tell(userID, store.Removed{Collection: "contacts", IDs: []string{id}})
	s.changed(ctx, userID)
	s.mutated(ctx, userID)
	// contact_keys_contact
	_, err := s.keys.DeleteMany(ctx, bson.M{"user_id": userID, "contact_id": id})
	return store.Err(err, "contact")
}

// Touch records an interaction at t: last_contacted_at becomes the later of
// its value and t. It returns the updated contact.
func (s *Service) Touch(ctx context.Context, userID, id string, t time.Time) (*Contact, error) {
	if _, err := s.Get(ctx, userID, id); err != nil {
		return nil, err
	}
	var c Contact
	// contacts._id (the owner was checked just above; _id alone is pushed down)
	err := s.contacts.FindOneAndUpdate(ctx, bson.M{"_id": id},
		bson.M{"$max": bson.M{"last_contacted_at": store.Time(t)}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, store.Err(err, "contact")
	}
	s.Observe.Tell(userID, &c)
	s.mutated(ctx, userID)
	return &c, nil
}

// Filter selects contacts for List.
type Filter struct {
	Q, Tag string
	// IDs, when not nil, restricts the list to these contacts.
	IDs    []string
	Limit  int
	Cursor *store.Cursor
}

// List returns the user's contacts in name order.
func (s *Service) List(ctx context.Context, userID string, f Filter) (*store.Page[Contact], error) {
	q := bson.M{"user_id": userID}
	if f.Tag != "" {
		q["tags_lower"] = input.LowerAll([]string{f.Tag})[0]
	}
	if p := input.Search(f.Q); p != "" {
		q["search"] = bson.M{"$regex": p}
	}
	if f.IDs != nil {
		q["_id"] = bson.M{"$in": f.IDs}
	}
	// contacts_user_name
	return store.FindPage(ctx, s.contacts, store.PageQuery{Filter: q, SortField: "name_lower", Limit: f.Limit, Cursor: f.Cursor},
		func(c *Contact) store.Cursor { return store.Cursor{S: &c.NameLower, ID: c.ID} }, "contact")
}

// GetMany returns the user's contacts among ids, by id.
func (s *Service) GetMany(ctx context.Context, userID string, ids []string) (map[string]*Contact, error) {
	out := map[string]*Contact{}
	if len(ids) == 0 {
		return out, nil
	}
	// contacts._id, scoped by user_id
	cur, err := s.contacts.Find(ctx, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID})
	if err != nil {
		return nil, store.Err(err, "contact")
	}
	var cs []Contact
	if err := cur.All(ctx, &cs); err != nil {
		return nil, store.Err(err, "contact")
	}
	for i := range cs {
		out[cs[i].ID] = &cs[i]
	}
	return out, nil
}

// changed reports a change of feed content to the Changed hook.
func (s *Service) changed(ctx context.Context, userID string) {
	if s.Changed != nil {
		s.Changed(ctx, userID)
	}
}

// mutated reports a write to the user's contacts to the Mutated hook.
func (s *Service) mutated(ctx context.Context, userID string) {
	if s.Mutated != nil {
		s.Mutated(ctx, userID)
	}
}
