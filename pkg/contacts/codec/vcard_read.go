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

// ReadVCards reads vCards (3.0 or 4.0) one at a time and calls fn for each,
// with the line the card begins on. Only one card is in memory at a time.
//
// Folded lines are joined here, in linear time, before go-vcard sees the
// card: go-vcard joins continuation lines with += (quadratic: one NOTE folded
// into a million lines takes minutes). A line inside a card that is neither
// a continuation (leading space) nor a property (NAME:value) is a line break
// some exporters leave unfolded in a value: it is kept, as a new line of the
// property before it, rather than dropped. It stops when ctx is done.
func ReadVCards(ctx context.Context, r io.Reader, fn func(contacts.Row) error) error {
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
			return fn(contacts.Row{Line: start, Err: errors.New(broken)})
		}
		return fn(cardRow(start, card.Bytes()))
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
			if err := fn(contacts.Row{Line: line, Err: errors.New("text outside BEGIN:VCARD … END:VCARD")}); err != nil {
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
