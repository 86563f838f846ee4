package dav

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/record"
)

// A group an app keeps as a card of its own (codec.IsGroupCard: macOS
// Contacts, DAVx5 by default, vCard 4.0's KIND:group) is kept beside the
// contacts as it was sent (contacts.CardGroup) and served back in the
// book under the name the app gave it, in every listing, multiget and
// sync: the app keeps its group, and no group becomes a contact. It made
// one before (a contact named after the group, its members in the card's
// extra); such a contact becomes a group card when the app next sends it.

// groupObject is g's card as its app sent it, with its ETag.
func groupObject(g *contacts.CardGroup) (*carddav.AddressObject, error) {
	card, err := vcard.NewDecoder(strings.NewReader(g.Card)).Decode()
	if err != nil {
		return nil, err
	}
	data := []byte(g.Card)
	return &carddav.AddressObject{Path: BookPath + g.DAVName + ".vcf", ModTime: g.UpdatedAt, ContentLength: int64(len(data)),
		ETag: etag(data), Card: card, Data: data}, nil
}

// groupsNamed returns the user's group cards among names, by name (all
// of them, at most contacts.MaxCardGroups, read at once).
func (b *cards) groupsNamed(ctx context.Context, u *accounts.User, names []string) (map[string]*carddav.AddressObject, error) {
	out := map[string]*carddav.AddressObject{}
	if len(names) == 0 {
		return out, nil
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	aos, err := b.groups(ctx, u, func(name string) bool { return want[name] })
	for i := range aos {
		name, _ := cardName(aos[i].Path)
		out[name] = &aos[i]
	}
	return out, err
}

// groups lists the user's group cards whose name keep takes (nil: all,
// after the contacts' in a listing).
func (b *cards) groups(ctx context.Context, u *accounts.User, keep func(name string) bool) ([]carddav.AddressObject, error) {
	groups, err := b.s.CRM.Contacts.Store.CardGroups(ctx, u.ID)
	if err != nil {
		return nil, b.s.davError(err)
	}
	var out []carddav.AddressObject
	for i := range groups {
		if keep != nil && !keep(groups[i].DAVName) {
			continue
		}
		ao, err := groupObject(&groups[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *ao)
	}
	return out, nil
}

// getAny is the card named name, a contact's (as vCard version) or a
// group's; NotFound if neither.
func (b *cards) getAny(ctx context.Context, u *accounts.User, name, version string) (*carddav.AddressObject, error) {
	ao, err := b.getAs(ctx, u, name, version)
	if !apperr.Is(err, apperr.NotFound) {
		return ao, err
	}
	g, err := b.s.CRM.Contacts.Store.CardGroup(ctx, u.ID, name)
	if err != nil {
		return nil, err
	}
	return groupObject(g)
}

// precondition checks a PUT's If-None-Match and If-Match against the
// item (what: "card", "task") it would replace (etag, if exists).
func precondition(ifNoneMatch, ifMatch webdav.ConditionalMatch, what string, exists bool, etag string) error {
	if !exists {
		if ifMatch.IsSet() {
			return webdav.NewHTTPError(http.StatusPreconditionFailed, errors.New("no such "+what))
		}
		return nil
	}
	if ifNoneMatch.IsSet() {
		return webdav.NewHTTPError(http.StatusPreconditionFailed, errors.New("the "+what+" exists"))
	}
	if ifMatch.IsSet() && !ifMatch.IsWildcard() {
		if want, _ := ifMatch.ETag(); want != etag {
			return webdav.NewHTTPError(http.StatusPreconditionFailed, errors.New("the "+what+" changed since you read it; sync again"))
		}
	}
	return nil
}

// errPersonNotGroup refuses a group's card where a person's is, and the
// other way round: an app never turns one into the other, and the
// person's history would go with it.
var errPersonNotGroup = webdav.NewHTTPError(http.StatusConflict, errors.New("this name holds a person's card, and a group's card cannot replace it (nor a person's a group's)"))

// putGroup keeps a group's card under name, as it was sent: a new one
// (at most contacts.MaxCardGroups), or one that replaces the group's card
// of that name — or the contact a group became before groups were kept
// apart, if nothing but the card was ever written of it.
func (b *cards) putGroup(ctx context.Context, u *accounts.User, name string, card vcard.Card, opts *carddav.PutAddressObjectOptions) (*carddav.AddressObject, error) {
	data := sentBody(ctx)
	if len(data) == 0 {
		var err error
		if data, err = encode(card); err != nil {
			return nil, err
		}
	}
	g := &contacts.CardGroup{ID: record.NewID(), UserID: u.ID, DAVName: name, Name: codec.GroupName(card), Card: string(data),
		UpdatedAt: record.Time(b.s.Now())}
	st := b.s.CRM.Contacts.Store
	person, err := b.contact(ctx, u, name)
	switch {
	case err == nil:
		return b.groupFromContact(ctx, u, person, g, opts)
	case !apperr.Is(err, apperr.NotFound):
		return nil, b.s.davError(err)
	}
	cur, err := st.CardGroup(ctx, u.ID, name)
	switch {
	case err == nil:
		if err := precondition(opts.IfNoneMatch, opts.IfMatch, "card", true, etag([]byte(cur.Card))); err != nil {
			return nil, err
		}
		markUpdated(ctx)
		if cur.Card == g.Card {
			return storedCard(ctx)(groupObject(cur)) // an unchanged card writes nothing
		}
	case apperr.Is(err, apperr.NotFound):
		if err := precondition(opts.IfNoneMatch, opts.IfMatch, "card", false, ""); err != nil {
			return nil, err
		}
	default:
		return nil, b.s.davError(err)
	}
	if err := b.storeGroup(ctx, g); err != nil {
		return nil, err
	}
	return storedCard(ctx)(groupObject(g))
}

// storeGroup stores g if the user's group cards fit with it; else, as for
// any store that is full, it is 507 Insufficient Storage.
func (b *cards) storeGroup(ctx context.Context, g *contacts.CardGroup) error {
	err := b.s.CRM.Contacts.Store.PutCardGroup(ctx, g, contacts.CardGroupsFit)
	if errors.Is(err, contacts.ErrCardGroupsFull) {
		return webdav.NewHTTPError(http.StatusInsufficientStorage, err)
	}
	if err != nil {
		return b.s.davError(err)
	}
	return nil
}

// groupFromContact replaces person, a contact made of a group's card
// before groups were kept apart, with the group's card g: only if its card
// is a group's and nothing else was written of it (no encounter, intro or
// last contact; else errPersonNotGroup). The group's card is stored
// first, then the contact deleted; if that fails, the group's card goes
// again.
func (b *cards) groupFromContact(ctx context.Context, u *accounts.User, person *contacts.Contact, g *contacts.CardGroup, opts *carddav.PutAddressObjectOptions) (*carddav.AddressObject, error) {
	about, err := b.history(ctx, u, []*contacts.Contact{person}, nil)
	if err != nil {
		return nil, b.s.davError(err)
	}
	cur, err := object(person, about[person.ID], "3.0")
	if err != nil {
		return nil, err
	}
	if !codec.IsGroupCard(cur.Card) || about[person.ID].note != "" || person.LastContactedAt != nil {
		return nil, errPersonNotGroup
	}
	if err := precondition(opts.IfNoneMatch, opts.IfMatch, "card", true, cur.ETag); err != nil {
		return nil, err
	}
	markUpdated(ctx)
	st := b.s.CRM.Contacts.Store
	if err := b.storeGroup(ctx, g); err != nil {
		return nil, err
	}
	if err := b.s.CRM.DeleteContact(ctx, u.ID, person.ID); err != nil {
		if gerr := st.DeleteCardGroup(context.WithoutCancel(ctx), u.ID, g.DAVName); gerr != nil {
			b.s.Logger.Error("dav: a group's card stored for a contact that stays", "err", gerr)
		}
		return nil, b.s.davError(err)
	}
	return storedCard(ctx)(groupObject(g))
}
