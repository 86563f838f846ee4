package codec

import (
	"strings"

	"github.com/emersion/go-vcard"
)

// IsGroupCard reports whether card is a group's rather than a person's
// (contacts.CardGroup): KIND:group, as vCard 4.0 writes it, or Apple's
// X-ADDRESSBOOKSERVER-KIND:group in 3.0.
func IsGroupCard(card vcard.Card) bool {
	for _, field := range []string{vcard.FieldKind, "X-ADDRESSBOOKSERVER-KIND"} {
		if strings.EqualFold(strings.TrimSpace(card.Value(field)), string(vcard.KindGroup)) {
			return true
		}
	}
	return false
}

// GroupMembers are the UIDs of the cards a group card (as an app sent
// it) names as its members — vCard 4.0's MEMBER, Apple's
// X-ADDRESSBOOKSERVER-MEMBER — with "urn:uuid:" taken off; a card that
// does not parse names none.
func GroupMembers(text string) []string {
	card, err := vcard.NewDecoder(strings.NewReader(text)).Decode()
	if err != nil {
		return nil
	}
	var out []string
	for _, field := range []string{vcard.FieldMember, "X-ADDRESSBOOKSERVER-MEMBER"} {
		for _, f := range card[field] {
			v := strings.TrimSpace(f.Value)
			if len(v) > len(uuidURN) && strings.EqualFold(v[:len(uuidURN)], uuidURN) {
				v = v[len(uuidURN):]
			}
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

const uuidURN = "urn:uuid:"

// GroupName is a group card's name: FN, else N's family-name part (what
// macOS writes both as), else "Group".
func GroupName(card vcard.Card) string {
	if fn := strings.TrimSpace(card.Value(vcard.FieldFormattedName)); fn != "" {
		return fn
	}
	if n := card.Name(); n != nil && strings.TrimSpace(n.FamilyName) != "" {
		return strings.TrimSpace(n.FamilyName)
	}
	return "Group"
}
