package contacts

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Row is one contact read from an import file: its first line, and either
// the contact or why it cannot be read.
type Row struct {
	Line  int
	Input Input
	Err   error
}

// ImportError reports one row that was not imported.
type ImportError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

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
	// it merged into, as they were before it (the first time each).
	createdIDs []string
	before     []Contact
	seen       map[string]bool
	// companies remembers the company of each company text and domains.
	companies map[string]string
	// record is the import's record, written before each chunk.
	record *Import
}

// maxUndoMerged bounds the contacts an undoable import may have merged
// into (their earlier versions are kept in one record; MongoDB caps a
// document at 16 MB). A larger import answers no import_id.
const maxUndoMerged = 10_000

// maxReportedErrors bounds the errors listed (the counts stay exact).
const maxReportedErrors = 1000

// Decoded returns r as UTF-8 according to a Content-Type's charset and any
// byte-order mark: UTF-8 (default), UTF-16 (with BOM), ISO-8859-1 and
// Windows-1252. Another charset is Unsupported.
func Decoded(r io.Reader, contentType string) (io.Reader, error) {
	_, params, _ := mime.ParseMediaType(contentType)
	br := bufio.NewReaderSize(r, 64<<10)
	bom, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		return br, nil
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}), bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		return transform.NewReader(br, unicode.BOMOverride(unicode.UTF8.NewDecoder())), nil
	}
	switch cs := strings.ToLower(params["charset"]); cs {
	case "", "utf-8", "utf8", "us-ascii":
		return br, nil
	case "iso-8859-1", "latin1", "latin-1":
		return transform.NewReader(br, charmap.ISO8859_1.NewDecoder()), nil
	case "windows-1252", "cp1252":
		return transform.NewReader(br, charmap.Windows1252.NewDecoder()), nil
	case "utf-16", "utf-16le":
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), nil
	case "utf-16be":
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()), nil
	default:
		return nil, apperr.E(apperr.Unsupported, "charset %q is not supported; send UTF-8, UTF-16, ISO-8859-1 or Windows-1252", cs)
	}
}

// maxLine bounds one line of an import (a vCard PHOTO may be long), and one
// unfolded vCard property.
const maxLine = 4 << 20

// ctxEvery is how many lines a reader reads between looks at its context.
const ctxEvery = 1024

// ReadVCards reads vCards (3.0 or 4.0) one at a time and calls fn for each,
// with the line the card begins on. Only one card is in memory at a time.
//
// Folded lines are joined here, in linear time, before go-vcard sees the
// card: go-vcard joins continuation lines with += (quadratic: one NOTE folded
// into a million lines takes minutes). A line inside a card that is neither
// a continuation (leading space) nor a property (NAME:value) is a line break
// some exporters leave unfolded in a value: it is kept, as a new line of the
// property before it, rather than dropped. It stops when ctx is done.
func ReadVCards(ctx context.Context, r io.Reader, fn func(Row) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var card bytes.Buffer
	var prop strings.Builder // the current property, unfolded
	line, start := 0, 0
	inCard, tooLong := false, false
	flush := func(broken string) error {
		defer card.Reset()
		defer func() { inCard, tooLong = false, false }()
		if tooLong {
			broken = fmt.Sprintf("a property of the card is longer than %d MiB", maxLine>>20)
		}
		if broken != "" {
			return fn(Row{Line: start, Err: errors.New(broken)})
		}
		c, err := vcard.NewDecoder(bytes.NewReader(card.Bytes())).Decode()
		if err != nil {
			return fn(Row{Line: start, Err: fmt.Errorf("not a valid vCard: %v", err)})
		}
		in, err := inputFromCard(c)
		return fn(Row{Line: start, Input: in, Err: err})
	}
	// endProp moves the unfolded property into the card and acts on
	// BEGIN and END.
	endProp := func() error {
		if prop.Len() == 0 {
			return nil
		}
		text := prop.String()
		prop.Reset()
		upper := strings.ToUpper(strings.TrimSpace(text))
		if upper == "BEGIN:VCARD" {
			inCard = true // the loop below flushed an unended card
		}
		if !inCard {
			return nil
		}
		card.WriteString(text)
		card.WriteString("\r\n")
		if upper == "END:VCARD" {
			return flush("")
		}
		return nil
	}
	for sc.Scan() {
		line++
		if line%ctxEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		text := sc.Text()
		switch {
		case (strings.HasPrefix(text, " ") || strings.HasPrefix(text, "\t")) && prop.Len() > 0:
			if prop.Len()+len(text) > maxLine {
				tooLong = true
				continue
			}
			prop.WriteString(text[1:])
			continue
		case strings.TrimSpace(text) == "":
			if err := endProp(); err != nil {
				return err
			}
			continue
		case prop.Len() > 0 && inCard && !isContentLine(text):
			// A value's line break written raw: keep it as one.
			if prop.Len()+len(text) > maxLine {
				tooLong = true
				continue
			}
			prop.WriteString(`\n`)
			prop.WriteString(text)
			continue
		}
		if err := endProp(); err != nil {
			return err
		}
		upper := strings.ToUpper(strings.TrimSpace(text))
		if upper == "BEGIN:VCARD" {
			if inCard {
				if err := flush("the card has no END:VCARD"); err != nil {
					return err
				}
			}
			start = line
		} else if !inCard {
			if err := fn(Row{Line: line, Err: errors.New("text outside BEGIN:VCARD … END:VCARD")}); err != nil {
				return err
			}
			continue
		}
		prop.WriteString(text)
	}
	if err := sc.Err(); err != nil {
		return lineErr(err, r, line+1)
	}
	if err := endProp(); err != nil {
		return err
	}
	if inCard {
		return flush("the file ends inside a card (no END:VCARD)")
	}
	return nil
}

// lineErr turns a scanner's error at line n into the import's error: a
// line over maxLine is Invalid, unless the body is over its size limit
// (which the rest of r tells), which is the better answer.
func lineErr(err error, r io.Reader, n int) error {
	if !errors.Is(err, bufio.ErrTooLong) {
		return err
	}
	if _, rerr := io.Copy(io.Discard, r); apperr.KindOf(rerr) == apperr.TooLarge {
		return rerr
	}
	return apperr.E(apperr.Invalid, "line %d is longer than %d MiB", n, maxLine>>20)
}

// isContentLine reports whether s starts like a vCard property:
// [group.]NAME followed by ';' or ':' and a ':' somewhere.
func isContentLine(s string) bool {
	i := strings.IndexAny(s, ";:")
	if i <= 0 || !strings.Contains(s[i:], ":") {
		return false
	}
	for _, r := range s[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

func inputFromCard(c vcard.Card) (Input, error) {
	var in Input
	in.Name = strings.TrimSpace(c.PreferredValue(vcard.FieldFormattedName))
	if in.Name == "" {
		if n := c.Name(); n != nil {
			in.Name = strings.TrimSpace(strings.Join(strings.Fields(n.GivenName+" "+n.AdditionalName+" "+n.FamilyName), " "))
		}
	}
	if in.Name == "" {
		in.Name = strings.TrimSpace(c.PreferredValue(vcard.FieldOrganization))
	}
	for _, e := range c.Values(vcard.FieldEmail) {
		if e = strings.TrimSpace(strings.TrimPrefix(strings.ToLower(e), "mailto:")); e != "" {
			in.Emails = append(in.Emails, e)
		}
	}
	for _, p := range c.Values(vcard.FieldTelephone) {
		if p = strings.TrimSpace(strings.TrimPrefix(p, "tel:")); p != "" {
			in.Phones = append(in.Phones, p)
		}
	}
	org := c.PreferredValue(vcard.FieldOrganization)
	in.Company = strings.TrimSpace(vcard.SplitValue(org, ';')[0])
	in.Title = strings.TrimSpace(c.PreferredValue(vcard.FieldTitle))
	in.Notes = c.PreferredValue(vcard.FieldNote)
	in.Tags = c.Categories()
	if v := c.Value("X-RAPPORT-CADENCE-DAYS"); v != "" {
		in.CadenceDays, _ = strconv.Atoi(v)
	}
	var urls []string
	urls = append(urls, c.Values(vcard.FieldURL)...)
	urls = append(urls, c.Values("X-SOCIALPROFILE")...)
	for _, f := range c["IMPP"] {
		urls = append(urls, f.Value)
	}
	for _, u := range urls {
		u = strings.TrimSpace(u)
		if strings.HasPrefix(u, "x-apple:") {
			continue
		}
		if NormalizeLinkedIn(u) != "" {
			if !strings.Contains(u, "://") {
				u = "https://" + u
			}
			in.LinkedInURL = u
			break
		}
	}
	if in.Name == "" {
		return in, errors.New("the card has no name (FN, N or ORG)")
	}
	return in, nil
}

// csvColumns maps header names (lowercase) to fields.
var csvColumns = map[string]string{
	"name": "name", "full name": "name", "display name": "name",
	"first name": "first", "given name": "first", "last name": "last", "family name": "last", "surname": "last",
	"email": "email", "email address": "email", "e-mail": "email", "e-mail address": "email", "emails": "email",
	"company": "company", "organization": "company", "organisation": "company",
	"title": "title", "position": "title", "job title": "title",
	"phone": "phone", "phone number": "phone", "mobile": "phone", "phones": "phone",
	"tags": "tags", "notes": "notes", "note": "notes",
	"url": "url", "linkedin": "url", "linkedin url": "url", "linkedin_url": "url", "profile url": "url",
	"cadence_days": "cadence_days",
}

// Bounds on one CSV record that spans lines (a quoted field with line
// breaks, such as a note). A record still open past them has an unclosed
// quote: it is reported and the lines it swallowed are read again as rows.
const (
	maxRecordLines = 200
	maxRecordBytes = 256 << 10
)

// csvDelimiters are the separators ReadCSV recognises in the header row:
// commas, and the semicolons and tabs of European spreadsheet exports.
var csvDelimiters = []rune{',', ';', '\t'}

// ReadCSV reads a CSV with a header row (LinkedIn's Connections.csv, which
// starts with a few lines of notes, or name,email,company,title,phone,tags,notes)
// and calls fn for each row with its line number. The delimiter (comma,
// semicolon or tab) is the one that makes a header row.
//
// Record boundaries are found here, line by line, before encoding/csv
// splits a record into fields: a quote that is never closed would
// otherwise swallow the rest of the file into one field. Such a record is
// reported on the line it starts, and the lines after it are read again.
// It stops when ctx is done.
func ReadCSV(ctx context.Context, r io.Reader, fn func(Row) error) error {
	return ReadCSVRecords(ctx, r, CSVLayout{
		Header: headerOf, OneLine: func(field string) bool { return field != "notes" && field != "tags" },
		NoHeader: "no header row found: want a row of column names such as name,email,company or First Name,Last Name,Email Address, separated by commas, semicolons or tabs",
	}, func(line int, rec []string, cols map[int]string, err error) error {
		if err != nil {
			return fn(Row{Line: line, Err: err})
		}
		in, err := inputFromRow(rec, cols)
		return fn(Row{Line: line, Input: in, Err: err})
	})
}

// CSVLayout is what ReadCSVRecords needs to know of a kind of file.
type CSVLayout struct {
	// Header returns the fields a header row names (by column), or nil if
	// the row is not the header (a preamble line).
	Header func(rec []string) map[int]string
	// OneLine says whether a field never holds a line break: one that
	// does came from a stray quote that swallowed the rows below it.
	OneLine func(field string) bool
	// NoHeader is the error's text when no row is a header.
	NoHeader string
}

// ReadCSVRecords reads a CSV with a header row as ReadCSV does (the same
// delimiters, preamble lines, and broken records reported and read past)
// and calls fn with each record's first line and fields, with the header's
// fields by column — or with the line and why the record is unreadable.
func ReadCSVRecords(ctx context.Context, r io.Reader, layout CSVLayout, fn func(line int, rec []string, cols map[int]string, err error) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	type physLine struct {
		n    int
		text string
	}
	var (
		lineNo  int
		replay  []physLine // lines to read again after a broken record
		pending []physLine // the open record
		size    int
		inQuote bool
		comma   = ','
		cols    map[int]string
		width   int // fields in the header
	)
	next := func() (physLine, bool, error) {
		if len(replay) > 0 {
			l := replay[0]
			replay = replay[1:]
			return l, true, nil
		}
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return physLine{}, false, lineErr(err, r, lineNo+1)
			}
			return physLine{}, false, nil
		}
		lineNo++
		if lineNo%ctxEvery == 0 && ctx.Err() != nil {
			return physLine{}, false, ctx.Err()
		}
		return physLine{lineNo, sc.Text()}, true, nil
	}
	// broken reports the open record and queues its other lines again.
	broken := func(why string) error {
		first, last := pending[0].n, pending[len(pending)-1].n
		replay = append(append([]physLine(nil), pending[1:]...), replay...)
		pending, size, inQuote = pending[:0], 0, false
		return fn(first, nil, nil, fmt.Errorf("%s (lines %d–%d); the row was not imported, the lines after it were", why, first, last))
	}
	// One csv.Reader per delimiter, fed one record at a time.
	parsers := map[rune]*recordParser{}
	parse := func(text string, delim rune) ([]string, error) {
		p := parsers[delim]
		if p == nil {
			p = newRecordParser(delim)
			parsers[delim] = p
		}
		return p.parse(text)
	}
	for {
		l, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			if len(pending) == 0 || cols == nil {
				break
			}
			// The file ends inside a quote: report the record and read
			// what it swallowed.
			if err := broken("a quote opened on this line is never closed"); err != nil {
				return err
			}
			continue
		}
		if len(pending) == 0 && strings.TrimSpace(l.text) == "" {
			continue
		}
		pending = append(pending, l)
		size += len(l.text) + 1
		inQuote = quoteOpenAfter(l.text, comma, inQuote)
		if inQuote {
			if len(pending) > maxRecordLines || size > maxRecordBytes {
				if err := broken("a quote opened on this line is not closed within " + strconv.Itoa(maxRecordLines) + " lines"); err != nil {
					return err
				}
			}
			continue
		}
		text, start, multi := pending[0].text, pending[0].n, len(pending) > 1
		if multi {
			texts := make([]string, len(pending))
			for i, p := range pending {
				texts[i] = p.text
			}
			text = strings.Join(texts, "\n")
		}
		if cols == nil {
			// A preamble line (LinkedIn's notes), or the header itself.
			pending, size = pending[:0], 0
			for _, d := range csvDelimiters {
				if rec, err := parse(text, d); err == nil {
					if cols = layout.Header(rec); cols != nil {
						comma, width = d, len(rec)
						break
					}
				}
			}
			continue
		}
		rec, err := parse(text, comma)
		if err == nil && multi && (len(rec) != width || breakInOneLineField(rec, cols, layout.OneLine)) {
			// A field ran over a line end and the row came out the wrong
			// shape, or a name or email holds a line break: a stray quote
			// swallowed the rows below it.
			if err := broken("a quote opened on this line runs over the next lines"); err != nil {
				return err
			}
			continue
		}
		pending, size = pending[:0], 0
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			if err := fn(start, nil, nil, fmt.Errorf("malformed CSV: %v", pe.Err)); err != nil {
				return err
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if err := fn(start, rec, cols, nil); err != nil {
			return err
		}
	}
	if cols == nil {
		return apperr.InvalidField("body", "%s", layout.NoHeader)
	}
	return nil
}

// recordParser splits one CSV record at a time into fields with one
// encoding/csv Reader, reused: the reader reads the record, then EOF, and
// reads on from the source again when the next record is set.
type recordParser struct {
	src recordSource
	cr  *csv.Reader
}

func newRecordParser(delim rune) *recordParser {
	p := &recordParser{}
	p.cr = csv.NewReader(&p.src)
	p.cr.Comma, p.cr.FieldsPerRecord, p.cr.LazyQuotes = delim, -1, true
	return p
}

func (p *recordParser) parse(text string) ([]string, error) {
	p.src.s = text + "\n"
	rec, err := p.cr.Read()
	p.src.s = ""
	// Drain to EOF so the next record starts clean.
	for err == nil {
		if _, e := p.cr.Read(); e == io.EOF {
			break
		}
	}
	return rec, err
}

// recordSource serves one record, then io.EOF until it is given another.
type recordSource struct{ s string }

func (r *recordSource) Read(b []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(b, r.s)
	r.s = r.s[n:]
	return n, nil
}

// breakInOneLineField reports whether a field that never holds a line
// break (oneLine) has one.
func breakInOneLineField(rec []string, cols map[int]string, oneLine func(string) bool) bool {
	for i, v := range rec {
		if f, ok := cols[i]; ok && oneLine(f) && strings.ContainsAny(v, "\r\n") {
			return true
		}
	}
	return false
}

// quoteOpenAfter reports whether a CSV record is inside a quoted field at
// the end of line, given whether it was at its start. It follows
// encoding/csv's LazyQuotes reading: a quote opens a field only as the
// field's first character, "" is a quote inside it, and a quote closes it
// only before the delimiter or the line's end.
func quoteOpenAfter(line string, comma rune, inQuote bool) bool {
	fieldStart := !inQuote
	d := byte(comma)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if inQuote {
			if c == '"' {
				switch {
				case i+1 < len(line) && line[i+1] == '"':
					i++
				case i+1 == len(line) || line[i+1] == d:
					inQuote = false
				}
			}
			continue
		}
		switch {
		case c == d:
			fieldStart = true
		case fieldStart && c == '"':
			inQuote, fieldStart = true, false
		default:
			fieldStart = false
		}
	}
	return inQuote
}

// headerOf returns the column map if rec is a header row, else nil.
func headerOf(rec []string) map[int]string {
	cols := map[int]string{}
	has := map[string]bool{}
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := csvColumns[h]; ok {
			cols[i] = f
			has[f] = true
		}
	}
	if has["name"] || has["first"] || has["last"] {
		return cols
	}
	return nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// unformula undoes the quote export puts before cells a spreadsheet would
// run as formulas.
func unformula(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
		return v[1:]
	}
	return v
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitTags splits a tags cell on ";" (what export writes), or on "," when
// the cell has no ";" (what people type).
func splitTags(v string) []string {
	sep := ","
	if strings.Contains(v, ";") {
		sep = ";"
	}
	var out []string
	for _, p := range strings.Split(v, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func inputFromRow(rec []string, cols map[int]string) (Input, error) {
	var in Input
	var first, last string
	for i, v := range rec {
		f, ok := cols[i]
		if !ok {
			continue
		}
		v = unformula(strings.TrimSpace(v))
		if !utf8.ValidString(v) {
			return in, errors.New("the row is not valid UTF-8 (send the file as UTF-8, or name its charset in Content-Type)")
		}
		switch f {
		case "name":
			in.Name = v
		case "first":
			first = v
		case "last":
			last = v
		case "email":
			in.Emails = append(in.Emails, splitList(v)...)
		case "company":
			in.Company = v
		case "title":
			in.Title = v
		case "phone":
			in.Phones = append(in.Phones, splitList(v)...)
		case "tags":
			in.Tags = append(in.Tags, splitTags(v)...)
		case "notes":
			in.Notes = v
		case "url":
			if NormalizeLinkedIn(v) != "" {
				in.LinkedInURL = v
			}
		case "cadence_days":
			if v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					return in, errors.New("cadence_days: not a whole number")
				}
				in.CadenceDays = n
			}
		}
	}
	if in.Name == "" {
		in.Name = strings.TrimSpace(first + " " + last)
	}
	if in.Name == "" {
		return in, errors.New("the row has no name")
	}
	return in, nil
}

// importChunk is how many rows are written together.
const importChunk = 500

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
	var chunk []Row
	fail := func(line int, msg string) {
		if len(res.Errors) < maxReportedErrors {
			res.Errors = append(res.Errors, ImportError{Line: line, Message: msg})
		}
	}
	flush := func() error {
		err := s.importChunk(ctx, userID, chunk, res, fail)
		chunk = chunk[:0]
		return err
	}
	err := read(func(r Row) error {
		if r.Err != nil {
			fail(r.Line, r.Err.Error())
			return nil
		}
		if err := r.Input.Validate(""); err != nil {
			kept, dropped, ok := salvage(r.Input, err)
			if !ok {
				fail(r.Line, describe(err))
				return nil
			}
			for _, d := range dropped {
				fail(r.Line, "kept without "+d)
			}
			r.Input = kept
		}
		chunk = append(chunk, r)
		if len(chunk) >= importChunk {
			return flush()
		}
		return nil
	})
	if err == nil && len(chunk) > 0 {
		err = flush()
	}
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

// saveImport writes the import's record as it stands: what it created and
// the earlier versions of what it merged into, with its counts and state.
func (s *Service) saveImport(ctx context.Context, res *ImportResult, state string) error {
	rec := res.record
	now := record.Time(s.Now())
	rec.State, rec.UpdatedAt = state, &now
	rec.CreatedN, rec.UpdatedN = res.Created, res.Updated
	rec.Created = append([]string{}, res.createdIDs...)
	if state != ImportDone {
		rec.CreatedN = len(rec.Created) // what it may have made: the ids it names
	}
	rec.Before = res.before
	if len(rec.Before) > maxUndoMerged {
		rec.Before = rec.Before[:maxUndoMerged]
	}
	if rec.Before == nil {
		rec.Before = []Contact{}
	}
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
		state := im.State
		switch {
		case state == "":
			state = ImportDone
		case state == ImportRunning && (im.UpdatedAt == nil || now.Sub(*im.UpdatedAt) > ImportStale):
			state = ImportInterrupted
		}
		out.Items[i] = ImportInfo{ID: im.ID, Kind: im.Kind, At: im.CreatedAt, Created: im.CreatedN, Updated: im.UpdatedN, UndoneAt: im.UndoneAt, State: state}
	}
	return out, nil
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

func (s *Service) importChunk(ctx context.Context, userID string, rows []Row, res *ImportResult, fail func(int, string)) error {
	now := record.Time(s.Now())
	cs := make([]*Contact, len(rows))
	if res.companies == nil {
		res.companies = map[string]string{}
	}
	memo := res.companies
	link := func(ctx context.Context, s *Service) error {
		for i, r := range rows {
			c := &Contact{ID: record.NewID(), UserID: userID, CreatedAt: now, UpdatedAt: now}
			r.Input.apply(c, "")
			if err := s.link(ctx, c, memo); err != nil {
				return err
			}
			cs[i] = c
		}
		return nil
	}
	// The companies a chunk makes commit together (one fsync, not one a
	// company); the contacts then go in as one write of their own.
	var err error
	if s.Together != nil {
		err = s.Together(ctx, link)
	} else {
		err = link(ctx, s)
	}
	if err != nil {
		return err
	}
	// The record names this chunk's ids before they are written: cut short
	// after this, an undo finds them (ids it names that were never made, or
	// held by another contact, are skipped).
	if res.record != nil {
		planned := make([]string, len(cs))
		for i, c := range cs {
			planned[i] = c.ID
		}
		ids := res.createdIDs
		res.createdIDs = append(append([]string{}, ids...), planned...)
		err := s.saveImport(ctx, res, ImportRunning)
		res.createdIDs = ids
		if err != nil {
			return err
		}
	}
	held, err := s.Store.ImportContacts(ctx, cs)
	if err != nil {
		return err
	}
	res.Created += len(cs) - len(held)
	if res.seen == nil {
		res.seen = map[string]bool{}
	}
	for i, c := range cs {
		if _, ok := held[i]; !ok {
			res.createdIDs = append(res.createdIDs, c.ID)
			res.seen[c.ID] = true
		}
	}
	// A row whose email or LinkedIn URL a contact has (stored before, or
	// earlier in this chunk) merges into that contact, in file order.
	for i, r := range rows {
		holder, ok := held[i]
		if !ok {
			continue
		}
		if err := s.mergeInto(ctx, userID, r.Input, holder, res); err != nil {
			if apperr.KindOf(err) == apperr.Internal || apperr.KindOf(err) == apperr.Unavailable {
				return err
			}
			fail(r.Line, describe(err))
		}
	}
	return nil
}

// mergeInto merges in into the user's contact id: emails, phones and tags
// are added, blank fields filled, nothing overwritten.
func (s *Service) mergeInto(ctx context.Context, userID string, in Input, id string, res *ImportResult) error {
	old, err := s.Get(ctx, userID, id)
	if err != nil {
		return err
	}
	merged := inputOf(old)
	merged.absorb(in)
	next := *old
	if err := merged.apply(&next, ""); err != nil {
		return err
	}
	if sameContact(old, &next) {
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
	if !res.seen[old.ID] { // the first merge into a contact the import did not create
		res.seen[old.ID] = true
		res.before = append(res.before, *old)
	}
	res.Updated++
	return nil
}

// absorb adds in's emails, phones and tags to m (each once) and fills
// m's blank company, title, LinkedIn URL, notes and cadence from in;
// nothing is overwritten.
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
		a.LinkedInURL == b.LinkedInURL && a.Notes == b.Notes && a.CadenceDays == b.CadenceDays
}
