package input

import (
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Unaccent is s without its accents ("Núñez" → "Nunez"): decomposed,
// combining marks dropped, composed again. What duplicates and search
// compare names and words in.
func Unaccent(s string) string {
	// A chain keeps state while it runs: one per call, never shared.
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}
