package sqlite

import (
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf8"

	"modernc.org/sqlite"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/search"
)

// The SQL functions of migrations 00024 and 00025, on every connection this driver
// opens: search folds as input.Fold in Go, so both engines find the same
// records. rapport_fold(text) is input.Fold (the q= text of contacts and
// events); rapport_search_alt(text) is search.AltWords (the alt column of
// the full-text index). NULL gives NULL.
func init() {
	for name, fn := range map[string]func(string) string{
		"rapport_fold":       input.Fold,
		"rapport_search_alt": search.AltWords,
		"rapport_topic":      topicKey,
	} {
		if err := sqlite.RegisterDeterministicScalarFunction(name, 1, textFunc(fn)); err != nil {
			panic(err)
		}
	}
	// rapport_search_words(user_id, text) is searchWords (migration
	// 00032); rapport_grams(user_id, text) is grams (00033).
	for name, fn := range map[string]func(userID, text string) string{"rapport_search_words": searchWords, "rapport_grams": grams} {
		err := sqlite.RegisterDeterministicScalarFunction(name, 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			user, _ := args[0].(string)
			switch v := args[1].(type) {
			case string:
				return fn(user, v), nil
			case []byte:
				return fn(user, string(v)), nil
			}
			return "", nil
		})
		if err != nil {
			panic(err)
		}
	}
}

// grams is what the q= index (contacts_fts) holds of a user's contact:
// every three characters in a row of its search text (spaces and signs
// too, as a trigram index takes them), each behind eight hex digits of the
// user's key, as one word each. A character other than a-p, r-z or 0-9 is
// spelled q and the hex of its UTF-8 bytes (the first byte says how many),
// so a gram is letters and digits and no two grams spell the same. A text
// of three characters or more is found by its grams (gramsQuery).
func grams(userID, text string) string {
	spelled := spell(text)
	if len(spelled) < 3 {
		return ""
	}
	// Written into one buffer: a string a gram and their join made most
	// of the q= index's Go-side cost in an import.
	key := gramKey(userID)
	var b strings.Builder
	b.Grow((len(spelled) - 2) * (len(key) + 4))
	for i := 0; i+3 <= len(spelled); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(key)
		b.WriteString(spelled[i])
		b.WriteString(spelled[i+1])
		b.WriteString(spelled[i+2])
	}
	return b.String()
}

// gramList is grams as a list, in the order of the text.
func gramList(userID, text string) []string {
	spelled := spell(text)
	if len(spelled) < 3 {
		return nil
	}
	key := gramKey(userID)
	out := make([]string, 0, len(spelled)-2)
	for i := 0; i+3 <= len(spelled); i++ {
		out = append(out, key+spelled[i]+spelled[i+1]+spelled[i+2])
	}
	return out
}

// spelledASCII is how spell spells each ASCII character other than a-p,
// r-z and 0-9 (spaces and signs are most of a text's other characters).
var spelledASCII = func() (out [utf8.RuneSelf]string) {
	for r := range out {
		out[r] = "q" + hex.EncodeToString([]byte{byte(r)})
	}
	return out
}()

// spell is each character of text as grams spell it: a-p, r-z and 0-9 as
// they are, any other q and the hex of its UTF-8 bytes.
func spell(text string) []string {
	spelled := make([]string, 0, len(text))
	for i, r := range text {
		switch {
		case r >= 'a' && r <= 'z' && r != 'q', r >= '0' && r <= '9':
			spelled = append(spelled, text[i:i+1])
		case r < utf8.RuneSelf:
			spelled = append(spelled, spelledASCII[r])
		default:
			spelled = append(spelled, "q"+hex.EncodeToString([]byte(string(r))))
		}
	}
	return spelled
}

// gramsQuery is the FTS5 query of text in the q= index: each of its
// grams once, all required. The index keeps no positions (migration
// 00035), so this names every row holding the grams in any order; the
// page query keeps those holding the text itself (instr). Hex and the key
// are letters and digits only, so nothing in it is syntax.
func gramsQuery(userID, text string) string {
	gs := gramList(userID, text)
	slices.Sort(gs)
	return strings.Join(slices.Compact(gs), " ")
}

// searchKey is what every word of the user's in the full-text index
// begins with: sixteen hex digits of a hash of the user id (one length
// for all, so no key is the start of another's key and a word).
func searchKey(userID string) string {
	h := sha256.Sum256([]byte(userID))
	return hex.EncodeToString(h[:searchKeyLen/2])
}

// searchKeyLen is how long every search key is.
const searchKeyLen = 16

// gramKey is what every gram of the user's in the q= index begins with:
// the first eight hex digits of the user's search key.
func gramKey(userID string) string { return searchKey(userID)[:8] }

// searchWords is what the full-text index holds of a user's text: its
// folded words (search.Fold, what MongoDB's words are made of), each
// behind the user's key, so one user's query never reads another's words.
func searchWords(userID, text string) string {
	key := searchKey(userID)
	var b strings.Builder
	for _, w := range search.Fold(text) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(key)
		b.WriteString(w)
	}
	return b.String()
}

// topicKey is a topic as insights count it: trimmed, lower-cased
// (migration 00025; the same as insights' Facts).
func topicKey(s string) string { return strings.TrimSpace(strings.ToLower(s)) }

// textFunc runs fn on a text argument (a blob is read as text).
func textFunc(fn func(string) string) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
	return func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case nil:
			return nil, nil
		case string:
			return fn(v), nil
		case []byte:
			return fn(string(v)), nil
		default:
			return v, nil
		}
	}
}
