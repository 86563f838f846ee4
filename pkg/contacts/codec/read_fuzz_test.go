package codec_test

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
)

// checkRows reads with read and checks the invariants every reader keeps:
// no panic, line numbers from 1 and never going back, and each row either
// an error or a contact with a name.
func checkRows(t *testing.T, read func(func(contacts.Row) error) error) {
	last := 0
	read(func(r contacts.Row) error {
		if r.Line < 1 || r.Line < last {
			t.Fatalf("line %d after %d", r.Line, last)
		}
		last = r.Line
		if r.Err == nil && strings.TrimSpace(r.Input.Name) == "" {
			t.Fatalf("row at line %d has no name and no error", r.Line)
		}
		return nil
	})
}

// FuzzReadCSV: go test ./pkg/contacts/codec -run '^$' -fuzz FuzzReadCSV -fuzztime 30s
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"name,email\nAda,ada@example.com\n",
		"Notes:\n\"long, quoted\nnote\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nA,B,https://linkedin.com/in/ab,,C,D,1 Jan 2024\n",
		"name,tags\n\"unterminated,quote\n", "\ufeffname\n'=1+1\n", "a,b,c\n1,2,3\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkRows(t, func(fn func(contacts.Row) error) error {
			return codec.ReadCSV(t.Context(), strings.NewReader(s), fn)
		})
	})
}

// FuzzReadVCards: go test ./pkg/contacts/codec -run '^$' -fuzz FuzzReadVCards -fuzztime 30s
func FuzzReadVCards(f *testing.F) {
	for _, s := range []string{
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\nVERSION:4.0\nN:Doe;Jane;;;\nitem1.URL:https://linkedin.com/in/jd\nEND:VCARD\nBEGIN:VCARD\nFN:x\n",
		"garbage\nBEGIN:VCARD\r\nFN;CHARSET=UTF-8:Zo\xc3\xab\r\n folded\r\nEND:VCARD\r\n", "END:VCARD\n", "",
		"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=\r\n=FCrgen\r\nTEL;CELL;VOICE:+1\r\nPHOTO;BASE64;JPEG:/9j/\r\n  4AAQ\r\n\r\nX-P;Q=\"a;b:c\":v\r\nEND:VCARD\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkRows(t, func(fn func(contacts.Row) error) error {
			return codec.ReadVCards(t.Context(), strings.NewReader(s), fn)
		})
	})
}
