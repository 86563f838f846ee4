package codec

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// csvColumns maps header names (lowercase) to fields: Rapport's own, and
// those of the exports people bring — LinkedIn's Connections.csv, Google
// Contacts' "Google CSV" (Organization Name, Labels; numbered columns in
// numberedColumns), Outlook's CSV (E-mail 2 Address, Mobile Phone,
// Categories; its Title is a name's prefix, see headerOf) and CRMs'
// (HubSpot's Company Name and Mobile Phone Number, Salesforce's Account
// Name).
var csvColumns = map[string]string{
	"name": "name", "full name": "name", "display name": "name",
	"first name": "first", "given name": "first", "last name": "last", "family name": "last", "surname": "last",
	"middle name": "middle", "additional name": "middle",
	"email": "email", "email address": "email", "e-mail": "email", "e-mail address": "email", "emails": "email",
	"e-mail 2 address": "email", "e-mail 3 address": "email", "work email": "email", "personal email": "email", "other email": "email",
	"company": "company", "organization": "company", "organisation": "company", "organization name": "company",
	"company name": "company", "account name": "company", "employer": "company",
	"title": "title", "position": "title", "job title": "title", "organization title": "title", "role": "title",
	"phone": "phone", "phone number": "phone", "mobile": "phone", "phones": "phone", "telephone": "phone",
	"mobile phone": "phone", "business phone": "phone", "business phone 2": "phone", "home phone": "phone", "home phone 2": "phone",
	"primary phone": "phone", "other phone": "phone", "company main phone": "phone", "car phone": "phone",
	"mobile number": "phone", "mobile phone number": "phone", "work phone": "phone", "cell": "phone", "cell phone": "phone",
	"tags": "tags", "labels": "tags", "group membership": "tags", "categories": "tags",
	"notes": "notes", "note": "notes", "comments": "notes",
	"url": "url", "linkedin": "url", "linkedin url": "url", "linkedin_url": "url", "profile url": "url", "web page": "url",
	"website": "url", "linkedin profile": "url", "linkedin profile url": "url",
	"cadence_days": "cadence_days",
	// LinkedIn's date of the connection, and Rapport's own column.
	"connected on": "known_since", "known_since": "known_since", "known since": "known_since",
}

// numberedColumns are Google CSV's columns of one value among several
// ("E-mail 2 - Value", "Organization 1 - Name"): the part before the
// number and the part after it name the field.
var numberedColumns = map[[2]string]string{
	{"e-mail", "value"}: "email", {"phone", "value"}: "phone", {"website", "value"}: "url",
	{"organization", "name"}: "company", {"organization", "title"}: "title",
}

// columnField is the field a header cell names, or "".
func columnField(h string) string {
	if f, ok := csvColumns[h]; ok {
		return f
	}
	// "<what> <n> - <part>"
	what, rest, ok := strings.Cut(h, " ")
	n, part, ok2 := strings.Cut(rest, " - ")
	if !ok || !ok2 || strings.Trim(n, "0123456789") != "" || n == "" {
		return ""
	}
	return numberedColumns[[2]string{what, part}]
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
//
// The columns of Google's and Outlook's exports that Rapport has no field
// for — phones' and emails' labels, addresses, a birthday, a nickname,
// websites, a department — become the row's CardExtra, as a vCard's would
// (csv_card.go).
func ReadCSV(ctx context.Context, r io.Reader, fn func(contacts.Row) error) error {
	var plan cardPlan
	header := func(rec []string) map[int]string {
		cols := headerOf(rec)
		if cols != nil {
			plan = cardPlanOf(rec)
		}
		return cols
	}
	return ReadCSVRecords(ctx, r, CSVLayout{
		Header: header, OneLine: func(field string) bool { return field != "notes" && field != "tags" },
		NoHeader: "no header row found: want a row of column names such as name,email,company or First Name,Last Name,Email Address, separated by commas, semicolons or tabs",
	}, func(line int, rec []string, cols map[int]string, err error) error {
		if err != nil {
			return fn(contacts.Row{Line: line, Err: err})
		}
		in, err := inputFromRow(rec, cols)
		row := contacts.Row{Line: line, Input: in, Err: err}
		if err == nil && plan != nil {
			row.CardExtra = CardExtra(rowCard(rec, plan, in), in)
		}
		return fn(row)
	})
}

// CSVColumn is one column of a CSV's header row and the contact's field
// ReadCSV reads it into: "card" when it goes to the contact's card in the
// address book (a birthday, an address), "" when it reads nothing from it.
type CSVColumn struct{ Name, Field string }

// CSVColumns is the header row ReadCSV would find in r, each column with
// the field it becomes: what an import's preview shows, so that a column
// left out is seen before anything is written.
func CSVColumns(ctx context.Context, r io.Reader) ([]CSVColumn, error) {
	var out []CSVColumn
	errFound := errors.New("found")
	err := ReadCSVRecords(ctx, r, CSVLayout{
		Header: func(rec []string) map[int]string {
			cols := headerOf(rec)
			plan := cardPlanOf(rec)
			for i, name := range rec {
				if cols != nil && strings.TrimSpace(name) != "" {
					field := cols[i]
					if _, ok := plan[i]; ok && field == "" {
						field = "card"
					}
					out = append(out, CSVColumn{Name: strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")), Field: field})
				}
			}
			return cols
		},
		OneLine: func(string) bool { return false },
	}, func(int, []string, map[int]string, error) error { return errFound })
	if err != nil && !errors.Is(err, errFound) && out == nil {
		return nil, err
	}
	return out, nil
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
	cr := &csvRecords{ctx: ctx, r: r, sc: sc, layout: layout, fn: fn, comma: ',', parsers: map[rune]*recordParser{}}
	for {
		l, ok, err := cr.next()
		if err != nil {
			return err
		}
		if !ok {
			if len(cr.pending) == 0 || cr.cols == nil {
				break
			}
			// The file ends inside a quote: report the record and read
			// what it swallowed.
			if err := cr.broken("a quote opened on this line is never closed"); err != nil {
				return err
			}
			continue
		}
		if err := cr.line(l); err != nil {
			return err
		}
	}
	if cr.cols == nil {
		return apperr.InvalidField("body", "%s", layout.NoHeader)
	}
	return nil
}

// physLine is one line of the file and its number.
type physLine struct {
	n    int
	text string
}

// csvRecords is ReadCSVRecords at work: where it is in the file, the
// record still open, and the header once found.
type csvRecords struct {
	ctx    context.Context
	r      io.Reader
	sc     *bufio.Scanner
	layout CSVLayout
	fn     func(line int, rec []string, cols map[int]string, err error) error

	lineNo  int
	replay  []physLine // lines to read again after a broken record
	pending []physLine // the open record
	size    int
	inQuote bool
	comma   rune
	cols    map[int]string
	width   int // fields in the header
	// One csv.Reader per delimiter, fed one record at a time.
	parsers map[rune]*recordParser
}

// next returns the next line: one to read again, else the file's next.
func (cr *csvRecords) next() (physLine, bool, error) {
	if len(cr.replay) > 0 {
		l := cr.replay[0]
		cr.replay = cr.replay[1:]
		return l, true, nil
	}
	if !cr.sc.Scan() {
		if err := cr.sc.Err(); err != nil {
			return physLine{}, false, lineErr(err, cr.r, cr.lineNo+1)
		}
		return physLine{}, false, nil
	}
	cr.lineNo++
	if cr.lineNo%ctxEvery == 0 && cr.ctx.Err() != nil {
		return physLine{}, false, cr.ctx.Err()
	}
	return physLine{cr.lineNo, cr.sc.Text()}, true, nil
}

// broken reports the open record and queues its other lines again.
func (cr *csvRecords) broken(why string) error {
	first, last := cr.pending[0].n, cr.pending[len(cr.pending)-1].n
	cr.replay = append(append([]physLine(nil), cr.pending[1:]...), cr.replay...)
	cr.pending, cr.size, cr.inQuote = cr.pending[:0], 0, false
	return cr.fn(first, nil, nil, fmt.Errorf("%s (lines %d–%d); the row was not imported, the lines after it were", why, first, last))
}

func (cr *csvRecords) parse(text string, delim rune) ([]string, error) {
	p := cr.parsers[delim]
	if p == nil {
		p = newRecordParser(delim)
		cr.parsers[delim] = p
	}
	return p.parse(text)
}

// line adds l to the open record and, once its quotes are closed, reads
// the record: the header (or a preamble line before it), or a row.
func (cr *csvRecords) line(l physLine) error {
	if len(cr.pending) == 0 && strings.TrimSpace(l.text) == "" {
		return nil
	}
	cr.pending = append(cr.pending, l)
	cr.size += len(l.text) + 1
	cr.inQuote = quoteOpenAfter(l.text, cr.comma, cr.inQuote)
	if cr.inQuote {
		if len(cr.pending) > maxRecordLines || cr.size > maxRecordBytes {
			return cr.broken("a quote opened on this line is not closed within " + strconv.Itoa(maxRecordLines) + " lines")
		}
		return nil
	}
	text, start, multi := cr.pending[0].text, cr.pending[0].n, len(cr.pending) > 1
	if multi {
		texts := make([]string, len(cr.pending))
		for i, p := range cr.pending {
			texts[i] = p.text
		}
		text = strings.Join(texts, "\n")
	}
	if cr.cols == nil {
		// A preamble line (LinkedIn's notes), or the header itself.
		cr.pending, cr.size = cr.pending[:0], 0
		for _, d := range csvDelimiters {
			if rec, err := cr.parse(text, d); err == nil {
				if cr.cols = cr.layout.Header(rec); cr.cols != nil {
					cr.comma, cr.width = d, len(rec)
					break
				}
			}
		}
		return nil
	}
	return cr.row(text, start, multi)
}

// row reads one row that began on line start (over several lines if
// multi) and hands it to fn.
func (cr *csvRecords) row(text string, start int, multi bool) error {
	rec, err := cr.parse(text, cr.comma)
	if err == nil && multi && (len(rec) != cr.width || breakInOneLineField(rec, cr.cols, cr.layout.OneLine)) {
		// A field ran over a line end and the row came out the wrong
		// shape, or a name or email holds a line break: a stray quote
		// swallowed the rows below it.
		return cr.broken("a quote opened on this line runs over the next lines")
	}
	cr.pending, cr.size = cr.pending[:0], 0
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return err
		}
		return cr.fn(start, nil, nil, fmt.Errorf("malformed CSV: %v", pe.Err))
	}
	if blank(rec) {
		return nil
	}
	return cr.fn(start, rec, cr.cols, nil)
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

// HeaderName is a header cell as the CSV readers match it: without a
// byte-order mark, trimmed, lower-cased.
func HeaderName(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
}

// headerOf returns the column map if rec is a header row, else nil.
func headerOf(rec []string) map[int]string {
	cols := map[int]string{}
	has := map[string]bool{}
	prefix := -1 // Outlook's "Title" beside its "Job Title": a prefix (Dr.)
	for i, h := range rec {
		h = HeaderName(h)
		if f := columnField(h); f != "" {
			cols[i] = f
			has[f] = true
			has[h] = true
		}
		if h == "title" {
			prefix = i
		}
	}
	if prefix >= 0 && has["job title"] {
		delete(cols, prefix)
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

// splitList splits a cell of emails or phones on ";", "," or "|", and on
// " ::: " (Google CSV's separator of several values with one label).
func splitList(v string) []string {
	var out []string
	v = strings.ReplaceAll(v, ":::", ";")
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
	if strings.Contains(v, ":::") {
		return googleLabels(v)
	}
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

// googleLabels are the tags of Google CSV's Labels ("* myContacts :::
// Friends"): its own labels, without Google's ("* myContacts", "*
// starred").
func googleLabels(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ":::") {
		if p = strings.TrimSpace(p); p != "" && !strings.HasPrefix(p, "*") {
			out = append(out, p)
		}
	}
	return out
}

// firstOf sets *dst to v unless it holds a value already: of several
// columns of one field (Organization 1 - Name, Organization 2 - Name) the
// first with a value counts.
func firstOf(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// sinceLayouts are the forms of a date a "Connected On" or known_since
// cell comes in: LinkedIn's (06 Dec 2023), ISO's, and a spelled month's.
var sinceLayouts = []string{"02 Jan 2006", "2 Jan 2006", "2 January 2006", "Jan 2, 2006", "January 2, 2006", time.DateOnly}

// sinceOf is a cell of one of sinceLayouts as a date (2006-01-02), an RFC
// 3339 time as it is; anything else as it is too, which the contact's
// check refuses (an import keeps the row without it, and says so).
func sinceOf(v string) string {
	for _, l := range sinceLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return v
}

func inputFromRow(rec []string, cols map[int]string) (contacts.Input, error) {
	var in contacts.Input
	var first, middle, last string
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
			firstOf(&in.Name, v)
		case "first":
			firstOf(&first, v)
		case "middle":
			firstOf(&middle, v)
		case "last":
			firstOf(&last, v)
		case "email":
			in.Emails = append(in.Emails, splitList(v)...)
		case "company":
			firstOf(&in.Company, v)
		case "title":
			firstOf(&in.Title, v)
		case "phone":
			in.Phones = append(in.Phones, splitList(v)...)
		case "tags":
			in.Tags = append(in.Tags, splitTags(v)...)
		case "notes":
			firstOf(&in.Notes, v)
		case "url":
			if contacts.NormalizeLinkedIn(v) != "" {
				firstOf(&in.LinkedInURL, v)
			}
		case "known_since":
			firstOf(&in.KnownSince, sinceOf(v))
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
		in.Name = strings.Join(strings.Fields(first+" "+middle+" "+last), " ")
	}
	if in.Name == "" {
		in.Name = in.Company // a company's own entry, as an address book shows it
	}
	if in.Name == "" {
		return in, errors.New("the row has no name")
	}
	return in, nil
}
