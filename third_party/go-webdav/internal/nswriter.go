package internal

import (
	"bytes"
	"io"
)

// nsWriter drops the default-namespace declarations that restate the one in
// scope from the XML written through it: encoding/xml writes
// xmlns="DAV:" on every element of a multistatus (about a seventh of a
// multiget's bytes, and an attribute for the client's parser on every
// element). An element keeps its declaration when it changes the default
// namespace, so what the document means is unchanged: a DAV:href inside a
// CardDAV property still says xmlns="DAV:".
//
// It reads XML as encoding/xml writes it: character data and attribute
// values escaped (no '<' or '>' inside them), every start tag with its
// namespace first (<name xmlns="...") and closed by its own end tag.
type nsWriter struct {
	w     io.Writer
	tag   []byte   // a tag begun in one Write and not yet ended, if any
	scope []string // the default namespace of each open element
	out   []byte
	last  string // the namespace intern made last
}

var xmlnsAttr = []byte(` xmlns="`)

// Write implements io.Writer.
func (nw *nsWriter) Write(p []byte) (int, error) {
	nw.out = nw.out[:0]
	rest := p
	for len(rest) > 0 {
		if len(nw.tag) > 0 {
			end := bytes.IndexByte(rest, '>')
			if end < 0 {
				nw.tag = append(nw.tag, rest...)
				break
			}
			nw.tag = append(nw.tag, rest[:end+1]...)
			rest = rest[end+1:]
			nw.writeTag(nw.tag)
			nw.tag = nw.tag[:0]
			continue
		}
		lt := bytes.IndexByte(rest, '<')
		if lt < 0 {
			nw.out = append(nw.out, rest...)
			break
		}
		nw.out = append(nw.out, rest[:lt]...)
		rest = rest[lt:]
		if end := bytes.IndexByte(rest, '>'); end >= 0 {
			nw.writeTag(rest[:end+1])
			rest = rest[end+1:]
		} else {
			nw.tag = append(nw.tag, rest...)
			break
		}
	}
	if _, err := nw.w.Write(nw.out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeTag appends tag (from '<' to '>') to the output, without its
// xmlns="…" if that restates the namespace in scope, and keeps the scope.
func (nw *nsWriter) writeTag(tag []byte) {
	switch {
	case len(tag) > 1 && tag[1] == '/':
		if len(nw.scope) > 0 {
			nw.scope = nw.scope[:len(nw.scope)-1]
		}
		nw.out = append(nw.out, tag...)
		return
	case len(tag) > 1 && (tag[1] == '?' || tag[1] == '!'):
		nw.out = append(nw.out, tag...)
		return
	}
	parent := ""
	if len(nw.scope) > 0 {
		parent = nw.scope[len(nw.scope)-1]
	}
	ns, keep := parent, tag
	if at := bytes.Index(tag, xmlnsAttr); at >= 0 {
		start := at + len(xmlnsAttr)
		if n := bytes.IndexByte(tag[start:], '"'); n >= 0 {
			value := tag[start : start+n]
			// the declaration right after the name, restating the scope
			if string(value) == parent && !bytes.ContainsAny(tag[1:at], " /") {
				nw.out = append(nw.out, tag[:at]...)
				keep = tag[start+n+1:]
			} else {
				ns = nw.intern(value)
			}
		}
	}
	nw.out = append(nw.out, keep...)
	if !bytes.HasSuffix(tag, []byte("/>")) {
		nw.scope = append(nw.scope, ns)
	}
}

// intern is ns as a string, the one of an open element if any has it (a
// card's address-data would otherwise allocate its namespace each time).
func (nw *nsWriter) intern(ns []byte) string {
	for i := len(nw.scope) - 1; i >= 0; i-- {
		if nw.scope[i] == string(ns) {
			return nw.scope[i]
		}
	}
	if nw.last == string(ns) {
		return nw.last
	}
	nw.last = string(ns)
	return nw.last
}
