package codec_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
)

// readAll collects the rows a reader yields.
func readAll(tb testing.TB, read func(func(contacts.Row) error) error) []contacts.Row {
	tb.Helper()
	var rows []contacts.Row
	if err := read(func(r contacts.Row) error { rows = append(rows, r); return nil }); err != nil {
		tb.Fatalf("read: %v", err)
	}
	return rows
}

func csvRows(tb testing.TB, s string) []contacts.Row {
	tb.Helper()
	return readAll(tb, func(fn func(contacts.Row) error) error {
		return codec.ReadCSV(context.Background(), strings.NewReader(s), fn)
	})
}

func vcardRows(tb testing.TB, s string) []contacts.Row {
	tb.Helper()
	return readAll(tb, func(fn func(contacts.Row) error) error {
		return codec.ReadVCards(context.Background(), strings.NewReader(s), fn)
	})
}

// summary renders rows as "line:name" or "line:error" for comparison.
func summary(rows []contacts.Row) string {
	var parts []string
	for _, r := range rows {
		if r.Err != nil {
			parts = append(parts, strings.Join([]string{itoa(r.Line), "error"}, ":"))
		} else {
			parts = append(parts, itoa(r.Line)+":"+r.Input.Name)
		}
	}
	return strings.Join(parts, " ")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestReadCSVUnclosedQuote(t *testing.T) {
	t.Run("ToTheEnd", func(t *testing.T) {
		rows := csvRows(t, "name,email,company\nAda,ada@example.com,A\n\"Bob,bob@example.com,B\nCarol,carol@example.com,C\nDan,dan@example.com,D\n")
		if got, want := summary(rows), "2:Ada 3:error 4:Carol 5:Dan"; got != want {
			t.Fatalf("rows=%s, want %s", got, want)
		}
		if msg := rows[1].Err.Error(); !strings.Contains(msg, "quote") || !strings.Contains(msg, "lines 3–5") {
			t.Fatalf("error=%q, want one naming the quote and the lines", msg)
		}
	})
	t.Run("ClosedByALaterStrayQuote", func(t *testing.T) {
		// The quote opened on line 3 is closed on line 5: the record comes
		// out with the wrong number of fields, and lines 4-5 are read again.
		rows := csvRows(t, "name,email,company\nAda,ada@example.com,A\n\"Bob,bob@example.com,B\nCarol,carol@example.com,C\nDan\",dan@example.com,D\nEve,eve@example.com,E\n")
		if got, want := summary(rows), "2:Ada 3:error 4:Carol 5:Dan\" 6:Eve"; got != want {
			t.Fatalf("rows=%s, want %s", got, want)
		}
	})
	t.Run("OKMultiLineNote", func(t *testing.T) {
		rows := csvRows(t, "name,email,notes\nAda,ada@example.com,\"first line\nsecond, line\"\nBob,bob@example.com,x\n")
		if got, want := summary(rows), "2:Ada 4:Bob"; got != want {
			t.Fatalf("rows=%s, want %s", got, want)
		}
		if got, want := rows[0].Input.Notes, "first line\nsecond, line"; got != want {
			t.Fatalf("notes=%q, want %q", got, want)
		}
	})
	t.Run("OKBareQuoteInField", func(t *testing.T) {
		rows := csvRows(t, "name,company\nJane \"JJ\" Doe,Acme 5\" Inc\nBob,B\n")
		if got, want := summary(rows), `2:Jane "JJ" Doe 3:Bob`; got != want {
			t.Fatalf("rows=%s, want %s", got, want)
		}
	})
}

func TestReadCSVDelimiters(t *testing.T) {
	for name, file := range map[string]string{
		"Semicolon": "Name;Email;Company\nAda Lovelace;ada@example.com;Analytical, Ltd\nBob;bob@example.com;B\n",
		"Tab":       "Name\tEmail\tCompany\nAda Lovelace\tada@example.com\tAnalytical, Ltd\nBob\tbob@example.com\tB\n",
		"Comma":     "Name,Email,Company\nAda Lovelace,ada@example.com,\"Analytical, Ltd\"\nBob,bob@example.com,B\n",
	} {
		t.Run(name, func(t *testing.T) {
			rows := csvRows(t, file)
			if got, want := summary(rows), "2:Ada Lovelace 3:Bob"; got != want {
				t.Fatalf("rows=%s, want %s", got, want)
			}
			if got, want := rows[0].Input.Company, "Analytical, Ltd"; got != want {
				t.Fatalf("company=%q, want %q", got, want)
			}
			if got, want := rows[0].Input.Emails, []string{"ada@example.com"}; len(got) != 1 || got[0] != want[0] {
				t.Fatalf("emails=%q, want %q", got, want)
			}
		})
	}
	t.Run("ErrUnknownDelimiter", func(t *testing.T) {
		err := codec.ReadCSV(context.Background(), strings.NewReader("Name|Email\nAda|ada@example.com\n"), func(contacts.Row) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "semicolons or tabs") {
			t.Fatalf("err=%v, want one saying which delimiters are read", err)
		}
	})
}

func TestReadVCardsFolds(t *testing.T) {
	t.Run("AMillionContinuationLines", func(t *testing.T) {
		// go-vcard alone joins these in quadratic time (minutes).
		var b strings.Builder
		b.WriteString("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nNOTE:a")
		for range 1_000_000 {
			b.WriteString("\r\n b")
		}
		b.WriteString("\r\nEND:VCARD\r\n")
		rows := vcardRows(t, b.String())
		if len(rows) != 1 || rows[0].Err != nil {
			t.Fatalf("rows=%s, want one card", summary(rows))
		}
		if got, want := len(rows[0].Input.Notes), 1_000_001; got != want {
			t.Fatalf("note has %d characters, want %d", got, want)
		}
	})
	t.Run("RawLineBreakInNote", func(t *testing.T) {
		rows := vcardRows(t, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nNOTE:met at GopherCon\r\nwants the FFI notes\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n")
		if len(rows) != 1 || rows[0].Err != nil {
			t.Fatalf("rows=%s, want one card", summary(rows))
		}
		if got, want := rows[0].Input.Notes, "met at GopherCon\nwants the FFI notes"; got != want {
			t.Fatalf("notes=%q, want %q", got, want)
		}
		if got := rows[0].Input.Emails; len(got) != 1 || got[0] != "ada@example.com" {
			t.Fatalf("emails=%q", got)
		}
	})
	t.Run("FoldedProperty", func(t *testing.T) {
		rows := vcardRows(t, "BEGIN:VCARD\nVERSION:4.0\nFN:Ada Love\n lace\nNOTE:x\n\ty\nEND:VCARD\n")
		if len(rows) != 1 || rows[0].Input.Name != "Ada Lovelace" || rows[0].Input.Notes != "xy" {
			t.Fatalf("rows=%s notes=%q, want Ada Lovelace with note xy", summary(rows), rows[0].Input.Notes)
		}
	})
}

func TestReadersStopAtDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := "name\n" + strings.Repeat("Ada\n", 10*1024)
	if err := codec.ReadCSV(ctx, strings.NewReader(big), func(contacts.Row) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadCSV err=%v, want context.Canceled", err)
	}
	card := "BEGIN:VCARD\r\nFN:Ada\r\nNOTE:a" + strings.Repeat("\r\n b", 10*1024) + "\r\nEND:VCARD\r\n"
	if err := codec.ReadVCards(ctx, strings.NewReader(card), func(contacts.Row) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadVCards err=%v, want context.Canceled", err)
	}
}

// TestReadVCardsUnescapes: text values are unescaped as RFC 6350 §3.4
// says (\; \, \\ \n \N), ORG's first component keeps an escaped
// semicolon, and CATEGORIES splits only at unescaped commas.
func TestReadVCardsUnescapes(t *testing.T) {
	rows := vcardRows(t, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\\, Countess\r\nORG:Engines\\; Ltd.;R&D\r\n"+
		"NOTE:one\\; two\\, three \\\\ four\\nfive\\Nsix\r\nCATEGORIES:go,a\\, b\r\nEND:VCARD\r\n")
	if len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("rows %+v", rows)
	}
	in := rows[0].Input
	if got, want := in.Name, "Ada, Countess"; got != want {
		t.Errorf("Name=%q, want %q", got, want)
	}
	if got, want := in.Company, "Engines; Ltd."; got != want {
		t.Errorf("Company=%q, want %q", got, want)
	}
	if got, want := in.Notes, "one; two, three \\ four\nfive\nsix"; got != want {
		t.Errorf("Notes=%q, want %q", got, want)
	}
	if got, want := strings.Join(in.Tags, "|"), "go|a, b"; got != want {
		t.Errorf("Tags=%q, want %q", got, want)
	}
}

// TestReadCSVColumns: which column becomes which field, in the exports
// people bring (Google CSV's numbered columns, Outlook's prefix Title),
// and of several columns of one field the first with a value.
func TestReadCSVColumns(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want      contacts.Input
	}{
		{"GoogleNumbered", "First Name,Last Name,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,Organization 1 - Name,Organization 2 - Name,Organization 1 - Title,Website 1 - Value,Labels\n" +
			"Ada,Lovelace,a@x.example ::: b@x.example,c@x.example,+1 1,,Engines,Countess,linkedin.com/in/ada,* myContacts ::: poets\n",
			contacts.Input{Name: "Ada Lovelace", Emails: []string{"a@x.example", "b@x.example", "c@x.example"}, Phones: []string{"+1 1"},
				Company: "Engines", Title: "Countess", LinkedInURL: "linkedin.com/in/ada", Tags: []string{"poets"}}},
		{"OutlookTitleIsAPrefix", "First Name,Middle Name,Last Name,Title,Job Title,Company,Mobile Phone,Home Phone,Categories\nAlan,M.,Turing,Dr.,Reader,Manchester,+44 1,+44 2,ai;codebreakers\n",
			contacts.Input{Name: "Alan M. Turing", Title: "Reader", Company: "Manchester", Phones: []string{"+44 1", "+44 2"}, Tags: []string{"ai", "codebreakers"}}},
		{"TitleAloneIsTheJob", "name,title\nGrace,Admiral\n", contacts.Input{Name: "Grace", Title: "Admiral"}},
		{"HubSpot", "First Name,Last Name,Email,Company Name,Job Title,Phone Number,Mobile Phone Number,Website\nAda,Lovelace,a@x.example,Engines,Countess,+1 1,+1 2,https://www.linkedin.com/in/ada\n",
			contacts.Input{Name: "Ada Lovelace", Emails: []string{"a@x.example"}, Company: "Engines", Title: "Countess", Phones: []string{"+1 1", "+1 2"}, LinkedInURL: "https://www.linkedin.com/in/ada"}},
		{"Salesforce", "First Name,Last Name,Title,Account Name,Email,Phone,Mobile\nGrace,Hopper,Admiral,Navy,g@x.example,+1 1,+1 2\n",
			contacts.Input{Name: "Grace Hopper", Title: "Admiral", Company: "Navy", Emails: []string{"g@x.example"}, Phones: []string{"+1 1", "+1 2"}}},
		{"CompanyOnly", "First Name,Last Name,Organization Name\n,,Acme\n", contacts.Input{Name: "Acme", Company: "Acme"}},
		{"NotANumberedColumn", "name,E-mail x - Value,Phone 1 - Label\nGrace,g@x.example,Mobile\n", contacts.Input{Name: "Grace"}},
		{"LinkedInConnectedOn", "Notes:\n\"When exporting your connection data...\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAda,Lovelace,https://www.linkedin.com/in/ada,,Engines,Countess,06 Dec 2023\n",
			contacts.Input{Name: "Ada Lovelace", Company: "Engines", Title: "Countess", LinkedInURL: "https://www.linkedin.com/in/ada", KnownSince: "2023-12-06"}},
		{"ConnectedOnOneDigitDay", "First Name,Connected On\nAda,6 Dec 2023\n", contacts.Input{Name: "Ada", KnownSince: "2023-12-06"}},
		{"KnownSinceOfAnExport", "name,known_since\nAda,2023-12-06T09:30:00Z\n", contacts.Input{Name: "Ada", KnownSince: "2023-12-06T09:30:00Z"}},
		{"ConnectedOnNotADate", "First Name,Connected On\nAda,last year\n", contacts.Input{Name: "Ada", KnownSince: "last year"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []contacts.Row
			if err := codec.ReadCSV(t.Context(), strings.NewReader(tc.csv), func(r contacts.Row) error { got = append(got, r); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Err != nil || fmt.Sprintf("%+v", got[0].Input) != fmt.Sprintf("%+v", tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestCSVColumns: the header row ReadCSV would use, past a preamble, each
// column with its field; a file without one is the import's error.
func TestCSVColumns(t *testing.T) {
	cols, err := codec.CSVColumns(t.Context(), strings.NewReader("Notes:\n\"a preamble\"\n\n\ufeffFirst Name,Birthday,E-mail 1 - Value,\nAda,1815-12-10,a@x.example,\n"))
	if err != nil || fmt.Sprint(cols) != "[{First Name first} {Birthday card} {E-mail 1 - Value email}]" {
		t.Fatalf("%v, %v", cols, err)
	}
	if _, err := codec.CSVColumns(t.Context(), strings.NewReader("just,some,cells\n1,2,3\n")); err == nil {
		t.Fatal("a file with no header row gave columns")
	}
}

// TestReadCSVCard: what a Google or Outlook CSV row holds beyond
// Rapport's fields becomes its card's extra: labels as types (a label of
// the user's own as an app's label), the primary one pref, a birthday only
// when it is a date a card can hold, an address by its parts.
func TestReadCSVCard(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want, not []string
	}{
		{"Google", "First Name,Birthday,Nickname,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,E-mail 1 - Label,E-mail 1 - Value,Address 1 - Label,Address 1 - Street,Address 1 - Country,Website 1 - Value\n" +
			"Ada,--12-10,Enchantress,* Mobile,+1 1,Lab,+1 2,Home,a@x.example,Home,1 Main St,UK,https://ada.example\n",
			[]string{"BDAY:--12-10", "NICKNAME:Enchantress", "TEL;TYPE=CELL;TYPE=pref:+1 1", "item1.TEL:+1 2", "item1.X-ABLABEL:Lab", "EMAIL;TYPE=HOME:a@x.example",
				"ADR;TYPE=HOME:;;1 Main St;;;;UK", "URL:https://ada.example"}, nil},
		{"OutlookDatesAndNone", "First Name,Birthday,Mobile Phone,Home Street\nAda,0/0/00,+1 1,\n", []string{"TEL;TYPE=CELL:+1 1"}, []string{"BDAY", "ADR"}},
		{"NothingBeyondTheFields", "name,email\nAda,a@x.example\n", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rows []contacts.Row
			if err := codec.ReadCSV(t.Context(), strings.NewReader(tc.csv), func(r contacts.Row) error { rows = append(rows, r); return nil }); err != nil || len(rows) != 1 || rows[0].Err != nil {
				t.Fatalf("%+v, %v", rows, err)
			}
			extra := string(codec.UnfoldCard([]byte(rows[0].CardExtra)))
			if tc.want == nil && extra != "" {
				t.Fatalf("extra %q, want none", extra)
			}
			for _, w := range tc.want {
				if !strings.Contains(extra, "\r\n"+w+"\r\n") {
					t.Errorf("extra lacks %q:\n%s", w, extra)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(extra, n) {
					t.Errorf("extra holds %q:\n%s", n, extra)
				}
			}
		})
	}
}
