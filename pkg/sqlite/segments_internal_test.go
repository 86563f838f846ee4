package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestReadStructure: the structure records SQLite writes, in both
// layouts, read as the segments its %_idx table holds; every shorter
// prefix of one is refused, never misread.
func TestReadStructure(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	conn, err := db.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range []struct{ name, options string }{
		{"v1", ""},
		// contentless_delete keeps tombstones, which FTS5 counts in the V2
		// layout.
		{"v2", ", content = '', contentless_delete = 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			table := "probe_" + c.name // a constant of this test
			if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE `+table+` USING fts5(words`+c.options+`)`); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, `INSERT INTO `+table+`(`+table+`, rank) VALUES ('automerge', 0)`); err != nil {
				t.Fatal(err)
			}
			for i := range 7 { // a transaction, and a segment, each
				if _, err := conn.ExecContext(ctx, `INSERT INTO `+table+`(rowid, words) VALUES (?, ?)`, i+1,
					fmt.Sprintf("word%d shared %d", i, i*i)); err != nil {
					t.Fatal(err)
				}
			}
			if c.name == "v2" {
				if _, err := conn.ExecContext(ctx, `DELETE FROM `+table+` WHERE rowid = 3`); err != nil {
					t.Fatal(err)
				}
			}
			var rec []byte
			var idx int
			if err := conn.QueryRowContext(ctx, fmt.Sprintf(segmentsQuery, table)).Scan(&rec); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, `SELECT count(DISTINCT segid) FROM `+table+`_idx`).Scan(&idx); err != nil {
				t.Fatal(err)
			}
			if v2 := len(rec) > 8 && string(rec[4:8]) == string(structureV2); v2 != (c.name == "v2") {
				t.Fatalf("the record's layout: V2 %v, want %s", v2, c.name)
			}
			s, err := readStructure(rec)
			if err != nil || len(s.pages) != idx || idx != 7 || s.merging {
				t.Fatalf("read %+v, %v; the index holds %d segments", s, err, idx)
			}
			for _, p := range s.pages {
				if p != 1 {
					t.Fatalf("pages %v: a row's segment is one leaf page", s.pages)
				}
			}
			for n := range len(rec) {
				if _, err := readStructure(rec[:n]); !errors.Is(err, errStructure) {
					t.Fatalf("the first %d of %d bytes: %v", n, len(rec), err)
				}
			}
		})
	}
}

// TestUntidy: an index is merged into one segment when its smaller
// segments hold an eighth of its largest one, and not while a merge is
// under way.
func TestUntidy(t *testing.T) {
	for _, c := range []struct {
		s    structure
		want bool
	}{
		{structure{}, false},
		{structure{pages: []int{500}}, false},
		{structure{pages: []int{100, 13}}, true},
		{structure{pages: []int{100, 12}}, false},
		{structure{pages: []int{3, 100, 5, 4}}, false},
		{structure{pages: []int{3, 100, 6, 4}}, true},
		{structure{pages: []int{1, 1}}, true},
		{structure{pages: []int{1, 1}, merging: true}, false},
	} {
		if got := c.s.untidy(); got != c.want {
			t.Errorf("%+v: untidy %v, want %v", c.s, got, c.want)
		}
	}
}

// TestTidyStartsOnce: tidy starts a merge of an untidy index, the merge
// steps that follow finish it into one segment, and then tidy starts
// none. The index is the test's own, which the committer does not merge.
func TestTidyStartsOnce(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	step := func(f func(context.Context, *sql.Tx) (bool, error)) bool {
		var worked bool
		if err := db.Update(ctx, func(tx *Tx) (err error) { worked, err = f(ctx, tx.tx.Tx); return err }); err != nil {
			t.Fatal(err)
		}
		return worked
	}
	exec := func(q string, args ...any) {
		if err := db.Update(ctx, func(tx *Tx) error { _, err := tx.tx.ExecContext(ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE VIRTUAL TABLE probe USING fts5(words)`)
	exec(`INSERT INTO probe(probe, rank) VALUES ('automerge', 0)`)
	for i := range 3 { // a transaction, and a segment, each
		exec(`INSERT INTO probe(rowid, words) VALUES (?, ?)`, i+1, fmt.Sprintf("word%d shared", i))
	}
	tidyProbe := func(ctx context.Context, tx *sql.Tx) (bool, error) { return tidy(ctx, tx, "probe") }
	leveled := func(ctx context.Context, tx *sql.Tx) (bool, error) { return merge(ctx, tx, "probe", mergeStepPages) }
	if step(leveled) {
		t.Fatal("a leveled merge step merged three segments of a level (it waits for usermerge, 4)")
	}
	if n := segments(t, db, "probe"); n != 3 {
		t.Fatalf("%d segments before tidy, want 3", n)
	}
	if !step(tidyProbe) {
		t.Fatal("tidy started no merge of three alike segments")
	}
	for step(leveled) {
	}
	if n := segments(t, db, "probe"); n != 1 {
		t.Fatalf("%d segments once the merge steps ran out of work, want 1", n)
	}
	if step(tidyProbe) {
		t.Fatal("tidy started a merge of one segment")
	}
	var hits int
	if err := db.read.QueryRow(`SELECT count(*) FROM probe WHERE probe MATCH 'shared'`).Scan(&hits); err != nil || hits != 3 {
		t.Fatalf("shared: %d rows, %v", hits, err)
	}
}

// BenchmarkTidy: what merging the full-text indexes into one segment
// costs the writer, on a store of 50,000 contacts imported in fifty
// chunks: the leveled merges first, then the tidy, each a step
// (mergeStepPages) a transaction as the committer runs them. It reports
// both times, the indexes' pages and the longest step, which is what a
// write arriving meanwhile waits at most.
// go test ./pkg/sqlite -run '^$' -bench Tidy -benchtime 1x
func BenchmarkTidy(b *testing.B) {
	ctx := context.Background()
	now := record.Time(time.Now())
	for b.Loop() {
		b.StopTimer()
		db, err := Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		s := &Contacts{DB: db}
		for chunk := range 50 {
			cs := make([]*contacts.Contact, 1000)
			for i := range cs {
				k := chunk*1000 + i
				cs[i] = &contacts.Contact{ID: record.NewID(), UserID: "u1", Name: fmt.Sprintf("Person %d", k),
					Emails: []string{fmt.Sprintf("p%d@example.com", k)}, Company: fmt.Sprintf("Company %d", k%500),
					Notes: fmt.Sprintf("met at meetup %d about golang", k%700), CreatedAt: now, UpdatedAt: now}
			}
			if _, err := s.ImportContacts(ctx, cs); err != nil {
				b.Fatal(err)
			}
		}
		// An import's search words are written after it answers: write
		// them, as the committer would once writes pause.
		if err := db.settleSearch(ctx, "u1"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var longest time.Duration
		steps := func(f func(context.Context, *sql.Tx) (bool, error)) time.Duration {
			start := time.Now()
			for worked := true; worked; {
				t := time.Now()
				if err := db.Update(ctx, func(tx *Tx) (err error) { worked, err = f(ctx, tx.tx.Tx); return err }); err != nil {
					b.Fatal(err)
				}
				longest = max(longest, time.Since(t))
			}
			return time.Since(start)
		}
		leveled := steps(mergeAll)
		tidied := steps(func(ctx context.Context, tx *sql.Tx) (bool, error) {
			if worked, err := mergeAll(ctx, tx); err != nil || worked {
				return worked, err
			}
			return tidy(ctx, tx, fullTextIndexes...)
		})
		b.StopTimer()
		pages := 0
		for _, table := range fullTextIndexes {
			var rec []byte
			if err := db.read.QueryRowContext(ctx, fmt.Sprintf(segmentsQuery, table)).Scan(&rec); err != nil {
				b.Fatal(err)
			}
			st, err := readStructure(rec)
			if err != nil || len(st.pages) != 1 {
				b.Fatalf("%s after the tidy: %+v, %v", table, st, err)
			}
			pages += st.pages[0]
		}
		b.ReportMetric(float64(leveled.Milliseconds()), "leveled-ms")
		b.ReportMetric(float64(tidied.Milliseconds()), "tidy-ms")
		b.ReportMetric(float64(pages), "pages")
		b.ReportMetric(float64(longest.Microseconds())/1000, "longest-step-ms")
		db.Close()
		b.StartTimer()
	}
}
