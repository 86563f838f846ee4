package contacts_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// rowsOf reads n rows (lines 2 to n+1), each a contact of its own, counting
// in read how many it has handed over; row i is what at(i) makes of it.
func rowsOf(n int, read *atomic.Int64, at func(i int, r *contacts.Row)) func(func(contacts.Row) error) error {
	return func(fn func(contacts.Row) error) error {
		for i := range n {
			r := contacts.Row{Line: i + 2, Input: contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("row%d@example.com", i)}}}
			if at != nil {
				at(i, &r)
			}
			read.Add(1)
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// gatedStore is a real contacts store whose chunk writes wait for the
// reader: the first until the file has been read a chunk further than it
// (within wait), and each records how far the reader had got; the chunk
// numbered failAt fails as a store that went away.
type gatedStore struct {
	contacts.Store
	read    *atomic.Int64
	chunk   int
	wait    time.Duration
	failAt  int
	calls   int
	aheadOK bool
	readAt  []int64
}

func (g *gatedStore) ImportContacts(ctx context.Context, cs []*contacts.Contact) (map[int]string, error) {
	g.calls++
	if g.calls == 1 {
		deadline := time.Now().Add(g.wait)
		for g.read.Load() < int64(2*g.chunk) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		g.aheadOK = g.read.Load() >= int64(2*g.chunk)
	}
	g.readAt = append(g.readAt, g.read.Load())
	if g.calls == g.failAt {
		return nil, apperr.E(apperr.Unavailable, "the store went away")
	}
	return g.Store.ImportContacts(ctx, cs)
}

// TestImportReadsWhileWriting: an import reads the next chunk of its file
// while the one before is written (the writer is the store's single
// writer; reading is a tenth of a large import, on the other core), never
// more than a chunk ahead, and a chunk that fails to be written stops the
// reading: the import's error is the store's, and its record lists what
// went in, undoable.
func TestImportReadsWhileWriting(t *testing.T) {
	s, _ := newService(t)
	contacts.SetImportChunk(t, 10)
	var read atomic.Int64
	g := &gatedStore{Store: s.Store, read: &read, chunk: 10, wait: 10 * time.Second, failAt: 4}
	s.Store = g
	_, err := s.Import(t.Context(), "u1", "csv", rowsOf(1000, &read, nil))
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("import with a store that went away: %v", err)
	}
	if !g.aheadOK {
		t.Fatalf("the first chunk's write waited %v and the reader had read %d rows: it does not read while a chunk is written", g.wait, g.readAt[0])
	}
	// At chunk k the reader has handed over chunk k, may hold k+1 ready
	// and be filling k+2: at most (k+2) chunks read.
	for k, n := range g.readAt {
		if n > int64((k+3)*10) {
			t.Fatalf("the reader was %d rows in when chunk %d was written: more than a chunk ahead", n, k+1)
		}
	}
	if n := read.Load(); n > 7*10+1 {
		t.Fatalf("the reader read %d of 1,000 rows after the fourth chunk failed", n)
	}
	imports := must[[]contacts.ImportInfo](t)(listImports(t, s))
	if len(imports) != 1 || imports[0].State != contacts.ImportInterrupted || imports[0].Created < 30 {
		t.Fatalf("the cut-short import is listed as %+v, want interrupted with the 30 contacts written", imports)
	}
}

// listImports lists the user u1's imports.
func listImports(t *testing.T, s *contacts.Service) ([]contacts.ImportInfo, error) {
	t.Helper()
	page, err := s.Imports(t.Context(), "u1", 10, nil)
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// TestImportErrorsByLine: the rows an import refused are listed in the
// file's order whichever side refused them — reading (a row without a
// name) or writing (a merge that would pass a limit) — with a line's own
// messages in the order they were found.
func TestImportErrorsByLine(t *testing.T) {
	s, _ := newService(t)
	contacts.SetImportChunk(t, 3)
	phones := make([]string, 50) // the most a contact holds
	for i := range phones {
		phones[i] = fmt.Sprintf("+1 555 01%02d", i)
	}
	must[*contacts.Contact](t)(s.Create(t.Context(), "u1", contacts.Input{Name: "Full", Emails: []string{"full@example.com"}, Phones: phones}, contacts.CreateOpts{}))
	var read atomic.Int64
	res := must[*contacts.ImportResult](t)(s.Import(t.Context(), "u1", "csv", rowsOf(8, &read, func(i int, r *contacts.Row) {
		switch i {
		case 0, 5: // lines 2 and 7: a 51st phone for Full (refused when merged)
			r.Input = contacts.Input{Name: "Full", Emails: []string{"full@example.com"}, Phones: []string{fmt.Sprintf("+1 555 09%02d", i)}}
		case 1: // line 3: no name (refused when read)
			r.Input.Name = ""
		case 2: // line 4: unreadable
			r.Err = fmt.Errorf("a quote opened on this line is never closed")
		case 4: // line 6: two bad emails kept without them
			r.Input.Emails = []string{"not an email", "row4@example.com", "nor this"}
		case 6: // line 8: a card's other properties over 1 MiB, kept without them
			r.CardExtra = strings.Repeat("x", contacts.MaxCardExtra+1)
		case 7: // line 9: a birthday, kept
			r.CardExtra = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1990-04-02\r\nEND:VCARD\r\n"
		}
	})))
	var lines []string
	for _, e := range res.Errors {
		lines = append(lines, fmt.Sprintf("%d %q %s", e.Line, e.Name, strings.SplitN(e.Message, " ", 3)[:2]))
	}
	// Each with the row's name, but the line that has none and the one that
	// could not be read.
	want := []string{`2 "Full" [phones has]`, `3 "" [name is]`, `4 "" [a quote]`, `6 "Person 4" [kept without]`, `6 "Person 4" [kept without]`,
		`7 "Full" [phones has]`, `8 "Person 6" [kept without]`}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Fatalf("errors %v, want by line %v (all: %+v)", lines, want, res.Errors)
	}
	if res.Created != 4 || res.Updated != 0 {
		t.Fatalf("import %+v: want the four good rows created, nothing merged", res)
	}
	if !strings.Contains(res.Errors[3].Message, "emails[0]") || !strings.Contains(res.Errors[4].Message, "emails[2]") {
		t.Fatalf("line 6's messages out of their order: %+v", res.Errors[3:5])
	}
	for email, want := range map[string]string{"row6@example.com": "", "row7@example.com": "BDAY:1990-04-02"} {
		page := must[*record.Page[contacts.Contact]](t)(s.Store.Contacts(t.Context(), "u1", contacts.Filter{Q: email, Limit: 2}))
		if len(page.Items) != 1 || want == "" && page.Items[0].CardExtra != "" || !strings.Contains(page.Items[0].CardExtra, want) {
			t.Fatalf("the contact of %s: %+v, want its card's other properties %q", email, page.Items, want)
		}
	}
}

// TestImportReaderPanic: a reader that panics, or ends its goroutine,
// fails its import with an error (the server goes on; a file cut short is
// never taken for a whole one), and what went in before stays undoable.
func TestImportReaderPanic(t *testing.T) {
	for name, stop := range map[string]func(){"panic": func() { panic("a reader's bug") }, "Goexit": runtime.Goexit} {
		t.Run(name, func(t *testing.T) {
			s, _ := newService(t)
			contacts.SetImportChunk(t, 10)
			var read atomic.Int64
			_, err := s.Import(t.Context(), "u1", "csv", rowsOf(100, &read, func(i int, _ *contacts.Row) {
				if i == 25 {
					stop()
				}
			}))
			if err == nil || apperr.KindOf(err) != apperr.Internal {
				t.Fatalf("import whose reader stopped (%s): %v", name, err)
			}
			if name == "panic" && !strings.Contains(err.Error(), "a reader's bug") {
				t.Fatalf("import whose reader panicked: %v", err)
			}
			imports := must[[]contacts.ImportInfo](t)(listImports(t, s))
			if len(imports) != 1 || imports[0].State != contacts.ImportInterrupted || imports[0].Created < 20 {
				t.Fatalf("imports %+v, want the one cut short, with the 20 contacts written", imports)
			}
		})
	}
}

// TestImportStateAt: an import's state as the list shows it and undo
// checks it — running while it writes its record, interrupted once it has
// not for ImportStale, done when it finished (or was kept before states).
func TestImportStateAt(t *testing.T) {
	at := func(d time.Duration) *time.Time { x := clock.Add(d); return &x }
	for _, c := range []struct {
		state   string
		updated *time.Time
		want    string
	}{
		{"", nil, contacts.ImportDone},
		{contacts.ImportDone, at(-time.Hour), contacts.ImportDone},
		{contacts.ImportRunning, at(-time.Second), contacts.ImportRunning},
		{contacts.ImportRunning, at(-contacts.ImportStale), contacts.ImportRunning},
		{contacts.ImportRunning, at(-contacts.ImportStale - time.Second), contacts.ImportInterrupted},
		{contacts.ImportRunning, nil, contacts.ImportInterrupted},
		{contacts.ImportInterrupted, at(-time.Second), contacts.ImportInterrupted},
	} {
		im := &contacts.Import{State: c.state, UpdatedAt: c.updated}
		if got := im.StateAt(clock); got != c.want {
			t.Errorf("%q updated %v: %q, want %q", c.state, c.updated, got, c.want)
		}
	}
}

// recordWatch is a real contacts store with what an import writes
// watched: each record it saves, each chunk of contacts it stores, any
// contact stored before the last saved record names it, and how many
// earlier versions that record held when each chunk was stored. Each
// chunk stored moves the clock (now) on by tick: the writer's time, as the
// file is read on a goroutine of its own.
type recordWatch struct {
	contacts.Store
	saved   []contacts.Import
	chunks  int
	unnamed []string
	befores []int
	now     time.Time
	tick    time.Duration
}

func (w *recordWatch) UpdateImport(ctx context.Context, im *contacts.Import) error {
	w.saved = append(w.saved, *im)
	return w.Store.UpdateImport(ctx, im)
}

func (w *recordWatch) ImportContacts(ctx context.Context, cs []*contacts.Contact) (map[int]string, error) {
	w.chunks++
	named := map[string]bool{}
	if len(w.saved) > 0 {
		for _, id := range w.saved[len(w.saved)-1].Created {
			named[id] = true
		}
		w.befores = append(w.befores, len(w.saved[len(w.saved)-1].Before))
	}
	for _, c := range cs {
		if !named[c.ID] {
			w.unnamed = append(w.unnamed, c.ID)
		}
	}
	w.now = w.now.Add(w.tick)
	return w.Store.ImportContacts(ctx, cs)
}

// TestImportRecordNamesIDsAhead: every contact an import writes is named
// by the record saved before it (so one cut short anywhere is undone
// whole), yet the record is rewritten a few times, not once a chunk: it
// names ids ahead, as many as the import has written. It is rewritten
// each chunk again when chunks come importResave apart, and before a
// chunk that follows merges (with their earlier versions) even when it
// names the chunk's ids already; the finished record names exactly the
// contacts made.
func TestImportRecordNamesIDsAhead(t *testing.T) {
	s, _ := newService(t)
	// Chunks of 50 rows, not 500: the same chunks and plans at a tenth of
	// the rows (a real store under the race detector made it a minute).
	contacts.SetImportChunk(t, 50)
	w := &recordWatch{Store: s.Store, now: clock}
	s.Store = w
	s.Now = func() time.Time { return w.now }
	rows := func(n int, tick time.Duration) func(func(contacts.Row) error) error {
		w.tick = tick
		return func(fn func(contacts.Row) error) error {
			for i := range n {
				in := contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("p%d-%d@example.com", n, i)}}
				if err := fn(contacts.Row{Line: i + 2, Input: in}); err != nil {
					return err
				}
			}
			return nil
		}
	}
	res := must[*contacts.ImportResult](t)(s.Import(t.Context(), "u1", "csv", rows(600, time.Second)))
	if res.Created != 600 || w.chunks != 12 || len(w.unnamed) != 0 {
		t.Fatalf("import: %+v in %d chunks; %d contacts written before the record named them", res, w.chunks, len(w.unnamed))
	}
	// Saved before chunks 1, 2, 3, 5 and 9 (50, 50, 100, 200 and 400 ids
	// ahead), then done.
	if len(w.saved) != 6 {
		t.Fatalf("the record was saved %d times, want 6", len(w.saved))
	}
	final := w.saved[len(w.saved)-1]
	if final.State != contacts.ImportDone || len(final.Created) != 600 || final.CreatedN != 600 {
		t.Fatalf("the finished record: %s, %d ids, created %d", final.State, len(final.Created), final.CreatedN)
	}

	w.saved = nil
	must[*contacts.ImportResult](t)(s.Import(t.Context(), "u1", "csv", rows(200, contacts.ImportStale/4)))
	if len(w.saved) != 5 || len(w.unnamed) != 0 {
		t.Fatalf("chunks importResave apart saved the record %d times, want 5 (each chunk, then done)", len(w.saved))
	}

	// Chunks 1 and 2 new, 3 merging into the first import's contacts (a
	// title filled), 4 new: the plan made before chunk 3 names chunk 4's
	// ids too, yet the record is written again before chunk 4, with the
	// 50 earlier versions.
	w.befores = nil
	must[*contacts.ImportResult](t)(s.Import(t.Context(), "u1", "csv", func(fn func(contacts.Row) error) error {
		for i := range 200 {
			in := contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("merge-%d@example.com", i)}}
			if i >= 100 && i < 150 {
				in = contacts.Input{Name: "Someone", Title: "Engineer", Emails: []string{fmt.Sprintf("p600-%d@example.com", i)}}
			}
			if err := fn(contacts.Row{Line: i + 2, Input: in}); err != nil {
				return err
			}
		}
		return nil
	}))
	if fmt.Sprint(w.befores) != "[0 0 0 50]" || len(w.unnamed) != 0 {
		t.Fatalf("earlier versions in the record as each chunk was stored: %v, want [0 0 0 50]", w.befores)
	}
}
