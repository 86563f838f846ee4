package events

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/input"
)

// FuzzFromFeed: whatever text a feed's event holds, fromFeed makes of it
// an event the rules take (TestFeedEventsWithFlawsKept, end to end): a
// flawed field never costs the event.
// CI runs it briefly: go test ./pkg/events -run '^$' -fuzz FuzzFromFeed -fuzztime 20000x
func FuzzFromFeed(f *testing.F) {
	f.Add("Go night", "Café Nord", "Ada", "https://example.com/go", "Bring slides")
	f.Add("Caf\xe9", "\x00\x01\x7f", "Jos\xe9", "http://", "a\r\nb\rc")
	f.Add("", " ", "\u2028", "https://example.com/%zz", "\xff\xfe")
	f.Add("x\ny", "HTTP://EXAMPLE.COM", "mailto:ada@example.com", "javascript:alert(1)", "")
	start := time.Date(2026, 12, 10, 18, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, summary, location, organizer, url, description string) {
		e := Event{Kind: "meetup", Timezone: "UTC", Status: "planned", Notes: input.CleanText(description)}
		in := inputOf(&e)
		fromFeed(&in, &calendar.Parsed{Summary: summary, Location: location, Organizer: organizer, URL: url, Start: start, End: start.Add(time.Hour)})
		if err := in.apply(&e, "UTC"); err != nil {
			t.Fatalf("refused: %v (%+v)", err, in)
		}
	})
}
