package crm

import (
	"fmt"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// TestEncounterWhyParts: a follow-up's note as encounterWhy writes it
// splits back into the encounter's notes and topics (a " · " in the notes
// stays theirs); a note edited by hand is all notes.
func TestEncounterWhyParts(t *testing.T) {
	for _, c := range []struct {
		note, notes, topics string
	}{
		{encounterWhy(&contacts.Encounter{Notes: "Wants the slides", Topics: []string{"go", "wasm"}}), "Wants the slides", "[go wasm]"},
		{encounterWhy(&contacts.Encounter{Topics: []string{"go"}}), "", "[go]"},
		{encounterWhy(&contacts.Encounter{Notes: "Hiring · soon"}), "Hiring · soon", "[]"},
		{encounterWhy(&contacts.Encounter{Notes: "Hiring · soon", Topics: []string{"rust"}}), "Hiring · soon", "[rust]"},
		{"Call back about Topics: the list", "Call back about Topics: the list", "[]"},
		{"", "", "[]"},
	} {
		notes, topics := EncounterWhyParts(c.note)
		if notes != c.notes || fmt.Sprint(topics) != c.topics {
			t.Errorf("EncounterWhyParts(%q) = %q, %v; want %q, %s", c.note, notes, topics, c.notes, c.topics)
		}
	}
}
