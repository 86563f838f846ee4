// Package recommendations keeps what people recommended to the user —
// a book, a tool, a talk, a paper — with who recommended it and where:
// what a conversation after a talk leaves behind, and a reason to write
// back once it is read or tried. It is a kind (pkg/kinds): read by id and
// listed newest first, served at /v1/recommendations and on the desk.
package recommendations

import (
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/kinds"
)

// Recommendation is one thing someone recommended.
type Recommendation struct {
	kinds.Meta
	// Title is what it is ("The Go Programming Language").
	Title string `json:"title"`
	URL   string `json:"url"`
	// By is who recommended it, and Where where (an event, a talk).
	By    string   `json:"by"`
	Where string   `json:"where"`
	Tags  []string `json:"tags"`
	Notes string   `json:"notes"`
	// Done is whether the user has read, watched or tried it.
	Done bool `json:"done"`
}

// Kind is the recommendations' kind: their rules and their store.
var Kind = kinds.Kind[Recommendation, *Recommendation]{
	Name:    "recommendations",
	What:    "recommendation",
	Title:   "Recommended",
	Check:   check,
	Example: `{"title": "Concurrency in Go", "url": "https://example.com/book", "by": "Ada Lovelace", "where": "GopherCon EU", "tags": ["go"]}`,
}

// check is a recommendation's rules: a title, an http(s) URL or none, and
// the lengths of PRODUCT.md §2.
func check(r *Recommendation) error {
	var c input.Checker
	r.Title = c.Required("title", r.Title, input.MaxShort)
	r.URL = c.URL("url", r.URL)
	r.By = c.Text("by", r.By, input.MaxName)
	r.Where = c.Text("where", r.Where, input.MaxShort)
	r.Tags = c.Tags("tags", r.Tags)
	r.Notes = c.Text("notes", r.Notes, input.MaxNotes)
	return c.Err()
}
