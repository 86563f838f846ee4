package vcard

import (
	"strings"
	"unicode/utf8"
)

// Escaping of property values (RFC 6350 §3.4, RFC 2426 §5).
//
// A text value (FN, NOTE, TITLE, EMAIL, …) is held in Field.Value as the
// text itself: the decoder unescapes it, the encoder escapes it. A
// compound value (N, ADR, ORG, GENDER, CLIENTPIDMAP) or a list
// (CATEGORIES, NICKNAME) is held as written, each part escaped, because
// an escaped separator inside a part ("Acme\; Inc.") and a separator
// between parts can only be told apart before unescaping: SplitValue and
// JoinValue move between that form and its parts.
var rawValueProperties = map[string]bool{
	FieldName:         true,
	FieldAddress:      true,
	FieldOrganization: true,
	FieldGender:       true,
	FieldClientPIDMap: true,
	FieldCategories:   true,
	FieldNickname:     true,
}

// uriValueProperties are the properties whose value is a URI (RFC 6350
// §6; a 3.0 URL, and a 3.0 PHOTO or SOUND given by URI), which is written
// as it is: escaping a data: URI's ';' and ',' (PHOTO:data:image/png;
// base64,…) broke it for every reader. Any property with VALUE=uri is
// written so too (TEL;VALUE=uri:tel:+1-555-0100;ext=12).
var uriValueProperties = map[string]bool{
	FieldPhoto: true, FieldLogo: true, FieldSound: true, FieldURL: true, FieldKey: true, FieldIMPP: true,
	FieldSource: true, FieldFreeOrBusyURL: true, FieldCalendarAddressURI: true, FieldCalendarURI: true, FieldMember: true,
}

// isURIValue reports whether field, of property key, holds a URI.
func isURIValue(key string, field *Field) bool {
	if strings.EqualFold(field.Params.Get(ParamValue), "uri") {
		return true
	}
	return uriValueProperties[strings.ToUpper(key)]
}

// IsRawValue reports whether the value of property key is held as written
// (a compound value or a list; see SplitValue) rather than as text.
func IsRawValue(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; 'a' <= c && c <= 'z' {
			return rawValueProperties[strings.ToUpper(key)]
		}
	}
	return rawValueProperties[key] // in upper case already: no copy
}

// EscapeText escapes s for a text value: backslash, comma, semicolon and
// line breaks (CRLF, CR or LF, each written as \n).
func EscapeText(s string) string {
	if !strings.ContainsAny(s, "\\,;\r\n") {
		return s
	}
	return string(appendText(make([]byte, 0, len(s)+8), s))
}

// UnescapeText reads a text value: \\, \n or \N, \, \; and \: become
// what they stand for, in one pass (so "\\n" is a backslash and an n). A
// backslash before any other character, or at the end, is kept.
func UnescapeText(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch n := s[i+1]; n {
		case '\\', ',', ';', ':':
			b.WriteByte(n)
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte('\\')
			b.WriteByte(n)
		}
		i++
	}
	return b.String()
}

// SplitValue splits a compound value or a list as written at each
// unescaped sep (';' between components, ',' between list items) and
// unescapes each part.
func SplitValue(v string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++ // the escaped character is never a separator
		case sep:
			parts = append(parts, UnescapeText(v[start:i]))
			start = i + 1
		}
	}
	return append(parts, UnescapeText(v[start:]))
}

// JoinValue writes parts as a compound value (sep ';') or a list (sep
// ','): each part escaped, joined by sep.
func JoinValue(parts []string, sep byte) string {
	if len(parts) == 1 {
		return EscapeText(parts[0])
	}
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n+8)
	for i, p := range parts {
		if i > 0 {
			b = append(b, sep)
		}
		b = appendText(b, p)
	}
	return string(b)
}

// maxLine is the most octets of a content line (RFC 6350 §3.2).
const maxLine = 75

// appendFolded appends the content line l to dst, folded at maxLine
// octets (RFC 6350 §3.2), never inside a UTF-8 sequence: each
// continuation line starts with one space. Bytes that are not UTF-8 are
// cut at maxLine: a run of continuation bytes has no rune's start to back
// up to, and backing up to the line's start folded nothing, forever (a
// card of 2.9 KB took the process's memory).
func appendFolded(dst, l []byte) []byte {
	limit := maxLine
	for len(l) > limit {
		i := limit
		for i > limit-(utf8.UTFMax-1) && l[i]&0xC0 == 0x80 { // a continuation byte: back up to the rune's start
			i--
		}
		if l[i]&0xC0 == 0x80 {
			i = limit // not UTF-8
		}
		dst = append(dst, l[:i]...)
		dst = append(dst, "\r\n "...)
		l = l[i:]
		limit = maxLine - 1 // the leading space counts
	}
	return append(dst, l...)
}
