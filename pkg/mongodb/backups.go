package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Backups is the record.Backups on MongoDB: each section is the collection
// of that name.
type Backups struct{ DB *mongo.Database }

var _ record.Backups = (*Backups)(nil)

// EachRecord calls fn with each of the user's records of section, in _id
// order, through a cursor.
func (s *Backups) EachRecord(ctx context.Context, section, userID string, fn func(any) error) error {
	var newRecord func() any
	switch section {
	case "companies":
		newRecord = func() any { return &companies.Company{} }
	case "contacts":
		newRecord = func() any { return &contacts.Contact{} }
	case "events":
		newRecord = func() any { return &events.Event{} }
	case "attendees":
		newRecord = func() any { return &events.Attendee{} }
	case "encounters":
		newRecord = func() any { return &contacts.Encounter{} }
	case "intros":
		newRecord = func() any { return &contacts.Intro{} }
	case "interactions":
		newRecord = func() any { return &contacts.Interaction{} }
	case "opportunities":
		newRecord = func() any { return &opportunities.Opportunity{} }
	case "followups":
		newRecord = func() any { return &followup.FollowUp{} }
	case "calendars":
		newRecord = func() any { return &events.Calendar{} }
	default:
		return fmt.Errorf("unknown backup section %q", section)
	}
	cur, err := s.DB.Collection(section).Find(ctx, bson.M{"user_id": userID}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(500))
	if err != nil {
		return translate(err, section)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		x := newRecord()
		if err := cur.Decode(x); err != nil {
			return translate(err, section)
		}
		switch r := x.(type) {
		case *contacts.Contact:
			stripped(r)
		case *events.Event:
			stripEvent(r)
		case *contacts.Encounter:
			r.TopicsLower = nil
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return translate(cur.Err(), section)
}

// RestoreRecords inserts records of section in bulk; contacts' dedupe keys
// go in first, so two contacts sharing one are refused.
func (s *Backups) RestoreRecords(ctx context.Context, section string, records []any) error {
	if len(records) == 0 {
		return nil
	}
	docs := make([]any, len(records))
	var keys, companyKeys []any
	for i, x := range records {
		switch r := x.(type) {
		case *companies.Company:
			docs[i] = companyDoc(r)
			for _, k := range companies.Keys(r) {
				companyKeys = append(companyKeys, companyKeyDoc{ID: keyID(r.UserID, k), UserID: r.UserID, CompanyID: r.ID, CreatedAt: record.Time(r.CreatedAt)})
			}
		case *contacts.Contact:
			docs[i] = contactDoc(r)
			for _, k := range contacts.DedupeKeys(r) {
				keys = append(keys, keyDoc{ID: keyID(r.UserID, k), UserID: r.UserID, ContactID: r.ID, CreatedAt: record.Time(r.CreatedAt)})
			}
		case *events.Event:
			docs[i] = eventDoc(r)
		case *contacts.Encounter:
			docs[i] = encounterDoc(r)
		case *contacts.Interaction:
			docs[i] = interactionDoc(r)
		case *contacts.Intro:
			docs[i] = introDoc(r)
		case *opportunities.Opportunity:
			docs[i] = opportunityDoc(r)
		default:
			docs[i] = x
		}
	}
	if len(companyKeys) > 0 {
		// company_keys._id
		if _, err := s.DB.Collection("company_keys").InsertMany(ctx, companyKeys); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return apperr.E(apperr.Conflict, "two companies share a name or domain")
			}
			return translate(err, section)
		}
	}
	if len(keys) > 0 {
		// contact_keys._id
		if _, err := s.DB.Collection("contact_keys").InsertMany(ctx, keys); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return apperr.E(apperr.Conflict, "two contacts share an email or LinkedIn URL")
			}
			return translate(err, section)
		}
	}
	_, err := s.DB.Collection(section).InsertMany(ctx, docs)
	if err == nil {
		journalRestored(ctx, s.DB, records)
	}
	return translate(err, section)
}

// journalRestored journals the cards and tasks restored records change.
func journalRestored(ctx context.Context, db *mongo.Database, records []any) {
	cards, tasks := map[string][]string{}, map[string][]string{}
	for _, x := range records {
		switch r := x.(type) {
		case *contacts.Contact:
			cards[r.UserID] = append(cards[r.UserID], r.ID)
		case *contacts.Encounter:
			cards[r.UserID] = append(cards[r.UserID], r.ContactID)
		case *contacts.Intro:
			cards[r.UserID] = append(cards[r.UserID], r.ContactIDs...)
		case *followup.FollowUp:
			tasks[r.UserID] = append(tasks[r.UserID], r.ID)
		}
	}
	for u, ids := range cards {
		journal(ctx, db, u, "cards", ids...)
	}
	for u, ids := range tasks {
		journal(ctx, db, u, "tasks", ids...)
	}
}
