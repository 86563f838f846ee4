package codec

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/emersion/go-vcard"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// maxLine bounds one line of an import (a vCard PHOTO may be long), and one
// unfolded vCard property.
const maxLine = 4 << 20

// ctxEvery is how many lines a reader reads between looks at its context.
const ctxEvery = 1024

// ReadVCards reads vCards (2.1, 3.0 or 4.0) one at a time and calls fn for
// each, with the line the card begins on. Only one card is in memory at a
// time.
//
// Folded lines are joined here, in linear time, before go-vcard sees the
// card: go-vcard joins continuation lines with += (quadratic: one NOTE folded
// into a million lines takes minutes). A line inside a card that is neither
// a continuation (leading space) nor a property (NAME:value) is a line break
// some exporters leave unfolded in a value: it is kept, as a new line of the
// property before it, rather than dropped. A 2.1 card's properties are
// written in 3.0 form first (legacyLine; its quoted-printable soft line
// breaks joined here). It stops when ctx is done.
func ReadVCards(ctx context.Context, r io.Reader, fn func(contacts.Row) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	v := &vcardReader{fn: fn}
	for sc.Scan() {
		v.line++
		if v.line%ctxEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := v.read(sc.Text()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return lineErr(err, r, v.line+1)
	}
	if err := v.endProp(); err != nil {
		return err
	}
	if v.inCard {
		return v.flush("the file ends inside a card (no END:VCARD)")
	}
	return nil
}

// vcardReader is ReadVCards' state: the card read so far and the property
// being unfolded.
type vcardReader struct {
	fn          func(contacts.Row) error
	card        bytes.Buffer
	prop        bytes.Buffer // the current property, unfolded
	qp          bool         // the current property is QUOTED-PRINTABLE
	line, start int
	inCard      bool
	tooLong     bool
}

// read takes one line of the file.
func (v *vcardReader) read(text string) error {
	switch {
	case v.qp && v.prop.Len() > 0 && v.prop.Bytes()[v.prop.Len()-1] == '=':
		// A quoted-printable soft line break: the value goes on.
		v.prop.Truncate(v.prop.Len() - 1)
		v.extend("", text)
		return nil
	case (strings.HasPrefix(text, " ") || strings.HasPrefix(text, "\t")) && v.prop.Len() > 0:
		v.extend("", text[1:])
		return nil
	case strings.TrimSpace(text) == "":
		return v.endProp()
	case v.prop.Len() > 0 && v.inCard && !isContentLine(text):
		v.extend(`\n`, text) // a value's line break written raw: keep it as one
		return nil
	}
	if err := v.endProp(); err != nil {
		return err
	}
	upper := strings.ToUpper(strings.TrimSpace(text))
	if upper == "BEGIN:VCARD" {
		if v.inCard {
			if err := v.flush("the card has no END:VCARD"); err != nil {
				return err
			}
		}
		v.start = v.line
	} else if !v.inCard {
		return v.fn(contacts.Row{Line: v.line, Err: errors.New("text outside BEGIN:VCARD … END:VCARD")})
	}
	head, _, _ := splitProperty(text)
	v.qp = containsFold(head, "QUOTED-PRINTABLE")
	v.prop.WriteString(text)
	return nil
}

// extend adds sep and text to the property being read, unless that makes
// it longer than maxLine (the card is then refused).
func (v *vcardReader) extend(sep, text string) {
	if v.prop.Len()+len(sep)+len(text) > maxLine {
		v.tooLong = true
		return
	}
	v.prop.WriteString(sep)
	v.prop.WriteString(text)
}

// endProp moves the unfolded property into the card and acts on BEGIN
// and END.
func (v *vcardReader) endProp() error {
	if v.prop.Len() == 0 {
		return nil
	}
	text := v.prop.String()
	v.prop.Reset()
	v.qp = false
	upper := strings.ToUpper(strings.TrimSpace(text))
	if upper == "BEGIN:VCARD" {
		v.inCard = true // read flushed an unended card
	}
	if !v.inCard {
		return nil
	}
	v.card.WriteString(legacyLine(text))
	v.card.WriteString("\r\n")
	if upper == "END:VCARD" {
		return v.flush("")
	}
	return nil
}

// flush hands the card read to fn, or broken as its error.
func (v *vcardReader) flush(broken string) error {
	defer v.card.Reset()
	defer func() { v.inCard, v.tooLong = false, false }()
	if v.tooLong {
		broken = fmt.Sprintf("a property of the card is longer than %d MiB", maxLine>>20)
	}
	if broken != "" {
		return v.fn(contacts.Row{Line: v.start, Err: errors.New(broken)})
	}
	return v.fn(cardRow(v.start, v.card.Bytes()))
}

// cardRow is the row of one card, unfolded, that begins on line: the
// contact and what else the card holds, or why it cannot be read.
func cardRow(line int, data []byte) contacts.Row {
	c, err := vcard.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return contacts.Row{Line: line, Err: fmt.Errorf("not a valid vCard: %v", err)}
	}
	in, err := inputFromCard(c)
	if err != nil {
		return contacts.Row{Line: line, Err: err}
	}
	return contacts.Row{Line: line, Input: in, CardExtra: CardExtra(c, in)}
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

// socialProfile is the property iOS and macOS keep a social network's
// profile in (X-SOCIALPROFILE;type=linkedin:https://…).
const socialProfile = "X-SOCIALPROFILE"

func inputFromCard(c vcard.Card) (contacts.Input, error) {
	var in contacts.Input
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
		if e = emailKey(e); e != "" {
			in.Emails = append(in.Emails, e)
		}
	}
	for _, p := range c.Values(vcard.FieldTelephone) {
		if p = phoneKey(p); p != "" {
			in.Phones = append(in.Phones, p)
		}
	}
	in.Company = companyKey(c.PreferredValue(vcard.FieldOrganization))
	in.Title = strings.TrimSpace(c.PreferredValue(vcard.FieldTitle))
	in.Notes = c.PreferredValue(vcard.FieldNote)
	in.Tags = c.Categories()
	if v := c.Value("X-RAPPORT-CADENCE-DAYS"); v != "" {
		in.CadenceDays, _ = strconv.Atoi(v)
	}
	in.KnownSince = strings.TrimSpace(c.Value("X-RAPPORT-KNOWN-SINCE")) // export.vcf's
	var urls []string
	urls = append(urls, c.Values(vcard.FieldURL)...)
	urls = append(urls, c.Values(socialProfile)...)
	for _, f := range c["IMPP"] {
		urls = append(urls, f.Value)
	}
	for _, u := range urls {
		u = strings.TrimSpace(u)
		if strings.HasPrefix(u, "x-apple:") {
			continue
		}
		if contacts.NormalizeLinkedIn(u) != "" {
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
