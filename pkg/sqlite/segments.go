package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A term is looked up in every segment of a full-text index, and the
// leveled merges (mergeAll) leave up to three segments a level: a store
// of 550,000 contacts kept six where one of 50,000 kept three, and a rare
// word took twice as long to find (issue 28). Once the leveled merges are
// done, the committer merges an index into one segment when its smaller
// segments together hold a tidyShare-th of its largest one's pages: the
// whole index is rewritten (mergeStepPages a step) once for each
// tidyShare-th it grows by, and what is added in between stays in a few
// small segments.
const tidyShare = 8

// fullTextIndexes are the full-text tables the committer merges.
var fullTextIndexes = []string{"contacts_fts", "search"}

// segmentsQuery reads an index's structure record: FTS5 keeps it in
// its %_data table under id 10 (FTS5_STRUCTURE_ROWID).
const segmentsQuery = `SELECT block FROM %s_data WHERE id = 10`

// structure is what the committer needs of an FTS5 structure record:
// each segment's leaf pages, and whether a merge is under way.
type structure struct {
	pages   []int
	merging bool
}

// errStructure is a structure record this reader does not understand;
// the index is then left as the leveled merges keep it.
var errStructure = errors.New("sqlite: unreadable full-text structure record")

// structureV2 marks the record layout FTS5 has written since SQLite
// 3.43 for an index with tombstones (contentless_delete), with five more
// numbers for each segment.
var structureV2 = []byte{0xff, 0x00, 0x00, 0x01}

// readStructure decodes an FTS5 structure record (fts5_index.c,
// fts5StructureDecode): a four-byte cookie, the V2 mark if present, the
// number of levels and of segments and a write counter, then for each
// level the number of segments under merge and its segments: an id and
// the first and last leaf page (and in V2 two origins and three counts).
func readStructure(rec []byte) (structure, error) {
	if len(rec) < 4 {
		return structure{}, errStructure
	}
	r := varintReader{buf: rec[4:]}
	v2 := bytes.HasPrefix(r.buf, structureV2)
	if v2 {
		r.buf = r.buf[4:]
	}
	levels, segs := r.next(), r.next()
	r.next() // the write counter
	// FTS5_MAX_SEGMENT bounds both; a count past it is not a record.
	if levels > 2000 || segs > 2000 {
		return structure{}, errStructure
	}
	s := structure{pages: make([]int, 0, segs)}
	for range levels {
		merge, n := r.next(), r.next()
		s.merging = s.merging || merge > 0
		for range n {
			r.next() // segment id
			first, last := r.next(), r.next()
			if v2 {
				r.skip(5)
			}
			if last < first || len(s.pages) == int(segs) {
				return structure{}, errStructure
			}
			s.pages = append(s.pages, int(last-first+1))
		}
	}
	if r.bad || len(s.pages) != int(segs) {
		return structure{}, errStructure
	}
	return s, nil
}

// untidy says whether the index should be merged into one segment: no
// merge is under way, it has two segments or more, and the smaller ones
// hold at least a tidyShare-th of the largest's pages.
func (s structure) untidy() bool {
	if s.merging || len(s.pages) < 2 {
		return false
	}
	largest, all := 0, 0
	for _, p := range s.pages {
		largest = max(largest, p)
		all += p
	}
	return (all-largest)*tidyShare >= largest
}

// varintReader reads SQLite's variable-length integers (big-endian,
// seven bits a byte, the ninth byte whole); past the end it reads zeros
// and sets bad.
type varintReader struct {
	buf []byte
	bad bool
}

// next reads one integer.
func (r *varintReader) next() uint64 {
	var v uint64
	for i := range 9 {
		if i == len(r.buf) {
			r.bad, r.buf = true, nil
			return 0
		}
		b := r.buf[i]
		if i == 8 {
			r.buf = r.buf[9:]
			return v<<8 | uint64(b)
		}
		v = v<<7 | uint64(b&0x7f)
		if b < 0x80 {
			r.buf = r.buf[i+1:]
			return v
		}
	}
	return v
}

// skip reads n integers.
func (r *varintReader) skip(n int) {
	for range n {
		r.next()
	}
}

// tidy starts merging each untidy index of tables into one segment, in tx: the
// 'merge' command with a negative page count moves every segment into
// one merge and runs its first step; the leveled merge steps (mergeAll)
// carry it on. It says whether it started one (a command that merged
// nothing is not a start, so the committer cannot loop on it).
func tidy(ctx context.Context, tx *sql.Tx, tables ...string) (started bool, err error) {
	for _, table := range tables {
		var rec []byte
		// table is one of fullTextIndexes (or a test's), never input.
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(segmentsQuery, table)).Scan(&rec); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			return started, err
		}
		if s, err := readStructure(rec); err != nil || !s.untidy() {
			continue
		}
		merged, err := merge(ctx, tx, table, -mergeStepPages)
		if err != nil {
			return started, err
		}
		started = started || merged
	}
	return started, nil
}
