package codec

import (
	"bytes"
	"slices"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
)

// HowWeMetMarker starts the part of a synced card's NOTE that Rapport
// writes ("How we met"); whatever follows it in a card sent back is
// Rapport's, never the user's notes.
const HowWeMetMarker = "-- How we met (written by Rapport; changes below this line are not kept) --"

// howWeMetStart is how much of the marker a card sent back must keep for
// the section to be recognised: a client may re-wrap or re-punctuate the
// rest of the line.
const howWeMetStart = "-- How we met (written by Rapport"

// Card is c as the vCard an address book syncs (CardDAV): UID is the
// one the client that made the card gave it, else the contact id; NOTE the user's notes followed by howWeMet (the generated
// section, if any), CATEGORIES the tags. Line breaks in values become LF;
// the encoder escapes every value.
//
// version is "3.0" or "4.0" (what a client asked for; the fields are the
// same).
func Card(c *contacts.Contact, howWeMet, version string) vcard.Card {
	card := baseCard(c, version, c.ServedUID())
	addEmails(card, c.Emails, version)
	note := strings.TrimRight(oneLineBreak(c.Notes), "\n ")
	if howWeMet != "" {
		if note != "" {
			note += "\n\n"
		}
		note += HowWeMetMarker + "\n" + oneLineBreak(howWeMet)
	}
	if note != "" {
		card.SetValue(vcard.FieldNote, note)
	}
	if len(c.Tags) > 0 {
		card.SetCategories(c.Tags)
	}
	kept := decodeExtra(c.CardExtra)
	binaryFor(kept, version)
	addExtra(card, kept)
	dress(card, kept, c)
	return card
}

// cardFields are the properties a card's contact holds (or Rapport
// writes): every other property of a card sent is its extra.
var cardFields = map[string]bool{vcard.FieldVersion: true, vcard.FieldUID: true, vcard.FieldFormattedName: true, vcard.FieldName: true,
	vcard.FieldTelephone: true, vcard.FieldEmail: true, vcard.FieldOrganization: true, vcard.FieldTitle: true, vcard.FieldNote: true,
	vcard.FieldCategories: true, vcard.FieldRevision: true, vcard.FieldProductID: true}

// extraVersion is the VERSION of the vCard CardExtra is kept as: only a
// container, its properties are served as they came.
const extraVersion = "3.0"

// formKeys are the contact's properties whose form as a client sent it a
// card's extra keeps — a phone's or an email's TYPE label, the group that
// ties one to an app's own label (item1.X-ABLabel), an ORG's units after
// the company — each with the key of a value as the contact holds it:
// Card serves a value in its kept form while the contact still has it.
var formKeys = map[string]func(string) string{vcard.FieldTelephone: phoneKey, vcard.FieldEmail: emailKey, vcard.FieldOrganization: companyKey}

func phoneKey(v string) string { return strings.TrimSpace(strings.TrimPrefix(v, "tel:")) }

func emailKey(v string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.ToLower(v), "mailto:"))
}

func companyKey(v string) string { return strings.TrimSpace(vcard.SplitValue(v, ';')[0]) }

// plainForm says whether f is in the form Card writes property k in
// anyway (no group, no parameter but an email's TYPE=INTERNET, an ORG of
// the company alone), which the extra need not keep.
func plainForm(k string, f *vcard.Field) bool {
	if f.Group != "" || k == vcard.FieldOrganization && strings.Contains(f.Value, ";") {
		return false
	}
	for p, vs := range f.Params {
		if k != vcard.FieldEmail || !strings.EqualFold(p, vcard.ParamType) || len(vs) != 1 || !strings.EqualFold(vs[0], "INTERNET") {
			return false
		}
	}
	return true
}

// keptName is card's N when Card would not write it so for the contact
// named name (a family name of several words, "de la Cruz"; a prefix; a
// parameter), with the name it goes with as FN; nil when it would.
func keptName(card vcard.Card, name string) vcard.Card {
	n := card.Get(vcard.FieldName)
	if n == nil {
		return nil
	}
	if d := derivedName(name); n.Group == "" && len(n.Params) == 0 && slices.Equal(nameParts(n.Value), []string{d.FamilyName, d.GivenName, "", "", ""}) {
		return nil
	}
	if n.Group != "" && !propertyName(n.Group) {
		n = &vcard.Field{Value: n.Value, Params: n.Params}
	}
	return vcard.Card{vcard.FieldName: {kept(n)}, vcard.FieldFormattedName: {{Value: name}}}
}

// nameParts are an N value's five parts, missing ones empty.
func nameParts(v string) []string {
	parts := vcard.SplitValue(v, ';')
	for len(parts) < 5 {
		parts = append(parts, "")
	}
	return parts[:5]
}

// CardExtra is what card holds beyond in, the contact read from it
// (InputFromCard): every property but those the contact's fields are
// read from, Rapport's own (X-RAPPORT-…) and the URL that became its
// LinkedIn URL — a birthday, an address, a photo, another URL — and the
// form of the contact's own where Card would write it otherwise (formKeys,
// keptName), as a vCard of those properties ("" when there are none).
// Card serves them back, so an edit on the phone keeps them.
func CardExtra(card vcard.Card, in contacts.Input) string {
	extra := keptName(card, in.Name)
	if extra == nil {
		extra = vcard.Card{}
	}
	linkedIn := contacts.NormalizeLinkedIn(in.LinkedInURL)
	for k, fs := range card {
		_, form := formKeys[k]
		if isCardField(k) && !form {
			continue
		}
		for _, f := range fs {
			switch {
			case !named(k, f):
			case form && plainForm(k, f):
			case k == vcard.FieldURL && linkedIn != "" && contacts.NormalizeLinkedIn(strings.TrimSpace(f.Value)) == linkedIn:
			default:
				extra[k] = append(extra[k], kept(f))
			}
		}
	}
	if len(extra) == 0 {
		return ""
	}
	extra.SetValue(vcard.FieldVersion, extraVersion)
	var b strings.Builder
	if err := vcard.NewEncoder(&b).Encode(extra); err != nil {
		return ""
	}
	return b.String()
}

// propertyName says whether s may name a vCard property or group (RFC
// 6350 §3.3: letters, digits and '-'; go-vcard reads more).
func propertyName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// named says whether property k (f, of its group) may be kept: both
// named as a vCard may name them.
func named(k string, f *vcard.Field) bool {
	return propertyName(k) && (f.Group == "" || propertyName(f.Group))
}

// kept is a property of a card's extra as it is kept: its value and
// parameters UTF-8 without control characters (input.CleanText; a
// parameter's line breaks as spaces), so that the card served back reads
// in every client, whatever bytes one sent.
func kept(f *vcard.Field) *vcard.Field {
	out := &vcard.Field{Value: input.CleanText(f.Value), Group: f.Group}
	if len(f.Params) > 0 {
		out.Params = make(vcard.Params, len(f.Params))
		for k, vs := range f.Params {
			if !propertyName(k) {
				continue
			}
			for _, v := range vs {
				out.Params[k] = append(out.Params[k], strings.ReplaceAll(input.CleanText(v), "\n", " "))
			}
		}
	}
	return out
}

// Detail is one thing a card's extra holds, in words: "Birthday",
// "1815-12-10".
type Detail struct{ Label, Value string }

// extraDetails are the properties of a card's extra that read as text,
// in the order they are shown, with their labels.
var extraDetails = []struct{ field, label string }{
	{vcard.FieldNickname, "Nickname"}, {vcard.FieldBirthday, "Birthday"}, {vcard.FieldAnniversary, "Anniversary"},
	{vcard.FieldAddress, "Address"}, {vcard.FieldURL, "Website"}, {vcard.FieldRole, "Role"},
}

// isCardField says whether property k is the contact's (or Rapport's
// own) rather than a card's extra.
func isCardField(k string) bool { return cardFields[k] || strings.HasPrefix(k, "X-RAPPORT-") }

// decodeExtra is a CardExtra read back (nil when empty or unreadable),
// each property as CardExtra keeps one now (kept; a property or group no
// vCard may name left out): one kept before that was so, octet for
// octet, is served as every client reads it.
func decodeExtra(extra string) vcard.Card {
	if extra == "" {
		return nil
	}
	card, err := vcard.NewDecoder(strings.NewReader(extra)).Decode()
	if err != nil {
		return nil
	}
	for k, fs := range card {
		out := fs[:0]
		for _, f := range fs {
			if named(k, f) {
				out = append(out, kept(f))
			}
		}
		if len(out) == 0 {
			delete(card, k)
		} else {
			card[k] = out
		}
	}
	return card
}

// CardDetails is what c's card in an address book holds besides its
// fields (contacts.Contact.CardExtra), as text to show: nickname,
// birthday, anniversary, addresses, websites, role, and the department
// after its company. A photo and the properties only an app reads are
// left out.
func CardDetails(c *contacts.Contact) []Detail {
	card := decodeExtra(c.CardExtra)
	var out []Detail
	for _, d := range extraDetails {
		for _, f := range card[d.field] {
			v := strings.TrimSpace(f.Value)
			if d.field == vcard.FieldAddress {
				v = joinParts(vcard.SplitValue(v, ';'))
			}
			if v != "" {
				out = append(out, Detail{Label: d.label, Value: v})
			}
		}
	}
	for _, f := range card[vcard.FieldOrganization] {
		if c.Company != "" && companyKey(f.Value) == c.Company {
			if units := joinParts(vcard.SplitValue(f.Value, ';')[1:]); units != "" {
				out = append(out, Detail{Label: "Department", Value: units})
			}
			break
		}
	}
	return out
}

// joinParts are the non-blank parts of a compound value, joined by ", ".
func joinParts(parts []string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ", ")
}

// CardLabels are the labels a contact's card in an address book gives its
// phones and emails (kept in contacts.Contact.CardExtra), by the value as
// the contact holds it: "mobile", "work", an app's own ("Office"). A
// value the card gave no label has none.
func CardLabels(extra string) (phones, emails map[string]string) {
	card := decodeExtra(extra)
	appLabels := map[string]string{} // group → X-ABLabel
	for _, f := range card["X-ABLABEL"] {
		if f.Group != "" {
			appLabels[strings.ToLower(f.Group)] = appLabel(f.Value)
		}
	}
	labels := func(k string) map[string]string {
		out := map[string]string{}
		for _, f := range card[k] {
			l := appLabels[strings.ToLower(f.Group)]
			if l == "" {
				l = typeLabel(f.Params)
			}
			if v := formKeys[k](f.Value); l != "" && out[v] == "" {
				out[v] = l
			}
		}
		return out
	}
	return labels(vcard.FieldTelephone), labels(vcard.FieldEmail)
}

// appLabel is an X-ABLabel in words: Apple's own labels are written
// "_$!<Other>!$_", a label the user typed as typed.
func appLabel(v string) string {
	v = strings.TrimSpace(v)
	if inner, ok := strings.CutPrefix(v, "_$!<"); ok {
		if inner, ok = strings.CutSuffix(inner, ">!$_"); ok {
			return strings.ToLower(inner)
		}
	}
	return v
}

// typeLabel is a property's TYPE parameters in words, leaving out those
// that say nothing to a person (INTERNET, VOICE, PREF): "mobile", "work".
func typeLabel(params vcard.Params) string {
	var words []string
	for _, t := range params.Types() {
		for _, t := range strings.Split(t, ",") {
			w := strings.ToLower(strings.TrimSpace(t))
			switch w {
			case "internet", "voice", "pref", "x400", "":
				continue
			case "cell", "iphone":
				w = "mobile"
			}
			if !slices.Contains(words, w) {
				words = append(words, w)
			}
		}
	}
	return strings.Join(words, ", ")
}

// CombineCardExtras is the card extra of a contact that was into and
// other merged: into's, with each property only other's holds (a
// birthday into's card lacks), and other's kept forms of values into's
// has none for (a phone's label), with the app's label tied to it (its
// group renamed, so that it labels nothing of into's). Either alone is
// that one; into's properties are never replaced.
func CombineCardExtras(into, other string) string {
	a, b := decodeExtra(into), decodeExtra(other)
	switch {
	case b == nil:
		return into
	case a == nil:
		return other
	}
	moved := map[string]bool{} // groups of other's fields taken
	whole := map[string]bool{} // properties into's card lacked, taken whole
	take := func(k string, f *vcard.Field) {
		cp := *f
		if cp.Group != "" {
			moved[strings.ToLower(cp.Group)] = true
			cp.Group = "merged" + cp.Group
		}
		a[k] = append(a[k], &cp)
	}
	for k, fs := range b {
		key, isForm := formKeys[k]
		switch {
		case k == vcard.FieldVersion || k == vcard.FieldName || k == vcard.FieldFormattedName:
		case isForm:
			for _, f := range fs {
				if !slices.ContainsFunc(a[k], func(g *vcard.Field) bool { return key(g.Value) == key(f.Value) }) {
					take(k, f)
				}
			}
		case len(a[k]) == 0:
			whole[k] = true
			for _, f := range fs {
				take(k, f)
			}
		}
	}
	for k, fs := range b { // the labels (X-ABLabel) of what was taken
		if _, isForm := formKeys[k]; isForm || whole[k] {
			continue
		}
		for _, f := range fs {
			if f.Group != "" && moved[strings.ToLower(f.Group)] {
				take(k, f)
			}
		}
	}
	var out strings.Builder
	if err := vcard.NewEncoder(&out).Encode(a); err != nil {
		return into
	}
	return out.String()
}

// addExtra adds to card the properties of a decoded CardExtra that are
// not the contact's.
func addExtra(card, extra vcard.Card) {
	for k, fs := range extra {
		if !isCardField(k) {
			card[k] = append(card[k], fs...)
		}
	}
}

// dress serves in their kept form (a decoded CardExtra's) the contact's
// properties of card that still hold what they held when the form was
// kept: N while the contact has the name it was sent with, a phone, an
// email or the company while the contact has the value, and the LinkedIn
// URL as the social profile it came as (no URL beside it).
func dress(card, kept vcard.Card, c *contacts.Contact) {
	if n := kept.Get(vcard.FieldName); n != nil && kept.Value(vcard.FieldFormattedName) == c.Name {
		card[vcard.FieldName] = []*vcard.Field{n}
	}
	if li := contacts.NormalizeLinkedIn(c.LinkedInURL); li != "" {
		for _, f := range kept[socialProfile] {
			if contacts.NormalizeLinkedIn(strings.TrimSpace(f.Value)) == li {
				if card[vcard.FieldURL] = slices.DeleteFunc(card[vcard.FieldURL], func(u *vcard.Field) bool { return u.Value == c.LinkedInURL }); len(card[vcard.FieldURL]) == 0 {
					delete(card, vcard.FieldURL)
				}
				break
			}
		}
	}
	for k, key := range formKeys {
		forms := kept[k]
		used := make([]bool, len(forms))
	fields:
		for i, f := range card[k] {
			for j, form := range forms {
				if !used[j] && key(form.Value) == key(f.Value) {
					used[j] = true
					card[k][i] = form
					continue fields
				}
			}
		}
	}
}

// InputFromCard reads a card an address book sent (vCard 3.0 or 4.0): the
// fields Card writes, with the generated "How we met" section cut from
// NOTE, and tags from every CATEGORIES property.
func InputFromCard(card vcard.Card) (contacts.Input, error) {
	in, err := inputFromCard(card)
	if err != nil {
		return in, err
	}
	in.Notes = oneLineBreak(in.Notes)
	if i := strings.Index(in.Notes, howWeMetStart); i >= 0 {
		in.Notes = in.Notes[:i]
	}
	in.Notes = strings.TrimRight(in.Notes, "\n ")
	in.Tags = nil
	for _, v := range card.Values(vcard.FieldCategories) {
		for _, t := range vcard.SplitValue(v, ',') {
			if t = strings.TrimSpace(t); t != "" && !slices.Contains(in.Tags, t) {
				in.Tags = append(in.Tags, t)
			}
		}
	}
	return in, nil
}

// UnfoldCard joins a vCard's folded lines (RFC 6350 §3.2) in one pass and
// ends every line with CRLF: go-vcard joins folds by string concatenation,
// which takes quadratic time on a card of many short folds.
func UnfoldCard(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/32)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		line := data
		if i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out = append(out[:len(out)-2], line[1:]...) // continue the last line
			out = append(out, '\r', '\n')
			continue
		}
		out = append(out, line...)
		out = append(out, '\r', '\n')
	}
	return out
}
