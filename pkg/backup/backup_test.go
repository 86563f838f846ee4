package backup

import (
	"slices"
	"testing"
)

// TestSectionsKeepTheirOrder: a backup lists its sections in the order
// the format documents (docs/api.md), each once; a restore writes them in
// that order because later sections name records of earlier ones.
func TestSectionsKeepTheirOrder(t *testing.T) {
	want := []string{"companies", "contacts", "card_groups", "events", "attendees", "encounters", "intros", "interactions", "opportunities", "followups", "calendars", "docs"}
	var got []string
	for _, sec := range sections {
		got = append(got, sec.name)
		if sectionNamed(sec.name) != &sections[len(got)-1] {
			t.Errorf("section %q is listed twice", sec.name)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("sections %v, want %v", got, want)
	}
}
