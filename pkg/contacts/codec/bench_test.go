package codec_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
)

// BenchmarkReadCSV50k reads a 50,000-row CSV (the import benchmark's file)
// without storing it: the reader's own cost.
func BenchmarkReadCSV50k(b *testing.B) {
	var csv bytes.Buffer
	csv.WriteString("name,email,company,title,phone,tags,notes\n")
	for i := 0; i < 50_000; i++ {
		fmt.Fprintf(&csv, "Person %d,p%d@example.com,Company %d,Engineer,+1 555 %04d,\"go; meetups\",Met at meetup %d\n", i, i, i%500, i%10000, i%200)
	}
	b.SetBytes(int64(csv.Len()))
	for b.Loop() {
		n := 0
		if err := codec.ReadCSV(context.Background(), bytes.NewReader(csv.Bytes()), func(r contacts.Row) error { n++; return nil }); err != nil || n != 50_000 {
			b.Fatalf("%d rows, %v", n, err)
		}
	}
}

// BenchmarkReadVCards50k reads 50,000 cards as a phone exports them
// (labelled phone and email, a birthday, an address, the name's parts)
// without storing them: the reader's own cost, what else each card holds
// kept (CardExtra) included.
func BenchmarkReadVCards50k(b *testing.B) {
	var vcf bytes.Buffer
	for i := 0; i < 50_000; i++ {
		fmt.Fprintf(&vcf, "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\nN:Person %d;Ada;;;\r\nFN:Ada Person %d\r\n"+
			"ORG:Company %d;Research\r\nTITLE:Engineer\r\nEMAIL;type=INTERNET;type=WORK;type=pref:p%d@example.com\r\n"+
			"TEL;type=CELL;type=VOICE;type=pref:+1 555 %04d\r\nitem1.ADR;type=HOME:;;%d Main St;Springfield;;12345;USA\r\n"+
			"item1.X-ABADR:us\r\nBDAY:1990-04-02\r\nNOTE:Met at meetup %d\r\nEND:VCARD\r\n", i, i, i%500, i, i%10000, i, i%200)
	}
	b.SetBytes(int64(vcf.Len()))
	for b.Loop() {
		n := 0
		if err := codec.ReadVCards(context.Background(), bytes.NewReader(vcf.Bytes()), func(r contacts.Row) error {
			if r.Err != nil {
				return r.Err
			}
			n++
			return nil
		}); err != nil || n != 50_000 {
			b.Fatalf("%d cards, %v", n, err)
		}
	}
}
