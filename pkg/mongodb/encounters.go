package mongodb

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

func (s *Contacts) encounters() *mongo.Collection   { return s.DB.Collection("encounters") }
func (s *Contacts) interactions() *mongo.Collection { return s.DB.Collection("interactions") }
func (s *Contacts) intros() *mongo.Collection       { return s.DB.Collection("intros") }

// ensureEncounterIndexes creates the indexes of the encounters',
// interactions' and intros' query shapes.
func (s *Contacts) ensureEncounterIndexes(ctx context.Context) error {
	for _, x := range []struct {
		c   *mongo.Collection
		idx Index
	}{
		{s.encounters(), Index{Name: "encounters_user_event", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "met_at", Value: 1}}}},
		{s.encounters(), Index{Name: "encounters_user_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}, {Key: "met_at", Value: 1}}}},
		{s.interactions(), Index{Name: "interactions_user_contact", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_id", Value: 1}, {Key: "at", Value: 1}}}},
		{s.interactions(), Index{Name: "interactions_user_at", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "at", Value: 1}, {Key: "kind", Value: 1}}}},
		{s.intros(), Index{Name: "intros_user_contacts", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "contact_ids", Value: 1}}}},
		{s.intros(), Index{Name: "intros_user_created", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}}},
		{s.intros(), Index{Name: "intros_user_event", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}}},
	} {
		if err := ensureIndexes(ctx, x.c, x.idx); err != nil {
			return err
		}
	}
	return nil
}

// CreateEncounter stores e.
func (s *Contacts) CreateEncounter(ctx context.Context, e *contacts.Encounter) error {
	_, err := s.encounters().InsertOne(ctx, encounterDoc(e))
	if err == nil {
		journal(ctx, s.DB, e.UserID, "cards", e.ContactID)
	}
	return translate(err, "encounter")
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, x := range ss {
		out[i] = toLower(x)
	}
	return out
}

// Encounters returns one page of the user's encounters, by met_at.
func (s *Contacts) Encounters(ctx context.Context, userID string, q contacts.EncounterQuery) (*record.Page[contacts.Encounter], error) {
	f := bson.M{"user_id": userID}
	if q.EventID != "" {
		f["event_id"] = q.EventID // encounters_user_event
	} else {
		f["contact_id"] = q.ContactID // encounters_user_contact
	}
	if q.Cursor != nil && q.Cursor.T == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return findPage(ctx, s.encounters(), pageQuery{Filter: f, SortField: "met_at", Descending: q.NewestFirst, Limit: q.Limit, Cursor: q.Cursor},
		func(e *contacts.Encounter) record.Cursor { return record.Cursor{T: &e.MetAt, ID: e.ID} }, "encounter")
}

// ContactIDsAtEvent returns the ids of the contacts met at an event, each
// once, in the order first met (encounters_user_event).
func (s *Contacts) ContactIDsAtEvent(ctx context.Context, userID, eventID string) ([]string, error) {
	var rows []struct {
		ContactID string `bson:"contact_id"`
	}
	if err := findAll(ctx, s.encounters(), "encounter", &rows, bson.M{"user_id": userID, "event_id": eventID},
		options.Find().SetProjection(bson.M{"contact_id": 1}).SetSort(bson.D{{Key: "met_at", Value: 1}, {Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	ids := []string{}
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.ContactID] {
			seen[r.ContactID] = true
			ids = append(ids, r.ContactID)
		}
	}
	return ids, nil
}

// EventsMetAt implements contacts.Store: the user's encounters at
// eventIDs grouped by event (encounters_user_event). Not distinct: on
// FerretDB 1.24, a distinct on the desk tests' databases holding no
// encounter yet was answered with what the driver cannot decode ("error
// decoding key arr: unexpected EOF"; the contract's fresh store did not
// show it).
func (s *Contacts) EventsMetAt(ctx context.Context, userID string, eventIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(eventIDs) == 0 {
		return out, nil // FerretDB refuses an empty $in
	}
	rows, err := aggregate[struct {
		ID string `bson:"_id"`
	}](ctx, s.encounters(), "encounter", stage("$match", bson.M{"user_id": userID, "event_id": bson.M{"$in": eventIDs}}),
		stage("$group", bson.M{"_id": "$event_id"}))
	for _, r := range rows {
		out[r.ID] = true
	}
	return out, err
}

// PeopleMetAt implements contacts.EncounterStore in two reads, no
// $lookup: the events' encounters (encounters_user_event), then since when
// the user has known each contact met (contacts._id, scoped by user_id;
// when it was made, for a contact giveKnownSince has not reached yet).
func (s *Contacts) PeopleMetAt(ctx context.Context, userID string, eventIDs []string) (map[string][]contacts.KnownPerson, error) {
	out := map[string][]contacts.KnownPerson{}
	if len(eventIDs) == 0 {
		return out, nil // FerretDB refuses an empty $in
	}
	rows, err := aggregate[struct {
		ID struct {
			Event   string `bson:"e"`
			Contact string `bson:"c"`
		} `bson:"_id"`
	}](ctx, s.encounters(), "encounter", stage("$match", bson.M{"user_id": userID, "event_id": bson.M{"$in": eventIDs}}),
		stage("$group", bson.M{"_id": bson.M{"e": "$event_id", "c": "$contact_id"}}))
	if err != nil || len(rows) == 0 {
		return out, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, r := range rows {
		if !seen[r.ID.Contact] {
			seen[r.ID.Contact] = true
			ids = append(ids, r.ID.Contact)
		}
	}
	var docs []struct {
		ID         string    `bson:"_id"`
		KnownSince time.Time `bson:"known_since"`
		CreatedAt  time.Time `bson:"created_at"`
	}
	if err := findAll(ctx, s.contacts(), "contact", &docs, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID},
		options.Find().SetProjection(bson.M{"_id": 1, "known_since": 1, "created_at": 1})); err != nil {
		return nil, err
	}
	known := make(map[string]time.Time, len(docs))
	for _, d := range docs {
		known[d.ID] = d.KnownSince
		if d.KnownSince.IsZero() {
			known[d.ID] = d.CreatedAt
		}
	}
	for _, r := range rows {
		if since, ok := known[r.ID.Contact]; ok {
			out[r.ID.Event] = append(out[r.ID.Event], contacts.KnownPerson{ContactID: r.ID.Contact, KnownSince: since})
		}
	}
	return out, nil
}

// DeleteEncounter removes one of the user's encounters and returns it
// (encounters._id, scoped by user_id).
func (s *Contacts) DeleteEncounter(ctx context.Context, userID, id string) (*contacts.Encounter, error) {
	var e contacts.Encounter
	if err := s.encounters().FindOneAndDelete(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&e); err != nil {
		return nil, translate(err, "encounter")
	}
	journal(ctx, s.DB, userID, "cards", e.ContactID) // its card's "How we met"
	return &e, nil
}

// DeleteEncountersOf removes the user's encounters at an event or with a
// contact and returns their ids.
func (s *Contacts) DeleteEncountersOf(ctx context.Context, userID string, of contacts.EncountersOf, refIDs []string) ([]string, error) {
	if len(refIDs) == 0 {
		return nil, nil
	}
	field := "event_id"
	if of == contacts.ByContact {
		field = "contact_id"
	}
	var met []string // the contacts whose "How we met" loses a line
	if of != contacts.ByContact {
		for _, id := range refIDs {
			at, _ := s.ContactIDsAtEvent(ctx, userID, id)
			met = append(met, at...)
		}
	}
	ids, err := deleteReturningIDs(ctx, s.encounters(), bson.M{"user_id": userID, field: bson.M{"$in": refIDs}}, "encounter")
	if err == nil {
		journal(ctx, s.DB, userID, "cards", met...)
	}
	return ids, err
}

// CreateInteraction stores it.
func (s *Contacts) CreateInteraction(ctx context.Context, it *contacts.Interaction) error {
	_, err := s.interactions().InsertOne(ctx, interactionDoc(it))
	return translate(err, "interaction")
}

// Interactions returns one page of a contact's interactions, newest first
// (interactions_user_contact).
func (s *Contacts) Interactions(ctx context.Context, userID, contactID string, limit int, cursor *record.Cursor) (*record.Page[contacts.Interaction], error) {
	if cursor != nil && cursor.T == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return findPage(ctx, s.interactions(), pageQuery{Filter: bson.M{"user_id": userID, "contact_id": contactID},
		SortField: "at", Descending: true, Limit: limit, Cursor: cursor},
		func(it *contacts.Interaction) record.Cursor { return record.Cursor{T: &it.At, ID: it.ID} }, "interaction")
}

// DeleteInteraction removes one of the user's interactions and returns it
// (interactions._id, scoped by user_id).
func (s *Contacts) DeleteInteraction(ctx context.Context, userID, id string) (*contacts.Interaction, error) {
	var it contacts.Interaction
	if err := s.interactions().FindOneAndDelete(ctx, bson.M{"_id": id, "user_id": userID}).Decode(&it); err != nil {
		return nil, translate(err, "interaction")
	}
	return &it, nil
}

// DeleteInteractionsOf removes all of a contact's interactions (interactions_user_contact).
func (s *Contacts) DeleteInteractionsOf(ctx context.Context, userID string, contactIDs []string) error {
	if len(contactIDs) == 0 {
		return nil
	}
	_, err := s.interactions().DeleteMany(ctx, bson.M{"user_id": userID, "contact_id": bson.M{"$in": contactIDs}})
	return translate(err, "interaction")
}

// CreateIntro stores it.
func (s *Contacts) CreateIntro(ctx context.Context, it *contacts.Intro) error {
	if len(it.ContactIDs) != 2 {
		return apperr.InvalidField("contact_ids", "must name exactly two contacts")
	}
	_, err := s.intros().InsertOne(ctx, introDoc(it))
	if err == nil {
		journal(ctx, s.DB, it.UserID, "cards", it.ContactIDs...)
	}
	return translate(err, "intro")
}

// Intro returns one of the user's intros (intros._id, owner checked).
func (s *Contacts) Intro(ctx context.Context, userID, id string) (*contacts.Intro, error) {
	var it contacts.Intro
	if err := findOwned(ctx, s.intros(), id, userID, &it, "intro"); err != nil {
		return nil, err
	}
	return &it, nil
}

// MoveIntro compares-and-sets the intro's status in one document update.
func (s *Contacts) MoveIntro(ctx context.Context, userID, id, from, to, outcome string, at time.Time) (*contacts.Intro, error) {
	var out contacts.Intro
	// intros._id, scoped by user_id, compare-and-set on status
	err := s.intros().FindOneAndUpdate(ctx, bson.M{"_id": id, "user_id": userID, "status": from},
		bson.M{"$set": bson.M{"status": to, "outcome": outcome, "updated_at": record.Time(at)}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if err == nil {
		journal(ctx, s.DB, userID, "cards", out.ContactIDs...)
		return &out, nil
	}
	if err = translate(err, "intro"); !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	if _, gerr := s.Intro(ctx, userID, id); gerr != nil {
		return nil, gerr // NotFound: there is no such intro
	}
	return nil, apperr.E(apperr.Conflict, "the intro changed meanwhile; read it again")
}

// Intros returns one page of the user's intros, oldest first (intros_user_created).
func (s *Contacts) Intros(ctx context.Context, userID string, q contacts.IntroQuery) (*record.Page[contacts.Intro], error) {
	f := bson.M{"user_id": userID}
	if q.ContactID != "" {
		f["contact_ids"] = q.ContactID // intros_user_contacts
	}
	if q.Status != "" {
		f["status"] = q.Status
	}
	if q.EventID != "" {
		f["event_id"] = q.EventID // intros_user_event
	}
	if q.Cursor != nil && q.Cursor.T == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return findPage(ctx, s.intros(), pageQuery{Filter: f, SortField: "created_at", Descending: q.NewestFirst, Limit: q.Limit, Cursor: q.Cursor},
		func(it *contacts.Intro) record.Cursor { return record.Cursor{T: &it.CreatedAt, ID: it.ID} }, "intro")
}

// LatestEncounters implements contacts.Store: one read per contact, the
// latest first (encounters_user_contact).
func (s *Contacts) LatestEncounters(ctx context.Context, userID string, contactIDs []string) (map[string]contacts.Encounter, error) {
	out := map[string]contacts.Encounter{}
	for _, id := range contactIDs {
		var e contacts.Encounter
		err := s.encounters().FindOne(ctx, bson.M{"user_id": userID, "contact_id": id},
			options.FindOne().SetSort(bson.D{{Key: "met_at", Value: -1}, {Key: "_id", Value: -1}})).Decode(&e)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, translate(err, "encounter")
		}
		out[id] = e
	}
	return out, nil
}

// EncountersWith implements contacts.Store (encounters_user_contact).
func (s *Contacts) EncountersWith(ctx context.Context, userID string, contactIDs []string) ([]contacts.Encounter, error) {
	out := []contacts.Encounter{}
	if len(contactIDs) == 0 {
		return out, nil // FerretDB refuses an empty $in
	}
	if err := findAll(ctx, s.encounters(), "encounter", &out, bson.M{"user_id": userID, "contact_id": bson.M{"$in": contactIDs}},
		options.Find().SetSort(bson.D{{Key: "contact_id", Value: 1}, {Key: "met_at", Value: 1}})); err != nil {
		return nil, err
	}
	return out, nil
}

// IntrosWith implements contacts.Store (intros_user_contacts).
func (s *Contacts) IntrosWith(ctx context.Context, userID string, contactIDs []string) ([]contacts.Intro, error) {
	out := []contacts.Intro{}
	if len(contactIDs) == 0 {
		return out, nil
	}
	if err := findAll(ctx, s.intros(), "intro", &out, bson.M{"user_id": userID, "contact_ids": bson.M{"$in": contactIDs}}); err != nil {
		return nil, err
	}
	// Sorted here: the index serves the filter, and a batch's intros are few.
	slices.SortFunc(out, func(a, b contacts.Intro) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// introducedWith is the contacts of the intros that match (both sides,
// for the journal: each names the other on its card); nil if they cannot
// be read (the journal is best effort, see Changes).
func (s *Contacts) introducedWith(ctx context.Context, match bson.M) []string {
	cur, err := s.intros().Find(ctx, match, options.Find().SetProjection(bson.M{"contact_ids": 1}))
	if err != nil {
		return nil
	}
	var docs []struct {
		ContactIDs []string `bson:"contact_ids"`
	}
	cur.All(ctx, &docs)
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ContactIDs...)
	}
	return ids
}

// DeleteIntrosOf removes the user's intros that involve a contact (intros_user_contacts).
func (s *Contacts) DeleteIntrosOf(ctx context.Context, userID string, contactIDs []string) ([]string, error) {
	if len(contactIDs) == 0 {
		return nil, nil
	}
	of := bson.M{"user_id": userID, "contact_ids": bson.M{"$in": contactIDs}}
	others := s.introducedWith(ctx, of) // their cards lose a line
	ids, err := deleteReturningIDs(ctx, s.intros(), of, "intro")
	if err == nil {
		journal(ctx, s.DB, userID, "cards", others...)
	}
	return ids, err
}

// DetachIntrosFromEvent clears the event of the user's intros made at it.
func (s *Contacts) DetachIntrosFromEvent(ctx context.Context, userID, eventID string, at time.Time) error {
	_, err := s.intros().UpdateMany(ctx, bson.M{"user_id": userID, "event_id": eventID},
		bson.M{"$unset": bson.M{"event_id": ""}, "$set": bson.M{"updated_at": record.Time(at)}})
	return translate(err, "intro")
}

// InteractionsOfKinds implements contacts.Store (the giving ledger):
// interactions_user_at.
func (s *Contacts) InteractionsOfKinds(ctx context.Context, userID string, kinds []string, since time.Time, limit int) ([]contacts.Interaction, error) {
	out := []contacts.Interaction{}
	if err := findAll(ctx, s.interactions(), "interaction", &out, bson.M{"user_id": userID, "at": bson.M{"$gte": since}, "kind": bson.M{"$in": kinds}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit))); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteEventGiving implements contacts.Store (interactions_user_at's user
// prefix; an event's giving is a handful of records).
func (s *Contacts) DeleteEventGiving(ctx context.Context, userID, eventID string) error {
	_, err := s.interactions().DeleteMany(ctx, bson.M{"user_id": userID, "contact_id": "", "event_id": eventID})
	return translate(err, "interaction")
}

// EncounterArchive walks and restores the user's encounters.
func (s *Contacts) EncounterArchive() record.Archive[contacts.Encounter] {
	return archive[contacts.Encounter]{db: s.DB, coll: "encounters", doc: encounterDoc,
		changed: func(e *contacts.Encounter) (string, string, []string) {
			return e.UserID, "cards", []string{e.ContactID}
		}}
}

// InteractionArchive walks and restores the user's interactions.
func (s *Contacts) InteractionArchive() record.Archive[contacts.Interaction] {
	return archive[contacts.Interaction]{db: s.DB, coll: "interactions", doc: interactionDoc}
}

// IntroArchive walks and restores the user's intros.
func (s *Contacts) IntroArchive() record.Archive[contacts.Intro] {
	return archive[contacts.Intro]{db: s.DB, coll: "intros", doc: introDoc,
		changed: func(it *contacts.Intro) (string, string, []string) { return it.UserID, "cards", it.ContactIDs }}
}
