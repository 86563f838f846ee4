// Package backup writes a user's whole account as one JSON document and
// restores it into an empty account (GET /v1/export, POST /v1/import),
// and deletes an account with all it holds (DELETE /v1/me, delete.go):
// each section (sections.go) streams through its store's typed
// record.Archive one record at a time, ids are remapped, and restored
// records go in in bulk through the archive rather than the domain
// services.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/idempotency"
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

// backupContact is a contact with the fields the API hides: what else its
// card in an address book holds, and the card's name and UID there when
// a phone gave them (else they are the contact's id). A restore keeps
// the card's name and UID, so a phone finds every card where it was, as
// the same card, and a group's members are still its members.
type backupContact struct {
	contacts.Contact
	CardExtra string `json:"card_extra,omitempty"`
	CardName  string `json:"card_name,omitempty"`
	CardUID   string `json:"card_uid,omitempty"`
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
	ex := &exporter{s: s, userID: u.ID, notified: notified}
	for _, sec := range sections {
		fmt.Fprintf(w, ",\n%q:[", sec.name)
		n := 0
		err := sec.export(ctx, ex, func(item any) error {
			b, err := json.Marshal(item)
			if err != nil {
				return err
			}
			if n > 0 {
				w.Write([]byte(","))
			}
			w.Write([]byte("\n"))
			n++
			_, err = w.Write(b)
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
// contacts, no events and no group cards (Conflict otherwise). Every record gets a new id,
// and references are mapped to the new ids, so a backup can be restored
// next to the account it came from; all other fields, timestamps included,
// are kept. Settings are applied; secrets are not in backups. The document
// is read as a stream and written in batches; a restore that fails removes
// what its batches wrote (all or nothing, but for the settings). A
// restore holds the user's idempotency.Bulk slot in holds: another
// restore, or an import, is a Conflict until it has finished.
func Import(ctx context.Context, s *crm.Service, acc *accounts.Service, holds *idempotency.Store, u *accounts.User, r io.Reader) (*ImportResult, error) {
	// Two restores at once (a form sent twice, two tabs) would both find
	// the account empty, and both write it.
	// The hold is renewed until the restore and any clean-up have ended,
	// whatever becomes of the request; should it be lost all the same
	// (the store away for holdTTL), the restore stops.
	held, release, err := holds.Hold(context.WithoutCancel(ctx), u.ID, idempotency.Bulk, "a backup is being restored into this account", holdTTL)
	if err != nil {
		return nil, err
	}
	defer release()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	context.AfterFunc(held, stop)
	// A phone's group cards too: the backup's would clash with them by name
	// half way through.
	for _, held := range []struct{ section, what string }{{"contacts", "contacts"}, {"events", "events"}, {"card_groups", "groups a phone keeps in its address book"}} {
		has, err := sectionNamed(held.section).has(ctx, s, u.ID)
		if err != nil {
			return nil, err
		}
		if has {
			return nil, apperr.E(apperr.Conflict, "a backup is restored into an empty account; this one has %s", held.what)
		}
	}
	im := &importer{s: s, user: u, userID: u.ID, ids: map[string]string{}, loaders: map[string]*loader{}, res: &ImportResult{Restored: map[string]int{}},
		seen: map[string]bool{}}
	// The document is read and re-keyed on this goroutine while a writer
	// of its own restores the batches read, in order: reading was a tenth
	// of a restore, on a core the store's single writer leaves idle. A
	// batch waits for the writer at most; the writer's error ends the
	// reading.
	im.writer = startWriter(ctx)
	err = func() (err error) {
		// Finished whatever the reading does (a panic too: the writer's
		// goroutine never outlives the restore).
		defer func() {
			if werr := im.writer.finish(); err == nil {
				err = werr
			}
		}()
		return im.read(ctx, acc, r)
	}()
	if err == nil {
		err = im.afterRestore(ctx)
	}
	if err != nil {
		// All or nothing: what the batches wrote goes again, so the
		// account is empty and the backup can be restored once put right.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
		defer cancel()
		if rerr := im.removeWritten(cleanup); rerr != nil {
			return nil, fmt.Errorf("%w (removing what the restore wrote failed too: %v)", err, rerr)
		}
		return nil, err
	}
	return im.res, nil
}

// Held names the sections of a backup of which the user holds records,
// in the backup's order. A restore goes only into an account that holds
// neither contacts nor events; one that fails leaves none of its records.
func Held(ctx context.Context, s *crm.Service, userID string) ([]string, error) {
	var held []string
	for i := range sections {
		has, err := sections[i].has(ctx, s, userID)
		if err != nil {
			return nil, err
		}
		if has {
			held = append(held, sections[i].name)
		}
	}
	return held, nil
}

// Timeout is how long the interfaces let a restore run.
const Timeout = 10 * time.Minute

// removeTimeout bounds removing what a failed restore wrote.
const removeTimeout = 5 * time.Minute

// holdTTL is how long the hold of a restore whose process died keeps
// others out: a live one renews it every 30 s (idempotency.Store.Hold).
const holdTTL = idempotency.BulkTTL

// removeWritten deletes what a restore's batches wrote, as deleting each
// by hand would: the follow-ups, the followed calendars, the
// opportunities, the address book's group cards, the contacts with their
// history (encounters, intros, interactions), the events with their guest
// lists, and the companies; first the records of kinds (pkg/kinds).
// The settings it applied stay.
func (im *importer) removeWritten(ctx context.Context) error {
	s, userID := im.s, im.userID
	if err := im.removeDocs(ctx); err != nil {
		return err
	}
	// The follow-ups go first, by id: deleting an event or an opportunity
	// would cancel, and keep, those that name it and no contact.
	for fs := im.written["followups"]; len(fs) > 0; fs = fs[min(len(fs), batchSize):] {
		if err := s.Followups.Store.DeleteFollowUps(ctx, userID, fs[:min(len(fs), batchSize)]); err != nil {
			return err
		}
	}
	for _, id := range im.written["calendars"] {
		if err := s.Events.Store.DeleteCalendar(ctx, userID, id); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	for _, id := range im.written["opportunities"] {
		if err := s.DeleteOpportunity(ctx, userID, id); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	for _, name := range im.written["card_groups"] {
		if err := s.Contacts.Store.DeleteCardGroup(ctx, userID, name); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	if _, err := s.DeleteContacts(ctx, userID, im.written["contacts"]); err != nil {
		return err
	}
	for _, id := range im.written["events"] {
		if err := s.DeleteEvent(ctx, im.user, id); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	for _, id := range im.written["companies"] {
		if err := s.DeleteCompany(ctx, userID, id); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	s.Touch(ctx, userID)
	return nil
}

// read reads the backup document from r, restoring its settings and
// handing its sections' batches to the writer.
func (im *importer) read(ctx context.Context, acc *accounts.Service, r io.Reader) error {
	im.bound = &valueBound{r: &oneSpace{r: r}}
	im.bound.start("backup")
	dec := json.NewDecoder(im.bound)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	sawFormat := false
	for im.bound.start("backup"); dec.More(); im.bound.start("backup") {
		tok, err := dec.Token()
		if err != nil {
			return badBackup(err)
		}
		key, _ := tok.(string)
		im.bound.start(key)
		switch key {
		case "format":
			var f string
			if err := dec.Decode(&f); err != nil || f != Format {
				return apperr.InvalidField("format", "is not %q: this is not a Rapport backup", Format)
			}
			sawFormat = true
		case "version":
			var v int
			if err := dec.Decode(&v); err != nil || v != Version {
				return apperr.InvalidField("version", "backup version %v is not supported (want %d)", v, Version)
			}
		case "settings":
			var set Settings
			if err := dec.Decode(&set); err != nil {
				return badBackup(err)
			}
			if err := im.settings(ctx, acc, set); err != nil {
				return err
			}
		default:
			if sec := sectionNamed(key); sec != nil {
				if !sawFormat {
					return apperr.InvalidField("format", "must come first: this is not a Rapport backup")
				}
				if err := im.section(ctx, dec, sec); err != nil {
					return err
				}
				continue
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return badBackup(err)
			}
		}
	}
	if !sawFormat {
		return apperr.InvalidField("format", "is missing: this is not a Rapport backup")
	}
	return nil
}

// writer restores a restore's batches in the order handed to it, on a
// goroutine of its own, one batch ahead of the reading at most.
type writer struct {
	batches chan func(context.Context) error
	failed  chan struct{} // closed when a batch failed (err says why)
	done    chan struct{} // closed when the goroutine has ended
	err     error
}

// startWriter starts a restore's writer; finish ends it.
func startWriter(ctx context.Context) *writer {
	w := &writer{batches: make(chan func(context.Context) error, 1), failed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for restore := range w.batches {
			if w.err == nil {
				if w.err = safely(ctx, restore); w.err != nil {
					close(w.failed)
				}
			}
		}
	}()
	return w
}

// safely runs restore, a panic in it its error (not the server's).
func safely(ctx context.Context, restore func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("backup: restoring a batch panicked: %v", p)
		}
	}()
	return restore(ctx)
}

// write hands a batch's restore to the writer; once a batch has failed,
// it returns that batch's error instead.
func (w *writer) write(ctx context.Context, restore func(context.Context) error) error {
	select {
	case <-w.failed: // first: the writer drains what is sent after it failed
		return w.err
	default:
	}
	select {
	case w.batches <- restore:
		return nil
	case <-w.failed:
		return w.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish waits for the batches handed over to be restored and returns the
// first one's error.
func (w *writer) finish() error {
	close(w.batches)
	<-w.done
	return w.err
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
	user    *accounts.User
	userID  string
	bound   *valueBound        // the reader under the decoder, started at each value
	ids     map[string]string  // old id -> new id
	loaders map[string]*loader // by section name
	res     *ImportResult
	wakes   []followup.FollowUp
	writer  *writer
	// written are the new ids of the records restored, by section (the
	// writer's: read once it has finished).
	written map[string][]string
	// groups and groupBytes count the group cards read so far and their
	// cards' bytes (contacts.CardGroupsFit).
	groups, groupBytes int
	// seen holds the new ids of the records read so far (the reader's).
	seen map[string]bool
}

// holds reports whether the backup's record old was read before (the
// sections go in an order where what a record hangs on comes first).
func (im *importer) holds(old string) bool {
	n, ok := im.ids[old]
	return ok && im.seen[n]
}

// hangsOn refuses a record (what, named name, of section) that hangs on
// records the backup does not hold, by their old ids: a guest of an event,
// an encounter of a contact at an event. Restored, it would hang on
// nothing, and a restore that failed later would leave it behind, as
// removing the restore's records removes what hangs on them with them.
func (im *importer) hangsOn(section, what, name, on string, olds ...string) error {
	for _, old := range olds {
		if !im.holds(old) {
			return notValid(section, what, name, fmt.Errorf("its %s (%q) is not in the backup", on, old))
		}
	}
	return nil
}

// wrote notes a record of the section that a batch restored.
func (im *importer) wrote(section, id string) {
	if im.written == nil {
		im.written = map[string][]string{}
	}
	im.written[section] = append(im.written[section], id)
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

// section reads one section's array, restoring it in batches.
func (im *importer) section(ctx context.Context, dec *json.Decoder, sec *section) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	l := im.loaders[sec.name]
	if l == nil {
		l = sec.load(im)
		im.loaders[sec.name] = l
	}
	for im.bound.start(sec.name); dec.More(); im.bound.start(sec.name) {
		if err := l.read(ctx, dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return badBackup(err)
	}
	return l.flush(ctx)
}

// afterRestore records follow-ups nudged before the backup as nudged (so
// they are not nudged again), wakes the dispatcher and marks feeds changed.
func (im *importer) afterRestore(ctx context.Context) error {
	if err := im.s.Followups.Restored(ctx, im.userID, im.wakes); err != nil {
		return err
	}
	if im.res.Restored["companies"] == 0 { // a backup from before companies: link its contacts now
		before, err := im.companies(ctx)
		if err != nil {
			return err
		}
		if _, err := im.s.LinkUserCompanies(ctx, im.userID); err != nil {
			// The companies it made go with the rest (removeWritten): the
			// user's that were not there before. Read without ctx, which
			// may be what ended.
			read, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
			defer cancel()
			after, lerr := im.companies(read)
			if lerr != nil {
				return errors.Join(err, lerr)
			}
			for id := range after {
				if !before[id] {
					im.wrote("companies", id)
				}
			}
			return err
		}
	}
	im.s.Touch(ctx, im.userID)
	return nil
}

// companies are the ids of the user's companies.
func (im *importer) companies(ctx context.Context) (map[string]bool, error) {
	ids := map[string]bool{}
	err := im.s.Companies.Store.CompanyArchive().Each(ctx, im.userID, func(c *companies.Company) error {
		ids[c.ID] = true
		return nil
	})
	return ids, err
}
