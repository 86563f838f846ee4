package codec_test

import (
	"strings"
	"testing"

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
