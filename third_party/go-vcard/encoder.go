package vcard

import (
	"errors"
	"io"
	"sort"
	"strings"
)

// An Encoder formats cards.
type Encoder struct {
	w io.Writer
	// buf holds the card being written, and line the content line being
	// formatted (kept between cards: a card is written with one Write and
	// no allocation once they have grown).
	buf, line []byte
	keys      []string
}

// NewEncoder creates a new Encoder that writes cards to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w}
}

// Encode formats a card. The card must have a FieldVersion field.
func (enc *Encoder) Encode(c Card) error {
	version := c.Get(FieldVersion)
	if version == nil {
		return errors.New("vcard: VERSION field missing")
	}
	enc.buf = append(enc.buf[:0], "BEGIN:VCARD\r\n"...)
	enc.writeLine(FieldVersion, version)

	keys := enc.keys[:0]
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, FieldVersion) {
			continue
		}
		for _, f := range c[k] {
			enc.writeLine(k, f)
		}
	}
	enc.keys = keys[:0]

	enc.buf = append(enc.buf, "END:VCARD\r\n"...)
	_, err := enc.w.Write(enc.buf)
	return err
}

// writeLine appends a field's content line, folded, to the card.
func (enc *Encoder) writeLine(key string, field *Field) {
	enc.line = appendLine(enc.line[:0], key, field)
	enc.buf = appendFolded(enc.buf, enc.line)
	enc.buf = append(enc.buf, '\r', '\n')
}

func formatLine(key string, field *Field) string {
	return string(appendLine(nil, key, field))
}

// appendLine appends a field's content line, unfolded, to dst.
func appendLine(dst []byte, key string, field *Field) []byte {
	if field.Group != "" {
		dst = append(dst, field.Group...)
		dst = append(dst, '.')
	}
	dst = append(dst, key...)

	if len(field.Params) > 0 {
		keys := make([]string, 0, len(field.Params))
		for k := range field.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, pk := range keys {
			for _, pv := range field.Params[pk] {
				dst = append(dst, ';')
				dst = append(dst, pk...)
				dst = append(dst, '=')
				dst = appendParamValue(dst, pv)
			}
		}
	}

	dst = append(dst, ':')
	if IsRawValue(key) || isURIValue(key, field) {
		// Escaped part by part already (JoinValue), or a URI, which is
		// not escaped; a line break would end the line early.
		return appendBreaks(dst, field.Value)
	}
	return appendText(dst, field.Value)
}

// appendBreaks appends v with each line break (CRLF, CR or LF) as \n.
func appendBreaks(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\r':
			if i+1 < len(v) && v[i+1] == '\n' {
				i++
			}
			dst = append(dst, '\\', 'n')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendText appends v escaped as a text value (EscapeText).
func appendText(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\', ',', ';':
			dst = append(dst, '\\', c)
		case '\r':
			if i+1 < len(v) && v[i+1] == '\n' {
				i++
			}
			dst = append(dst, '\\', 'n')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendParamValue appends a parameter value as formatValue writes it.
func appendParamValue(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case ',':
			dst = append(dst, '\\', ',')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func formatValue(v string) string {
	return string(appendParamValue(nil, v))
}
