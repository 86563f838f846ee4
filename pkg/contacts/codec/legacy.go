package codec

import (
	"io"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// vCard 2.1 — what Android's contact export and Outlook's "Save as vCard"
// write — differs from 3.0 in ways go-vcard does not read: a parameter may
// be a bare type (TEL;CELL;VOICE:, EMAIL;PREF;INTERNET:), which go-vcard
// took for a parameter named CELL whose value ran to the next ':' — the
// number was lost, and so was every phone and email of such a card — and
// a value may be QUOTED-PRINTABLE in a CHARSET (Android writes every name
// with a letter outside ASCII so: N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:
// M=C3=BCller), its long lines broken by a soft line break ("=" at a line's
// end, the next line not indented). legacyLine turns one such property
// into its 3.0 form; ReadVCards joins soft line breaks.

// legacyLine is one unfolded property line with bare parameters written
// as TYPE=…, a QUOTED-PRINTABLE value decoded (from its CHARSET) and
// escaped as 3.0 text, ENCODING=BASE64 as ENCODING=b, and CHARSET left
// out once the value is UTF-8. A line already in 3.0 form is returned as
// it is.
func legacyLine(line string) string {
	head, value, ok := splitProperty(line)
	if !ok || !isLegacy(head) {
		return line
	}
	parts := splitParams(head)
	var out []string
	qp, b64, charset, changed := false, false, "", false
	for i, p := range parts {
		if i == 0 {
			out = append(out, p) // [group.]NAME
			continue
		}
		name, val, hasValue := strings.Cut(p, "=")
		upper := strings.ToUpper(strings.TrimSpace(name))
		switch {
		case !hasValue && (upper == "QUOTED-PRINTABLE" || upper == "BASE64"):
			name, val, hasValue = "ENCODING", upper, true
			changed = true
		case !hasValue:
			out = append(out, "TYPE="+strings.TrimSpace(name))
			changed = true
			continue
		}
		upperVal := strings.ToUpper(strings.Trim(strings.TrimSpace(val), `"`))
		switch {
		case strings.EqualFold(name, "ENCODING") && upperVal == "QUOTED-PRINTABLE":
			qp, changed = true, true
		case strings.EqualFold(name, "ENCODING") && upperVal == "BASE64":
			out, b64, changed = append(out, "ENCODING=b"), true, true
		case strings.EqualFold(name, "CHARSET"):
			charset, changed = upperVal, true
		default:
			out = append(out, p)
		}
	}
	if !changed {
		return line
	}
	switch {
	case qp:
		value = escapeLineBreaks(inCharset(decodeQP(value), charset))
	case b64:
		value = strings.Join(strings.Fields(value), "") // 2.1 indents its lines by more than the fold's one space
	case charset != "":
		value = inCharset([]byte(value), charset)
	}
	return strings.Join(out, ";") + ":" + value
}

// isLegacy says whether a property's name and parameters have something
// of 2.1 in them: a bare parameter, an ENCODING other than 3.0's b, or a
// CHARSET. It allocates nothing: every line of an import goes through it.
func isLegacy(head string) bool {
	i := indexOutsideQuotes(head, ';')
	for i >= 0 {
		head = head[i+1:]
		next := indexOutsideQuotes(head, ';')
		p := head
		if next >= 0 {
			p = head[:next]
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok || strings.EqualFold(name, "CHARSET") || strings.EqualFold(name, "ENCODING") && !strings.EqualFold(val, "b") {
			return true
		}
		i = next
	}
	return false
}

// containsFold says whether s holds sub, ignoring case, without
// allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// splitProperty cuts a property line at the ':' that ends its name and
// parameters (not one inside a quoted parameter value).
func splitProperty(line string) (head, value string, ok bool) {
	if i := indexOutsideQuotes(line, ':'); i >= 0 {
		return line[:i], line[i+1:], true
	}
	return line, "", false
}

// splitParams splits a property's name and parameters on the ';' outside
// quotes.
func splitParams(head string) []string {
	var parts []string
	for i := indexOutsideQuotes(head, ';'); i >= 0; i = indexOutsideQuotes(head, ';') {
		parts = append(parts, head[:i])
		head = head[i+1:]
	}
	return append(parts, head)
}

// indexOutsideQuotes is the index of the first sep in s that is not
// inside double quotes, or -1.
func indexOutsideQuotes(s string, sep byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				return i
			}
		}
	}
	return -1
}

// decodeQP is a quoted-printable value decoded; what does not decode is
// kept as it was written.
func decodeQP(v string) []byte {
	out, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(v)))
	if err != nil {
		return []byte(v)
	}
	return out
}

// inCharset is b, in charset, as UTF-8: ISO-8859-1 and windows-1252 (the
// charsets an import reads) converted, UTF-8 and anything else as it is
// (a value that is not UTF-8 is then refused with its row).
func inCharset(b []byte, charset string) string {
	if utf8.Valid(b) && charset != "ISO-8859-1" && charset != "WINDOWS-1252" {
		return string(b)
	}
	switch charset {
	case "ISO-8859-1", "LATIN1":
		if out, err := charmap.ISO8859_1.NewDecoder().Bytes(b); err == nil {
			return string(out)
		}
	case "WINDOWS-1252", "CP1252":
		if out, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
			return string(out)
		}
	}
	return string(b)
}

// escapeLineBreaks writes a decoded value's line breaks (CRLF, CR, LF) as
// vCard 3.0's \n.
func escapeLineBreaks(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.NewReplacer("\r\n", `\n`, "\r", `\n`, "\n", `\n`).Replace(v)
}
