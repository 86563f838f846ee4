// Package search is what GET /v1/search finds (PRODUCT.md §9): the words of
// every record a user wrote or imported, folded (case and accents ignored),
// matched by prefix, never as a pattern. The engines keep their own index
// (SQLite FTS5 with a diacritics-folding tokenizer; MongoDB a field of each
// record's folded word prefixes); this package holds what both share: the
// types, which text of a record is searched, how words fold, and the
// store interface the conformance suite checks.
package search

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

// The types of records search finds.
const (
	Contact     = "contact"
	Encounter   = "encounter"
	Event       = "event"
	Interaction = "interaction"
	Intro       = "intro"
	Opportunity = "opportunity"
	Company     = "company"
)

// Types lists every type in the order a tie is broken.
var Types = []string{Contact, Company, Event, Opportunity, Encounter, Intro, Interaction}

// Limits of a query.
const (
	// MaxTerms is how many words of a query count; the rest are ignored.
	MaxTerms = 8
	// MaxPrefix is the longest prefix a MongoDB record keeps of a word;
	// longer query words are matched on it and checked on the text.
	MaxPrefix = 16
	// DefaultLimit and MaxLimit bound the answer's items.
	DefaultLimit, MaxLimit = 20, 50
)

// Query is one search of one user's records.
type Query struct {
	UserID string
	// Terms are folded words (Terms); every one must match, each as a
	// prefix of a word of the record.
	Terms []string
	// Types limits the answer to these types; empty is all.
	Types []string
	Limit int
}

// Wants reports whether q asks for records of type t.
func (q Query) Wants(t string) bool {
	if len(q.Types) == 0 {
		return true
	}
	for _, x := range q.Types {
		if x == t {
			return true
		}
	}
	return false
}

// Hit is one record found: the item of GET /v1/search. The store fills
// Title for records with a name of their own (contact, company, event,
// opportunity); the workflow names encounters, interactions and intros
// after their contacts and events.
type Hit struct {
	Type      string     `json:"type"`
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Snippet   string     `json:"snippet"`
	ContactID string     `json:"contact_id"`
	EventID   string     `json:"event_id"`
	At        *time.Time `json:"at"`
	Score     float64    `json:"score"`
	// OtherID is an intro's second contact (it names the intro).
	OtherID string `json:"-"`
}

// Store finds records. Both adapters implement it; storetest.Search
// checks they agree.
type Store interface {
	// Search returns up to q.Limit of the user's records matching every
	// term, best first (Score descending). Only q.UserID's records.
	Search(ctx context.Context, q Query) ([]Hit, error)
}

// Fold splits text into folded words (input.Fold: lower case, no
// accents, ø ł ß æ… in ASCII) where the SQLite tokenizer (unicode61)
// splits: "José's Kubernetes-talk" → jose, s, kubernetes, talk; "Straße"
// → strasse.
func Fold(text string) []string {
	return strings.FieldsFunc(input.Fold(text), notWordRune)
}

// notWordRune splits words: anything but a letter or a digit.
func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// Terms are the words of a user's query: folded, each once, at most
// MaxTerms. Nothing in them is an operator or a pattern.
func Terms(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range Fold(q) {
		if !seen[w] && len(out) < MaxTerms {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// Prefixes is every prefix, up to MaxPrefix runes, of every folded word
// of the texts, each once and sorted: what a MongoDB record keeps so a
// query word is found by equality.
func Prefixes(texts ...string) []string {
	set := map[string]bool{}
	for _, t := range texts {
		for _, w := range Fold(t) {
			r := []rune(w)
			for n := 1; n <= len(r) && n <= MaxPrefix; n++ {
				set[string(r[:n])] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// Text is what is searched of a record: its name (weighs more) and the
// rest. The SQLite triggers of migration 00019 gather the same columns.
type Text struct{ Name, Body string }

func join(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// ContactText is a contact's name; its company, title, emails, tags and notes.
func ContactText(c *contacts.Contact) Text {
	return Text{c.Name, join(c.Company, c.Title, strings.Join(c.Emails, " "), strings.Join(c.Tags, " "), c.Notes)}
}

// EncounterText is an encounter's topics; its notes.
func EncounterText(e *contacts.Encounter) Text {
	return Text{strings.Join(e.Topics, " "), e.Notes}
}

// InteractionText is an interaction's notes.
func InteractionText(it *contacts.Interaction) Text { return Text{"", it.Notes} }

// IntroText is an intro's context.
func IntroText(it *contacts.Intro) Text { return Text{"", it.Context} }

// EventText is an event's title; its talks (titles and speakers),
// organizer, location, tags and notes.
func EventText(e *events.Event) Text {
	var talks []string
	for _, t := range e.Talks {
		talks = append(talks, t.Title, t.Speaker)
	}
	return Text{e.Title, join(join(talks...), e.Organizer, e.Location, strings.Join(e.Tags, " "), e.Notes)}
}

// OpportunityText is an opportunity's title; its next step and notes.
func OpportunityText(o *opportunities.Opportunity) Text {
	return Text{o.Title, join(o.NextStep, o.Notes)}
}

// CompanyText is a company's name; its domain, tags and notes.
func CompanyText(c *companies.Company) Text {
	return Text{c.Name, join(c.Domain, strings.Join(c.Tags, " "), c.Notes)}
}

// words are the words of text as written (not folded), split where Fold
// splits, so word i of words folds to word i of Fold(text) (one word
// folds to one word).
func words(text string) []string { return strings.FieldsFunc(text, notWordRune) }

func foldWord(w string) string {
	f := Fold(w)
	return strings.Join(f, "")
}

// Rank scores a record's text for terms, as both adapters rank: per term its best
// match, a whole word of the name 4, a prefix of one 3, a whole word of
// the rest 1, a prefix 0.75; summed, and shorter texts first among equals.
// ok is false when a term matches nothing.
func Rank(terms []string, t Text) (score float64, ok bool) {
	return RankWords(terms, Fold(t.Name), Fold(t.Body))
}

// RankWords is Rank of a record whose name and rest are already folded
// into words (Fold's): what an index that keeps the folded words scores
// without folding the text again.
func RankWords(terms, name, body []string) (score float64, ok bool) {
	for _, term := range terms {
		best := 0.0
		for _, f := range []struct {
			words       []string
			exact, pref float64
		}{{name, 4, 3}, {body, 1, 0.75}} {
			for _, w := range f.words {
				switch {
				case w == term && f.exact > best:
					best = f.exact
				case strings.HasPrefix(w, term) && f.pref > best:
					best = f.pref
				}
			}
		}
		if best == 0 {
			return 0, false
		}
		score += best
	}
	return score / (1 + float64(len(name)+len(body))/100), true
}

// Order sorts hits as a search answers: best score first, then by type
// and id.
func Order(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Type, b.Type), strings.Compare(a.ID, b.ID))
	})
}

// snippetWords is how many words a snippet shows.
const snippetWords = 12

// Snippet is up to 12 words of the record around the first word a term
// matches, as written (punctuation kept, line breaks as spaces), from the
// rest of its text if a term matches there, else from its name; "…" marks
// words left out.
func Snippet(terms []string, t Text) string {
	for _, text := range []string{t.Body, t.Name} {
		spans := wordSpans(text)
		for i, sp := range spans {
			f := foldWord(text[sp[0]:sp[1]])
			for _, term := range terms {
				if strings.HasPrefix(f, term) {
					from := max(0, i-snippetWords/3)
					to := min(len(spans), from+snippetWords)
					s := strings.Join(strings.Fields(text[spans[from][0]:spans[to-1][1]]), " ")
					if from > 0 {
						s = "…" + s
					}
					if to < len(spans) {
						s += "…"
					}
					return s
				}
			}
		}
	}
	return ""
}

// wordSpans are the byte ranges of the words of text, split where Fold
// splits.
func wordSpans(text string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text {
		switch {
		case !notWordRune(r) && start < 0:
			start = i
		case notWordRune(r) && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}

// AltWords are the words of text that the SQLite tokenizer folds otherwise
// than Fold — unicode61 drops accents but keeps ø, ł, đ, ß, æ… — each as
// Fold spells it, space-separated: "Jan Sørensen, Straße" → "sorensen
// strasse". The SQLite index keeps them in a column of their own, so a
// folded query word finds them; "" for most texts.
func AltWords(text string) string {
	var out []string
	for _, w := range words(text) {
		if isASCII(w) {
			continue
		}
		if f := foldWord(w); f != strings.ToLower(input.Unaccent(w)) {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
