package guestlist

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// FuzzReadCSV: whatever a guest list's CSV holds, each line is read or
// reported, and every guest read is one the rules take
// (events.Attendee.Validate, what a restore holds them to), so that a
// list imported always comes back from a backup.
// CI runs it briefly: go test ./pkg/guestlist -run '^$' -fuzz FuzzReadCSV -fuzztime 20000x
func FuzzReadCSV(f *testing.F) {
	for _, name := range []string{"luma.csv", "meetup.csv", "eventbrite.csv"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("name,email,status,linkedin_url\nJane \x00Doe,JANE@example.com ,yes,linkedin.com/in/jane\n\xe9,,no,\n"))
	f.Add([]byte("first name,last name\n,\n \t, \u00a0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		line := 0
		_, err := ReadCSV(context.Background(), bytes.NewReader(data), func(r Row) error {
			if r.Line < line {
				t.Fatalf("line %d after line %d", r.Line, line)
			}
			line = r.Line
			if r.Err != nil {
				return nil
			}
			if err := r.Attendee.Validate(); err != nil {
				t.Fatalf("line %d read as %+v, which the rules refuse: %v", r.Line, r.Attendee, err)
			}
			return nil
		})
		_ = err // a file that is no CSV is an error; that is not what this checks
	})
}

// FuzzReadJSON: as FuzzReadCSV, for the JSON form.
// CI runs it briefly: go test ./pkg/guestlist -run '^$' -fuzz FuzzReadJSON -fuzztime 20000x
func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"attendees":[{"name":"Jane","email":"jane@example.com","status":"going","linkedin_url":"https://www.linkedin.com/in/jane"}]}`))
	f.Add([]byte(`{"attendees":[{"name":"\u0000\u00e9","company":"\ud800"},{"name":" "},1]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReadJSON(data, func(r Row) error {
			if r.Err == nil {
				if err := r.Attendee.Validate(); err != nil {
					t.Fatalf("item %d read as %+v, which the rules refuse: %v", r.Line, r.Attendee, err)
				}
			}
			return nil
		})
	})
}
