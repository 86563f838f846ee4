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
