package backup

import (
	"cmp"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// section is one array of a backup, typed: how its records are walked and
// written, and read back, re-keyed and restored, through the archive its
// domain's store hands out. Adding a backed-up type is one sectionOf line
// here and its archive in each adapter.
type section struct {
	name string
	// export writes each of the user's records through emit.
	export func(ctx context.Context, ex *exporter, emit func(any) error) error
	// has reports whether the user holds a record of the section.
	has func(ctx context.Context, s *crm.Service, userID string) (bool, error)
	// load starts reading the section for one restore.
	load func(im *importer) *loader
}

// loader reads one section of a restore: each record decoded, re-keyed
// and batched, each batch restored whole.
type loader struct {
	read  func(ctx context.Context, dec *json.Decoder) error
	flush func(ctx context.Context) error
}

// exporter is what writing a record may need besides the record.
type exporter struct {
	s        *crm.Service
	userID   string
	notified func(*followup.FollowUp) *time.Time
}

// batchSize is how many records a restore writes at once, a transaction
// each: as an import's chunk (contacts.importChunk), fewer and larger
// transactions write fewer full-text index segments. A restore of 30,000
// contacts and encounters took 6.3-6.7 s at 500 and 5.5-6.1 s at 1,000.
const batchSize = 1000

// sectionOf is a section of records T (each named by key), stored through
// archive, written as out makes them (nil: as they are) and read back as
// W, which in re-keys into the T to restore (nil, nil: skipped, and said so
// in the result).
func sectionOf[T, W any](name string, archive func(*crm.Service) record.Archive[T], key func(*T) string, out func(*exporter, *T) any, in func(*importer, *W) (*T, error)) section {
	return section{name: name,
		export: func(ctx context.Context, ex *exporter, emit func(any) error) error {
			return archive(ex.s).Each(ctx, ex.userID, func(x *T) error {
				if out != nil {
					return emit(out(ex, x))
				}
				return emit(x)
			})
		},
		has: func(ctx context.Context, s *crm.Service, userID string) (bool, error) {
			err := archive(s).Each(ctx, userID, func(*T) error { return errStop })
			if err == errStop {
				return true, nil
			}
			return false, err
		},
		load: func(im *importer) *loader {
			var batch []*T
			flush := func(ctx context.Context) error {
				if len(batch) == 0 {
					return nil
				}
				full := batch
				batch = make([]*T, 0, batchSize)
				// Restored records go in in bulk, not through the domain
				// services, on the restore's writer.
				return im.writer.write(ctx, func(ctx context.Context) error {
					if err := archive(im.s).Restore(ctx, full); err != nil {
						if apperr.Is(err, apperr.Conflict) {
							return apperr.InvalidField(name, "two %s in the backup share a key (%s)", name, apperr.PublicOf(err))
						}
						return err
					}
					for _, x := range full {
						im.wrote(name, key(x))
					}
					return nil
				})
			}
			read := func(ctx context.Context, dec *json.Decoder) error {
				var w W
				if err := dec.Decode(&w); err != nil {
					return badBackup(err)
				}
				x, err := in(im, &w)
				if err != nil || x == nil {
					return err
				}
				// A record without an id would be stored under "", an id
				// every user's restore shares: the next one's would fail.
				if key(x) == "" {
					return apperr.InvalidField(name, "a record of %s has no id", name)
				}
				im.seen[key(x)] = true
				batch = append(batch, x)
				im.res.Restored[name]++
				if len(batch) >= batchSize {
					return flush(ctx)
				}
				return nil
			}
			return &loader{read: read, flush: flush}
		}}
}

// sections of a backup, in the order written and restored (a section
// refers only to records of the sections before it).
var sections = []section{
	sectionOf("companies", func(s *crm.Service) record.Archive[companies.Company] { return s.Companies.Store.CompanyArchive() }, func(x *companies.Company) string { return x.ID }, nil,
		func(im *importer, c *companies.Company) (*companies.Company, error) {
			c.ID, c.UserID = im.id(c.ID), im.userID
			if err := (companies.Input{Name: c.Name, Domain: c.Domain, URL: c.URL}).Validate(); err != nil {
				return nil, notValid("companies", "a company", c.Name, err)
			}
			return c, nil
		}),
	sectionOf("contacts", func(s *crm.Service) record.Archive[contacts.Contact] { return s.Contacts.Store.ContactArchive() }, func(x *contacts.Contact) string { return x.ID }, exportContact,
		func(im *importer, b *backupContact) (*contacts.Contact, error) {
			c := b.Contact
			// The card keeps its href and UID: those it was given, else
			// the ones the contact's old id gave it.
			c.DAVName, c.CardUID = cmp.Or(b.CardName, c.ID), cmp.Or(b.CardUID, c.ID)
			if !contacts.CardNameOK(c.DAVName) || len(c.CardUID) > 255 || strings.ContainsAny(c.CardUID, "\r\n") {
				return nil, apperr.InvalidField("contacts", "a contact (%q) has a card name or UID that is none", c.Name)
			}
			c.ID, c.UserID, c.CompanyID, c.CardExtra = im.id(c.ID), im.userID, im.id(c.CompanyID), b.CardExtra
			// A contact's known_since before MinYear was never the user's
			// (the API refuses it): an interaction or encounter dated then,
			// which the API took before 0533cd9, moved it back. It goes, so
			// the backup restores; the contact is known since it was made.
			if !c.KnownSince.IsZero() && c.KnownSince.Year() < input.MinYear {
				c.KnownSince = time.Time{}
			}
			if err := cmp.Or(c.Validate(), contacts.CheckCardExtra(c.CardExtra)); err != nil {
				return nil, notValid("contacts", "a contact", c.Name, err)
			}
			return &c, nil
		}),
	sectionOf("card_groups", func(s *crm.Service) record.Archive[contacts.CardGroup] { return s.Contacts.Store.CardGroupArchive() },
		func(x *contacts.CardGroup) string { return x.DAVName }, exportCardGroup, restoreCardGroup),
	sectionOf("events", func(s *crm.Service) record.Archive[events.Event] { return s.Events.Store.EventArchive() }, func(x *events.Event) string { return x.ID }, nil,
		func(im *importer, e *events.Event) (*events.Event, error) {
			if err := e.Validate(); err != nil {
				return nil, notValid("events", "an event", e.Title, err)
			}
			e.ID, e.UserID = im.id(e.ID), im.userID
			for i := range e.Targets {
				e.Targets[i].ContactID, e.Targets[i].CompanyID = im.id(e.Targets[i].ContactID), im.id(e.Targets[i].CompanyID)
			}
			if e.Source != nil {
				e.Source.CalendarID = im.id(e.Source.CalendarID)
			}
			return e, nil
		}),
	sectionOf("attendees", func(s *crm.Service) record.Archive[events.Attendee] { return s.Attendees.AttendeeArchive() }, func(x *events.Attendee) string { return x.ID }, nil,
		func(im *importer, a *events.Attendee) (*events.Attendee, error) {
			// A guest list's import kept a name of spaces once (a JSON
			// list's " "): such a guest is named by what else it has, so
			// that every backup Rapport wrote restores.
			if strings.TrimSpace(a.Name) == "" {
				a.Name = cmp.Or(a.Email, a.LinkedInURL, "(no name)")
			}
			if err := a.Validate(); err != nil {
				return nil, notValid("attendees", "a guest", a.Name, err)
			}
			if err := im.hangsOn("attendees", "a guest", a.Name, "event", a.EventID); err != nil {
				return nil, err
			}
			a.ID, a.UserID, a.EventID = im.id(a.ID), im.userID, im.id(a.EventID)
			if a.Key == "" {
				a.Key = events.AttendeeKey(a, contacts.NormalizeLinkedIn)
			}
			return a, nil
		}),
	sectionOf("encounters", func(s *crm.Service) record.Archive[contacts.Encounter] { return s.Contacts.Store.EncounterArchive() }, func(x *contacts.Encounter) string { return x.ID }, nil,
		func(im *importer, e *contacts.Encounter) (*contacts.Encounter, error) {
			if err := e.Validate(); err != nil {
				return nil, notValid("encounters", "the encounter", e.ID, err)
			}
			if err := cmp.Or(im.hangsOn("encounters", "the encounter", e.ID, "contact", e.ContactID),
				im.hangsOn("encounters", "the encounter", e.ID, "event", e.EventID)); err != nil {
				return nil, err
			}
			e.ID, e.UserID, e.EventID, e.ContactID = im.id(e.ID), im.userID, im.id(e.EventID), im.id(e.ContactID)
			return e, nil
		}),
	sectionOf("intros", func(s *crm.Service) record.Archive[contacts.Intro] { return s.Contacts.Store.IntroArchive() }, func(x *contacts.Intro) string { return x.ID }, nil,
		func(im *importer, it *contacts.Intro) (*contacts.Intro, error) {
			if err := it.Validate(); err != nil {
				return nil, notValid("intros", "the intro", it.ID, err)
			}
			if err := im.hangsOn("intros", "the intro", it.ID, "contact", it.ContactIDs...); err != nil {
				return nil, err
			}
			it.ID, it.UserID, it.EventID = im.id(it.ID), im.userID, im.id(it.EventID)
			for i := range it.ContactIDs {
				it.ContactIDs[i] = im.id(it.ContactIDs[i])
			}
			return it, nil
		}),
	sectionOf("interactions", func(s *crm.Service) record.Archive[contacts.Interaction] {
		return s.Contacts.Store.InteractionArchive()
	}, func(x *contacts.Interaction) string { return x.ID }, nil,
		func(im *importer, it *contacts.Interaction) (*contacts.Interaction, error) {
			if err := it.Validate(); err != nil {
				return nil, notValid("interactions", "the interaction", it.ID, err)
			}
			// Of a contact, or given to an event (an event deleted leaves
			// its id on what was given to people met there).
			var err error
			if it.ContactID != "" {
				err = im.hangsOn("interactions", "the interaction", it.ID, "contact", it.ContactID)
			} else {
				err = im.hangsOn("interactions", "the interaction", it.ID, "event", it.EventID)
			}
			if err != nil {
				return nil, err
			}
			it.ID, it.UserID, it.ContactID, it.EventID = im.id(it.ID), im.userID, im.id(it.ContactID), im.id(it.EventID)
			return it, nil
		}),
	sectionOf("opportunities", func(s *crm.Service) record.Archive[opportunities.Opportunity] {
		return s.Opportunities.OpportunityArchive()
	}, func(x *opportunities.Opportunity) string { return x.ID }, nil,
		func(im *importer, o *opportunities.Opportunity) (*opportunities.Opportunity, error) {
			o.ID, o.UserID, o.CompanyID = im.id(o.ID), im.userID, im.id(o.CompanyID)
			o.SourceContactID, o.SourceEventID = im.id(o.SourceContactID), im.id(o.SourceEventID)
			for i := range o.RecruiterIDs {
				o.RecruiterIDs[i] = im.id(o.RecruiterIDs[i])
			}
			if o.RecruiterIDs == nil {
				o.RecruiterIDs = []string{}
			}
			if err := opportunities.InputOf(o).Apply(&opportunities.Opportunity{}, o.CreatedAt); err != nil {
				return nil, notValid("opportunities", "an opportunity", o.Title, err)
			}
			return o, nil
		}),
	sectionOf("followups", func(s *crm.Service) record.Archive[followup.FollowUp] { return s.Followups.Store.FollowUpArchive() }, func(x *followup.FollowUp) string { return x.ID }, exportFollowUp,
		func(im *importer, b *backupFollowUp) (*followup.FollowUp, error) {
			f := b.FollowUp
			if err := f.Validate(); err != nil {
				return nil, notValid("followups", "the follow-up", f.ID, err)
			}
			f.Sequence, f.EndedAt = b.Sequence, b.EndedAt
			f.ID, f.UserID, f.ContactID = im.id(f.ID), im.userID, im.id(f.ContactID)
			f.EncounterID, f.IntroID, f.EventID = im.id(f.EncounterID), im.id(f.IntroID), im.id(f.EventID)
			f.OpportunityID = im.id(f.OpportunityID)
			f.PendingKey = followup.PendingKey(&f)
			if f.Status == followup.Pending {
				im.wakes = append(im.wakes, f)
			}
			return &f, nil
		}),
	sectionOf("calendars", func(s *crm.Service) record.Archive[events.Calendar] { return s.Events.Store.CalendarArchive() }, func(x *events.Calendar) string { return x.ID }, exportCalendar,
		func(im *importer, c *backupCalendar) (*events.Calendar, error) {
			// The same check as subscribing: a backup is user input too.
			if why := im.s.CheckURL(c.URL); why != "" {
				im.res.Skipped = append(im.res.Skipped, SkippedRecord{Section: "calendars", ID: c.ID, Message: "url " + why})
				return nil, nil
			}
			return &events.Calendar{ID: im.id(c.ID), UserID: im.userID, URL: c.URL, Name: c.Name, Tags: c.Tags, CreatedAt: c.CreatedAt}, nil
		}),
	// The records of every kind (pkg/kinds) go last: they may name any
	// record before them.
	sectionOf("docs", func(s *crm.Service) record.Archive[kinds.Doc] { return s.Docs.DocArchive() }, docKey, exportDoc, restoreDoc),
}

// notValid is a restore's error for a record of section that breaks the
// rules its kind is written under: what it is, named by its name in the
// backup (or its id there, for a record that has none), and why.
func notValid(section, what, name string, err error) error {
	if r := []rune(name); len(r) > 40 {
		name = string(r[:40]) + "…"
	}
	return apperr.InvalidField(section, "%s %q is not valid: %v", what, name, err)
}

// exportContact writes a contact with what else its card in an address
// book held, and the card's name and UID a phone gave it (the API leaves
// them out).
func exportContact(_ *exporter, c *contacts.Contact) any {
	return backupContact{Contact: *c, CardExtra: c.CardExtra, CardName: c.DAVName, CardUID: c.CardUID}
}

// backupCardGroup is a group card of the address book (contacts.CardGroup)
// as a backup holds it.
type backupCardGroup struct {
	ID        string    `json:"id"`
	CardName  string    `json:"card_name"`
	Name      string    `json:"name"`
	Card      string    `json:"card"`
	UpdatedAt time.Time `json:"updated_at"`
}

func exportCardGroup(_ *exporter, g *contacts.CardGroup) any {
	return backupCardGroup{ID: g.ID, CardName: g.DAVName, Name: g.Name, Card: g.Card, UpdatedAt: g.UpdatedAt}
}

// restoreCardGroup checks a group card of a backup as a phone's PUT is
// checked — a card's name, at most 1 MiB, a vCard of a group, at most
// contacts.MaxCardGroups of at most contacts.MaxCardGroupBytes together
// — and gives it a new id. Its members name cards by UID, which the
// contacts kept.
func restoreCardGroup(im *importer, b *backupCardGroup) (*contacts.CardGroup, error) {
	im.groups, im.groupBytes = im.groups+1, im.groupBytes+len(b.Card)
	if !contacts.CardGroupsFit(im.groups, im.groupBytes) {
		return nil, apperr.InvalidField("card_groups", "holds more than %d group cards, or more than %d MiB of them", contacts.MaxCardGroups, contacts.MaxCardGroupBytes>>20)
	}
	if b.ID == "" {
		return nil, apperr.InvalidField("card_groups", "a group card (%q) has no id", b.Name)
	}
	if !contacts.CardNameOK(b.CardName) || len(b.Card) > contacts.MaxCardExtra {
		return nil, apperr.InvalidField("card_groups", "a group card (%q) has no card name, or is over 1 MiB", b.Name)
	}
	card, err := vcard.NewDecoder(strings.NewReader(b.Card)).Decode()
	if err != nil || !codec.IsGroupCard(card) {
		return nil, apperr.InvalidField("card_groups", "a group card (%q) is not a group's vCard", b.Name)
	}
	return &contacts.CardGroup{ID: im.id(b.ID), UserID: im.userID, DAVName: b.CardName, Name: codec.GroupName(card), Card: b.Card, UpdatedAt: b.UpdatedAt}, nil
}

// exportFollowUp writes a follow-up with what the API hides: its sequence,
// when it ended and when it was nudged.
func exportFollowUp(ex *exporter, r *followup.FollowUp) any {
	f := *r
	f.NotifiedAt = ex.notified(&f)
	return backupFollowUp{FollowUp: f, Sequence: f.Sequence, EndedAt: f.EndedAt}
}

// exportCalendar writes a followed calendar without its sync state.
func exportCalendar(_ *exporter, r *events.Calendar) any {
	return backupCalendar{ID: r.ID, URL: r.URL, Name: r.Name, Tags: r.Tags, CreatedAt: r.CreatedAt}
}

// sectionNamed returns the section called name, or nil.
func sectionNamed(name string) *section {
	for i := range sections {
		if sections[i].name == name {
			return &sections[i]
		}
	}
	return nil
}
