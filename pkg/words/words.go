// Package words writes counts and lists in English as the pages, emails
// and briefs say them: "1 new contact", "2 new contacts", "go, rust and
// wasm". It imports nothing of Rapport's, so domains and edges share it.
package words

import (
	"fmt"
	"strings"
)

// Plural is one when n is 1, else many: for a count set apart from its
// noun ("<strong>1</strong> line") or a noun with an irregular plural
// ("person", "people").
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Counted is n things: "1 new event", "2 new events", "0 new events"
// (thing is the singular, which takes an s).
func Counted(n int, thing string) string {
	return fmt.Sprintf("%d %s", n, Plural(n, thing, thing+"s"))
}

// AndList joins items as a sentence lists them: "go", "go and rust", "go,
// rust and wasm"; "" for none.
func AndList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
