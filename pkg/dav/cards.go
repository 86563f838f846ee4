package dav

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/events"
)

// cards is the CardDAV backend: one address book of the user's contacts.
type cards struct{ s *Server }

var _ carddav.Backend = (*cards)(nil)

func (b *cards) CurrentUserPrincipal(context.Context) (string, error) { return PrincipalPath, nil }

func (b *cards) AddressBookHomeSetPath(context.Context) (string, error) { return homePath, nil }

func (b *cards) book() carddav.AddressBook {
	return carddav.AddressBook{Path: BookPath, Name: "Rapport", Description: "Everyone you met, with how you met them",
		MaxResourceSize: MaxCard, SupportedAddressData: []carddav.AddressDataType{
			{ContentType: vcard.MIMEType, Version: "3.0"}, {ContentType: vcard.MIMEType, Version: "4.0"}}}
}

func (b *cards) ListAddressBooks(context.Context) ([]carddav.AddressBook, error) {
	return []carddav.AddressBook{b.book()}, nil
}

func (b *cards) GetAddressBook(_ context.Context, p string) (*carddav.AddressBook, error) {
	if path.Clean(p)+"/" != BookPath {
		return nil, webdav.NewHTTPError(http.StatusNotFound, errors.New("no such address book"))
	}
	ab := b.book()
	return &ab, nil
}

func (b *cards) CreateAddressBook(context.Context, *carddav.AddressBook) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("there is one address book: it is neither made nor deleted"))
}

func (b *cards) DeleteAddressBook(context.Context, string) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("there is one address book: it is neither made nor deleted"))
}

// cardName returns the resource name of a card's path (without ".vcf"),
// or a 404.
func cardName(p string) (string, error) {
	dir, file := path.Split(path.Clean(p))
	name, ok := strings.CutSuffix(file, ".vcf")
	if dir != BookPath || !ok || !contacts.CardNameOK(name) {
		return "", webdav.NewHTTPError(http.StatusNotFound, errors.New("no such card"))
	}
	return name, nil
}

// cardPath is the href of c's card: the name the client that made it gave
// it, else the contact id.
func cardPath(c *contacts.Contact) string {
	if c.DAVName != "" {
		return BookPath + c.DAVName + ".vcf"
	}
	return BookPath + c.ID + ".vcf"
}

func (b *cards) GetAddressObject(ctx context.Context, p string, req *carddav.AddressDataRequest) (*carddav.AddressObject, error) {
	name, err := cardName(p)
	if err != nil {
		return nil, err
	}
	ao, err := b.getAny(ctx, userOf(ctx), name, versionOf(req))
	if err != nil {
		return nil, b.s.davError(err)
	}
	return ao, nil
}

// contact returns the user's contact whose card is named name (see
// contactsNamed); NotFound if none.
func (b *cards) contact(ctx context.Context, u *accounts.User, name string) (*contacts.Contact, error) {
	cs, err := b.contactsNamed(ctx, u, []string{name})
	if err != nil {
		return nil, err
	}
	if c := cs[name]; c != nil {
		return c, nil
	}
	return nil, apperr.E(apperr.NotFound, "contact not found")
}

// versionOf is the vCard version a request asks for: 4.0 if it says so,
// else 3.0, the widest read (PRODUCT.md §6).
func versionOf(req *carddav.AddressDataRequest) string {
	if req != nil && strings.HasPrefix(req.Version, "4") {
		return "4.0"
	}
	return "3.0"
}

// get is the card named name (see contact) as vCard 3.0; the service's
// error if none.
func (b *cards) get(ctx context.Context, u *accounts.User, name string) (*carddav.AddressObject, error) {
	return b.getAs(ctx, u, name, "3.0")
}

// getAs is the card named name as vCard version.
func (b *cards) getAs(ctx context.Context, u *accounts.User, name, version string) (*carddav.AddressObject, error) {
	c, err := b.contact(ctx, u, name)
	if err != nil {
		return nil, err
	}
	return b.cardOf(ctx, u, c, version)
}

// cardOf is c's card as vCard version, with what it says of c's history.
func (b *cards) cardOf(ctx context.Context, u *accounts.User, c *contacts.Contact, version string) (*carddav.AddressObject, error) {
	about, err := b.history(ctx, u, []*contacts.Contact{c}, nil)
	if err != nil {
		return nil, err
	}
	return object(c, about[c.ID], version)
}

// journaled is the card the change journal names by id: a contact's by its
// id, whatever its card's name (the journal names a contact that was
// changed, or met, by its id: a card a phone made, or a restore kept, is
// named otherwise), else the card named id (a deleted card's, a group's).
// The journal's ids are the server's own, so an id finds its contact here
// where a client's name may not (contactsNamed).
func (b *cards) journaled(ctx context.Context, u *accounts.User, id, version string) (*carddav.AddressObject, error) {
	byID, err := b.s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, []string{id})
	if err != nil {
		return nil, err
	}
	if c := byID[id]; c != nil {
		return b.cardOf(ctx, u, c, version)
	}
	return b.getAny(ctx, u, id, version)
}

// object is a contact's card with its ETag; REV and Last-Modified are the
// newest time of what the card shows (see about).
func object(c *contacts.Contact, a about, version string) (*carddav.AddressObject, error) {
	card := codec.Card(c, a.note, version)
	rev := c.UpdatedAt
	if a.rev.After(rev) {
		rev = a.rev
	}
	card.SetRevision(rev.UTC())
	raw, err := encode(card)
	if err != nil {
		return nil, err
	}
	return &carddav.AddressObject{Path: cardPath(c), ModTime: rev, ContentLength: int64(len(raw)), ETag: etag(raw), Card: card, Data: raw}, nil
}

// about is what a card shows beyond the contact's own fields: the "How
// we met" section, and the newest time of the records of the contact's own
// it is written from (encounters, intros, the last contact), so that REV
// moves when they do. An event's or an intro's other side's time is left
// out: their edits change no card unless a title or a name changes (which
// the journal lists), and the ETag, a hash of the card, must not move
// without the journal listing the card (a client syncing by
// sync-collection would hold an ETag its next PUT fails against).
type about struct {
	note string
	rev  time.Time
}

func (a *about) saw(t time.Time) {
	if t.After(a.rev) {
		a.rev = t
	}
}

// ListAddressObjects lists every card of the book, from the user's last
// listing while the journal has not moved, or that listing patched with
// the cards the journal names (see listings); the objects' Card is then
// left out (Data is the card).
func (b *cards) ListAddressObjects(ctx context.Context, p string, req *carddav.AddressDataRequest) ([]carddav.AddressObject, error) {
	if _, err := b.GetAddressBook(ctx, p); err != nil {
		return nil, err
	}
	u, version := userOf(ctx), versionOf(req)
	before, journaled := b.journalToken(ctx, u)
	if journaled {
		if x := b.cached(u, before, version); x != nil {
			return x.list(), nil
		}
		x, err := b.patched(ctx, u, before, version)
		if err != nil {
			return nil, err
		}
		if x != nil {
			return x.list(), nil
		}
	}
	out, err := b.all(ctx, u, version, false)
	if err != nil {
		return nil, err
	}
	// Kept only if no card changed while it was read.
	if after, ok := b.journalToken(ctx, u); journaled && ok && after == before {
		b.keep(u, before, version, out)
	}
	return out, nil
}

// all reads and encodes every card of the user's book. The contacts, and
// the encounters and intros their cards are written from, are read at the
// same time, on two of the store's read connections. Each object's Card
// is kept only withCards (a query's filters read it): a listing holds its
// data, and the parsed cards of a 233,897-contact book made a listing
// take 1.5 GB where the data is 100 MB.
func (b *cards) all(ctx context.Context, u *accounts.User, version string, withCards bool) ([]carddav.AddressObject, error) {
	var all []*contacts.Contact
	var book *bookRecords
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return b.s.CRM.Contacts.ForEach(gctx, u.ID, func(c *contacts.Contact) error {
			cp := *c
			all = append(all, &cp)
			return nil
		})
	})
	g.Go(func() (err error) {
		book, err = b.bookRecords(gctx, u)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, b.s.davError(err)
	}
	// The cards are written on every core, a share each.
	out := make([]carddav.AddressObject, len(all))
	share := max(minShare, (len(all)+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0))
	g, gctx = errgroup.WithContext(ctx)
	for start := 0; start < len(all); start += share {
		part := all[start:min(start+share, len(all))]
		g.Go(func() error {
			about, err := b.history(gctx, u, part, book)
			if err != nil {
				return b.s.davError(err)
			}
			for i, c := range part {
				ao, err := object(c, about[c.ID], version)
				if err != nil {
					return err
				}
				if !withCards {
					ao.Card = nil
				}
				out[start+i] = *ao
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	groups, err := b.groups(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	for _, ao := range groups {
		if !withCards {
			ao.Card = nil
		}
		out = append(out, ao)
	}
	return out, nil
}

// minShare is the fewest cards a core writes of a listing (a variable for
// tests, which split small books).
var minShare = 2000

// QueryAddressObjects filters the cards, as read now (the filters read
// each object's Card, which listings leave out).
func (b *cards) QueryAddressObjects(ctx context.Context, p string, q *carddav.AddressBookQuery) ([]carddav.AddressObject, error) {
	if _, err := b.GetAddressBook(ctx, p); err != nil {
		return nil, err
	}
	all, err := b.all(ctx, userOf(ctx), versionOf(&q.DataRequest), len(q.PropFilters) > 0)
	if err != nil {
		return nil, err
	}
	if len(q.PropFilters) == 0 {
		// An empty filter matches every card (RFC 6352 §10.5); go-webdav's
		// Filter would match none.
		if q.Limit > 0 && q.Limit < len(all) {
			all = all[:q.Limit]
		}
		return all, nil
	}
	return carddav.Filter(q, all)
}

// PutAddressObject applies a card from the phone: an existing contact is
// updated (If-Match must name its current ETag; a card that changes
// nothing writes nothing), a new one is created with a new id, kept under
// the resource name and UID the client gave it, or merged into the
// contact that already has one of its emails or its LinkedIn URL. A
// group's card is kept apart (putGroup).
func (b *cards) PutAddressObject(ctx context.Context, p string, card vcard.Card, opts *carddav.PutAddressObjectOptions) (*carddav.AddressObject, error) {
	name, err := cardName(p)
	if err != nil {
		return nil, webdav.NewHTTPError(http.StatusForbidden, errors.New("a card's name is letters, digits, '.', '_' or '-', ending in .vcf"))
	}
	u := userOf(ctx)
	if codec.IsGroupCard(card) {
		return b.putGroup(ctx, u, name, card, opts)
	}
	in, err := codec.InputFromCard(card)
	if err != nil {
		return nil, webdav.NewHTTPError(http.StatusBadRequest, err)
	}
	extra := codec.CardExtra(card, in)
	cur, err := b.get(ctx, u, name)
	switch {
	case err == nil:
		if err := precondition(opts.IfNoneMatch, opts.IfMatch, "card", true, cur.ETag); err != nil {
			return nil, err
		}
		markUpdated(ctx)
		return storedCard(ctx)(b.update(ctx, u, name, cur, in, extra))
	case apperr.Is(err, apperr.NotFound):
		switch _, err := b.s.CRM.Contacts.Store.CardGroup(ctx, u.ID, name); {
		case err == nil:
			return nil, errPersonNotGroup
		case !apperr.Is(err, apperr.NotFound):
			return nil, b.s.davError(err)
		}
		if err := precondition(opts.IfNoneMatch, opts.IfMatch, "card", false, ""); err != nil {
			return nil, err
		}
		return storedCard(ctx)(b.create(ctx, u, name, uidOf(card), in, extra))
	default:
		return nil, b.s.davError(err)
	}
}

// storedCard answers a PUT with the stored card, without an ETag unless it
// is octet for octet what the client sent (RFC 6352 §6.3.2.3): a client
// that gets none reads the card again and sees what was kept (the
// generated section, a field written in another form).
func storedCard(ctx context.Context) func(*carddav.AddressObject, error) (*carddav.AddressObject, error) {
	return func(ao *carddav.AddressObject, err error) (*carddav.AddressObject, error) {
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(ao.Data, sentBody(ctx)) {
			cp := *ao
			cp.ETag = ""
			return &cp, nil
		}
		return ao, nil
	}
}

// update writes the fields of in that differ from the card named name,
// and extra, what else the card held, if it differs from what was kept.
func (b *cards) update(ctx context.Context, u *accounts.User, name string, cur *carddav.AddressObject, in contacts.Input, extra string) (*carddav.AddressObject, error) {
	old, err := codec.InputFromCard(cur.Card)
	if err != nil {
		return nil, b.s.davError(err)
	}
	patch := map[string]any{}
	field := func(name string, was, now any) {
		if !reflect.DeepEqual(was, now) {
			patch[name] = now
		}
	}
	field("name", old.Name, in.Name)
	field("emails", nonNil(old.Emails), nonNil(in.Emails))
	field("phones", nonNil(old.Phones), nonNil(in.Phones))
	field("company", old.Company, in.Company)
	field("title", old.Title, in.Title)
	field("linkedin_url", old.LinkedInURL, in.LinkedInURL)
	field("tags", nonNil(old.Tags), nonNil(in.Tags))
	field("notes", old.Notes, in.Notes)
	if in.CadenceDays != old.CadenceDays {
		patch["cadence_days"] = in.CadenceDays
	}
	// What was kept of the card is in the card served, as old is.
	if len(patch) == 0 && extra == codec.CardExtra(cur.Card, old) {
		return cur, nil // an unchanged card writes nothing
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return nil, err
	}
	c, err := b.contact(ctx, u, name)
	if err != nil {
		return nil, b.s.davError(err)
	}
	if _, err := b.s.CRM.UpdateContactCard(ctx, u, c.ID, body, extra); err != nil {
		return nil, b.s.davError(err)
	}
	return b.GetAddressObject(ctx, cur.Path, nil)
}

// uidOf is a card's UID as a client sent it, if it is one line of at most
// 255 bytes (else the contact id serves).
func uidOf(card vcard.Card) string {
	uid := strings.TrimSpace(card.Value(vcard.FieldUID))
	if len(uid) > 255 || strings.ContainsAny(uid, "\r\n") {
		return ""
	}
	return uid
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// create makes a contact of a new card, with a new id, kept under the
// name and UID the client gave it; a card whose email or LinkedIn URL a
// contact has already fills that contact's blank fields instead (never a
// duplicate; that contact's card keeps what else it held, not this one's
// extra). Two clients racing to make the same name: the second finds the
// first's key and fills that card.
func (b *cards) create(ctx context.Context, u *accounts.User, name, uid string, in contacts.Input, extra string) (*carddav.AddressObject, error) {
	c, err := b.s.CRM.CreateContactWith(ctx, u, in, contacts.CreateOpts{DAVName: name, CardUID: uid, CardExtra: extra})
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Kind == apperr.Conflict && ae.ExistingID != "" {
		existing, gerr := b.s.CRM.Contacts.Store.Contact(ctx, u.ID, ae.ExistingID)
		if gerr != nil {
			return nil, b.s.davError(gerr)
		}
		if _, err = b.s.CRM.Contacts.FillBlanks(ctx, existing, in); err != nil {
			return nil, b.s.davError(err)
		}
		return b.GetAddressObject(ctx, cardPath(existing), nil)
	}
	if err != nil {
		return nil, b.s.davError(err)
	}
	return b.GetAddressObject(ctx, cardPath(c), nil)
}

// DeleteAddressObject deletes the contact whose card is at p (with what
// DELETE /v1/contacts/{id} deletes), or the group's card there.
func (b *cards) DeleteAddressObject(ctx context.Context, p string) error {
	name, err := cardName(p)
	if err != nil {
		return err
	}
	u := userOf(ctx)
	c, err := b.contact(ctx, u, name)
	if apperr.Is(err, apperr.NotFound) {
		if err := b.s.CRM.Contacts.Store.DeleteCardGroup(ctx, u.ID, name); err != nil {
			return b.s.davError(err)
		}
		return nil
	}
	if err != nil {
		return b.s.davError(err)
	}
	if err := b.s.CRM.DeleteContact(ctx, u.ID, c.ID); err != nil {
		return b.s.davError(err)
	}
	return nil
}

var momentText = map[string]string{"before_talk": "before the talk", "during_talk": "during the talk", "after_talk": "after the talk", "other": "met"}

// byMetAt orders encounters as a card shows them, by met_at then id: the
// same text, and the same first cardEncounters, whatever order they were
// read in.
func byMetAt(a, b contacts.Encounter) int {
	return cmp.Or(a.MetAt.Compare(b.MetAt), cmp.Compare(a.ID, b.ID))
}

// howWeMet writes a contact's section; "" when there is nothing to say.
func howWeMet(c *contacts.Contact, encs []contacts.Encounter, evs map[string]*events.Event, intros []contacts.Intro, names map[string]string, loc *time.Location) string {
	var lines []string
	slices.SortFunc(encs, byMetAt)
	for _, e := range encs {
		parts := []string{e.MetAt.In(loc).Format("2006-01-02")}
		if ev := evs[e.EventID]; ev != nil {
			parts = append(parts, ev.Title)
		}
		parts = append(parts, momentText[e.Moment])
		if len(e.Topics) > 0 {
			parts = append(parts, "topics: "+strings.Join(e.Topics, ", "))
		}
		line := strings.Join(parts, " · ")
		if n := strings.TrimSpace(e.Notes); n != "" {
			line += " — " + n
		}
		lines = append(lines, line)
	}
	for _, it := range intros {
		for _, other := range it.ContactIDs {
			if other == c.ID {
				continue
			}
			lines = append(lines, fmt.Sprintf("Introduced to %s (%s, %s)", names[other], it.CreatedAt.In(loc).Format("2006-01-02"), it.Status))
		}
	}
	if c.LastContactedAt != nil {
		lines = append(lines, "Last contact: "+c.LastContactedAt.In(loc).Format("2006-01-02"))
	}
	return strings.Join(lines, "\n")
}
