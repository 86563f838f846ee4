package codec_test

import (
	"reflect"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts/codec"
)

// TestGroupMembers: a group card's members as macOS (3.0, Apple's own
// property, folded) and DAVx5 (4.0 MEMBER) write them, by their cards'
// UIDs; a person's card, or one that does not parse, names none.
func TestGroupMembers(t *testing.T) {
	for _, c := range []struct {
		name, card string
		want       []string
	}{
		{"macOS", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berlin Go;;;;\r\nFN:Berlin Go\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n" +
			"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B0C1D2E-0000-4000-8000-0000\r\n 00000001\r\nX-ADDRESSBOOKSERVER-MEMBER:URN:UUID:01a2b3c4\r\nUID:g1\r\nEND:VCARD\r\n",
			[]string{"5B0C1D2E-0000-4000-8000-000000000001", "01a2b3c4"}},
		{"DAVx5", "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Speakers\r\nMEMBER:urn:uuid:7d3c5a10\r\nMEMBER:mailto:ada@example.com\r\nUID:g2\r\nEND:VCARD\r\n",
			[]string{"7d3c5a10", "mailto:ada@example.com"}},
		{"a person", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n", nil},
		{"not a card", "hello", nil},
	} {
		if got := codec.GroupMembers(c.card); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
