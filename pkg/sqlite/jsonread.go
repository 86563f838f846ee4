package sqlite

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The store keeps lists as JSON text (jsonList), and every row read
// decoded them with encoding/json's reflection: a few hundred nanoseconds
// a list, four lists an event, three a contact — a fifth of reading a
// feed's 5,000 events. What the store writes is read here without it, and
// anything else (escapes, spaces, null, rows written by hand) by
// encoding/json, so the result is the same either way
// (TestReadJSONAsEncodingJSON).

// unmarshalStrings decodes s, a JSON array of strings, into dst as
// json.Unmarshal does.
func unmarshalStrings(s string, dst *[]string) error {
	if out, ok := plainStrings(s); ok {
		*dst = out
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

// plainStrings parses s if it is an array of strings as jsonList writes
// it — no spaces, and strings without escapes or control characters, in
// valid UTF-8; ok false otherwise. [] is an empty list, not nil.
func plainStrings(s string) (out []string, ok bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	if body == "" {
		return []string{}, true
	}
	out = make([]string, 0, strings.Count(body, `","`)+1)
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(body[1:], '"') + 1
		if end == 0 {
			return nil, false
		}
		v := body[1:end]
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] == '\\' {
				return nil, false
			}
		}
		if !utf8.ValidString(v) {
			return nil, false
		}
		out = append(out, v)
		body = body[end+1:]
		if body == "" {
			return out, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}

// unmarshalUnless decodes s into dst as json.Unmarshal does, or, when s is
// empty (the text the store writes for an empty value), sets dst to
// emptyValue, which must be what json.Unmarshal makes of it.
func unmarshalUnless[T any](s, empty string, dst *T, emptyValue T) error {
	if s == empty {
		*dst = emptyValue
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}
