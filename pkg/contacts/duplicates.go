package contacts

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// DuplicateGroup is a set of the user's contacts that may be one person:
// the same name once case, accents and spacing are folded ("name"), or the
// same phone number once only its digits are kept ("phone"). Emails and
// LinkedIn URLs cannot be shared: they make contacts one already.
type DuplicateGroup struct {
	Reason   string    `json:"reason"`
	Key      string    `json:"key"`
	Contacts []Contact `json:"contacts"`
}

// maxDuplicateGroups bounds GET /v1/contacts/duplicates.
const maxDuplicateGroups = 500

// FoldName is the form names are compared in for duplicates: lower case,
// without accents, single spaces ("José  Núñez" → "jose nunez").
func FoldName(name string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, name)
	if err != nil {
		folded = name
	}
	return strings.Join(strings.Fields(strings.ToLower(folded)), " ")
}

// phoneDigits is a phone number's digits, or "" when it has fewer than 7
// (too short to tell people apart).
func phoneDigits(p string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, p)
	if len(d) < 7 {
		return ""
	}
	return d
}

// Duplicates reads the user's contacts a page at a time and returns the
// groups of likely duplicates, largest first (then by key), at most 500.
// A contact may be in a name group and a phone group.
func (s *Service) Duplicates(ctx context.Context, userID string) ([]DuplicateGroup, error) {
	byName, byPhone := map[string][]Contact{}, map[string][]Contact{}
	err := s.ForEach(ctx, userID, func(c *Contact) error {
		if k := FoldName(c.Name); k != "" {
			byName[k] = append(byName[k], *c)
		}
		seen := map[string]bool{}
		for _, p := range c.Phones {
			if d := phoneDigits(p); d != "" && !seen[d] {
				seen[d] = true
				byPhone[d] = append(byPhone[d], *c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []DuplicateGroup{}
	for reason, m := range map[string]map[string][]Contact{"name": byName, "phone": byPhone} {
		for k, cs := range m {
			if len(cs) > 1 {
				for i := range cs {
					stripQueryFields(&cs[i])
				}
				out = append(out, DuplicateGroup{Reason: reason, Key: k, Contacts: cs})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if len(a.Contacts) != len(b.Contacts) {
			return len(a.Contacts) > len(b.Contacts)
		}
		if a.Reason != b.Reason {
			return a.Reason < b.Reason
		}
		return a.Key < b.Key
	})
	if len(out) > maxDuplicateGroups {
		out = out[:maxDuplicateGroups]
	}
	return out, nil
}

// stripQueryFields clears the fields kept only for queries.
func stripQueryFields(c *Contact) { c.NameLower, c.TagsLower, c.Search = "", nil, "" }
