package dav

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Changes is the journal of changed cards and tasks that sync-collection
// (RFC 6578) reads (see record.Changes). Without one collections offer no
// sync token and clients compare every ETag instead.
type Changes = record.Changes

// ErrBadToken is what Changes.Since returns for a token it did not make;
// the client is told to sync from scratch.
var ErrBadToken = record.ErrBadSyncToken

// syncTokenPrefix starts our sync tokens (a URI, as RFC 6578 asks).
const syncTokenPrefix = "urn:rapport:sync:"

// maxSyncItems bounds one sync-collection answer; a client continues
// from the token it gets (507 on the collection says there is more).
const maxSyncItems = 1000

// collection is what sync and PROPFIND need of the address book or the
// task list.
type collection struct {
	name, path, kind string // kind: "cards" or "tasks"
	// item returns one item's href, ETag and data; NotFound if it is gone.
	item func(ctx context.Context, id string) (href, etag string, data []byte, err error)
	// all lists every item's href, ETag and data.
	all func(ctx context.Context) ([]syncItem, error)
}

type syncItem struct {
	href, etag string
	data       []byte
	mod        time.Time
}

func (s *Server) collectionAt(p string) *collection {
	switch path.Clean(p) + "/" {
	case BookPath:
		b := s.cards.Backend.(*cards)
		return &collection{name: "Rapport", path: BookPath, kind: "cards",
			item: func(ctx context.Context, id string) (string, string, []byte, error) {
				ao, err := b.journaled(ctx, userOf(ctx), id, "3.0")
				if err != nil {
					return "", "", nil, err
				}
				return ao.Path, ao.ETag, ao.Data, nil
			},
			all: func(ctx context.Context) ([]syncItem, error) {
				aos, err := b.ListAddressObjects(ctx, BookPath, nil)
				if err != nil {
					return nil, err
				}
				out := make([]syncItem, len(aos))
				for i, ao := range aos {
					out[i] = syncItem{ao.Path, ao.ETag, ao.Data, ao.ModTime}
				}
				return out, nil
			}}
	case TaskListPath:
		t := s.tasks.Backend.(*tasks)
		return &collection{name: "Rapport follow-ups", path: TaskListPath, kind: "tasks",
			item: func(ctx context.Context, id string) (string, string, []byte, error) {
				o, err := t.get(ctx, userOf(ctx), id)
				if err != nil {
					return "", "", nil, err
				}
				return o.Path, o.ETag, o.Raw, nil
			},
			all: func(ctx context.Context) ([]syncItem, error) {
				objs, err := t.ListCalendarObjects(ctx, TaskListPath, nil)
				if err != nil {
					return nil, err
				}
				out := make([]syncItem, len(objs))
				for i, o := range objs {
					out[i] = syncItem{o.Path, o.ETag, o.Raw, o.ModTime}
				}
				return out, nil
			}}
	}
	return nil
}

// syncRequest is the body of a sync-collection REPORT.
type syncRequest struct {
	XMLName   xml.Name `xml:"DAV: sync-collection"`
	SyncToken string   `xml:"DAV: sync-token"`
	Limit     *struct {
		NResults int `xml:"DAV: nresults"`
	} `xml:"DAV: limit"`
	Prop struct {
		Props []struct{ XMLName xml.Name } `xml:",any"`
	} `xml:"DAV: prop"`
}

// wantsData reports whether a request's prop asks for the items' data.
func (q *syncRequest) wantsData() bool {
	for _, p := range q.Prop.Props {
		if p.XMLName.Local == "address-data" || p.XMLName.Local == "calendar-data" {
			return true
		}
	}
	return false
}

// handleSync answers a sync-collection REPORT: every item with an empty
// token, else the items changed after it (gone ones as 404), and a new
// token.
func (s *Server) handleSync(w http.ResponseWriter, r *http.Request, c *collection, body []byte) {
	var q syncRequest
	if err := xml.Unmarshal(body, &q); err != nil {
		http.Error(w, "not a sync-collection request: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	u := userOf(ctx)
	latest, err := s.Changes.Token(ctx, u.ID, c.kind)
	if err != nil {
		s.httpError(w, err)
		return
	}
	var out bytes.Buffer
	out.WriteString(xml.Header + `<d:multistatus xmlns:d="DAV:">`)
	data := q.wantsData()
	writeItem := func(it syncItem) {
		fmt.Fprintf(&out, `<d:response><d:href>%s</d:href><d:propstat><d:prop><d:getetag>"%s"</d:getetag>`, escape(it.href), it.etag)
		if data {
			if c.kind == "cards" {
				out.WriteString(`<card:address-data xmlns:card="urn:ietf:params:xml:ns:carddav">` + escape(string(it.data)) + `</card:address-data>`)
			} else {
				out.WriteString(`<cal:calendar-data xmlns:cal="urn:ietf:params:xml:ns:caldav">` + escape(string(it.data)) + `</cal:calendar-data>`)
			}
		}
		out.WriteString(`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`)
	}
	if q.SyncToken == "" {
		items, err := c.all(ctx)
		if err != nil {
			s.httpError(w, err)
			return
		}
		for _, it := range items {
			writeItem(it)
		}
	} else {
		since, ok := strings.CutPrefix(strings.TrimSpace(q.SyncToken), syncTokenPrefix+c.kind+":")
		limit := maxSyncItems
		if q.Limit != nil && q.Limit.NResults > 0 && q.Limit.NResults < limit {
			limit = q.Limit.NResults
		}
		var ids []string
		var next string
		var more bool
		if ok {
			ids, next, more, err = s.Changes.Since(ctx, u.ID, c.kind, since, limit)
		}
		if !ok || errors.Is(err, ErrBadToken) {
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, xml.Header+`<d:error xmlns:d="DAV:"><d:valid-sync-token/></d:error>`)
			return
		}
		if err != nil {
			s.httpError(w, err)
			return
		}
		latest = next
		for _, id := range ids {
			href, etag, raw, err := c.item(ctx, id)
			switch {
			case apperr.Is(err, apperr.NotFound):
				fmt.Fprintf(&out, `<d:response><d:href>%s</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`, escape(c.path+id+itemExt(c.kind)))
			case err != nil:
				s.httpError(w, err)
				return
			default:
				writeItem(syncItem{href: href, etag: etag, data: raw})
			}
		}
		if more {
			fmt.Fprintf(&out, `<d:response><d:href>%s</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>`, escape(c.path))
		}
	}
	fmt.Fprintf(&out, `<d:sync-token>%s</d:sync-token></d:multistatus>`, escape(syncTokenPrefix+c.kind+":"+latest))
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	w.Write(out.Bytes())
}

func itemExt(kind string) string {
	if kind == "cards" {
		return ".vcf"
	}
	return ".ics"
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// propfindRequest is the body of a PROPFIND.
type propfindRequest struct {
	XMLName  xml.Name  `xml:"DAV: propfind"`
	AllProp  *struct{} `xml:"DAV: allprop"`
	PropName *struct{} `xml:"DAV: propname"`
	Prop     struct {
		Props []struct{ XMLName xml.Name } `xml:",any"`
	} `xml:"DAV: prop"`
}

// handleCollectionProps answers a PROPFIND of the address book or the task
// list: Depth 0 with the sync token, the ctag and the supported reports
// clients look for before they use sync-collection (go-webdav answers
// without them), and with members (Depth 1) each card or task written as
// it goes (go-webdav holds the whole answer in memory).
func (s *Server) handleCollectionProps(w http.ResponseWriter, r *http.Request, c *collection, body []byte, members bool) {
	q, err := parsePropfind(body)
	if err != nil {
		http.Error(w, "not a PROPFIND request: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	latest, err := s.Changes.Token(ctx, userOf(ctx).ID, c.kind)
	if err != nil {
		s.httpError(w, err)
		return
	}
	tok := escape(syncTokenPrefix + c.kind + ":" + latest)
	principal, resType := PrincipalPath, `<d:collection/><card:addressbook/>`
	report := `<d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>`
	if c.kind == "cards" {
		report += `<d:supported-report><d:report><card:addressbook-multiget/></d:report></d:supported-report><d:supported-report><d:report><card:addressbook-query/></d:report></d:supported-report>`
	} else {
		principal, resType = TasksPrincipal, `<d:collection/><cal:calendar/>`
		report += `<d:supported-report><d:report><cal:calendar-multiget/></d:report></d:supported-report><d:supported-report><d:report><cal:calendar-query/></d:report></d:supported-report>`
	}
	const card, cal = "urn:ietf:params:xml:ns:carddav ", "urn:ietf:params:xml:ns:caldav "
	known := map[string]string{
		"DAV: resourcetype":                     `<d:resourcetype>` + resType + `</d:resourcetype>`,
		"DAV: displayname":                      `<d:displayname>` + escape(c.name) + `</d:displayname>`,
		"DAV: sync-token":                       `<d:sync-token>` + tok + `</d:sync-token>`,
		"http://calendarserver.org/ns/ getctag": `<cs:getctag>` + tok + `</cs:getctag>`,
		"DAV: supported-report-set":             `<d:supported-report-set>` + report + `</d:supported-report-set>`,
		"DAV: current-user-principal":           `<d:current-user-principal><d:href>` + principal + `</d:href></d:current-user-principal>`,
		"DAV: owner":                            `<d:owner><d:href>` + principal + `</d:href></d:owner>`,
		"DAV: current-user-privilege-set": `<d:current-user-privilege-set><d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege>` +
			`<d:privilege><d:write-content/></d:privilege><d:privilege><d:bind/></d:privilege><d:privilege><d:unbind/></d:privilege></d:current-user-privilege-set>`,
	}
	if c.kind == "cards" {
		known[card+"addressbook-description"] = `<card:addressbook-description>Everyone you met, with how you met them</card:addressbook-description>`
		known[card+"supported-address-data"] = `<card:supported-address-data><card:address-data-type content-type="text/vcard" version="3.0"/>` +
			`<card:address-data-type content-type="text/vcard" version="4.0"/></card:supported-address-data>`
		known[card+"max-resource-size"] = `<card:max-resource-size>` + strconv.Itoa(MaxCard) + `</card:max-resource-size>`
		known[card+"addressbook-home-set"] = `<card:addressbook-home-set><d:href>` + homePath + `</d:href></card:addressbook-home-set>`
	} else {
		known[cal+"calendar-description"] = `<cal:calendar-description>Thank-yous, check-ins and intro checks from Rapport</cal:calendar-description>`
		known[cal+"supported-calendar-component-set"] = `<cal:supported-calendar-component-set><cal:comp name="VTODO"/></cal:supported-calendar-component-set>`
		known[cal+"max-resource-size"] = `<cal:max-resource-size>` + strconv.Itoa(MaxCard) + `</cal:max-resource-size>`
		known[cal+"calendar-home-set"] = `<cal:calendar-home-set><d:href>` + tasksHome + `</d:href></cal:calendar-home-set>`
	}
	var items []syncItem
	if members {
		if items, err = c.all(ctx); err != nil {
			s.httpError(w, err)
			return
		}
	}
	out := bufio.NewWriterSize(w, 32<<10)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	out.WriteString(xml.Header + `<d:multistatus xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">`)
	writeResponse(out, c.path, q, known, []string{"DAV: resourcetype", "DAV: displayname", "DAV: sync-token", "http://calendarserver.org/ns/ getctag", "DAV: supported-report-set"})
	// The members one at a time: the answer grows with the collection, but
	// what is held for it does not (MaxProps bounds each response).
	contentType := "text/vcard; charset=utf-8"
	if c.kind == "tasks" {
		contentType = "text/calendar; charset=utf-8; component=VTODO"
	}
	member := map[string]string{
		"DAV: resourcetype":   `<d:resourcetype/>`,
		"DAV: getcontenttype": `<d:getcontenttype>` + contentType + `</d:getcontenttype>`,
	}
	memberAll := []string{"DAV: resourcetype", "DAV: getcontenttype", "DAV: getetag", "DAV: getcontentlength", "DAV: getlastmodified"}
	for _, it := range items {
		member["DAV: getetag"] = `<d:getetag>"` + it.etag + `"</d:getetag>`
		member["DAV: getcontentlength"] = `<d:getcontentlength>` + strconv.Itoa(len(it.data)) + `</d:getcontentlength>`
		member["DAV: getlastmodified"] = `<d:getlastmodified>` + it.mod.UTC().Format(http.TimeFormat) + `</d:getlastmodified>`
		writeResponse(out, it.href, q, member, memberAll)
	}
	out.WriteString(`</d:multistatus>`)
	out.Flush()
}

// writeResponse writes one resource's response to a PROPFIND: the
// properties it has (known, by "namespace local"; allprop the ones
// allprop returns) in a 200 propstat, the others named in a 404 one.
func writeResponse(out *bufio.Writer, href string, q *propfindRequest, known map[string]string, allprop []string) {
	var found, missing bytes.Buffer
	if q.PropName != nil {
		// RFC 4918 §9.1: the names of every property, without values.
		names := make([]string, 0, len(known))
		for k := range known {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			space, local, _ := strings.Cut(k, " ")
			empty, _ := xml.Marshal(struct{ XMLName xml.Name }{xml.Name{Space: space, Local: local}})
			found.Write(empty)
		}
	}
	if q.AllProp != nil {
		for _, k := range allprop {
			found.WriteString(known[k])
		}
	}
	for _, p := range q.Prop.Props {
		if v, ok := known[p.XMLName.Space+" "+p.XMLName.Local]; ok {
			found.WriteString(v)
			continue
		}
		empty, _ := xml.Marshal(struct{ XMLName xml.Name }{p.XMLName})
		missing.Write(empty)
	}
	fmt.Fprintf(out, `<d:response><d:href>%s</d:href>`, escape(href))
	if found.Len() > 0 {
		out.WriteString(`<d:propstat><d:prop>` + found.String() + `</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>`)
	}
	if missing.Len() > 0 {
		out.WriteString(`<d:propstat><d:prop>` + missing.String() + `</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>`)
	}
	out.WriteString(`</d:response>`)
}

// httpError answers err as davError does, for the handlers go-webdav
// does not run.
func (s *Server) httpError(w http.ResponseWriter, err error) {
	code, msg := s.status(err)
	http.Error(w, msg, code)
}
