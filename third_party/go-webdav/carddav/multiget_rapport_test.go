package carddav

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"
)

// multiBackend answers multigets in one call and counts them; its
// GetAddressObject must not be asked during one.
type multiBackend struct {
	testBackend
	calls   int
	singles int
}

func (b *multiBackend) GetAddressObject(ctx context.Context, path string, req *AddressDataRequest) (*AddressObject, error) {
	b.singles++
	return b.testBackend.GetAddressObject(ctx, path, req)
}

func (b *multiBackend) GetAddressObjects(ctx context.Context, paths []string, req *AddressDataRequest) (map[string]*AddressObject, error) {
	b.calls++
	out := map[string]*AddressObject{}
	for _, p := range paths {
		if p == "/"+alicePath {
			card, _ := vcard.NewDecoder(strings.NewReader(aliceData)).Decode()
			out[p] = &AddressObject{Path: p, Card: card, ETag: "a1"}
		}
	}
	return out, nil
}

// TestMultigetAsksTheBackendOnce: a backend that reads several address
// objects at once is asked once per addressbook-multiget, not once per
// href; hrefs it does not return are 404.
func TestMultigetAsksTheBackendOnce(t *testing.T) {
	b := &multiBackend{}
	srv := httptest.NewServer(&Handler{Backend: b})
	defer srv.Close()
	body := `<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">` +
		`<d:prop><d:getetag/><c:address-data/></d:prop><d:href>/` + alicePath + `</d:href><d:href>/nobody.vcf</d:href></c:addressbook-multiget>`
	req, _ := http.NewRequest("REPORT", srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(string(out), "Alice Gopher") || !strings.Contains(string(out), "404 Not Found") {
		t.Fatalf("%d\n%s", resp.StatusCode, out)
	}
	if b.calls != 1 || b.singles != 0 {
		t.Fatalf("the backend was asked %d times at once and %d one by one; want once, and none", b.calls, b.singles)
	}
}

// encodedBackend gives each card encoded as well (Data), marked so the
// test can tell it from Card encoded again.
type encodedBackend struct{ multiBackend }

const encodedMark = "NOTE:as the backend encoded it\r\n"

func (b *encodedBackend) GetAddressObjects(ctx context.Context, paths []string, req *AddressDataRequest) (map[string]*AddressObject, error) {
	out, err := b.multiBackend.GetAddressObjects(ctx, paths, req)
	for _, ao := range out {
		ao.Data = []byte(strings.Replace(aliceData, "END:VCARD", strings.TrimSuffix(encodedMark, "\r\n")+"\r\nEND:VCARD", 1))
	}
	return out, err
}

// TestMultigetWritesTheBackendsEncoding: an address object that carries
// its card encoded (Data) is written as it is, not encoded again.
func TestMultigetWritesTheBackendsEncoding(t *testing.T) {
	srv := httptest.NewServer(&Handler{Backend: &encodedBackend{}})
	defer srv.Close()
	body := `<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">` +
		`<d:prop><d:getetag/><c:address-data/></d:prop><d:href>/` + alicePath + `</d:href></c:addressbook-multiget>`
	req, _ := http.NewRequest("REPORT", srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(string(out), "as the backend encoded it") {
		t.Fatalf("%d\n%s", resp.StatusCode, out)
	}
}

// TestAddressDataLineFeedsAsTheyAre: a card in a multiget is written with
// its line feeds as they are (a CR as "&#xD;"), not as "&#xA;", and an XML
// parser reads it back byte for byte, LFs and CRLFs as they were.
func TestAddressDataLineFeedsAsTheyAre(t *testing.T) {
	srv := httptest.NewServer(&Handler{Backend: &encodedBackend{}})
	defer srv.Close()
	body := `<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">` +
		`<d:prop><d:getetag/><c:address-data/></d:prop><d:href>/` + alicePath + `</d:href></c:addressbook-multiget>`
	req, _ := http.NewRequest("REPORT", srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(out), "&#xA;") || !strings.Contains(string(out), "it&#xD;\nEND:VCARD") {
		t.Fatalf("address-data not written with its line feeds as they are:\n%s", out)
	}
	var ms struct {
		Data string `xml:"response>propstat>prop>address-data"`
	}
	if err := xml.Unmarshal(out, &ms); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(aliceData, "END:VCARD", strings.TrimSuffix(encodedMark, "\r\n")+"\r\nEND:VCARD", 1)
	if ms.Data != want {
		t.Fatalf("read back:\n%q\nwant:\n%q", ms.Data, want)
	}
}
