package dav

import (
	"cmp"
	"context"
	"slices"

	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

var _ carddav.MultiGetter = (*cards)(nil)

// GetAddressObjects answers an addressbook-multiget: from the user's last
// listing while the journal has not moved (see listings), the rest with a
// few set-based reads (read). Paths that are no card of the user's are
// left out (404). It finds what GetAddressObject finds for each path.
func (b *cards) GetAddressObjects(ctx context.Context, paths []string, req *carddav.AddressDataRequest) (map[string]*carddav.AddressObject, error) {
	u := userOf(ctx)
	tok, journaled := b.journalToken(ctx, u)
	if !journaled {
		return b.read(ctx, paths, req)
	}
	x := b.cached(u, tok, versionOf(req))
	if x == nil {
		return b.read(ctx, paths, req)
	}
	out := make(map[string]*carddav.AddressObject, len(paths))
	var rest []string
	for _, p := range paths {
		if ao := x.object(p); ao != nil {
			out[p] = ao
		} else {
			rest = append(rest, p)
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	more, err := b.read(ctx, rest, req)
	if err != nil {
		return nil, err
	}
	for p, ao := range more {
		out[p] = ao
	}
	return out, nil
}

// read answers a multiget with a few set-based reads (the contacts by id,
// then by the names clients gave their cards, then their encounters and
// intros) rather than five reads a card.
func (b *cards) read(ctx context.Context, paths []string, req *carddav.AddressDataRequest) (map[string]*carddav.AddressObject, error) {
	u := userOf(ctx)
	names := map[string]string{} // path → card name
	var cardNames []string
	for _, p := range paths {
		if name, err := cardName(p); err == nil {
			names[p] = name
			cardNames = append(cardNames, name)
		}
	}
	byName, err := b.contactsNamed(ctx, u, cardNames)
	if err != nil {
		return nil, b.s.davError(err)
	}
	found := map[string]*contacts.Contact{} // path → contact
	var rest []string                       // names of no contact: a group's, or none
	for p, name := range names {
		if c := byName[name]; c != nil {
			found[p] = c
		} else {
			rest = append(rest, name)
		}
	}
	groups, err := b.groupsNamed(ctx, u, rest)
	if err != nil {
		return nil, err
	}
	list := make([]*contacts.Contact, 0, len(found))
	seen := map[string]bool{}
	for _, c := range found {
		if !seen[c.ID] {
			seen[c.ID] = true
			list = append(list, c)
		}
	}
	about, err := b.history(ctx, u, list, nil)
	if err != nil {
		return nil, b.s.davError(err)
	}
	out := make(map[string]*carddav.AddressObject, len(found)+len(groups))
	for p, name := range names {
		if ao := groups[name]; ao != nil {
			out[p] = ao
		}
	}
	for p, c := range found {
		ao, err := object(c, about[c.ID], versionOf(req))
		if err != nil {
			return nil, err
		}
		out[p] = ao
	}
	return out, nil
}

// contactsNamed returns the user's contacts whose cards are named names,
// by name: the contact with that id if its card has no other name, else
// the card a client made under that name. Names of no card of the user's
// are left out: another user's names and ids are never looked at. The id
// comes first: most cards are made in Rapport and named by it, and no name
// a client gives can be an id that is handed out later (ids are random).
// It reads the contacts by id, then by the names' keys, each set at once.
func (b *cards) contactsNamed(ctx context.Context, u *accounts.User, names []string) (map[string]*contacts.Contact, error) {
	byID, err := b.s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, names)
	if err != nil {
		return nil, err
	}
	out := map[string]*contacts.Contact{}
	var keys []string
	for _, name := range names {
		if c := byID[name]; c != nil && c.DAVName == "" {
			out[name] = c
		} else {
			keys = append(keys, contacts.DAVKey(name))
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	held, err := b.s.CRM.Contacts.Store.ContactIDsByKeys(ctx, u.ID, keys)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(held))
	for _, id := range held {
		ids = append(ids, id)
	}
	byKey, err := b.s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, ok := out[name]; !ok {
			if c := byKey[held[contacts.DAVKey(name)]]; c != nil {
				out[name] = c
			}
		}
	}
	return out, nil
}

// records reads the encounters (by contact) and the intros the cards of
// cs are written from: one contact's own, a batch's (up to batchCards) by
// their contacts, or the user's all in one pass each.
func (b *cards) records(ctx context.Context, u *accounts.User, cs []*contacts.Contact, want map[string]bool) (map[string][]contacts.Encounter, []contacts.Intro, error) {
	encs := map[string][]contacts.Encounter{}
	var intros []contacts.Intro
	if len(cs) == 1 {
		page, err := b.s.CRM.Contacts.Store.Encounters(ctx, u.ID, contacts.EncounterFilter{ContactID: cs[0].ID, Limit: cardEncounters})
		if err != nil {
			return nil, nil, err
		}
		encs[cs[0].ID] = page.Items
		ip, err := b.s.CRM.Contacts.Store.Intros(ctx, u.ID, contacts.IntroFilter{ContactID: cs[0].ID, Limit: cardIntros})
		if err != nil {
			return nil, nil, err
		}
		intros = ip.Items
	} else if len(cs) <= batchCards {
		// A batch (a multiget): the records of these contacts only.
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		es, err := b.s.CRM.Contacts.Store.EncountersWith(ctx, u.ID, ids)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range es {
			if len(encs[e.ContactID]) < cardEncounters { // the first by met_at, as one card reads them
				encs[e.ContactID] = append(encs[e.ContactID], e)
			}
		}
		if intros, err = b.s.CRM.Contacts.Store.IntrosWith(ctx, u.ID, ids); err != nil {
			return nil, nil, err
		}
	} else {
		book, err := b.bookRecords(ctx, u)
		if err != nil {
			return nil, nil, err
		}
		encs, intros = book.of(want), book.intros
	}
	return encs, intros, nil
}

// bookRecords are the records of a whole book: each contact's first
// cardEncounters encounters (by met_at), and all of the user's intros.
type bookRecords struct {
	encs   map[string][]contacts.Encounter
	intros []contacts.Intro
}

// bookRecords reads the user's encounters and intros in one pass each (a whole
// book's cards are written from them).
func (b *cards) bookRecords(ctx context.Context, u *accounts.User) (*bookRecords, error) {
	out := &bookRecords{encs: map[string][]contacts.Encounter{}}
	err := b.s.CRM.Contacts.Store.EncounterArchive().Each(ctx, u.ID, func(e *contacts.Encounter) error {
		out.encs[e.ContactID] = append(out.encs[e.ContactID], *e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The archive is in id order: keep the first by met_at, as one card
	// reads them (else the same card listed and read alone had two ETags).
	for id, es := range out.encs {
		if len(es) > cardEncounters {
			slices.SortFunc(es, byMetAt)
			out.encs[id] = es[:cardEncounters]
		}
	}
	err = b.s.CRM.Contacts.Store.IntroArchive().Each(ctx, u.ID, func(it *contacts.Intro) error {
		out.intros = append(out.intros, *it)
		return nil
	})
	return out, err
}

// of returns the encounters of the contacts in want.
func (r *bookRecords) of(want map[string]bool) map[string][]contacts.Encounter {
	encs := make(map[string][]contacts.Encounter, len(want))
	for id, es := range r.encs {
		if want[id] {
			encs[id] = es
		}
	}
	return encs
}

// cardEncounters and cardIntros are the most encounters and intros a card
// shows: the first, by met_at and by when they were made.
const (
	cardEncounters = 200
	cardIntros     = 200
)

// batchCards is the most cards whose records history reads by their
// contacts.
const batchCards = 1000

// history returns the "How we met" section of each contact: one line per
// encounter (date, event, moment, topics), the intros given, the last
// contact. They are written from book when it is given (the whole book's
// records, read already); else one contact reads its own records, a batch
// (up to batchCards) the records of its contacts, more the user's
// encounters and intros in one pass each.
func (b *cards) history(ctx context.Context, u *accounts.User, cs []*contacts.Contact, book *bookRecords) (map[string]about, error) {
	want := make(map[string]bool, len(cs))
	names := make(map[string]string, len(cs))
	for _, c := range cs {
		want[c.ID] = true
		names[c.ID] = c.Name
	}
	var encs map[string][]contacts.Encounter
	var intros []contacts.Intro
	var err error
	if book != nil {
		encs, intros = book.of(want), book.intros
	} else if encs, intros, err = b.records(ctx, u, cs, want); err != nil {
		return nil, err
	}
	// Event titles and the other side's names, read once: each event
	// once (a whole book names its few hundred events 30,000 times).
	var evIDs, otherIDs []string
	for _, es := range encs {
		for _, e := range es {
			evIDs = append(evIDs, e.EventID)
		}
	}
	byContact := map[string][]contacts.Intro{}
	for _, it := range intros {
		for _, id := range it.ContactIDs {
			if want[id] {
				byContact[id] = append(byContact[id], it)
			}
			if names[id] == "" {
				otherIDs = append(otherIDs, id)
			}
		}
	}
	// In the order they were made, the first cardIntros, as one card
	// reads them: the batch and the whole book read them in other orders.
	for id, its := range byContact {
		slices.SortFunc(its, func(a, b contacts.Intro) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		byContact[id] = its[:min(len(its), cardIntros)]
	}
	evs, err := b.s.CRM.Events.Store.EventsByID(ctx, u.ID, record.Distinct(evIDs))
	if err != nil {
		return nil, err
	}
	if len(otherIDs) > 0 {
		others, err := b.s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, otherIDs)
		if err != nil {
			return nil, err
		}
		for id, c := range others {
			names[id] = c.Name
		}
	}
	loc := u.Location()
	out := make(map[string]about, len(cs))
	for _, c := range cs {
		a := about{note: howWeMet(c, encs[c.ID], evs, byContact[c.ID], names, loc)}
		for _, e := range encs[c.ID] {
			a.saw(e.CreatedAt)
		}
		for _, it := range byContact[c.ID] {
			a.saw(it.UpdatedAt)
		}
		if c.LastContactedAt != nil {
			a.saw(*c.LastContactedAt)
		}
		out[c.ID] = a
	}
	return out, nil
}
