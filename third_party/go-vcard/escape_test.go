package vcard

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestTextRoundTrip(t *testing.T) {
	for _, note := range []string{
		"plain",
		"two\nlines",
		"semi; colon, comma \\ backslash",
		`a literal \n is not a break`,
		"ends with a backslash \\",
		"ünïcödé; «quotes»",
	} {
		card := Card{}
		card.SetValue(FieldVersion, "3.0")
		card.SetValue(FieldNote, note)
		var buf bytes.Buffer
		if err := NewEncoder(&buf).Encode(card); err != nil {
			t.Fatal(err)
		}
		got, err := NewDecoder(&buf).Decode()
		if err != nil {
			t.Fatal(err)
		}
		if v := got.Value(FieldNote); v != note {
			t.Errorf("NOTE=%q, want %q", v, note)
		}
	}
}

func TestEncodeEscapesEveryTextSpecial(t *testing.T) {
	card := Card{}
	card.SetValue(FieldVersion, "3.0")
	card.SetValue(FieldNote, "a;b,c\\d\r\ne\rf\ng")
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(card); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "NOTE:a\\;b\\,c\\\\d\\ne\\nf\\ng\r\n"; !strings.Contains(got, want) {
		t.Fatalf("encoded:\n%s\nwant a line %q", got, want)
	}
}

func TestDecodeClientEscapes(t *testing.T) {
	// As khard and Apple write them: \; in text, \N, \: in a URL.
	raw := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nNOTE:one\\; two\\Nthree\\\\; four\r\nURL:https\\://example.com\r\n" +
		"ORG:Acme\\; Inc.;R&D\r\nCATEGORIES:go,rust\\, too\r\nN:Lovelace;Ada\\, Countess;;;\r\nEND:VCARD\r\n"
	card, err := NewDecoder(strings.NewReader(raw)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := card.Value(FieldNote), "one; two\nthree\\; four"; got != want {
		t.Errorf("NOTE=%q, want %q", got, want)
	}
	if got, want := card.Value(FieldURL), "https://example.com"; got != want {
		t.Errorf("URL=%q, want %q", got, want)
	}
	if got, want := SplitValue(card.Value(FieldOrganization), ';'), []string{"Acme; Inc.", "R&D"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ORG=%q, want %q", got, want)
	}
	if got, want := card.Categories(), []string{"go", "rust, too"}; !reflect.DeepEqual(got, want) {
		t.Errorf("CATEGORIES=%q, want %q", got, want)
	}
	if n := card.Name(); n.FamilyName != "Lovelace" || n.GivenName != "Ada, Countess" {
		t.Errorf("N=%+v", n)
	}
}

func TestCompoundRoundTrip(t *testing.T) {
	card := Card{}
	card.SetValue(FieldVersion, "4.0")
	card.SetName(&Name{FamilyName: "a;b", GivenName: "c,d"})
	card.SetCategories([]string{"x, y", "z;w"})
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(card); err != nil {
		t.Fatal(err)
	}
	got, err := NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if n := got.Name(); n.FamilyName != "a;b" || n.GivenName != "c,d" {
		t.Errorf("N=%+v", n)
	}
	if c := got.Categories(); !reflect.DeepEqual(c, []string{"x, y", "z;w"}) {
		t.Errorf("CATEGORIES=%q", c)
	}
}

func TestFold(t *testing.T) {
	long := strings.Repeat("é", 100) // two octets each
	card := Card{}
	card.SetValue(FieldVersion, "3.0")
	card.SetValue(FieldNote, long)
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(card); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	got, err := NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got.Value(FieldNote) != long {
		t.Errorf("NOTE after folding=%q", got.Value(FieldNote))
	}
}

// TestURIValuesAsWritten: a URI value (PHOTO, URL…, or any VALUE=uri) is
// written as it is — a data: URI's ';' and ',' escaped broke it for every
// reader — and reads back the same; text beside it is still escaped.
func TestURIValuesAsWritten(t *testing.T) {
	card := Card{}
	card.SetValue(FieldVersion, "4.0")
	card.SetValue(FieldPhoto, "data:image/png;base64,iVBORw0KGgo=")
	card.SetValue(FieldURL, "https://example.com/a;b?x=1,2")
	card.Add(FieldTelephone, &Field{Value: "tel:+1-555-0100;ext=12", Params: Params{ParamValue: {"uri"}}})
	card.SetValue(FieldNote, "a;b,c")
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(card); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PHOTO:data:image/png;base64,iVBORw0KGgo=\r\n", "URL:https://example.com/a;b?x=1,2\r\n",
		"TEL;VALUE=uri:tel:+1-555-0100;ext=12\r\n", "NOTE:a\\;b\\,c\r\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("encoded:\n%s\nwant a line %q", buf.String(), want)
		}
	}
	got, err := NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got.Value(FieldPhoto) != "data:image/png;base64,iVBORw0KGgo=" || got.Value(FieldURL) != "https://example.com/a;b?x=1,2" || got.Value(FieldNote) != "a;b,c" {
		t.Fatalf("read back: %v", got)
	}
}

// TestFoldNotUTF8: a value of bytes that are not UTF-8 — continuation
// bytes with no rune's start, as a client may send — is folded at 75
// octets, and the encoder ends (it folded nothing, forever, before).
func TestFoldNotUTF8(t *testing.T) {
	for _, v := range []string{strings.Repeat("\xa5", 300), "x" + strings.Repeat("\x80", 200), strings.Repeat("é\xa5\xa5\xa5\xa5", 40)} {
		card := Card{}
		card.SetValue(FieldVersion, "3.0")
		card.SetValue(FieldNote, v)
		var buf bytes.Buffer
		if err := NewEncoder(&buf).Encode(card); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
		unfolded := ""
		for _, l := range lines {
			if len(l) > 75 {
				t.Errorf("line of %d octets: %q", len(l), l)
			}
			if strings.HasPrefix(l, " ") {
				unfolded += l[1:]
			} else if strings.HasPrefix(l, "NOTE:") {
				unfolded = l
			}
		}
		if unfolded != "NOTE:"+v {
			t.Errorf("unfolded: %q, want NOTE:%q", unfolded, v)
		}
	}
}
