package codec_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-vcard"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
)

// TestCardExtra: what a card holds beyond the contact's fields is kept
// apart — not the fields, Rapport's own properties or the URL that became
// the LinkedIn URL — and served back by Card, so a card sent back as
// served keeps the same extra.
func TestCardExtra(t *testing.T) {
	decode := func(s string) vcard.Card {
		t.Helper()
		card, err := vcard.NewDecoder(strings.NewReader(strings.ReplaceAll(s, "\n", "\r\n"))).Decode()
		if err != nil {
			t.Fatal(err)
		}
		return card
	}
	for _, tc := range []struct {
		name, card string
		want       []string // lines of the extra (empty: none)
		not        []string
	}{
		{"only fields", "BEGIN:VCARD\nVERSION:3.0\nUID:x\nFN:Ada Lovelace\nN:Lovelace;Ada;;;\nEMAIL;TYPE=INTERNET:ada@example.com\nTEL:+44 1\nORG:Engines\nTITLE:Countess\nNOTE:hi\nCATEGORIES:go\nREV:20261124T000000Z\nPRODID:-//Apple Inc.//iOS 18//EN\nX-RAPPORT-CADENCE-DAYS:30\nURL:https://www.linkedin.com/in/ada\nEND:VCARD\n",
			nil, nil},
		{"the rest", "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nURL:linkedin.com/in/ada/\nURL:https://ada.example\nBDAY:1815-12-10\nADR;TYPE=HOME:;;12 St James's Square;London;;;UK\nitem1.X-ABLabel:Muse\nPHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo=\nEND:VCARD\n",
			[]string{"VERSION:3.0", "URL:https://ada.example", "BDAY:1815-12-10", "ADR;TYPE=HOME:;;12 St James's Square;London;;;UK", "ITEM1.X-ABLABEL:Muse", "PHOTO;"},
			[]string{"linkedin", "FN:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card := decode(tc.card)
			in, err := codec.InputFromCard(card)
			if err != nil {
				t.Fatal(err)
			}
			extra := codec.CardExtra(card, in)
			if len(tc.want) == 0 {
				if extra != "" {
					t.Fatalf("extra %q, want none", extra)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.ToUpper(extra), strings.ToUpper(w)) {
					t.Errorf("extra lacks %q:\n%s", w, extra)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(extra, n) {
					t.Errorf("extra holds %q:\n%s", n, extra)
				}
			}
			// Served in the card, and the same extra read from it again.
			c := &contacts.Contact{ID: "c1", Name: in.Name, LinkedInURL: "https://www.linkedin.com/in/ada", CardExtra: extra}
			served := codec.Card(c, "", "3.0")
			if again := codec.CardExtra(served, in); again != extra {
				t.Fatalf("the served card's extra\n%q\nwant\n%q", again, extra)
			}
			if got := served.Values(vcard.FieldURL); len(got) != 2 {
				t.Fatalf("URLs served %q, want the LinkedIn URL and the website", got)
			}
		})
	}
	// An extra that does not read adds nothing.
	bad := codec.Card(&contacts.Contact{ID: "c1", Name: "Ada", CardExtra: "not a card"}, "", "3.0")
	if _, ok := bad["BDAY"]; ok || bad.Value(vcard.FieldFormattedName) != "Ada" {
		t.Fatalf("a card with an unreadable extra: %v", bad)
	}
}

// TestCardKeepsItsForm: the form a client gave the contact's own
// properties (N's parts, a phone's or an email's label and group, an ORG's
// units) is served back while the contact still holds the value, and
// given up when Rapport changed it.
func TestCardKeepsItsForm(t *testing.T) {
	const sent = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Juan de la Cruz\r\nN:de la Cruz;Juan;;;\r\n" +
		"TEL;TYPE=CELL:+1 555 0100\r\nTEL:+1 555 0199\r\nitem1.EMAIL;TYPE=INTERNET;TYPE=pref:Juan@Example.com\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n" +
		"EMAIL;TYPE=INTERNET:juan@home.example\r\nORG:Acme;Engineering\r\nX-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/juan\r\nEND:VCARD\r\n"
	for _, tc := range []struct {
		name   string
		change func(c *contacts.Contact)
		want   []string // lines of the card served
		not    []string
	}{
		{"AsSent", func(*contacts.Contact) {},
			[]string{"N:de la Cruz;Juan;;;", "TEL;TYPE=CELL:+1 555 0100", "TEL:+1 555 0199", "item1.EMAIL;TYPE=INTERNET;TYPE=pref:Juan@Example.com",
				"item1.X-ABLABEL:_$!<Other>!$_", "EMAIL;TYPE=INTERNET:juan@home.example", "ORG:Acme;Engineering",
				"X-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/juan"}, []string{"URL"}},
		{"Renamed", func(c *contacts.Contact) { c.Name = "Juana Cruz" },
			[]string{"FN:Juana Cruz", "N:Cruz;Juana;;;", "TEL;TYPE=CELL:+1 555 0100"}, []string{"de la"}},
		{"ValuesChanged", func(c *contacts.Contact) {
			c.Phones = []string{"+1 555 0199", "+1 555 0111"}
			c.Emails = c.Emails[1:]
			c.Company = "Initech"
			c.LinkedInURL = "https://www.linkedin.com/in/juan-cruz"
		}, []string{"TEL:+1 555 0199", "TEL:+1 555 0111", "ORG:Initech", "EMAIL;TYPE=INTERNET:juan@home.example", "URL:https://www.linkedin.com/in/juan-cruz"},
			[]string{"CELL", "Juan@Example.com", "Engineering"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card, err := vcard.NewDecoder(strings.NewReader(sent)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			in, err := codec.InputFromCard(card)
			if err != nil {
				t.Fatal(err)
			}
			extra := codec.CardExtra(card, in)
			if strings.Contains(extra, "juan@home.example") || strings.Contains(extra, "0199") {
				t.Errorf("the extra keeps a value in the form Rapport writes anyway:\n%s", extra)
			}
			c := &contacts.Contact{ID: "c1", Name: in.Name, Emails: in.Emails, Phones: in.Phones, Company: in.Company, LinkedInURL: contacts.CanonicalLinkedIn(in.LinkedInURL), CardExtra: extra}
			tc.change(c)
			var b strings.Builder
			if err := vcard.NewEncoder(&b).Encode(codec.Card(c, "", "3.0")); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w+"\r\n") {
					t.Errorf("the card lacks %q:\n%s", w, b.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(b.String(), n) {
					t.Errorf("the card holds %q:\n%s", n, b.String())
				}
			}
		})
	}
}

// TestCardLabels: the labels a card gives its phones and emails, in
// words, by the value as the contact holds it.
func TestCardLabels(t *testing.T) {
	extra := "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;TYPE=CELL;TYPE=VOICE;TYPE=pref:+1 555 0100\r\nTEL;TYPE=IPHONE:+1 555 0101\r\n" +
		"item1.TEL:+1 555 0102\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nitem2.TEL;TYPE=WORK:+1 555 0103\r\nitem2.X-ABLabel:Office\r\n" +
		"TEL;TYPE=HOME,FAX:tel:+1 555 0104\r\nTEL:+1 555 0105\r\nEMAIL;TYPE=INTERNET;TYPE=WORK:Ada@Example.com\r\nEMAIL;TYPE=INTERNET:ada@home.example\r\nEND:VCARD\r\n"
	phones, emails := codec.CardLabels(extra)
	for v, want := range map[string]string{"+1 555 0100": "mobile", "+1 555 0101": "mobile", "+1 555 0102": "other", "+1 555 0103": "Office",
		"+1 555 0104": "home, fax", "+1 555 0105": ""} {
		if got := phones[v]; got != want {
			t.Errorf("phone %s: %q, want %q", v, got, want)
		}
	}
	if got := emails["ada@example.com"]; got != "work" || emails["ada@home.example"] != "" {
		t.Errorf("emails: %q", emails)
	}
	if p, e := codec.CardLabels(""); len(p)+len(e) != 0 {
		t.Errorf("no extra: %v %v", p, e)
	}
}

// TestCombineCardExtras: the card of two contacts merged keeps the kept
// one's properties, takes what only the other's held, and the other's
// labels with their values, grouped apart from the kept one's.
func TestCombineCardExtras(t *testing.T) {
	into := "BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=PNG:AAAA\r\nBDAY:1815-12-10\r\nitem1.TEL;TYPE=CELL:+1 1\r\nitem1.X-ABLabel:Lab\r\nEND:VCARD\r\n"
	other := "BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=PNG:BBBB\r\nBDAY:1900-01-01\r\nNICKNAME:Enchantress\r\nitem1.TEL:+1 2\r\nitem1.X-ABLabel:Office\r\n" +
		"TEL;TYPE=CELL:+1 1\r\nitem2.URL:https://ada.example\r\nitem2.X-ABLabel:_$!<HomePage>!$_\r\nEND:VCARD\r\n"
	got := codec.CombineCardExtras(into, other)
	for _, want := range []string{"PHOTO;ENCODING=b;TYPE=PNG:AAAA", "BDAY:1815-12-10", "NICKNAME:Enchantress", "item1.TEL;TYPE=CELL:+1 1", "item1.X-ABLABEL:Lab",
		"mergeditem1.TEL:+1 2", "mergeditem1.X-ABLABEL:Office", "mergeditem2.URL:https://ada.example", "mergeditem2.X-ABLABEL:_$!<HomePage>!$_"} {
		if !strings.Contains(got, want+"\r\n") {
			t.Errorf("combined lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"BBBB", "1900", "TEL;TYPE=CELL:+1 1\r\nTEL;TYPE=CELL:+1 1"} {
		if strings.Contains(got, not) {
			t.Errorf("combined holds %q:\n%s", not, got)
		}
	}
	if codec.CombineCardExtras("", other) != other || codec.CombineCardExtras(into, "") != into {
		t.Error("one side empty: not the other side as it is")
	}
	// Served, the other's phone has its label.
	c := &contacts.Contact{ID: "c1", Name: "Ada", Phones: []string{"+1 1", "+1 2"}, CardExtra: got}
	phones, _ := codec.CardLabels(c.CardExtra)
	if phones["+1 1"] != "Lab" || phones["+1 2"] != "Office" {
		t.Errorf("labels %v", phones)
	}
}

// TestCardExtraIsUTF8: what a card's extra keeps of a card sent with bytes
// that are not UTF-8 or with control characters is UTF-8 without them; a
// property or group whose name no vCard may hold is left out; the rest is
// kept.
func TestCardExtraIsUTF8(t *testing.T) {
	card, err := vcard.NewDecoder(strings.NewReader("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nN:Byron;Ad\xffa;;;\r\n" +
		"URL:https://ada\x7f\xff.example\r\nX-\xb1:x\r\nit\xe9m1.BDAY:1815\r\nADR;TYPE=h\xe9me:;;Str\x01eet;;;;\r\nNOTE:hi\r\nEND:VCARD\r\n")).Decode()
	if err != nil {
		t.Fatal(err)
	}
	in, err := codec.InputFromCard(card)
	if err != nil {
		t.Fatal(err)
	}
	extra := codec.CardExtra(card, in)
	if !utf8.ValidString(extra) || strings.ContainsAny(extra, "\x01\x7f") {
		t.Fatalf("extra: %q", extra)
	}
	for _, want := range []string{"N:Byron;Ad\uFFFDa;;;\r\n", "URL:https://ada\uFFFD.example\r\n", "ADR;TYPE=h\uFFFDme:;;Street;;;;\r\n"} {
		if !strings.Contains(extra, want) {
			t.Errorf("extra lacks %q:\n%s", want, extra)
		}
	}
	if strings.Contains(extra, "X-") || strings.Contains(extra, "BDAY") {
		t.Errorf("extra keeps a property of no vCard name:\n%s", extra)
	}
}

// TestServedCardIsUTF8: a card's extra kept before CardExtra cleaned it —
// bytes that are not UTF-8, a control character, a property of no vCard
// name — is served cleaned, as it would be kept now.
func TestServedCardIsUTF8(t *testing.T) {
	c := &contacts.Contact{ID: "c1", Name: "Ada Lovelace", CardExtra: "BEGIN:VCARD\r\nVERSION:3.0\r\nX-\xb1:x\r\n" +
		"URL:https://ada\xff.example\r\nADR;TYPE=h\xe9me:;;Str\x01eet;;;;\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"}
	var b strings.Builder
	if err := vcard.NewEncoder(&b).Encode(codec.Card(c, "", "3.0")); err != nil {
		t.Fatal(err)
	}
	served := b.String()
	if !utf8.ValidString(served) || strings.ContainsAny(served, "\x01") || strings.Contains(served, "X-") {
		t.Fatalf("served: %q", served)
	}
	for _, want := range []string{"URL:https://ada\uFFFD.example\r\n", "ADR;TYPE=h\uFFFDme:;;Street;;;;\r\n", "BDAY:1815-12-10\r\n"} {
		if !strings.Contains(served, want) {
			t.Errorf("served lacks %q:\n%s", want, served)
		}
	}
}
