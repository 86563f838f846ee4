package vcard

import (
	"bytes"
	"sort"
	"strings"
	"testing"
)

// referenceEncode is the encoder as upstream wrote it, string by string:
// Encode writes the same bytes into one buffer.
func referenceEncode(c Card) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCARD\r\n")
	b.WriteString(referenceFold(referenceLine(FieldVersion, c.Get(FieldVersion))) + "\r\n")
	var keys []string
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, FieldVersion) {
			continue
		}
		for _, f := range c[k] {
			b.WriteString(referenceFold(referenceLine(k, f)) + "\r\n")
		}
	}
	b.WriteString("END:VCARD\r\n")
	return b.String()
}

// referenceFold is the folding as it was written before appendFolded: at
// 75 octets, never inside a UTF-8 sequence.
func referenceFold(l string) string {
	const max = 75
	if len(l) <= max {
		return l
	}
	var b strings.Builder
	limit := max
	for len(l) > limit {
		i := limit
		for i > 0 && l[i]&0xC0 == 0x80 {
			i--
		}
		b.WriteString(l[:i])
		b.WriteString("\r\n ")
		l = l[i:]
		limit = max - 1
	}
	b.WriteString(l)
	return b.String()
}

func referenceLine(key string, field *Field) string {
	var s string
	if field.Group != "" {
		s += field.Group + "."
	}
	s += key
	var keys []string
	for k := range field.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, pk := range keys {
		for _, pv := range field.Params[pk] {
			s += ";" + pk + "=" + strings.NewReplacer("\\", "\\\\", "\n", "\\n", ",", "\\,").Replace(pv)
		}
	}
	if rawValueProperties[strings.ToUpper(key)] {
		return s + ":" + strings.NewReplacer("\r\n", "\\n", "\r", "\\n", "\n", "\\n").Replace(field.Value)
	}
	return s + ":" + EscapeText(field.Value)
}

// TestEncoderWritesAsBefore: cards of every kind of line (groups,
// parameters with escapes, raw and text values with every special, lines
// folded inside and outside UTF-8 sequences, a property in lower case),
// encoded one after another by one Encoder, a long card before a short
// one, each come out as the string-by-string encoder wrote them.
func TestEncoderWritesAsBefore(t *testing.T) {
	long := Card{}
	long.SetValue(FieldVersion, "3.0")
	long.SetValue(FieldFormattedName, "Ada Lovelace")
	long.SetName(&Name{FamilyName: "Love;lace", GivenName: "Ada, Countess"})
	long.SetValue(FieldNote, strings.Repeat("é, ü; \\ ", 40)+"\r\nend\rof\nnote")
	long.SetCategories([]string{"go", "rust, too", "a;b"})
	long.Add(FieldEmail, &Field{Value: "ada@example.com", Group: "item1", Params: Params{ParamType: {"INTERNET", "a,b\\c\nd"}, "PREF": {"1"}}})
	long.Add("x-custom", &Field{Value: "lower;case,key"})
	long.Add("n", &Field{Value: "raw;lower\r\ncase"})
	long.SetValue(FieldOrganization, strings.Repeat("Ω", 60))
	short := Card{}
	short.SetValue(FieldVersion, "4.0")
	short.SetValue(FieldFormattedName, "Bo")

	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	for _, c := range []Card{long, short, long} {
		buf.Reset()
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
		if got, want := buf.String(), referenceEncode(c); got != want {
			t.Fatalf("encoded:\n%q\nwant:\n%q", got, want)
		}
	}
	if err := enc.Encode(Card{}); err == nil {
		t.Fatal("a card without VERSION was encoded")
	}
}

// BenchmarkEncode: a contact's card as Rapport writes it.
// go test -run '^$' -bench Encode -benchmem
func BenchmarkEncode(b *testing.B) {
	c := Card{}
	c.SetValue(FieldVersion, "3.0")
	c.SetValue(FieldFormattedName, "Person 12345")
	c.SetName(&Name{FamilyName: "12345", GivenName: "Person"})
	c.Add(FieldEmail, &Field{Value: "p12345@example.com", Params: Params{ParamType: {"INTERNET"}}})
	c.SetValue(FieldOrganization, "Acme")
	c.SetCategories([]string{"go"})
	c.SetValue(FieldNote, "Met in Berlin\n\n-- How we met (written by Rapport; changes below this line are not kept) --\n2026-11-01 · Meetup 12 · after the talk · topics: go")
	c.SetValue(FieldUID, "01a23caa22e92aa6f5305a7d1f1a743ba574")
	c.SetValue(FieldRevision, "20261101T180000Z")
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	for b.Loop() {
		buf.Reset()
		if err := enc.Encode(c); err != nil {
			b.Fatal(err)
		}
	}
}
