package crm

import (
	"context"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
	"github.com/rapport-crm/rapport/pkg/store"
)

// The insights ledger: on the embedded store every query that does not
// filter on _id alone decodes its whole collection in Go (see STYLE.md),
// so the insight pipelines take seconds over 20,000 encounters. When this
// process is the only writer of its store (the embedded one, not shared
// through CRM_EMBEDDED_ADDR), it keeps per user, in memory, the few fields
// insights need of each contact, encounter, event, intro and follow-up.
// The ledger is built from the store on the user's first view (one read of
// each collection) and kept current by the domain services' Observe hooks,
// which report every document they write or remove; a change they cannot
// describe (a backup restore, a bulk write that failed half-way) drops the
// user's ledger so that the next view builds it again.

// Ledger records: the fields insights read, times in store precision.
type (
	ledgerContact struct {
		name    string
		cadence int
		last    *time.Time
		created time.Time
	}
	ledgerEncounter struct {
		contact string
		metAt   time.Time
		topics  []string // lowercased
	}
	ledgerEvent struct {
		startsAt time.Time
		tags     []string // lowercased
		hashtags []string // lowercased #topics of the talk titles
		speakers []string // one per talk, as written
	}
	ledgerIntro struct {
		contacts []string
		created  time.Time
	}
	ledgerFollowup struct {
		due    time.Time
		status string
		onTime bool // see doneOnTime
	}
)

// ledgerData is one user's ledger.
type ledgerData struct {
	contacts   map[string]ledgerContact
	encounters map[string]ledgerEncounter
	events     map[string]ledgerEvent
	intros     map[string]ledgerIntro
	followups  map[string]ledgerFollowup
	// gone holds "collection/id" of removed documents, so that a report of
	// a write that raced with the removal does not bring them back.
	gone map[string]bool
}

func newLedgerData() *ledgerData {
	return &ledgerData{contacts: map[string]ledgerContact{}, encounters: map[string]ledgerEncounter{},
		events: map[string]ledgerEvent{}, intros: map[string]ledgerIntro{}, followups: map[string]ledgerFollowup{},
		gone: map[string]bool{}}
}

func storeTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := store.Time(*t)
	return &v
}

// apply records one reported change (see store.Observer). Reports come
// right after their writes, so the last report of a document is of its last
// write, except for two writes of one document racing each other, which
// the store itself settles by last writer wins. (Comparing updated_at would
// not settle it better: clocks step back, and tests move theirs back.)
func (d *ledgerData) apply(change any) {
	switch v := change.(type) {
	case *contacts.Contact:
		if d.gone["contacts/"+v.ID] {
			return
		}
		d.contacts[v.ID] = ledgerContact{name: v.Name, cadence: v.CadenceDays, last: storeTime(v.LastContactedAt),
			created: store.Time(v.CreatedAt)}
	case *contacts.Encounter:
		if d.gone["encounters/"+v.ID] {
			return
		}
		d.encounters[v.ID] = ledgerEncounter{contact: v.ContactID, metAt: store.Time(v.MetAt), topics: v.TopicsLower}
	case *events.Event:
		if d.gone["events/"+v.ID] {
			return
		}
		e := ledgerEvent{startsAt: store.Time(v.StartsAt), tags: v.TagsLower}
		for _, t := range v.Talks {
			for _, m := range insights.Hashtag.FindAllStringSubmatch(t.Title, -1) {
				e.hashtags = append(e.hashtags, strings.ToLower(m[1]))
			}
			e.speakers = append(e.speakers, t.Speaker)
		}
		d.events[v.ID] = e
	case *contacts.Intro:
		if d.gone["intros/"+v.ID] {
			return
		}
		d.intros[v.ID] = ledgerIntro{contacts: v.ContactIDs, created: store.Time(v.CreatedAt)}
	case *followup.FollowUp:
		if d.gone["followups/"+v.ID] {
			return
		}
		d.followups[v.ID] = ledgerFollowup{due: store.Time(v.DueAt), status: v.Status, onTime: insights.DoneOnTime(v)}
	case store.Removed:
		for _, id := range v.IDs {
			d.gone[v.Collection+"/"+id] = true
			switch v.Collection {
			case "contacts":
				delete(d.contacts, id)
			case "encounters":
				delete(d.encounters, id)
			case "events":
				delete(d.events, id)
			case "intros":
				delete(d.intros, id)
			case "followups":
				delete(d.followups, id)
			}
		}
	}
}

// loadLedgers reads the ledgers of the users whose documents match filter
// (one user's, or everyone's), the five collections at once.
func loadLedgers(ctx context.Context, db *mongo.Database, filter bson.M) (map[string]*ledgerData, error) {
	var (
		cs  []contacts.Contact
		ens []contacts.Encounter
		evs []events.Event
		its []contacts.Intro
		fus []followup.FollowUp
	)
	read := func(coll string, out any, fields ...string) func() error {
		return func() error {
			proj := bson.M{"user_id": 1}
			for _, f := range fields {
				proj[f] = 1
			}
			// contacts_user_name, encounters_user_event, events_user_starts,
			// intros_user_created, followups_user_due (user_id prefix)
			cur, err := db.Collection(coll).Find(ctx, filter, options.Find().SetProjection(proj))
			if err != nil {
				return store.Err(err, coll)
			}
			return store.Err(cur.All(ctx, out), coll)
		}
	}
	var g errgroup.Group
	g.Go(read("contacts", &cs, "name", "cadence_days", "last_contacted_at", "created_at"))
	g.Go(read("encounters", &ens, "contact_id", "met_at", "topics_lower"))
	g.Go(read("events", &evs, "starts_at", "tags_lower", "talks.title", "talks.speaker"))
	g.Go(read("intros", &its, "contact_ids", "created_at"))
	g.Go(read("followups", &fus, "due_at", "status", "ended_at", "updated_at"))
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := map[string]*ledgerData{}
	of := func(userID string) *ledgerData {
		d := out[userID]
		if d == nil {
			d = newLedgerData()
			out[userID] = d
		}
		return d
	}
	applyEach(of, cs, func(c *contacts.Contact) string { return c.UserID })
	applyEach(of, ens, func(e *contacts.Encounter) string { return e.UserID })
	applyEach(of, evs, func(e *events.Event) string { return e.UserID })
	applyEach(of, its, func(it *contacts.Intro) string { return it.UserID })
	applyEach(of, fus, func(f *followup.FollowUp) string { return f.UserID })
	return out, nil
}

// applyEach records each document read in its owner's ledger.
func applyEach[T any](of func(userID string) *ledgerData, docs []T, owner func(*T) string) {
	for i := range docs {
		of(owner(&docs[i])).apply(&docs[i])
	}
}

// ledgerBook holds the ledgers of the users who viewed insights since the
// process started.
type ledgerBook struct {
	db *mongo.Database
	mu sync.Mutex
	m  map[string]*userLedger
}

// userLedger is one user's ledger, or the reports waiting for it while it
// is read from the store.
type userLedger struct {
	mu      sync.Mutex
	data    *ledgerData // nil until built
	pending []any
	built   chan struct{} // closed when data is set or err
	err     error
}

// ledgerBookMax bounds the ledgers held; past it, one is dropped (and
// built again on its user's next view).
const ledgerBookMax = 512

// Forget drops the user's insights ledger; the next view reads it from the
// store again (after a restore, which bypasses the domain services; and in
// benchmarks, to time that read).
func (s *Service) Forget(userID string) {
	if s.ledger != nil {
		s.ledger.observe(userID, store.Unsure{})
	}
}

// observe is the domain services' Observe hook.
func (b *ledgerBook) observe(userID string, change any) {
	b.mu.Lock()
	ul := b.m[userID]
	if _, unsure := change.(store.Unsure); unsure {
		delete(b.m, userID)
		ul = nil
	}
	b.mu.Unlock()
	if ul == nil {
		return // not built: a build reads the store, which has the change
	}
	ul.mu.Lock()
	defer ul.mu.Unlock()
	if ul.data == nil {
		ul.pending = append(ul.pending, change)
		return
	}
	ul.data.apply(change)
}

// with runs f on the user's ledger, building it first if needed.
// Reports arriving during the build wait in pending and are applied
// after it: a write reported during the build may or may not be in what
// the build read, and applying a report twice changes nothing.
func (b *ledgerBook) with(ctx context.Context, userID string, f func(*ledgerData)) error {
	b.mu.Lock()
	if b.m == nil {
		b.m = map[string]*userLedger{}
	}
	ul, ok := b.m[userID]
	if !ok {
		if len(b.m) >= ledgerBookMax {
			for k := range b.m {
				delete(b.m, k)
				break
			}
		}
		ul = &userLedger{built: make(chan struct{})}
		b.m[userID] = ul
		go b.build(context.WithoutCancel(ctx), userID, ul)
	}
	b.mu.Unlock()
	select {
	case <-ul.built:
	case <-ctx.Done():
		return ctx.Err()
	}
	if ul.err != nil {
		return ul.err
	}
	ul.mu.Lock()
	defer ul.mu.Unlock()
	f(ul.data)
	return nil
}

// build reads the user's ledger from the store.
func (b *ledgerBook) build(ctx context.Context, userID string, ul *userLedger) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	ds, err := loadLedgers(ctx, b.db, bson.M{"user_id": userID})
	b.finish(userID, ul, ds[userID], err)
}

// finish gives ul its data, or the error to whoever waits (the next view
// then tries again).
func (b *ledgerBook) finish(userID string, ul *userLedger, d *ledgerData, err error) {
	ul.mu.Lock()
	if err != nil {
		ul.err = err
		b.mu.Lock()
		if b.m[userID] == ul {
			delete(b.m, userID)
		}
		b.mu.Unlock()
	} else {
		if d == nil {
			d = newLedgerData()
		}
		for _, c := range ul.pending {
			d.apply(c)
		}
		ul.data, ul.pending = d, nil
	}
	ul.mu.Unlock()
	close(ul.built)
}

// WarmInsights builds the insights ledgers of the given users (at most
// ledgerBookMax) in one read of each collection, so that their first views
// after a start are as quick as the next ones. Views arriving meanwhile
// wait for it. It does nothing unless SoleWriter.
func (s *Service) WarmInsights(ctx context.Context, userIDs []string) error {
	if !s.SoleWriter {
		return nil
	}
	b := s.ledger
	mine := map[string]*userLedger{}
	b.mu.Lock()
	if b.m == nil {
		b.m = map[string]*userLedger{}
	}
	for _, id := range userIDs {
		if _, ok := b.m[id]; !ok && len(b.m) < ledgerBookMax {
			ul := &userLedger{built: make(chan struct{})}
			b.m[id], mine[id] = ul, ul
		}
	}
	b.mu.Unlock()
	if len(mine) == 0 {
		return nil
	}
	ds, err := loadLedgers(ctx, b.db, bson.M{})
	for id, ul := range mine {
		b.finish(id, ul, ds[id], err)
	}
	return err
}
