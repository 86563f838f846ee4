package codec

import (
	"crypto/sha1"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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
	// What else the contact's card holds, and the form of its fields, as
	// the address book serves them (kept in 3.0's form: see asVCard4).
	kept := decodeExtra(c.CardExtra)
	if version == "4.0" {
		kept = asVCard4(kept)
	}
	addExtra(card, kept)
	dress(card, kept, c)
	if !c.KnownSince.IsZero() {
		// In a file, read back by an import; not in the address book,
		// whose cards change only as their sync says.
		card.SetValue("X-RAPPORT-KNOWN-SINCE", c.KnownSince.UTC().Format(time.RFC3339))
	}
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

// vcard3Only are the properties vCard 4.0 dropped (RFC 6350 appendix A).
var vcard3Only = map[string]bool{"LABEL": true, "AGENT": true, "MAILER": true, "NAME": true, "CLASS": true, "SORT-STRING": true, "PROFILE": true}

// binaryMedia is the media type's first part of a property a 3.0 card
// may hold inline (ENCODING=b).
var binaryMedia = map[string]string{vcard.FieldPhoto: "image", vcard.FieldLogo: "image", vcard.FieldSound: "audio", vcard.FieldKey: "application"}

// asVCard4 is a decoded card extra — kept in the form a client sent it,
// mostly 3.0 — as vCard 4.0 writes it: 3.0's properties left out, a
// photo inline in base64 as a data: URI (a 4.0 reader takes ENCODING=b's
// value for a URI), TYPE=pref as PREF=1 and an email's TYPE=INTERNET
// left out.
func asVCard4(card vcard.Card) vcard.Card {
	out := vcard.Card{}
	for k, fs := range card {
		if vcard3Only[k] {
			continue
		}
		for _, f := range fs {
			out[k] = append(out[k], fieldAs4(k, f))
		}
	}
	return out
}

func fieldAs4(k string, f *vcard.Field) *vcard.Field {
	if d, ok := dataURI(k, f); ok {
		f = d
	}
	nf := &vcard.Field{Value: f.Value, Group: f.Group, Params: vcard.Params{}}
	var types []string
	pref := false
	for name, vs := range f.Params {
		switch strings.ToUpper(name) {
		case vcard.ParamType:
			for _, v := range vs {
				for _, t := range strings.Split(v, ",") {
					switch {
					case strings.EqualFold(t, "pref"):
						pref = true
					case strings.EqualFold(t, "INTERNET") && k == vcard.FieldEmail, t == "":
					default:
						types = append(types, t)
					}
				}
			}
		default:
			nf.Params[name] = vs
		}
	}
	if len(types) > 0 {
		nf.Params[vcard.ParamType] = types
	}
	if pref && nf.Params.Get(vcard.ParamPreferred) == "" {
		nf.Params.Set(vcard.ParamPreferred, "1")
	}
	return nf
}

// isInline says whether f's value is binary data in base64 (ENCODING=b,
// 3.0's form; BASE64 is 2.1's).
func isInline(f *vcard.Field) bool {
	for name, vs := range f.Params {
		if strings.EqualFold(name, "ENCODING") && len(vs) > 0 && (strings.EqualFold(vs[0], "b") || strings.EqualFold(vs[0], "BASE64")) {
			return true
		}
	}
	return false
}

// dataURI is f, a photo (logo, sound, key) inline in 3.0's form, as 4.0
// writes it: a data: URI of its type (PHOTO:data:image/jpeg;base64,…).
func dataURI(k string, f *vcard.Field) (*vcard.Field, bool) {
	media := binaryMedia[k]
	if media == "" || !isInline(f) {
		return nil, false
	}
	nf := &vcard.Field{Group: f.Group, Params: vcard.Params{}}
	subtype := "octet-stream"
	for name, vs := range f.Params {
		switch {
		case strings.EqualFold(name, vcard.ParamType) && len(vs) > 0:
			subtype = strings.ToLower(vs[0])
		case strings.EqualFold(name, "ENCODING"), strings.EqualFold(name, vcard.ParamValue):
		default:
			nf.Params[name] = vs
		}
	}
	nf.Value = "data:" + media + "/" + subtype + ";base64," + strings.Join(strings.Fields(f.Value), "")
	return nf, true
}

// inlined is f, a photo given as a base64 data: URI (4.0's form), as 3.0
// writes it inline: PHOTO;ENCODING=b;TYPE=JPEG:….
func inlined(k string, f *vcard.Field) (*vcard.Field, bool) {
	if binaryMedia[k] == "" || isInline(f) {
		return nil, false
	}
	rest, ok := strings.CutPrefix(f.Value, "data:")
	mediaType, data, ok2 := strings.Cut(rest, ";base64,")
	if !ok || !ok2 {
		return nil, false
	}
	nf := &vcard.Field{Group: f.Group, Value: data, Params: vcard.Params{"ENCODING": {"b"}}}
	if _, sub, ok := strings.Cut(mediaType, "/"); ok && sub != "" {
		nf.Params[vcard.ParamType] = []string{strings.ToUpper(sub)}
	}
	for name, vs := range f.Params {
		if !strings.EqualFold(name, vcard.ParamValue) && !strings.EqualFold(name, vcard.ParamType) {
			nf.Params[name] = vs
		}
	}
	return nf, true
}

// binaryFor writes the photos (logos, sounds, keys) of a decoded card
// extra in version's form, whichever a client sent them in: a phone on
// vCard 3.0 reads a photo a 4.0 client sent as a data: URI, and the
// other way round.
func binaryFor(card vcard.Card, version string) {
	convert := inlined
	if version == "4.0" {
		convert = dataURI
	}
	for k := range binaryMedia {
		for i, f := range card[k] {
			if nf, ok := convert(k, f); ok {
				card[k][i] = nf
			}
		}
	}
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
var CSVHeader = []string{"name", "email", "company", "title", "phone", "tags", "notes", "linkedin_url", "cadence_days", "known_since"}

// CSVRecord is c as a row of export.csv. Cells a spreadsheet would run as a
// formula get a leading quote (ReadCSV drops it again).
func CSVRecord(c *contacts.Contact) []string {
	cad := ""
	if c.CadenceDays > 0 {
		cad = strconv.Itoa(c.CadenceDays)
	}
	since := ""
	if !c.KnownSince.IsZero() {
		since = c.KnownSince.UTC().Format(time.RFC3339)
	}
	rec := []string{c.Name, strings.Join(c.Emails, "; "), c.Company, c.Title, strings.Join(c.Phones, "; "),
		strings.Join(c.Tags, "; "), c.Notes, c.LinkedInURL, cad, since}
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
