package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
)

// worded is a stored record (its document type, inlined) with its search words: every prefix of its
// folded words (search.Prefixes), so a query word is found by equality —
// no pattern is built from what a user types. Written with the record in
// the same insert or replace, so the words never lag behind it.
type worded[T any] struct {
	Doc   *T       `bson:",inline"`
	Words []string `bson:"words"`
}

func withWords[T any](doc *T, t search.Text) *worded[T] {
	return &worded[T]{Doc: doc, Words: words(t)}
}

// words are what a record's search text is found by (see worded).
func words(t search.Text) []string { return search.Prefixes(t.Name, t.Body) }

// The stored forms of the records that keep fields only queries read
// (lower-cased names, tags and topics for sorts and filters, the folded
// q= text): the document inlined, those fields beside it, and the search
// words. Reads decode the document alone; the domain types never see them.
type (
	storedContact struct {
		Doc       *docContact `bson:",inline"`
		NameLower string      `bson:"name_lower"`
		TagsLower []string    `bson:"tags_lower"`
		Search    string      `bson:"search"`
		Words     []string    `bson:"words"`
	}
	storedEncounter struct {
		Doc         *docEncounter `bson:",inline"`
		TopicsLower []string      `bson:"topics_lower"`
		Words       []string      `bson:"words"`
	}
	storedEvent struct {
		Doc       *docEvent `bson:",inline"`
		TagsLower []string  `bson:"tags_lower"`
		Search    string    `bson:"search"`
		Words     []string  `bson:"words"`
	}
	storedCompany struct {
		Doc       *docCompany `bson:",inline"`
		NameLower string      `bson:"name_lower"`
		Words     []string    `bson:"words"`
	}
)

// storedAttendee is a guest as an archive restores it (UpsertAttendees
// sets the same name_lower).
type storedAttendee struct {
	Doc       *docAttendee `bson:",inline"`
	NameLower string       `bson:"name_lower"`
}

func attendeeDoc(a *events.Attendee) any {
	return &storedAttendee{Doc: (*docAttendee)(a), NameLower: toLower(a.Name)}
}

// nameCursor is the cursor of a list in name_lower order: the record's
// name and id, the name lower-cased as it was stored.
func nameCursor[T any](of func(*T) (name, id string)) func(*T) record.Cursor {
	return func(x *T) record.Cursor {
		name, id := of(x)
		lower := toLower(name)
		return record.Cursor{S: &lower, ID: id}
	}
}

func contactDoc(c *contacts.Contact) any {
	d := docContact(*c)
	if d.KnownSince.IsZero() {
		d.KnownSince = d.CreatedAt // a contact from a backup made before the field
	}
	return &storedContact{Doc: &d, NameLower: toLower(c.Name), TagsLower: input.LowerAll(c.Tags), Search: contacts.SearchText(c),
		Words: words(search.ContactText(c))}
}

func encounterDoc(e *contacts.Encounter) any {
	return &storedEncounter{Doc: (*docEncounter)(e), TopicsLower: lowerAll(e.Topics), Words: words(search.EncounterText(e))}
}

func eventDoc(e *events.Event) any {
	return &storedEvent{Doc: (*docEvent)(e), TagsLower: input.LowerAll(e.Tags), Search: events.SearchText(e), Words: words(search.EventText(e))}
}

func companyDoc(c *companies.Company) any {
	return &storedCompany{Doc: (*docCompany)(c), NameLower: toLower(c.Name), Words: words(search.CompanyText(c))}
}

func opportunityDoc(o *opportunities.Opportunity) any {
	return withWords((*docOpportunity)(o), search.OpportunityText(o))
}

func interactionDoc(it *contacts.Interaction) any {
	return withWords((*docInteraction)(it), search.InteractionText(it))
}
func introDoc(it *contacts.Intro) any { return withWords((*docIntro)(it), search.IntroText(it)) }

// searched is one collection search reads: how a stored record decodes
// into its searched text and the hit it would be.
type searched struct {
	typ        string
	collection string
	decode     func(bson.Raw) (search.Text, search.Hit, error)
}

// searchable lists the collections of search.Types, each with the index
// of its query shape, (user_id, words).
var searchable = []searched{
	{search.Contact, "contacts", decodeAs(func(c *contacts.Contact) (search.Text, search.Hit) {
		return search.ContactText(c), search.Hit{ID: c.ID, Title: c.Name, ContactID: c.ID}
	})},
	{search.Encounter, "encounters", decodeAs(func(e *contacts.Encounter) (search.Text, search.Hit) {
		at := e.MetAt
		return search.EncounterText(e), search.Hit{ID: e.ID, ContactID: e.ContactID, EventID: e.EventID, At: &at}
	})},
	{search.Interaction, "interactions", decodeAs(func(it *contacts.Interaction) (search.Text, search.Hit) {
		at := it.At
		return search.InteractionText(it), search.Hit{ID: it.ID, ContactID: it.ContactID, At: &at}
	})},
	{search.Intro, "intros", decodeAs(func(it *contacts.Intro) (search.Text, search.Hit) {
		at := it.CreatedAt
		h := search.Hit{ID: it.ID, EventID: it.EventID, At: &at}
		if len(it.ContactIDs) == 2 {
			h.ContactID, h.OtherID = it.ContactIDs[0], it.ContactIDs[1]
		}
		return search.IntroText(it), h
	})},
	{search.Event, "events", decodeAs(func(e *events.Event) (search.Text, search.Hit) {
		at := e.StartsAt
		return search.EventText(e), search.Hit{ID: e.ID, Title: e.Title, EventID: e.ID, At: &at}
	})},
	{search.Opportunity, "opportunities", decodeAs(func(o *opportunities.Opportunity) (search.Text, search.Hit) {
		at := o.CreatedAt
		return search.OpportunityText(o), search.Hit{ID: o.ID, Title: o.Title, ContactID: o.SourceContactID, EventID: o.SourceEventID, At: &at}
	})},
	{search.Company, "companies", decodeAs(func(c *companies.Company) (search.Text, search.Hit) {
		return search.CompanyText(c), search.Hit{ID: c.ID, Title: c.Name}
	})},
}

// decodeAs decodes a record as a T and makes its text and hit with of.
func decodeAs[T any](of func(*T) (search.Text, search.Hit)) func(bson.Raw) (search.Text, search.Hit, error) {
	return func(raw bson.Raw) (search.Text, search.Hit, error) {
		var x T
		if err := unmarshal(raw, &x); err != nil {
			return search.Text{}, search.Hit{}, err
		}
		text, h := of(&x)
		return text, h, nil
	}
}

// hits reads a cursor of sc's records and keeps those every term matches
// (a word longer than search.MaxPrefix is found by its prefix, and
// checked here on the text), ranked by search.Rank.
func (sc searched) hits(ctx context.Context, cur *mongo.Cursor, terms []string) ([]search.Hit, error) {
	var out []search.Hit
	for cur.Next(ctx) {
		text, h, err := sc.decode(cur.Current)
		if err != nil {
			return nil, err
		}
		score, ok := search.Rank(terms, text)
		if !ok {
			continue
		}
		h.Type, h.Score, h.Snippet = sc.typ, score, search.Snippet(terms, text)
		out = append(out, h)
	}
	return out, cur.Err()
}

// maxCandidates bounds how many records of one collection a search
// ranks.
const maxCandidates = 1000

// Search finds the user's records in each wanted collection by their
// words (index (user_id, words)), ranks them with search.Rank and keeps
// the best q.Limit.
type Search struct{ DB *mongo.Database }

var _ search.Store = (*Search)(nil)

// Search implements search.Store.
func (s *Search) Search(ctx context.Context, q search.Query) ([]search.Hit, error) {
	out := []search.Hit{}
	if len(q.Terms) == 0 {
		return out, nil
	}
	words := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		if r := []rune(t); len(r) > search.MaxPrefix {
			t = string(r[:search.MaxPrefix])
		}
		words[i] = t
	}
	for _, sc := range searchable {
		if !q.Wants(sc.typ) {
			continue
		}
		// <collection>_user_words
		cur, err := s.DB.Collection(sc.collection).Find(ctx, bson.M{"user_id": q.UserID, "words": bson.M{"$all": words}},
			options.Find().SetLimit(maxCandidates).SetProjection(bson.M{"words": 0}))
		if err != nil {
			return nil, translate(err, "search")
		}
		hits, err := sc.hits(ctx, cur, q.Terms)
		cur.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, translate(err, "search")
		}
		out = append(out, hits...)
	}
	search.Order(out)
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// EnsureIndexes creates each searched collection's (user_id, words)
// index and gives the records stored before search its words, once.
func (s *Search) EnsureIndexes(ctx context.Context) error {
	for _, sc := range searchable {
		err := ensureIndexes(ctx, s.DB.Collection(sc.collection),
			Index{Name: sc.collection + "_user_words", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "words", Value: 1}}})
		if err != nil {
			return err
		}
	}
	return s.addWords(ctx)
}

// wordsFolded is the migration stamp of addWords: "search-words" gave
// words to the records stored before search; this one writes every
// record's words again with input.Fold's letters (ø, ł, ß, æ…), and the
// q= text of contacts and events with them.
const wordsFolded = "search-words-folded"

// addWords writes the words of every record again (and the q= text of
// contacts and events), then stamps that it is done: once per database.
func (s *Search) addWords(ctx context.Context) error {
	stamps := &Stamps{DB: s.DB}
	if nonce, _, err := stamps.Stamp(ctx, record.MigrationStamp, wordsFolded); err != nil || nonce != "" {
		return err
	}
	for _, sc := range searchable {
		if err := s.rewordAll(ctx, sc); err != nil {
			return err
		}
	}
	return stamps.Touch(ctx, record.MigrationStamp, wordsFolded, "done", record.Time(time.Now()))
}

// rewordAll writes the words (and q= text) of each record of sc's
// collection that differ from what is stored.
func (s *Search) rewordAll(ctx context.Context, sc searched) error {
	coll := s.DB.Collection(sc.collection)
	cur, err := coll.Find(ctx, bson.M{})
	if err != nil {
		return translate(err, "search")
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		t, _, err := sc.decode(cur.Current)
		if err != nil {
			return translate(err, "search")
		}
		set := bson.M{"words": search.Prefixes(t.Name, t.Body)}
		if text, ok, err := queryText(sc.collection, cur.Current); err != nil {
			return translate(err, "search")
		} else if ok {
			set["search"] = text
		}
		if _, err := coll.UpdateOne(ctx, bson.M{"_id": cur.Current.Lookup("_id")}, bson.M{"$set": set}); err != nil {
			return translate(err, "search")
		}
	}
	return translate(cur.Err(), "search")
}

// queryText is the q= text (contacts.SearchText, events' Search) of a
// stored contact or event; ok is false for other collections.
func queryText(collection string, raw bson.Raw) (text string, ok bool, err error) {
	switch collection {
	case "contacts":
		var c contacts.Contact
		if err := unmarshal(raw, &c); err != nil {
			return "", false, err
		}
		return contacts.SearchText(&c), true, nil
	case "events":
		var e events.Event
		if err := unmarshal(raw, &e); err != nil {
			return "", false, err
		}
		return events.SearchText(&e), true, nil
	}
	return "", false, nil
}
