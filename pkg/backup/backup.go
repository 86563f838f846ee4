// Package backup writes a user's whole account as one JSON document and
// restores it into an empty account (GET /v1/export, POST /v1/import):
// sections stream through the stores' record walkers one record at a time,
// ids are remapped, and restored records go in in bulk through
// record.Backups rather than the domain services.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Format and Version identify a backup document.
const (
	Format  = "rapport-backup"
	Version = 1
)

// Settings is the part of the user a backup carries. Secrets (API and
// feed tokens, the webhook secret) are never exported.
type Settings struct {
	Name           string          `json:"name"`
	Timezone       string          `json:"timezone"`
	NudgeHour      int             `json:"nudge_hour"`
	NotifyEmail    string          `json:"notify_email"`
	WebhookURL     string          `json:"webhook_url,omitempty"`
	FollowupPolicy accounts.Policy `json:"followup_policy"`
	Agenda         accounts.Agenda `json:"agenda"`
	CreatedAt      time.Time       `json:"created_at"`
}

// backupFollowUp is a follow-up with the fields the API hides.
type backupFollowUp struct {
	followup.FollowUp
	Sequence int        `json:"sequence"`
	EndedAt  *time.Time `json:"ended_at,omitempty"`
}

// backupCalendar is a followed calendar without its sync state.
type backupCalendar struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Name      string    `json:"name"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"created_at"`
}

// sections of a backup, in the order written (referenced before referencing).
var sections = record.BackupSections

// Export writes all of the user's data as one JSON document, reading each
// collection through a cursor.
func Export(ctx context.Context, s *crm.Service, u *accounts.User, w io.Writer) error {
	head := map[string]any{"format": Format, "version": Version, "exported_at": record.Time(s.Now()),
		"settings": Settings{Name: u.Name, Timezone: u.Timezone, NudgeHour: u.NudgeHour, NotifyEmail: u.Notify.Email,
			WebhookURL: u.Notify.WebhookURL, FollowupPolicy: u.FollowupPolicy, Agenda: u.Agenda, CreatedAt: u.CreatedAt}}
	hb, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if _, err := w.Write(hb[:len(hb)-1]); err != nil { // leave the object open
		return err
	}
	notified, err := s.Followups.NotifiedTimes(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, sec := range sections {
		fmt.Fprintf(w, ",\n%q:[", sec)
		n := 0
		err := s.Backups.EachRecord(ctx, sec, u.ID, func(x any) error {
			item, err := exportItem(x, notified)
			if err != nil {
				return err
			}
			if n > 0 {
				w.Write([]byte(","))
			}
			w.Write([]byte("\n"))
			n++
			_, err = w.Write(item)
			return err
		})
		if err != nil {
			return err
		}
		w.Write([]byte("]"))
	}
	_, err = w.Write([]byte("\n}\n"))
	return err
}

// exportItem is one record as a backup writes it: as the API shows it, and
// for follow-ups and calendars what the API leaves out or must not show.
func exportItem(x any, notified func(*followup.FollowUp) *time.Time) ([]byte, error) {
	switch r := x.(type) {
	case *followup.FollowUp:
		f := *r
		f.NotifiedAt = notified(&f)
		return json.Marshal(backupFollowUp{FollowUp: f, Sequence: f.Sequence, EndedAt: f.EndedAt})
	case *events.Calendar:
		return json.Marshal(backupCalendar{ID: r.ID, URL: r.URL, Name: r.Name, Tags: r.Tags, CreatedAt: r.CreatedAt})
	}
	return json.Marshal(x)
}

// errStop ends a walk over records at the first one.
var errStop = errors.New("stop")

// ImportResult counts what a restore brought in, per section.
type ImportResult struct {
	Restored map[string]int `json:"restored"`
	// Skipped lists records the restore refused, and why (a followed
	// calendar whose URL this server does not allow).
	Skipped []SkippedRecord `json:"skipped,omitempty"`
}

// SkippedRecord is one record of a backup that was not restored.
type SkippedRecord struct {
	Section string `json:"section"`
	ID      string `json:"id"`
	Message string `json:"message"`
}

// Import restores a backup into the user's account, which must hold no
// contacts and no events (Conflict otherwise). Every record gets a new id,
// and references are mapped to the new ids, so a backup can be restored
// next to the account it came from; all other fields, timestamps included,
// are kept. Settings are applied; secrets are not in backups. The document
// is read as a stream and written in batches.
func Import(ctx context.Context, s *crm.Service, acc *accounts.Service, u *accounts.User, r io.Reader) (*ImportResult, error) {
	for _, sec := range []string{"contacts", "events"} {
		err := s.Backups.EachRecord(ctx, sec, u.ID, func(any) error { return errStop })
		if err == errStop {
			return nil, apperr.E(apperr.Conflict, "a backup is restored into an empty account; this one has %s", sec)
		}
		if err != nil {
			return nil, err
		}
	}
	im := &importer{s: s, userID: u.ID, ids: map[string]string{}, pending: map[string][]any{}, res: &ImportResult{Restored: map[string]int{}}}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	sawFormat := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, badBackup(err)
		}
		key, _ := tok.(string)
		switch key {
		case "format":
			var f string
			if err := dec.Decode(&f); err != nil || f != Format {
				return nil, apperr.InvalidField("format", "is not %q: this is not a Rapport backup", Format)
			}
			sawFormat = true
		case "version":
			var v int
			if err := dec.Decode(&v); err != nil || v != Version {
				return nil, apperr.InvalidField("version", "backup version %v is not supported (want %d)", v, Version)
			}
		case "settings":
			var set Settings
			if err := dec.Decode(&set); err != nil {
				return nil, badBackup(err)
			}
			if err := im.settings(ctx, acc, set); err != nil {
				return nil, err
			}
		case "companies", "contacts", "events", "attendees", "encounters", "intros", "interactions", "opportunities", "followups", "calendars":
			if !sawFormat {
				return nil, apperr.InvalidField("format", "must come first: this is not a Rapport backup")
			}
			if err := im.section(ctx, dec, key); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, badBackup(err)
			}
		}
	}
	if !sawFormat {
		return nil, apperr.InvalidField("format", "is missing: this is not a Rapport backup")
	}
	if err := im.flushAll(ctx); err != nil {
		return nil, err
	}
	if err := im.afterRestore(ctx); err != nil {
		return nil, err
	}
	return im.res, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return badBackup(err)
	}
	if tok != d {
		return apperr.E(apperr.Malformed, "the backup is not a JSON object with arrays")
	}
	return nil
}

func badBackup(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Wrap(apperr.Malformed, err, "the backup is not valid JSON: %v", err)
}

// importer holds the id map and the batches of one restore.
type importer struct {
	s       *crm.Service
	userID  string
	ids     map[string]string // old id -> new id
	pending map[string][]any
	res     *ImportResult
	wakes   []followup.FollowUp
}

func (im *importer) id(old string) string {
	if old == "" {
		return ""
	}
	if n, ok := im.ids[old]; ok {
		return n
	}
	n := record.NewID()
	im.ids[old] = n
	return n
}

func (im *importer) settings(ctx context.Context, acc *accounts.Service, set Settings) error {
	patch, _ := json.Marshal(map[string]any{"name": set.Name, "timezone": set.Timezone, "nudge_hour": set.NudgeHour,
		"notify": map[string]any{"email": set.NotifyEmail}, "followup_policy": set.FollowupPolicy, "agenda": set.Agenda})
	_, err := im.s.UpdateSettings(ctx, acc, im.userID, patch)
	return err
}

func (im *importer) section(ctx context.Context, dec *json.Decoder, sec string) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		doc, err := im.decodeItem(dec, sec)
		if err != nil {
			return err
		}
		if doc == nil {
			continue // skipped, and said so in the result
		}
		im.add(sec, doc)
		if len(im.pending[sec]) >= 500 {
			if err := im.flush(ctx, sec); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return badBackup(err)
	}
	return im.flush(ctx, sec)
}

func (im *importer) add(coll string, doc any) {
	im.pending[coll] = append(im.pending[coll], doc)
	im.res.Restored[coll]++
}

// decodeItem reads one record of section sec and rewrites its ids and
// owner (nil, nil: the record is skipped, and said so in the result).
func (im *importer) decodeItem(dec *json.Decoder, sec string) (any, error) {
	read, ok := readers[sec]
	if !ok {
		return nil, fmt.Errorf("unknown section %s", sec)
	}
	return read(im, dec)
}

// readers read one record of each section (record.BackupSections).
var readers = map[string]func(*importer, *json.Decoder) (any, error){
	"companies": reader(func(im *importer, c *companies.Company) (any, error) {
		c.ID, c.UserID = im.id(c.ID), im.userID
		if err := (companies.Input{Name: c.Name, Domain: c.Domain, URL: c.URL}).Validate(); err != nil {
			return nil, apperr.InvalidField("companies", "a company (%q) is not valid: %v", c.Name, err)
		}
		return c, nil
	}),
	"contacts": reader(func(im *importer, c *contacts.Contact) (any, error) {
		c.ID, c.UserID, c.CompanyID = im.id(c.ID), im.userID, im.id(c.CompanyID)
		if err := (contacts.Input{Name: c.Name, Emails: c.Emails}).Validate(""); err != nil {
			return nil, apperr.InvalidField("contacts", "a contact (%q) is not valid: %v", c.Name, err)
		}
		return c, nil
	}),
	"events": reader(func(im *importer, e *events.Event) (any, error) {
		e.ID, e.UserID = im.id(e.ID), im.userID
		for i := range e.Targets {
			e.Targets[i].ContactID, e.Targets[i].CompanyID = im.id(e.Targets[i].ContactID), im.id(e.Targets[i].CompanyID)
		}
		if e.Source != nil {
			e.Source.CalendarID = im.id(e.Source.CalendarID)
		}
		return e, nil
	}),
	"attendees": reader(func(im *importer, a *events.Attendee) (any, error) {
		a.ID, a.UserID, a.EventID = im.id(a.ID), im.userID, im.id(a.EventID)
		a.NameLower = strings.ToLower(a.Name)
		if a.Key == "" {
			a.Key = events.AttendeeKey(a, contacts.NormalizeLinkedIn)
		}
		return a, nil
	}),
	"encounters": reader(func(im *importer, e *contacts.Encounter) (any, error) {
		e.ID, e.UserID, e.EventID, e.ContactID = im.id(e.ID), im.userID, im.id(e.EventID), im.id(e.ContactID)
		return e, nil
	}),
	"intros": reader(func(im *importer, it *contacts.Intro) (any, error) {
		it.ID, it.UserID, it.EventID = im.id(it.ID), im.userID, im.id(it.EventID)
		for i := range it.ContactIDs {
			it.ContactIDs[i] = im.id(it.ContactIDs[i])
		}
		return it, nil
	}),
	"interactions": reader(func(im *importer, it *contacts.Interaction) (any, error) {
		it.ID, it.UserID, it.ContactID, it.EventID = im.id(it.ID), im.userID, im.id(it.ContactID), im.id(it.EventID)
		return it, nil
	}),
	"opportunities": reader(func(im *importer, o *opportunities.Opportunity) (any, error) {
		o.ID, o.UserID, o.CompanyID = im.id(o.ID), im.userID, im.id(o.CompanyID)
		o.SourceContactID, o.SourceEventID = im.id(o.SourceContactID), im.id(o.SourceEventID)
		for i := range o.RecruiterIDs {
			o.RecruiterIDs[i] = im.id(o.RecruiterIDs[i])
		}
		if o.RecruiterIDs == nil {
			o.RecruiterIDs = []string{}
		}
		if err := opportunities.InputOf(o).Apply(&opportunities.Opportunity{}, o.CreatedAt); err != nil {
			return nil, apperr.InvalidField("opportunities", "an opportunity (%q) is not valid: %v", o.Title, err)
		}
		return o, nil
	}),
	"followups": reader(func(im *importer, b *backupFollowUp) (any, error) {
		f := b.FollowUp
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
	"calendars": reader(func(im *importer, c *backupCalendar) (any, error) {
		// The same check as subscribing: a backup is user input too.
		if why := im.s.CheckURL(c.URL); why != "" {
			im.res.Skipped = append(im.res.Skipped, SkippedRecord{Section: "calendars", ID: c.ID, Message: "url " + why})
			return nil, nil
		}
		return &events.Calendar{ID: im.id(c.ID), UserID: im.userID, URL: c.URL, Name: c.Name, Tags: c.Tags, CreatedAt: c.CreatedAt}, nil
	}),
}

// reader decodes one record as a T and hands it to fix, which rewrites
// its ids and owner, checks it and returns what to restore.
func reader[T any](fix func(*importer, *T) (any, error)) func(*importer, *json.Decoder) (any, error) {
	return func(im *importer, dec *json.Decoder) (any, error) {
		var v T
		if err := dec.Decode(&v); err != nil {
			return nil, badBackup(err)
		}
		return fix(im, &v)
	}
}

func (im *importer) flush(ctx context.Context, sec string) error {
	docs := im.pending[sec]
	if len(docs) == 0 {
		return nil
	}
	// Restored records go in in bulk, not through the domain services.
	if err := im.s.Backups.RestoreRecords(ctx, sec, docs); err != nil {
		if apperr.Is(err, apperr.Conflict) && sec == "contacts" {
			return apperr.InvalidField("contacts", "two contacts in the backup share an email or LinkedIn URL")
		}
		if apperr.Is(err, apperr.Conflict) && sec == "companies" {
			return apperr.InvalidField("companies", "two companies in the backup share a name or domain")
		}
		return err
	}
	im.pending[sec] = im.pending[sec][:0]
	return nil
}

func (im *importer) flushAll(ctx context.Context) error {
	for _, sec := range sections {
		if err := im.flush(ctx, sec); err != nil {
			return err
		}
	}
	return nil
}

// afterRestore records follow-ups nudged before the backup as nudged (so
// they are not nudged again), wakes the dispatcher and marks feeds changed.
func (im *importer) afterRestore(ctx context.Context) error {
	if err := im.s.Followups.Restored(ctx, im.userID, im.wakes); err != nil {
		return err
	}
	if im.res.Restored["companies"] == 0 { // a backup from before companies: link its contacts now
		if _, err := im.s.LinkUserCompanies(ctx, im.userID); err != nil {
			return err
		}
	}
	im.s.Touch(ctx, im.userID)
	return nil
}
