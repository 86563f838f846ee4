package dav

import (
	"context"
	"sync"
	"time"

	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// A first sync lists every card's ETag, then asks for every card in
// multigets of 100, and each multiget read and encoded its cards again:
// of a first sync of 30,000 cards, about a second of the server's time.
// listings keeps each user's whole book as the last listing encoded it,
// with the sync-collection journal's token read before the listing, and a
// multiget (or the next listing) answers from it while the token has not
// moved. Every write that changes a card lists it in the journal, in the
// write's own transaction (TestCardsChangeWithTheJournal: a card's ETag
// moves only when the journal lists it), so an unmoved token means no card
// changed. The vCard version asked for is part of the key, and so is the
// user's time zone (the dates "How we met" shows; a change of it is
// journaled too). A listing is kept only when the token did not move while
// it was read; MongoDB's journal is best effort and its tokens carry the
// time, so none of its listings is ever reused.
//
// When the token has moved, the journal names the cards changed since the
// listing: the listing is patched with those cards read again (see
// patched) instead of read whole, which is what each sync of a client
// that lists ETags (vdirsyncer) costs after a change. A patched listing
// keeps the time of the listing it came from, so that a book is read
// whole at least every listingTTL.
type listings struct {
	mu     sync.Mutex
	byUser map[string]*listing
}

// listing is one user's book as listed.
type listing struct {
	token, version, zone string
	at                   time.Time
	objs                 []carddav.AddressObject // in listing order, Card left out
	byPath               map[string]int          // path → index in objs
	bytes                int
	patches              int // how many times it was patched since read whole
}

// The bounds of what listings keep: a first sync takes seconds, so a
// listing is used within minutes or not at all.
const (
	listingTTL      = 10 * time.Minute
	maxListings     = 8
	maxListingBytes = 64 << 20 // of card data, all listings together
)

// journalToken is the user's card journal's token; ok false if there is no
// journal or it cannot be read (then nothing is kept or reused).
func (b *cards) journalToken(ctx context.Context, u *accounts.User) (string, bool) {
	if b.s.Changes == nil {
		return "", false
	}
	tok, err := b.s.Changes.Token(ctx, u.ID, "cards")
	return tok, err == nil
}

// last is the user's listing if it is of this vCard version and the
// user's time zone, within listingTTL; nil otherwise. Its token may be
// any (see cached, patched).
func (b *cards) last(u *accounts.User, version string) *listing {
	l := &b.s.listings
	l.mu.Lock()
	x := l.byUser[u.ID]
	l.mu.Unlock()
	if x == nil || x.version != version || x.zone != u.Location().String() || b.s.Now().Sub(x.at) > listingTTL {
		return nil
	}
	return x
}

// cached is the user's listing if it still holds: its token is token, and
// last holds it; nil otherwise.
func (b *cards) cached(u *accounts.User, token, version string) *listing {
	if x := b.last(u, version); x != nil && x.token == token {
		return x
	}
	return nil
}

// keep stores objs as the user's listing at token (replacing the user's
// last one), evicting the oldest listings past the bounds; a book bigger
// than maxListingBytes alone is not kept.
func (b *cards) keep(u *accounts.User, token, version string, objs []carddav.AddressObject) {
	b.put(u, newListing(token, version, u.Location().String(), b.s.Now(), objs))
}

// newListing is a listing of objs (their Card left out: the data is the
// card, and a multiget writes it as it is).
func newListing(token, version, zone string, at time.Time, objs []carddav.AddressObject) *listing {
	x := &listing{token: token, version: version, zone: zone, at: at,
		objs: make([]carddav.AddressObject, len(objs)), byPath: make(map[string]int, len(objs))}
	for i, ao := range objs {
		ao.Card = nil
		x.objs[i] = ao
		x.byPath[ao.Path] = i
		x.bytes += len(ao.Data) + len(ao.Path) + len(ao.ETag)
	}
	return x
}

// put stores x as the user's listing, evicting the oldest listings past
// the bounds; a book bigger than maxListingBytes alone is not kept.
func (b *cards) put(u *accounts.User, x *listing) {
	if x.bytes > maxListingBytes {
		return
	}
	l := &b.s.listings
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byUser == nil {
		l.byUser = map[string]*listing{}
	}
	l.byUser[u.ID] = x
	for {
		total, oldest := 0, ""
		for id, y := range l.byUser {
			total += y.bytes
			if oldest == "" || y.at.Before(l.byUser[oldest].at) {
				oldest = id
			}
		}
		if len(l.byUser) <= maxListings && total <= maxListingBytes {
			return
		}
		delete(l.byUser, oldest)
	}
}

// list is the listing's objects, each a copy.
func (x *listing) list() []carddav.AddressObject {
	return append([]carddav.AddressObject(nil), x.objs...)
}

// object is a copy of the listing's object at path, or nil.
func (x *listing) object(path string) *carddav.AddressObject {
	i, ok := x.byPath[path]
	if !ok {
		return nil
	}
	ao := x.objs[i]
	return &ao
}

// maxPatch is the most changed cards a listing is patched with; past it,
// the book is read whole.
const maxPatch = 1000

// patched is the user's last listing brought up to token: the cards the
// journal names as changed since the listing are read again, a card that
// is gone is left out and a new one added at the end. It is nil when
// there is nothing to patch — no listing of this vCard version and time
// zone within listingTTL, a journal that cannot say what changed (pruned
// past the listing, moved past token, more than maxPatch cards) — and
// the book is then read whole. It is kept only if the token did not move
// while the cards were read.
func (b *cards) patched(ctx context.Context, u *accounts.User, token, version string) (*listing, error) {
	x := b.last(u, version)
	if x == nil {
		return nil, nil
	}
	ids, next, more, err := b.s.Changes.Since(ctx, u.ID, "cards", x.token, maxPatch)
	if err != nil || more || next != token {
		return nil, nil // the whole book is read, and says what is wrong
	}
	found, err := b.s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return nil, b.s.davError(err)
	}
	list := make([]*contacts.Contact, 0, len(found))
	for _, c := range found {
		list = append(list, c)
	}
	about, err := b.history(ctx, u, list, nil)
	if err != nil {
		return nil, b.s.davError(err)
	}
	changed := make(map[string]*carddav.AddressObject, len(ids)) // path → card; nil: gone
	var rest []string
	for _, id := range ids {
		if found[id] == nil {
			// A card gone, or a group's: the journal names them by the
			// name their path has (the client's, or the contact's id).
			changed[BookPath+id+".vcf"] = nil
			rest = append(rest, id)
		}
	}
	groups, err := b.groupsNamed(ctx, u, rest)
	if err != nil {
		return nil, err
	}
	for _, ao := range groups {
		changed[ao.Path] = ao
	}
	for _, c := range list {
		ao, err := object(c, about[c.ID], version)
		if err != nil {
			return nil, err
		}
		changed[ao.Path] = ao
	}
	objs := make([]carddav.AddressObject, 0, len(x.objs)+len(changed))
	for _, ao := range x.objs {
		if now, ok := changed[ao.Path]; !ok {
			objs = append(objs, ao)
		} else if now != nil {
			objs = append(objs, *now)
			delete(changed, ao.Path)
		}
	}
	for _, now := range changed { // what is left: the new cards, at the end
		if now != nil {
			objs = append(objs, *now)
		}
	}
	y := newListing(token, version, x.zone, x.at, objs)
	y.patches = x.patches + 1
	if after, ok := b.journalToken(ctx, u); ok && after == token {
		b.put(u, y)
	}
	return y, nil
}
