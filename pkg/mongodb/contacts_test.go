package mongodb_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/search"
	conformance "github.com/rapport-crm/rapport/pkg/storetest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// TestContract runs the storage contract (pkg/storetest) on MongoDB:
// every contract, a fresh database with its indexes for each test.
func TestContract(t *testing.T) {
	conformance.Run(t, func(tb testing.TB) *engine.Engine {
		e, err := mongotest.MustOpen(tb).Engine(tb.Context())
		if err != nil {
			tb.Fatal(err)
		}
		return e
	})
}

// TestContactKeyOrphanReclaimed: a key left by a process that died between
// inserting it and inserting its contact does not block that email forever.
func TestContactKeyOrphanReclaimed(t *testing.T) {
	db := mongotest.MustOpen(t).DB
	s := &mongodb.Contacts{DB: db}
	ctx := t.Context()
	old := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	if _, err := db.Collection("contact_keys").InsertOne(ctx, bson.M{"_id": "u1|email:ada@example.com", "user_id": "u1", "contact_id": "gone", "created_at": old}); err != nil {
		t.Fatal(err)
	}
	c := &contacts.Contact{ID: "c1", UserID: "u1", Name: "Ada", Emails: []string{"ada@example.com"}, CreatedAt: old, UpdatedAt: old}
	if err := s.CreateContact(ctx, c); err != nil {
		t.Fatalf("CreateContact over an orphaned key: %v", err)
	}
	if got, err := s.ContactByKey(ctx, "u1", "email:ada@example.com"); err != nil || got.ID != "c1" {
		t.Fatalf("key holder=%v, %v", got, err)
	}
	// A fresh key (a create in flight) is not taken.
	if _, err := db.Collection("contact_keys").InsertOne(ctx, bson.M{"_id": "u1|email:bob@example.com", "user_id": "u1", "contact_id": "inflight", "created_at": time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	b := &contacts.Contact{ID: "c2", UserID: "u1", Name: "Bob", Emails: []string{"bob@example.com"}, CreatedAt: old, UpdatedAt: old}
	if err := s.CreateContact(ctx, b); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("err=%v, want Conflict while the other create may still finish", err)
	}
}

// TestSearchWordsForEarlierRecords stores records as versions before
// search did (no words) and finds them after the start-up pass.
func TestSearchWordsForEarlierRecords(t *testing.T) {
	db := mongotest.MustOpen(t).DB
	ctx := t.Context()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.Collection("contacts").InsertOne(ctx, bson.M{"_id": "c1", "user_id": "u1", "name": "José Núñez", "emails": bson.A{"jose@globex.example"},
		"tags": bson.A{"kubernetes"}, "notes": "old notes", "created_at": at, "updated_at": at}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("encounters").InsertOne(ctx, bson.M{"_id": "n1", "user_id": "u1", "event_id": "e1", "contact_id": "c1", "moment": "after_talk",
		"met_at": at, "notes": "wants the slides", "topics": bson.A{"pprof"}, "created_at": at}); err != nil {
		t.Fatal(err)
	}
	// As versions before input.Fold's letters wrote it: words and q= text
	// keep ø and ß.
	if _, err := db.Collection("contacts").InsertOne(ctx, bson.M{"_id": "c2", "user_id": "u1", "name": "Jan Sørensen", "emails": bson.A{},
		"tags": bson.A{}, "notes": "Straße 5", "created_at": at, "updated_at": at, "name_lower": "jan sørensen",
		"search": "jan sørensen\nstraße 5", "words": bson.A{"j", "ja", "jan", "s", "sø", "sør", "st", "str", "stra", "straß", "straße", "5"}}); err != nil {
		t.Fatal(err)
	}
	se := &mongodb.Search{DB: db}
	if err := se.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"sorensen", "strasse"} {
		if page, err := (&mongodb.Contacts{DB: db}).Contacts(ctx, "u1", contacts.ContactQuery{Q: q}); err != nil || len(page.Items) != 1 {
			t.Errorf("q=%s after the start-up pass: %+v, %v", q, page, err)
		}
	}
	for q, want := range map[string]string{"jose kube": "contact c1", "pprof slides": "encounter n1", "sorensen": "contact c2", "strasse": "contact c2"} {
		hits, err := se.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Limit: 5})
		if err != nil || len(hits) != 1 || hits[0].Type+" "+hits[0].ID != want {
			t.Errorf("%q after the start-up pass: %+v, %v; want %s", q, hits, err, want)
		}
	}
}

// TestKnownSinceGivenToEarlierContacts: contacts stored before known_since
// (no such field), one met at an event and one emailed before they were
// made, get theirs when the indexes are ensured — the earliest of when
// each was made, its first encounter and its first interaction, as
// SQLite's migration 00050 gives them — and the index the order read
// before goes.
func TestKnownSinceGivenToEarlierContacts(t *testing.T) {
	ctx := t.Context()
	db := mongotest.MustOpen(t)
	day := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t }
	contact := func(id, user, made string) bson.M {
		return bson.M{"_id": id, "user_id": user, "name": id, "name_lower": id, "emails": bson.A{}, "phones": bson.A{}, "tags": bson.A{},
			"tags_lower": bson.A{}, "created_at": day(made), "updated_at": day(made)}
	}
	for coll, docs := range map[string][]any{
		"contacts": {contact("met", "u1", "2026-03-01"), contact("mailed", "u1", "2026-02-01"), contact("plain", "u1", "2026-01-01")},
		"encounters": {bson.M{"_id": "n1", "user_id": "u1", "event_id": "e1", "contact_id": "met", "met_at": day("2025-10-01")},
			bson.M{"_id": "n2", "user_id": "u2", "event_id": "e2", "contact_id": "plain", "met_at": day("2020-01-01")}},
		"interactions": {bson.M{"_id": "i1", "user_id": "u1", "contact_id": "mailed", "kind": "email", "at": day("2025-12-01")}},
	} {
		if _, err := db.DB.Collection(coll).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	old := mongo.IndexModel{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("contacts_user_since")}
	if _, err := db.DB.Collection("contacts").Indexes().CreateOne(ctx, old); err != nil {
		t.Fatal(err)
	}
	s := &mongodb.Contacts{DB: db.DB}
	for range 2 { // the second time, stamped done: nothing moves
		if err := s.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		// Another user's encounter naming the same contact id moves nothing.
		got := conformance.KnownSinceOrder(t, s, "u1")
		if want := "met 2025-10-01, mailed 2025-12-01, plain 2026-01-01"; got != want {
			t.Fatalf("known since: %s; want %s", got, want)
		}
	}
	specs, err := db.DB.Collection("contacts").Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs {
		if sp.Name == "contacts_user_since" {
			t.Fatal("the index by created_at is still there")
		}
	}
}

// TestCardGroupBytesStored: a group card is stored with its length beside
// it (card_bytes), put or restored, which a listing of the names reads in
// place of the card; a card stored before that field is read whole for it.
func TestCardGroupBytesStored(t *testing.T) {
	db := mongotest.MustOpen(t).DB
	s := &mongodb.Contacts{DB: db}
	ctx := t.Context()
	at := time.Now().UTC().Truncate(time.Millisecond)
	card := "BEGIN:VCARD\r\nFN:Café\r\nEND:VCARD\r\n"
	if _, err := db.Collection("card_groups").InsertOne(ctx, bson.M{"_id": "g0", "user_id": "u1", "dav_name": "a-old", "name": "Old", "card": card, "updated_at": at}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCardGroup(ctx, &contacts.CardGroup{ID: "g1", UserID: "u1", DAVName: "b-put", Name: "Put", Card: card + card, UpdatedAt: at}, contacts.CardGroupsFit); err != nil {
		t.Fatal(err)
	}
	restored := &contacts.CardGroup{ID: "g2", UserID: "u1", DAVName: "c-restored", Name: "Restored", Card: card + card + card, UpdatedAt: at}
	if err := s.CardGroupArchive().Restore(ctx, []*contacts.CardGroup{restored}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"g1": 2 * len(card), "g2": 3 * len(card)} {
		var doc struct {
			CardBytes *int `bson:"card_bytes"`
		}
		if err := db.Collection("card_groups").FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil || doc.CardBytes == nil || *doc.CardBytes != want {
			t.Fatalf("%s's card_bytes: %v, %v; want %d", id, doc.CardBytes, err, want)
		}
	}
	entries, err := s.CardGroupEntries(ctx, "u1")
	want := []contacts.CardGroupEntry{{DAVName: "a-old", Name: "Old", Bytes: len(card)}, {DAVName: "b-put", Name: "Put", Bytes: 2 * len(card)}, {DAVName: "c-restored", Name: "Restored", Bytes: 3 * len(card)}}
	if err != nil || !slices.Equal(entries, want) {
		t.Fatalf("the entries: %+v, %v; want %+v", entries, err, want)
	}
}
