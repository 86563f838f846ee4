package codec

import (
	"strings"
	"testing"

	"github.com/emersion/go-vcard"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// TestLegacyLine: a vCard 2.1 property in its 3.0 form; a 3.0 one as it is.
func TestLegacyLine(t *testing.T) {
	for in, want := range map[string]string{
		"TEL;CELL;VOICE:+49 170 1":                                  "TEL;TYPE=CELL;TYPE=VOICE:+49 170 1",
		"item1.EMAIL;PREF;INTERNET:a@x.example":                     "item1.EMAIL;TYPE=PREF;TYPE=INTERNET:a@x.example",
		"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen":    "FN:Jürgen",
		"FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen":  "FN:Jürgen",
		"N;CHARSET=windows-1252;QUOTED-PRINTABLE:Dupont;Fran=E7ois": "N:Dupont;François",
		"NOTE;ENCODING=QUOTED-PRINTABLE:one=0D=0Atwo=0Athree":       `NOTE:one\ntwo\nthree`,
		"NOTE;ENCODING=QUOTED-PRINTABLE:broken =ZZ escape":          "NOTE:broken =ZZ escape",
		"PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQ":                  "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ",
		"PHOTO;TYPE=JPEG;BASE64:/9j/4AAQ":                           "PHOTO;TYPE=JPEG;ENCODING=b:/9j/4AAQ",
		"PHOTO;ENCODING=BASE64;JPEG:/9j/ 4AAQ  SkZJ":                "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJ",
		"ADR;TYPE=WORK:;;1 Main St;Springfield":                     "ADR;TYPE=WORK:;;1 Main St;Springfield",
		`X-A;X-P="a;b:c":v:w`:                                       `X-A;X-P="a;b:c":v:w`,
		"NOTE:plain":                                                "NOTE:plain",
		"not a property":                                            "not a property",
	} {
		if got := legacyLine(in); got != want {
			t.Errorf("legacyLine(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestReadVCardsSoftBreaks: a quoted-printable value's soft line breaks
// join its lines whatever they look like, in time linear in the value.
func TestReadVCardsSoftBreaks(t *testing.T) {
	card := "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada\r\nNOTE;ENCODING=QUOTED-PRINTABLE:Agenda=\r\n: talks=0Anext=\r\nTEL:not a phone\r\nTEL;CELL:+1 555 0100\r\nEND:VCARD\r\n"
	var notes, phones []string
	err := ReadVCards(t.Context(), strings.NewReader(card), func(r contacts.Row) error {
		notes, phones = append(notes, r.Input.Notes), r.Input.Phones
		return r.Err
	})
	if err != nil || len(notes) != 1 || notes[0] != "Agenda: talks\nnextTEL:not a phone" || len(phones) != 1 || phones[0] != "+1 555 0100" {
		t.Fatalf("notes %q phones %q, %v", notes, phones, err)
	}
	long := "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada\r\nNOTE;ENCODING=QUOTED-PRINTABLE:" + strings.Repeat("abcdefghij=\r\n", 300_000) + "end\r\nEND:VCARD\r\n"
	err = ReadVCards(t.Context(), strings.NewReader(long), func(r contacts.Row) error {
		if got := len(r.Input.Notes); got != 3_000_003 {
			t.Errorf("a note of 300,000 soft breaks: %d characters", got)
		}
		return r.Err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAsVCard4: a card's extra, kept in the form a 3.0 client sent it, as
// export.vcf writes it in 4.0: 3.0's properties left out, the photo a
// data: URI, pref as PREF=1, an email's INTERNET left out.
func TestAsVCard4(t *testing.T) {
	in := "BEGIN:VCARD\r\nVERSION:3.0\r\nLABEL;TYPE=HOME:1 Main St\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAEC\r\n" +
		"item1.EMAIL;TYPE=INTERNET;TYPE=HOME;TYPE=pref:a@x.example\r\nTEL;TYPE=CELL,pref:+1 555\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"
	card := asVCard4(decodeExtra(in))
	card.SetValue(vcard.FieldVersion, "4.0")
	var b strings.Builder
	if err := vcard.NewEncoder(&b).Encode(card); err != nil {
		t.Fatal(err)
	}
	want := "BEGIN:VCARD\r\nVERSION:4.0\r\nBDAY:1815-12-10\r\nitem1.EMAIL;PREF=1;TYPE=HOME:a@x.example\r\nPHOTO:data:image/jpeg;base64,AAEC\r\nTEL;PREF=1;TYPE=CELL:+1 555\r\nEND:VCARD\r\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
}
