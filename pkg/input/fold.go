package input

import (
	"strings"
	"unicode"
	"unicode/utf8"

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

// CleanText makes text from outside — a browser's form, a mail in the
// wild — fit for every format Rapport writes and for Text's checks: invalid
// UTF-8 becomes U+FFFD, CRLF and CR become LF, and control characters but
// LF and tab (C0 and DEL) are dropped.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r >= 0x20 && r != 0x7f {
			return r
		}
		return -1
	}, s)
}

// OneLine is s on one line — runs of spaces, line breaks and control
// characters one space — cut to n characters, the last "…" when cut (n ≥
// 1): a piece of outside text quoted in a message, such as a refused
// row's name in an import's report.
func OneLine(s string, n int) string {
	return Cut(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " "), n)
}

// Cut is s cut to n characters, the last "…" when cut (n ≥ 1).
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// letters are the letters that carry no accent to remove but that a
// reader of ASCII spells otherwise: "Sørensen" is found as sorensen,
// "Straße" as strasse, "Łódź" as lodz. Lower case only (Fold lowers first).
var letters = strings.NewReplacer(
	"ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "ł", "l", "đ", "d", "ð", "d",
	"þ", "th", "ħ", "h", "ı", "i", "ŀ", "l", "ŧ", "t", "ĸ", "k", "ŋ", "ng",
)

// Fold is s as every search compares it (GET /v1/search, and q= of
// contacts and events, on both engines): lower case, accents removed
// (Unaccent) and the letters above spelled in ASCII. Word breaks are kept,
// so folded text is searched as the text was.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	return letters.Replace(Unaccent(strings.ToLower(s)))
}
