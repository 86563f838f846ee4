package carddav

import (
	"testing"

	"github.com/emersion/go-vcard"
)

// TestMatchEveryInstanceAndCollation: a filter matches any EMAIL of a
// card, case-insensitively unless i;octet is asked for.
func TestMatchEveryInstanceAndCollation(t *testing.T) {
	card := vcard.Card{}
	card.AddValue(vcard.FieldEmail, "grace@navy.example")
	card.AddValue(vcard.FieldEmail, "GRACE@home.example")
	ao := &AddressObject{Card: card}
	for _, tc := range []struct {
		tm   TextMatch
		want bool
	}{
		{TextMatch{Text: "grace@home", MatchType: MatchStartsWith}, true},
		{TextMatch{Text: "grace@home", MatchType: MatchStartsWith, Collation: "i;octet"}, false},
		{TextMatch{Text: "navy", NegateCondition: true}, true}, // the second EMAIL lacks it
		{TextMatch{Text: "example", NegateCondition: true}, false},
	} {
		q := &AddressBookQuery{PropFilters: []PropFilter{{Name: vcard.FieldEmail, TextMatches: []TextMatch{tc.tm}}}}
		if got, err := Match(q, ao); err != nil || got != tc.want {
			t.Errorf("%+v: %v, %v; want %v", tc.tm, got, err, tc.want)
		}
	}
}
