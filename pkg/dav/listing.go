package dav

import (
	"context"
	"sync"
	"time"

	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/accounts"
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

// cached is the user's listing if it still holds: the same token, vCard
// version and time zone, within listingTTL; nil otherwise.
func (b *cards) cached(u *accounts.User, token, version string) *listing {
	l := &b.s.listings
	l.mu.Lock()
	defer l.mu.Unlock()
	x := l.byUser[u.ID]
	if x == nil || x.token != token || x.version != version || x.zone != u.Location().String() || b.s.Now().Sub(x.at) > listingTTL {
		return nil
	}
	return x
}

// keep stores objs as the user's listing at token (replacing the user's
// last one), evicting the oldest listings past the bounds; a book bigger
// than maxListingBytes alone is not kept.
func (b *cards) keep(u *accounts.User, token, version string, objs []carddav.AddressObject) {
	x := &listing{token: token, version: version, zone: u.Location().String(), at: b.s.Now(),
		objs: make([]carddav.AddressObject, len(objs)), byPath: make(map[string]int, len(objs))}
	for i, ao := range objs {
		ao.Card = nil // the data is the card; a multiget writes it as it is
		x.objs[i] = ao
		x.byPath[ao.Path] = i
		x.bytes += len(ao.Data) + len(ao.Path) + len(ao.ETag)
	}
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
