package contacts

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"github.com/rapport-crm/rapport/pkg/input"
)

// Reasons two contacts may be one person (GET /v1/contacts/duplicates).
const (
	// SameNameCompany: the same name (case, accents and spacing folded) and
	// the same company text, or both without one.
	SameNameCompany = "same_name_company"
	// SamePhone: a phone number with the same digits (seven or more).
	SamePhone = "same_phone"
	// SimilarName: near-identical names — the same name at different
	// companies, the same first and last name around a middle name or
	// initial ("Grace M. Hopper"), or one or two letters apart ("Jon
	// Smith", "John Smith").
	SimilarName = "similar_name"
)

// DuplicatePair is two of the user's contacts that may be one person, and
// why; the older first. Emails and LinkedIn URLs cannot be shared: they make contacts one
// already.
type DuplicatePair struct {
	Reason   string     `json:"reason"`
	Contacts [2]Contact `json:"contacts"`
}

// Bounds of GET /v1/contacts/duplicates: pairs answered, and the size of a
// block of names compared letter by letter (larger blocks — a very common
// surname — are compared by the exact keys only).
const (
	maxDuplicatePairs = 500
	maxBlock          = 200
	// maxFound bounds the pairs held while reading (an account of many
	// namesakes): the first 10,000 found are ranked.
	maxFound = 10000
)

// FoldName is the form names are compared in for duplicates: lower case,
// without accents, single spaces ("José  Núñez" → "jose nunez").
func FoldName(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(input.Unaccent(name))), " ")
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

// dupEntry is what Duplicates keeps of a contact while it reads them all.
type dupEntry struct {
	id, name, company, firstLast string
}

// firstLast is a folded name's first and last words ("grace m. hopper" →
// "grace hopper"); "" for a one-word name.
func firstLast(folded string) string {
	ws := strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || r == ' ' {
			return r
		}
		return ' '
	}, folded))
	if len(ws) < 2 {
		return ""
	}
	return ws[0] + " " + ws[len(ws)-1]
}

// Duplicates reads the user's contacts a page at a time and returns the
// pairs that may be one person, each once with its strongest reason
// (same name and company, then same phone, then similar name), at most 500.
func (s *Service) Duplicates(ctx context.Context, userID string) ([]DuplicatePair, error) {
	f := &dupFinder{found: map[[2]int]string{}}
	byPhone := map[string][]int{}
	err := s.ForEach(ctx, userID, func(c *Contact) error {
		name := FoldName(c.Name)
		seen := map[string]bool{}
		for _, p := range c.Phones {
			if d := phoneDigits(p); d != "" && !seen[d] {
				seen[d] = true
				byPhone[d] = append(byPhone[d], len(f.all))
			}
		}
		f.all = append(f.all, dupEntry{id: c.ID, name: name, company: FoldName(c.Company), firstLast: firstLast(name)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, ids := range byPhone {
		f.each(ids, maxBlock, func(int, int) string { return SamePhone })
	}
	f.similarNames()
	f.exactNames()
	pairs := f.ranked()
	var ids []string
	for _, p := range pairs {
		ids = append(ids, f.all[p.i].id, f.all[p.j].id)
	}
	cs, err := s.Store.ContactsByID(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	out := []DuplicatePair{}
	for _, p := range pairs {
		a, ok1 := cs[f.all[p.i].id]
		b, ok2 := cs[f.all[p.j].id]
		if ok1 && ok2 { // not deleted meanwhile
			if b.CreatedAt.Before(a.CreatedAt) || b.CreatedAt.Equal(a.CreatedAt) && b.ID < a.ID {
				a, b = b, a // the older first: the one to keep, most likely
			}
			dp := DuplicatePair{Reason: p.reason, Contacts: [2]Contact{*a, *b}}
			out = append(out, dp)
		}
	}
	return out, nil
}

// dupRank orders the reasons, strongest first.
var dupRank = map[string]int{SameNameCompany: 0, SamePhone: 1, SimilarName: 2}

// dupFinder holds the contacts read (all) and the pairs found so far, by
// their indexes in all, with the strongest reason seen for each.
type dupFinder struct {
	all   []dupEntry
	found map[[2]int]string
}

// note records that i and j may be one person for reason, keeping the
// strongest reason for a pair and at most maxFound pairs.
func (f *dupFinder) note(i, j int, reason string) {
	if i == j {
		return
	}
	if i > j {
		i, j = j, i
	}
	old, ok := f.found[[2]int{i, j}]
	if !ok && len(f.found) >= maxFound {
		return
	}
	if !ok || dupRank[reason] < dupRank[old] {
		f.found[[2]int{i, j}] = reason
	}
}

// each compares every pair of ids (the second at an index below limit)
// and notes the pair with the reason why returns ("" for none).
func (f *dupFinder) each(ids []int, limit int, why func(x, y int) string) {
	for a := range ids {
		for b := a + 1; b < len(ids) && b < limit; b++ {
			if r := why(ids[a], ids[b]); r != "" {
				f.note(ids[a], ids[b], r)
			}
		}
	}
}

// similarNames compares letter by letter the names in blocks that may
// match: the same first word, the same last word.
func (f *dupFinder) similarNames() {
	blocks := map[string][]int{}
	for i, e := range f.all {
		ws := strings.Fields(e.name)
		if len(ws) == 0 {
			continue
		}
		blocks["f:"+ws[0]] = append(blocks["f:"+ws[0]], i)
		if len(ws) > 1 {
			blocks["l:"+ws[len(ws)-1]] = append(blocks["l:"+ws[len(ws)-1]], i)
		}
	}
	for _, ids := range blocks {
		if len(ids) > maxBlock {
			continue // too common to compare letter by letter; exactNames has them
		}
		f.each(ids, len(ids), func(i, j int) string {
			x, y := f.all[i], f.all[j]
			switch {
			case x.name == y.name && x.company == y.company:
				return SameNameCompany
			case x.name == y.name, x.firstLast != "" && x.firstLast == y.firstLast,
				len(x.name) >= 8 && len(y.name) >= 8 && editDistanceAtMost(x.name, y.name, 2):
				return SimilarName
			}
			return ""
		})
	}
}

// exactNames pairs the same name, and the same first and last words, also
// in blocks too large to compare letter by letter.
func (f *dupFinder) exactNames() {
	exact := map[string][]int{}
	for i, e := range f.all {
		exact["n:"+e.name] = append(exact["n:"+e.name], i)
		if e.firstLast != "" {
			exact["fl:"+e.firstLast] = append(exact["fl:"+e.firstLast], i)
		}
	}
	for k, ids := range exact {
		sameName := strings.HasPrefix(k, "n:")
		f.each(ids, maxBlock, func(i, j int) string {
			if sameName && f.all[i].company == f.all[j].company {
				return SameNameCompany
			}
			return SimilarName
		})
	}
}

// dupPair is a pair found, by indexes in dupFinder.all.
type dupPair struct {
	i, j   int
	reason string
}

// ranked returns the pairs found, strongest reason first, then by name,
// at most maxDuplicatePairs.
func (f *dupFinder) ranked() []dupPair {
	pairs := make([]dupPair, 0, len(f.found))
	for k, r := range f.found {
		pairs = append(pairs, dupPair{k[0], k[1], r})
	}
	all := f.all
	sort.Slice(pairs, func(a, b int) bool {
		p, q := pairs[a], pairs[b]
		if p.reason != q.reason {
			return dupRank[p.reason] < dupRank[q.reason]
		}
		if all[p.i].name != all[q.i].name {
			return all[p.i].name < all[q.i].name
		}
		return all[p.i].id+all[p.j].id < all[q.i].id+all[q.j].id
	})
	if len(pairs) > maxDuplicatePairs {
		pairs = pairs[:maxDuplicatePairs]
	}
	return pairs
}

// editDistanceAtMost reports whether a and b are at most k single-letter
// edits apart (Levenshtein, on runes, stopping early).
func editDistanceAtMost(a, b string, k int) bool {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > k || -d > k {
		return false
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > k {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)] <= k
}
