package events

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/words"
)

// The weights of a reason to meet someone on the guest list (PRODUCT.md
// §11): one of your targets, at a company with an open opportunity, a warm
// path into their company, each of your hot topics in their title or
// their company's tags.
const (
	ScoreTarget      = 10
	ScoreOpportunity = 8
	ScoreWarmPath    = 3
	ScoreTopic       = 2
)

// The kinds of reason.
const (
	ReasonTarget      = "target"
	ReasonOpportunity = "opportunity"
	ReasonWarmPath    = "warm_path"
	ReasonTopics      = "topics"
)

// Reason is why someone on the list is worth meeting.
type Reason struct {
	Kind          string `json:"kind"`
	Text          string `json:"text"`
	ContactID     string `json:"contact_id,omitempty"`
	CompanyID     string `json:"company_id,omitempty"`
	OpportunityID string `json:"opportunity_id,omitempty"`
}

// ToMeet is someone on the list who is not a contact yet, with a score and
// its reasons.
type ToMeet struct {
	Attendee Attendee `json:"attendee"`
	Score    int      `json:"score"`
	Reasons  []Reason `json:"reasons"`
}

// Opening is an open opportunity at a company.
type Opening struct{ ID, Title string }

// PrepFacts are what the ranking reads about the user: the event's
// targets, the companies the attendees' company texts name, and what the
// user has at those companies.
type PrepFacts struct {
	Targets []Target
	// TargetNames names the targets' companies (by id) for the reasons.
	CompanyNames map[string]string
	// CompanyOf is the user's company each attendee company text names.
	CompanyOf map[string]string
	// Openings are open opportunities by company id.
	Openings map[string]Opening
	// Warm counts the user's contacts at each company id.
	Warm map[string]int
	// CompanyTags are each company's tags (lower-cased).
	CompanyTags map[string][]string
	// HotTopics are the user's topics of the last 90 days, hottest first
	// (lower-cased).
	HotTopics []string
}

// FoldName is a name as targets, guests and speakers are matched by:
// spaces collapsed, folded (input.Fold: case and accents aside).
func FoldName(s string) string { return input.Fold(strings.Join(strings.Fields(s), " ")) }

// RankToMeet scores each attendee (declined ones are left out) and ranks
// them: the highest score first, then by name.
func RankToMeet(as []Attendee, f PrepFacts) []ToMeet {
	targetNames := map[string]bool{}
	targetCompanies := map[string]bool{}
	for _, t := range f.Targets {
		if t.Name != "" {
			targetNames[FoldName(t.Name)] = true
		}
		if t.CompanyID != "" {
			targetCompanies[t.CompanyID] = true
		}
	}
	out := make([]ToMeet, 0, len(as))
	for _, a := range as {
		if a.Status == AttendeeDeclined {
			continue
		}
		m := ToMeet{Attendee: a, Reasons: []Reason{}}
		co := f.CompanyOf[a.Company]
		coName := a.Company
		if n, ok := f.CompanyNames[co]; ok && n != "" {
			coName = n
		}
		switch {
		case targetNames[FoldName(a.Name)]:
			m.add(ScoreTarget, Reason{Kind: ReasonTarget, Text: "You wanted to meet " + a.Name})
		case co != "" && targetCompanies[co]:
			m.add(ScoreTarget, Reason{Kind: ReasonTarget, Text: "You wanted to meet someone from " + coName, CompanyID: co})
		case a.Company != "" && targetNames[FoldName(a.Company)]:
			m.add(ScoreTarget, Reason{Kind: ReasonTarget, Text: "You wanted to meet someone from " + a.Company, CompanyID: co})
		}
		if o, ok := f.Openings[co]; ok && co != "" {
			m.add(ScoreOpportunity, Reason{Kind: ReasonOpportunity, Text: fmt.Sprintf("Works at %s, where %q is open", coName, o.Title),
				CompanyID: co, OpportunityID: o.ID})
		}
		if n := f.Warm[co]; n > 0 && co != "" {
			m.add(ScoreWarmPath, Reason{Kind: ReasonWarmPath, Text: fmt.Sprintf("You know %d %s at %s", n, words.Plural(n, "person", "people"), coName),
				CompanyID: co})
		}
		if hits := topicsIn(f.HotTopics, a.Title, f.CompanyTags[co]); len(hits) > 0 {
			m.Score += ScoreTopic * len(hits)
			m.Reasons = append(m.Reasons, Reason{Kind: ReasonTopics, Text: "Into " + words.AndList(hits) + words.Plural(len(hits), ", one of your hot topics", ", your hot topics")})
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b ToMeet) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(strings.ToLower(a.Attendee.Name), strings.ToLower(b.Attendee.Name)),
			strings.Compare(a.Attendee.ID, b.Attendee.ID))
	})
	return out
}

func (m *ToMeet) add(score int, r Reason) {
	m.Score += score
	m.Reasons = append(m.Reasons, r)
}

// topicsIn returns the hot topics that are a word of title or one of
// tags, each once, in the hot topics' order.
func topicsIn(hot []string, title string, tags []string) []string {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(FoldName(title), func(r rune) bool {
		return !(r == '-' || r == '+' || r == '#' || r == '.' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127)
	}) {
		words[strings.Trim(w, ".")] = true
	}
	for _, t := range tags {
		words[FoldName(t)] = true
	}
	var out []string
	for _, h := range hot {
		if words[FoldName(h)] {
			out = append(out, h)
		}
	}
	return out
}
