package internal

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestNSWriterDropsRestatedDeclarations(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"nested DAV: elements",
			`<multistatus xmlns="DAV:"><response xmlns="DAV:"><href xmlns="DAV:">/a</href></response></multistatus>`,
			`<multistatus xmlns="DAV:"><response><href>/a</href></response></multistatus>`},
		{"a DAV: element inside another namespace keeps its declaration",
			`<prop xmlns="DAV:"><addressbook-home-set xmlns="urn:ietf:params:xml:ns:carddav"><href xmlns="DAV:">/a</href></addressbook-home-set><getetag xmlns="DAV:">"1"</getetag></prop>`,
			`<prop xmlns="DAV:"><addressbook-home-set xmlns="urn:ietf:params:xml:ns:carddav"><href xmlns="DAV:">/a</href></addressbook-home-set><getetag>"1"</getetag></prop>`},
		{"siblings in one namespace under another",
			`<a xmlns="DAV:"><b xmlns="X"><c xmlns="X">1</c><c xmlns="X">2</c></b><d xmlns="DAV:"></d></a>`,
			`<a xmlns="DAV:"><b xmlns="X"><c>1</c><c>2</c></b><d></d></a>`},
		{"other attributes stay",
			`<a xmlns="DAV:"><b xmlns="DAV:" xmlns:c="C" c:x="1 &gt; 0">t</b></a>`,
			`<a xmlns="DAV:"><b xmlns:c="C" c:x="1 &gt; 0">t</b></a>`},
		{"an element without a namespace inherits, and its children drop theirs",
			`<a xmlns="DAV:"><b><c xmlns="DAV:">t</c></b></a>`,
			`<a xmlns="DAV:"><b><c>t</c></b></a>`},
		{"a declaration that is not the first attribute sets the scope but stays",
			`<a xmlns="DAV:"><b y="1" xmlns="X"><c xmlns="X"></c></b></a>`,
			`<a xmlns="DAV:"><b y="1" xmlns="X"><c></c></b></a>`},
		{"the header, self-closing tags and text with entities",
			`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<a xmlns="DAV:"><b xmlns="DAV:"/><c xmlns="DAV:">x &lt;d xmlns=&#34;DAV:&#34;&gt; y` + "\nz\n" + `</c></a>`,
			`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<a xmlns="DAV:"><b/><c>x &lt;d xmlns=&#34;DAV:&#34;&gt; y` + "\nz\n" + `</c></a>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// whole, then cut at every byte: encoding/xml's buffer can end
			// anywhere in a tag
			for cut := 0; cut <= len(tc.in); cut++ {
				var out bytes.Buffer
				nw := &nsWriter{w: &out}
				for _, part := range []string{tc.in[:cut], tc.in[cut:]} {
					if n, err := nw.Write([]byte(part)); err != nil || n != len(part) {
						t.Fatalf("Write = %d, %v", n, err)
					}
				}
				if out.String() != tc.want {
					t.Fatalf("cut at %d:\n got %s\nwant %s", cut, out.String(), tc.want)
				}
			}
			var out bytes.Buffer
			nw := &nsWriter{w: &out}
			for i := 0; i < len(tc.in); i++ {
				nw.Write([]byte{tc.in[i]})
			}
			if out.String() != tc.want {
				t.Fatalf("byte by byte:\n got %s\nwant %s", out.String(), tc.want)
			}
		})
	}
}

// TestMultiStatusMeansTheSame: a multistatus as ServeMultiStatus writes it
// reads back to the same elements, in the same namespaces, with the same
// text, as encoding/xml's own encoding of it, and is smaller.
func TestMultiStatusMeansTheSame(t *testing.T) {
	var resps []Response
	for _, href := range []string{"/contacts/a.vcf", "/contacts/b.vcf"} {
		r := NewOKResponse(href)
		etag := GetETag{ETag: `"abc"`}
		home := struct {
			XMLName xml.Name `xml:"urn:ietf:params:xml:ns:carddav addressbook-home-set"`
			Href    Href     `xml:"DAV: href"`
		}{Href: Href{Path: "/contacts/"}}
		data := struct {
			XMLName xml.Name `xml:"urn:ietf:params:xml:ns:carddav address-data"`
			Data    string   `xml:",chardata"`
		}{Data: "BEGIN:VCARD\r\nFN:A <a@example.com>\r\nEND:VCARD\r\n"}
		if err := r.EncodeProp(http.StatusOK, etag); err != nil {
			t.Fatal(err)
		}
		if err := r.EncodeProp(http.StatusOK, home); err != nil {
			t.Fatal(err)
		}
		if err := r.EncodeProp(http.StatusOK, data); err != nil {
			t.Fatal(err)
		}
		resps = append(resps, *r)
	}
	resps = append(resps, *NewErrorResponse("/contacts/gone.vcf", &HTTPError{Code: http.StatusNotFound}))
	ms := NewMultiStatus(resps...)

	var plain bytes.Buffer
	plain.WriteString(xml.Header)
	if err := xml.NewEncoder(&plain).Encode(ms); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := ServeMultiStatus(rec, ms); err != nil {
		t.Fatal(err)
	}
	served := rec.Body.String()
	if got, want := readTokens(t, served), readTokens(t, plain.String()); !reflect.DeepEqual(got, want) {
		t.Fatalf("served reads as\n%q\nencoding/xml's as\n%q", got, want)
	}
	if len(served) >= plain.Len() || strings.Count(served, `xmlns="DAV:"`) != 3 {
		t.Fatalf("served %d bytes against %d, %d DAV: declarations (want the root's and the two hrefs' inside addressbook-home-set):\n%s",
			len(served), plain.Len(), strings.Count(served, `xmlns="DAV:"`), served)
	}
}

// readTokens is the document's elements and text as a decoder resolves them.
func readTokens(t *testing.T, doc string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			out = append(out, "<"+tok.Name.Space+" "+tok.Name.Local)
		case xml.EndElement:
			out = append(out, ">"+tok.Name.Space+" "+tok.Name.Local)
		case xml.CharData:
			out = append(out, string(tok))
		}
	}
}
