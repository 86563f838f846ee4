package codec

import (
	"crypto/sha1"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// VCardUID is a contact's stable vCard UID: a name-based UUID of its id.
func VCardUID(id string) string {
	h := sha1.Sum([]byte("rapport-contact:" + id))
	h[6] = h[6]&0x0f | 0x50 // version 5
	h[8] = h[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// WriteVCard writes c as a vCard 4.0 (every text value escaped as RFC
// 6350 §3.4 says: third_party/go-vcard).
func WriteVCard(w io.Writer, c *contacts.Contact) error { return writeVCard(w, c, "4.0") }

// WriteVCard30 writes c as a vCard 3.0, the widest-read version (what the
// address book serves; phones' importers read 4.0 only in part): the card
// someone saves from a Rapport user's card page.
func WriteVCard30(w io.Writer, c *contacts.Contact) error { return writeVCard(w, c, "3.0") }

func writeVCard(w io.Writer, c *contacts.Contact, version string) error {
	card := baseCard(c, version, VCardUID(c.ID))
	addEmails(card, c.Emails, version)
	if c.Notes != "" {
		card.SetValue(vcard.FieldNote, c.Notes)
	}
	if len(c.Tags) > 0 {
		card.SetCategories(c.Tags)
	}
	return vcard.NewEncoder(w).Encode(card)
}

// baseCard is what every card of c holds, whatever the version: UID,
// FN, N, phones, ORG, TITLE, the LinkedIn URL, the cadence and REV. The
// encoder escapes every value, line breaks (CR, LF, CRLF) included.
func baseCard(c *contacts.Contact, version, uid string) vcard.Card {
	card := make(vcard.Card, 16) // room for every field a card holds (13)
	set := func(field, v string) { card.SetValue(field, v) }
	set(vcard.FieldVersion, version)
	set(vcard.FieldUID, uid)
	set(vcard.FieldFormattedName, c.Name)
	card.SetName(derivedName(c.Name))
	for _, p := range c.Phones {
		card.AddValue(vcard.FieldTelephone, p)
	}
	if c.Company != "" {
		set(vcard.FieldOrganization, vcard.JoinValue([]string{c.Company}, ';'))
	}
	if c.Title != "" {
		set(vcard.FieldTitle, c.Title)
	}
	if c.LinkedInURL != "" {
		set(vcard.FieldURL, c.LinkedInURL)
	}
	if c.CadenceDays > 0 {
		set("X-RAPPORT-CADENCE-DAYS", strconv.Itoa(c.CadenceDays))
	}
	card.SetRevision(c.UpdatedAt)
	return card
}

// addEmails adds emails to card, typed INTERNET in 3.0 (not a 4.0 type).
func addEmails(card vcard.Card, emails []string, version string) {
	for _, e := range emails {
		f := &vcard.Field{Value: e}
		if version == "3.0" {
			f.Params = vcard.Params{vcard.ParamType: {"INTERNET"}}
		}
		card.Add(vcard.FieldEmail, f)
	}
}

// derivedName is the N a card of a contact named name holds when the
// card's own is not kept: the last word the family name, the rest given.
func derivedName(name string) *vcard.Name {
	given, family := name, ""
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		given, family = name[:i], name[i+1:]
	}
	return &vcard.Name{FamilyName: family, GivenName: given}
}

// oneLineBreak turns CRLF and bare CR into LF, the one line break vCard
// encoders escape.
func oneLineBreak(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// CSVHeader is the header of export.csv, which ReadCSV reads back.
var CSVHeader = []string{"name", "email", "company", "title", "phone", "tags", "notes", "linkedin_url", "cadence_days"}

// CSVRecord is c as a row of export.csv. Cells a spreadsheet would run as a
// formula get a leading quote (ReadCSV drops it again).
func CSVRecord(c *contacts.Contact) []string {
	cad := ""
	if c.CadenceDays > 0 {
		cad = strconv.Itoa(c.CadenceDays)
	}
	rec := []string{c.Name, strings.Join(c.Emails, "; "), c.Company, c.Title, strings.Join(c.Phones, "; "),
		strings.Join(c.Tags, "; "), c.Notes, c.LinkedInURL, cad}
	for i, v := range rec {
		if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
			rec[i] = "'" + v
		}
	}
	return rec
}

// WriteCSV writes the header and a row for each contact that fn yields.
func WriteCSV(w io.Writer, each func(func(*contacts.Contact) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	if err := each(func(c *contacts.Contact) error { return cw.Write(CSVRecord(c)) }); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
