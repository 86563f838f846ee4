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
