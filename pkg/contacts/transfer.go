package contacts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Row is one contact read from an import file: its first line, and either
// the contact or why it cannot be read.
type Row struct {
	Line  int
	Input Input
	// CardExtra is what else a vCard held (Contact.CardExtra): a contact
	// the import creates keeps it, and so does one it merges into whose
	// card held nothing else (one that did keeps its own).
	CardExtra string
	Err       error
}

// ImportError reports one row that was not imported.
type ImportError struct {
	Line int `json:"line"`
	// Name is the row's name, shortened, when the row was read (left out
	// for a line that could not be): which person of the file it was.
	Name    string `json:"name,omitempty"`
	Message string `json:"message"`
}

// importErrorOf is r's ImportError saying msg.
func importErrorOf(r *Row, msg string) ImportError {
	e := ImportError{Line: r.Line, Message: msg}
	if r.Err == nil {
		e.Name = input.OneLine(r.Input.Name, RowNameLen)
	}
	return e
}

// RowNameLen is how many characters of a row's name an import's report
// quotes.
const RowNameLen = 80

// ImportResult counts what an import did.
type ImportResult struct {
	Created int           `json:"created"`
	Updated int           `json:"updated"`
	Skipped int           `json:"skipped"`
	Errors  []ImportError `json:"errors"`
	// ImportID names the import for DELETE /v1/imports/{id} (undo); ""
	// when it changed nothing.
	ImportID string `json:"import_id,omitempty"`

	// createdIDs are the contacts the import created; before the contacts
	// it merged into, as they were before it (the first time each), and
	// added what it added to each of them (Import.Added), in the same
	// order; seen is each contact it wrote, by its index in before (-1
	// for one it created).
	createdIDs []string
	before     []Contact
	added      []Addition
	seen       map[string]int
	// readded says a contact the record lists has been merged into again
	// since it was written (its Addition grew).
	readded bool
	// companies remembers the company of each company text and domains.
	companies map[string]string
	// record is the import's record as last written; planned the ids it
	// names that no chunk has taken yet (plan).
	record  *Import
	planned []string
}

// maxUndoMerged bounds the contacts an undoable import may have merged
// into (their earlier versions are kept in one record; MongoDB caps a
// document at 16 MB). A larger import answers no import_id.
const maxUndoMerged = 10_000

// maxReportedErrors bounds the errors listed (the counts stay exact).
const maxReportedErrors = 1000

// importChunk is how many rows are written together (a variable for
// tests, which import fewer). A chunk is a write transaction: each flushes
// new segments into both full-text indexes (FTS5 merges them later), so
// larger chunks write fewer of them; but every other write waits for the
// chunk in hand. At 1,000 an import of 50,000 took 6.4 s against 6.9 s at
// 500, and another user's writes meanwhile 53–75 ms at the median
// against 17–38 ms; at 2,000, 5.9 s and 160 ms (docs/performance.md).
var importChunk = 1000

// importPlanMax bounds how many ids an import's record names ahead of
// the contacts it has written (plan).
const importPlanMax = 10_000

// importResave is how long a running import goes at most without
// rewriting its record: well inside ImportStale, after which a record
// still running is shown as cut short.
const importResave = ImportStale / 4

// Import reads rows with read and stores them: a row whose email or
// LinkedIn URL one of the user's contacts has merges into that contact
// (emails, phones and tags are added; blank fields filled; nothing
// overwritten) instead of duplicating it. Bad rows are reported with their
// line and never stop the others. Rows are written in chunks, so memory
// stays bounded whatever the file's size.
//
// Its record is written before the first contact, and before each chunk
// with the ids that chunk will create (ids are made first), so an import
// cut short — a timeout, a kill -9 — leaves a record that lists what it
// wrote (state running, shown as interrupted once stale) and undoes it.
// kind names what was imported ("vcard" or "csv").
func (s *Service) Import(ctx context.Context, userID, kind string, read func(func(Row) error) error) (*ImportResult, error) {
	res := &ImportResult{Errors: []ImportError{}}
	started := record.Time(s.Now()) // no contact it creates is older
	res.record = &Import{ID: record.NewID(), UserID: userID, CreatedAt: started, StartedAt: &started, Kind: kind,
		State: ImportRunning, UpdatedAt: &started, Created: []string{}, Before: []Contact{}}
	if err := s.Store.CreateImport(ctx, res.record); err != nil {
		return nil, err
	}
	// The file is read and checked on a goroutine of its own while this
	// one writes the chunks it has read: reading 50,000 rows was a
	// tenth of the import, on a core the writer leaves idle. The reader
	// runs at most a chunk ahead (memory stays at three chunks). Each side
	// lists the rows it refused; they are merged by line at the end.
	var readFailed, writeFailed []ImportError
	failed := func(list *[]ImportError) func(*Row, string) {
		return func(r *Row, msg string) {
			if len(*list) < maxReportedErrors {
				*list = append(*list, importErrorOf(r, msg))
			}
		}
	}
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	chunks := make(chan []Row, 1)
	var readErr error
	go func() {
		defer close(chunks)
		returned := false
		defer func() {
			// A reader's panic is the import's error, not the server's;
			// a reader that ended its goroutine never said the file ended.
			if p := recover(); p != nil {
				readErr = fmt.Errorf("import: reading the file panicked: %v", p)
			} else if !returned {
				readErr = errors.New("import: reading the file stopped before its end")
			}
		}()
		readErr = readChunks(readCtx, read, failed(&readFailed), chunks)
		returned = true
	}()
	var err error
	for chunk := range chunks {
		if err == nil {
			if err = s.importChunk(ctx, userID, chunk, res, failed(&writeFailed)); err != nil {
				stopReading() // and drain what it sent
			}
		}
	}
	if err == nil {
		err = readErr
	}
	res.Errors = mergeFailures(readFailed, writeFailed)
	if res.Created+res.Updated > 0 {
		s.changed(context.WithoutCancel(ctx), userID)
		s.mutated(context.WithoutCancel(ctx), userID)
	}
	if err != nil {
		// What it wrote stays listed and undoable: the record says so.
		s.saveImport(context.WithoutCancel(ctx), res, ImportInterrupted)
		if ctx.Err() != nil {
			return nil, apperr.Wrap(apperr.Unavailable, err, "the import did not finish in time; what it wrote is listed in GET /v1/imports and can be undone")
		}
		return nil, err
	}
	if res.Created+res.Updated == 0 || len(res.before) > maxUndoMerged {
		// Nothing to undo, or more merged contacts than one record holds.
		if err := s.Store.DeleteImport(ctx, userID, res.record.ID); err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		return res, nil
	}
	if err := s.saveImport(ctx, res, ImportDone); err != nil {
		return nil, err
	}
	res.ImportID = res.record.ID
	return res, nil
}

// readChunks reads rows with read, reports the bad ones to fail (keeping
// what salvage can keep of a row), and sends the rest to chunks,
// importChunk rows at a time; it stops when ctx ends (the writer failed).
func readChunks(ctx context.Context, read func(func(Row) error) error, fail func(*Row, string), chunks chan<- []Row) error {
	chunk := make([]Row, 0, importChunk)
	send := func() error {
		select {
		case chunks <- chunk:
			chunk = make([]Row, 0, importChunk)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := read(func(r Row) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.Err != nil {
			fail(&r, r.Err.Error())
			return nil
		}
		if err := r.Input.Validate(""); err != nil {
			kept, dropped, ok := salvage(r.Input, err)
			if !ok {
				fail(&r, describe(err))
				return nil
			}
			for _, d := range dropped {
				fail(&r, "kept without "+d)
			}
			r.Input = kept
		}
		if err := CheckCardExtra(r.CardExtra); err != nil {
			fail(&r, "kept without the card's other properties: "+describe(err))
			r.CardExtra = ""
		}
		chunk = append(chunk, r)
		if len(chunk) >= importChunk {
			return send()
		}
		return nil
	})
	if err == nil && len(chunk) > 0 {
		err = send()
	}
	return err
}

// mergeFailures lists the rows the reading and the writing of an import
// refused, by line (a line's own messages in the order given), at most
// maxReportedErrors.
func mergeFailures(read, written []ImportError) []ImportError {
	out := append(append(make([]ImportError, 0, len(read)+len(written)), read...), written...)
	slices.SortStableFunc(out, func(a, b ImportError) int { return a.Line - b.Line })
	return out[:min(len(out), maxReportedErrors)]
}

// saveImport writes the import's record as it stands: what it created and
// the earlier versions of what it merged into, with its counts and state.
func (s *Service) saveImport(ctx context.Context, res *ImportResult, state string) error {
	rec := res.record
	now := record.Time(s.Now())
	rec.State, rec.UpdatedAt = state, &now
	rec.CreatedN, rec.UpdatedN = res.Created, res.Updated
	rec.Created = append([]string{}, res.createdIDs...)
	if state != ImportDone {
		// What it may have made: the ids it names, those it planned too.
		rec.Created = append(rec.Created, res.planned...)
		rec.CreatedN = len(rec.Created)
	}
	rec.Before = res.before
	if len(rec.Before) > maxUndoMerged {
		rec.Before = rec.Before[:maxUndoMerged]
	}
	if rec.Before == nil {
		rec.Before = []Contact{}
	}
	rec.Added = res.added[:min(len(res.added), maxUndoMerged)]
	res.readded = false
	return s.Store.UpdateImport(ctx, rec)
}

// ImportInfo is one import as GET /v1/imports lists it.
type ImportInfo struct {
	ID   string    `json:"id"`
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// Created counts the contacts it created (for one running or cut
	// short, the ones it was writing too: at most that many).
	Created  int        `json:"created"`
	Updated  int        `json:"updated"`
	UndoneAt *time.Time `json:"undone_at"`
	// State is running, done or interrupted (cut short: undo removes
	// what it wrote).
	State string `json:"state"`
}

// Imports lists the user's imports, newest first.
func (s *Service) Imports(ctx context.Context, userID string, limit int, cur *record.Cursor) (*record.Page[ImportInfo], error) {
	page, err := s.Store.Imports(ctx, userID, limit, cur)
	if err != nil {
		return nil, err
	}
	out := &record.Page[ImportInfo]{Items: make([]ImportInfo, len(page.Items)), NextCursor: page.NextCursor}
	now := s.Now()
	for i, im := range page.Items {
		out.Items[i] = ImportInfo{ID: im.ID, Kind: im.Kind, At: im.CreatedAt, Created: im.CreatedN, Updated: im.UpdatedN, UndoneAt: im.UndoneAt, State: im.StateAt(now)}
	}
	return out, nil
}

// StateAt is the import's state as of now: ImportRunning while it writes
// its record, ImportInterrupted once it has not for ImportStale (it was
// cut short: no import runs that long), else ImportDone.
func (im *Import) StateAt(now time.Time) string {
	switch {
	case im.State == "":
		return ImportDone
	case im.State == ImportRunning && (im.UpdatedAt == nil || now.Sub(*im.UpdatedAt) > ImportStale):
		return ImportInterrupted
	}
	return im.State
}

// salvage drops the values of in that err names when each can go without
// losing the contact — an email, a phone, a tag, the LinkedIn URL — and
// says which went; ok is false when something else is wrong (the name,
// say), or the rest still does not validate.
func salvage(in Input, err error) (kept Input, dropped []string, ok bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return in, nil, false
	}
	drop := map[string]map[int]bool{"emails": {}, "phones": {}, "tags": {}}
	for _, f := range ae.Fields {
		name, idx, indexed := strings.Cut(f.Field, "[")
		switch {
		case f.Field == "linkedin_url":
			in.LinkedInURL = ""
		case f.Field == "known_since":
			in.KnownSince = ""
		case indexed && drop[name] != nil:
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil {
				return in, nil, false
			}
			drop[name][i] = true
		default:
			return in, nil, false
		}
		dropped = append(dropped, f.Field+" ("+f.Message+")")
	}
	without := func(list []string, gone map[int]bool) []string {
		var out []string
		for i, v := range list {
			if !gone[i] {
				out = append(out, v)
			}
		}
		return out
	}
	in.Emails = without(in.Emails, drop["emails"])
	in.Phones = without(in.Phones, drop["phones"])
	in.Tags = without(in.Tags, drop["tags"])
	if in.Validate("") != nil {
		return in, nil, false
	}
	return in, dropped, true
}

// describe flattens a validation error into one line.
func describe(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return err.Error()
	}
	parts := make([]string, len(ae.Fields))
	for i, f := range ae.Fields {
		parts[i] = f.Field + " " + f.Message
	}
	return strings.Join(parts, "; ")
}

func (s *Service) importChunk(ctx context.Context, userID string, rows []Row, res *ImportResult, fail func(*Row, string)) error {
	now := record.Time(s.Now())
	cs := make([]*Contact, len(rows))
	if res.companies == nil {
		res.companies = map[string]string{}
	}
	memo := res.companies
	ids, err := s.plan(ctx, res, len(rows))
	if err != nil {
		return err
	}
	link := func(ctx context.Context, s *Service) error {
		for i, r := range rows {
			c := &Contact{ID: ids[i], UserID: userID, KnownSince: now, CreatedAt: now, UpdatedAt: now, CardExtra: r.CardExtra}
			r.Input.apply(c, "")
			c.KnownSince = earlier(c.KnownSince, now) // a "Connected On" ahead of the clock
			if err := s.Link(ctx, c, memo); err != nil {
				return err
			}
			cs[i] = c
		}
		return nil
	}
	// The companies a chunk makes commit together (one fsync, not one a
	// company); the contacts then go in as one write of their own.
	if err := s.together(ctx, link); err != nil {
		return err
	}
	held, err := s.Store.ImportContacts(ctx, cs)
	if err != nil {
		return err
	}
	res.planned = res.planned[len(cs):]
	res.Created += len(cs) - len(held)
	if res.seen == nil {
		res.seen = map[string]int{}
	}
	for i, c := range cs {
		if _, ok := held[i]; !ok {
			res.createdIDs = append(res.createdIDs, c.ID)
			res.seen[c.ID] = -1
		}
	}
	// A row whose email or LinkedIn URL a contact has (stored before, or
	// earlier in this chunk) merges into that contact, in file order,
	// mergeUnit merges to a unit of work.
	merging := make([]int, 0, len(held))
	for i := range rows {
		if _, ok := held[i]; ok {
			merging = append(merging, i)
		}
	}
	for len(merging) > 0 {
		unit := merging[:min(mergeUnit, len(merging))]
		merging = merging[len(unit):]
		merge := func(ctx context.Context, s *Service) error {
			for _, i := range unit {
				if err := s.mergeInto(ctx, userID, rows[i], held[i], res); err != nil {
					if apperr.KindOf(err) == apperr.Internal || apperr.KindOf(err) == apperr.Unavailable {
						return err
					}
					fail(&rows[i], describe(err))
				}
			}
			return nil
		}
		if err := s.together(ctx, merge); err != nil {
			return err
		}
	}
	return nil
}

// mergeUnit is how many rows of a chunk that merge into contacts commit
// together. One a commit, an import merging into 10,000 contacts took
// 16.5-18.9 s; 25, 5.7-6.0 s, with another user's writes meanwhile 9-10 ms
// at the median (2.8 ms before); 100, 5.7 s and 38 ms; all of a chunk's
// 1,000, 5.1 s and 378 ms (BenchmarkImportMerges, docs/performance.md).
const mergeUnit = 25

// plan returns the ids of the next n contacts the import writes (the
// chunk takes them off res.planned once written). The record names them
// before any is written: cut short after this, an undo finds them (ids
// it names that were never made, or held by another contact, are
// skipped). It names them ahead — as many as it has written, up to
// importPlanMax — so a large import rewrites its record a few times, not
// once a chunk: the record lists every id, and rewriting it each chunk
// wrote about 97 MB for an import of 50,000 contacts. It is rewritten
// sooner when the import has merged into more contacts (their earlier
// versions) or again into one it lists (what it added), or has not
// written it for importResave.
func (s *Service) plan(ctx context.Context, res *ImportResult, n int) ([]string, error) {
	rec := res.record // as last written (saveImport)
	save := min(len(res.before), maxUndoMerged) > len(rec.Before) || res.readded || s.Now().Sub(*rec.UpdatedAt) >= importResave
	if len(res.planned) < n {
		from := len(res.planned)
		ahead := max(n, min(len(res.createdIDs), importPlanMax))
		for len(res.planned) < ahead {
			res.planned = append(res.planned, record.NewID())
		}
		// Ids made in one millisecond differ in their random part only:
		// in order, the contacts still go in at the end of every index
		// keyed by id, as record.NewID means them to.
		slices.Sort(res.planned[from:])
		save = true
	}
	if save {
		if err := s.saveImport(ctx, res, ImportRunning); err != nil {
			return nil, err
		}
	}
	return res.planned[:n:n], nil
}

// mergeInto merges row r into the user's contact id: emails, phones and
// tags are added, blank fields filled, nothing overwritten — the card's
// extra (a birthday, an address) too: a contact whose card holds nothing
// else takes the row's.
func (s *Service) mergeInto(ctx context.Context, userID string, r Row, id string, res *ImportResult) error {
	old, err := s.Store.Contact(ctx, userID, id)
	if err != nil {
		return err
	}
	merged := inputOf(old)
	merged.absorb(r.Input)
	next := *old
	if err := merged.apply(&next, ""); err != nil {
		return err
	}
	if next.CardExtra == "" {
		next.CardExtra = r.CardExtra
	}
	filled := old.CardExtra == "" && next.CardExtra != ""
	if sameContact(old, &next) && !filled {
		res.Skipped++
		return nil
	}
	if err := s.relink(ctx, old, &next); err != nil {
		return err
	}
	next.UpdatedAt = record.Time(s.Now())
	if err := s.Store.UpdateContact(ctx, &next); err != nil {
		return err
	}
	i, ok := res.seen[old.ID]
	if !ok { // the first merge into a contact the import did not create
		i = len(res.before)
		res.seen[old.ID] = i
		res.before = append(res.before, *old)
		res.added = append(res.added, Addition{})
	}
	if i >= 0 {
		sum := res.added[i].ExtraSum
		if filled {
			sum = ExtraSum(next.CardExtra)
		}
		res.added[i] = Added(&res.before[i], &next)
		res.added[i].ExtraSum = sum
		res.readded = res.readded || i < len(res.record.Added)
	}
	res.Updated++
	return nil
}

// absorb adds in's emails, phones and tags to m (each once), fills
// m's blank company, title, LinkedIn URL, notes and cadence from in, and
// takes in's known_since if it is earlier; nothing else is overwritten.
func (m *Input) absorb(in Input) {
	m.Emails = union(m.Emails, in.Emails)
	m.Phones = union(m.Phones, in.Phones)
	m.Tags = union(m.Tags, in.Tags)
	for _, f := range []struct {
		dst *string
		src string
	}{{&m.Company, in.Company}, {&m.Title, in.Title}, {&m.LinkedInURL, in.LinkedInURL}, {&m.Notes, in.Notes}} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if m.CadenceDays == 0 { // X-RAPPORT-CADENCE-DAYS or a cadence_days column
		m.CadenceDays = in.CadenceDays
	}
	if t, ok := input.ParseTimeOrDate(in.KnownSince); ok {
		if cur, ok := input.ParseTimeOrDate(m.KnownSince); !ok || t.Before(cur) {
			m.KnownSince = in.KnownSince
		}
	}
}

// earlier is the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	seen := map[string]bool{}
	for _, x := range a {
		seen[strings.ToLower(x)] = true
	}
	for _, x := range b {
		if k := strings.ToLower(strings.TrimSpace(x)); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

func sameContact(a, b *Contact) bool {
	return strings.Join(a.Emails, "\n") == strings.Join(b.Emails, "\n") && strings.Join(a.Phones, "\n") == strings.Join(b.Phones, "\n") &&
		strings.Join(a.Tags, "\n") == strings.Join(b.Tags, "\n") && a.Company == b.Company && a.Title == b.Title &&
		a.LinkedInURL == b.LinkedInURL && a.Notes == b.Notes && a.CadenceDays == b.CadenceDays && a.KnownSince.Equal(b.KnownSince)
}
