package dav

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
)

// What the DAV tree answers before go-webdav sees a request: the methods
// it does not serve (405 with an honest Allow), OPTIONS, PROPPATCH (every
// property here is protected), conditional GETs, and the bounds on
// PROPFIND that keep one small request from making a huge answer.

// unsupported are methods clients send that the tree never serves: they
// are answered 405 with the methods the resource does allow (Fiber must
// know them to route them here).
var unsupported = []string{"MKCOL", "MKCALENDAR", "COPY", "MOVE", "LOCK", "UNLOCK", "ACL", "BIND", "UNBIND", "REBIND", "SEARCH"}

// MaxProps bounds how many properties one PROPFIND may name (PRODUCT.md §6):
// with at most this many, an answer costs at most this many elements a
// resource, and a Depth 1 answer is written one resource at a time.
const MaxProps = 100

// maxPropfindBody bounds a PROPFIND or PROPPATCH body; clients send a few
// hundred bytes.
const maxPropfindBody = 64 << 10

// resourceKind tells apart what a path names, for the methods it allows.
type resourceKind int

const (
	kindNone       resourceKind = iota
	kindContainer               // the root, principals, home sets
	kindCollection              // the address book, the task list
	kindObject                  // a card or a task
)

func kindOf(p string) resourceKind {
	clean := path.Clean(p)
	switch {
	case clean+"/" == BookPath || clean+"/" == TaskListPath:
		return kindCollection
	case strings.HasPrefix(clean+"/", BookPath) && strings.HasSuffix(clean, ".vcf"),
		strings.HasPrefix(clean+"/", TaskListPath) && strings.HasSuffix(clean, ".ics"):
		return kindObject
	case clean == Root || strings.HasPrefix(BookPath, clean+"/") || strings.HasPrefix(TaskListPath, clean+"/"):
		return kindContainer
	}
	return kindNone
}

// allow is what a resource of kind k answers to.
func allow(k resourceKind) string {
	switch k {
	case kindObject:
		return "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH"
	case kindCollection:
		return "OPTIONS, PROPFIND, PROPPATCH, REPORT"
	default:
		return "OPTIONS, PROPFIND"
	}
}

// front answers what go-webdav would answer wrongly, or not at all; it
// reports whether it answered. body is the request body, read already.
func (s *Server) front(w http.ResponseWriter, r *http.Request, body []byte) bool {
	k := kindOf(r.URL.Path)
	for _, m := range unsupported {
		if r.Method == m {
			w.Header().Set("Allow", allow(k))
			http.Error(w, m+" is not supported here", http.StatusMethodNotAllowed)
			return true
		}
	}
	switch r.Method {
	case http.MethodOptions:
		w.Header().Set("DAV", "1, 3, addressbook, calendar-access")
		w.Header().Set("Allow", allow(k))
		w.WriteHeader(http.StatusNoContent)
		return true
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		if k != kindObject && !(r.Method == http.MethodGet && path.Clean(r.URL.Path) == Root) {
			w.Header().Set("Allow", allow(k))
			http.Error(w, r.Method+" is not supported on a collection", http.StatusMethodNotAllowed)
			return true
		}
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && k == kindObject && r.Header.Get("If-None-Match") != "" {
			return s.notModified(w, r)
		}
	case "PROPPATCH":
		s.handlePropPatch(w, r, body)
		return true
	case "PROPFIND":
		if len(body) > maxPropfindBody {
			http.Error(w, fmt.Sprintf("a PROPFIND body is at most %d KiB", maxPropfindBody>>10), http.StatusRequestEntityTooLarge)
			return true
		}
		if d := strings.TrimSpace(r.Header.Get("Depth")); strings.EqualFold(d, "infinity") {
			// RFC 4918 §9.1: a server may refuse Depth: infinity.
			writeXMLError(w, http.StatusForbidden, `<d:propfind-finite-depth/>`)
			return true
		}
		q, err := parsePropfind(body)
		if err != nil {
			http.Error(w, "not a PROPFIND request: "+err.Error(), http.StatusBadRequest)
			return true
		}
		if n := len(q.Prop.Props); n > MaxProps {
			http.Error(w, fmt.Sprintf("a PROPFIND names at most %d properties (this one names %d)", MaxProps, n), http.StatusBadRequest)
			return true
		}
		for _, p := range q.Prop.Props {
			if p.XMLName.Local == "address-data" || p.XMLName.Local == "calendar-data" {
				// RFC 6352 §10.4, RFC 4791 §9.6: the data is for REPORTs,
				// which are bounded by what they name.
				http.Error(w, p.XMLName.Local+" is asked for in a REPORT, not a PROPFIND", http.StatusBadRequest)
				return true
			}
		}
	}
	return false
}

// parsePropfind reads a PROPFIND body; an empty one means allprop (RFC
// 4918 §9.1).
func parsePropfind(body []byte) (*propfindRequest, error) {
	var q propfindRequest
	if len(bytes.TrimSpace(body)) == 0 {
		q.AllProp = &struct{}{}
		return &q, nil
	}
	if err := xml.Unmarshal(body, &q); err != nil {
		return nil, err
	}
	return &q, nil
}

// allPropBody stands in for an empty PROPFIND body, which go-webdav would
// refuse when the client says it is XML.
const allPropBody = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>`

// notModified answers a GET or HEAD whose If-None-Match names the item's
// current ETag with 304 (RFC 9110 §13.1.2); it reports whether it did.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request) bool {
	etag, err := s.etagAt(r.Context(), r.URL.Path)
	if err != nil || etag == "" {
		return false // go-webdav answers the 404
	}
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == `"`+etag+`"` {
			w.Header().Set("ETag", `"`+etag+`"`)
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// etagAt is the ETag of the card or task at p.
func (s *Server) etagAt(ctx context.Context, p string) (string, error) {
	if strings.HasPrefix(p, BookPath) {
		ao, err := s.cards.Backend.GetAddressObject(ctx, p, nil)
		if err != nil {
			return "", err
		}
		return ao.ETag, nil
	}
	o, err := s.tasks.Backend.GetCalendarObject(ctx, p, nil)
	if err != nil {
		return "", err
	}
	return o.ETag, nil
}

// propertyUpdate is the body of a PROPPATCH.
type propertyUpdate struct {
	XMLName xml.Name `xml:"DAV: propertyupdate"`
	Set     []struct {
		Prop struct {
			Props []struct{ XMLName xml.Name } `xml:",any"`
		} `xml:"DAV: prop"`
	} `xml:"DAV: set"`
	Remove []struct {
		Prop struct {
			Props []struct{ XMLName xml.Name } `xml:",any"`
		} `xml:"DAV: prop"`
	} `xml:"DAV: remove"`
}

// handlePropPatch answers a PROPPATCH: the properties here are Rapport's
// (names, ctags, ETags) and none is stored for clients, so every property
// named is refused, 403, in one propstat (RFC 4918 §9.2: all or none).
func (s *Server) handlePropPatch(w http.ResponseWriter, r *http.Request, body []byte) {
	if len(body) > maxPropfindBody {
		http.Error(w, fmt.Sprintf("a PROPPATCH body is at most %d KiB", maxPropfindBody>>10), http.StatusRequestEntityTooLarge)
		return
	}
	if kindOf(r.URL.Path) == kindNone {
		http.NotFound(w, r)
		return
	}
	var q propertyUpdate
	if err := xml.Unmarshal(body, &q); err != nil {
		http.Error(w, "not a PROPPATCH request: "+err.Error(), http.StatusBadRequest)
		return
	}
	var names bytes.Buffer
	n := 0
	add := func(props []struct{ XMLName xml.Name }) {
		for _, p := range props {
			if n++; n <= MaxProps {
				empty, _ := xml.Marshal(struct{ XMLName xml.Name }{p.XMLName})
				names.Write(empty)
			}
		}
	}
	for _, set := range q.Set {
		add(set.Prop.Props)
	}
	for _, rm := range q.Remove {
		add(rm.Prop.Props)
	}
	if n > MaxProps {
		http.Error(w, fmt.Sprintf("a PROPPATCH names at most %d properties", MaxProps), http.StatusBadRequest)
		return
	}
	var out bytes.Buffer
	out.WriteString(xml.Header + `<d:multistatus xmlns:d="DAV:"><d:response>`)
	fmt.Fprintf(&out, `<d:href>%s</d:href>`, escape(r.URL.Path))
	if n > 0 {
		out.WriteString(`<d:propstat><d:prop>` + names.String() + `</d:prop><d:status>HTTP/1.1 403 Forbidden</d:status>` +
			`<d:responsedescription>Rapport's properties cannot be changed by clients</d:responsedescription></d:propstat>`)
	} else {
		out.WriteString(`<d:status>HTTP/1.1 200 OK</d:status>`)
	}
	out.WriteString(`</d:response></d:multistatus>`)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	w.Write(out.Bytes())
}

// writeXMLError answers a DAV precondition error (RFC 4918 §16).
func writeXMLError(w http.ResponseWriter, code int, cond string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, xml.Header+`<d:error xmlns:d="DAV:">`+cond+`</d:error>`)
}

// putOutcome is where a PUT's backend says whether the item existed, so
// that an update is answered 204 and a creation 201 (RFC 9110 §9.3.4);
// go-webdav answers 201 to both.
type putOutcome struct{ existed bool }

type putOutcomeKey struct{}

// markUpdated records, for the PUT being served, that it updated an
// existing item.
func markUpdated(ctx context.Context) {
	if o, ok := ctx.Value(putOutcomeKey{}).(*putOutcome); ok {
		o.existed = true
	}
}

// putWriter turns go-webdav's 201 into 204 when the PUT updated an item.
type putWriter struct {
	http.ResponseWriter
	o *putOutcome
}

func (p putWriter) WriteHeader(code int) {
	if code == http.StatusCreated && p.o.existed {
		p.Header().Del("Location")
		code = http.StatusNoContent
	}
	p.ResponseWriter.WriteHeader(code)
}
