package api_test

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// qrPNG draws text as a QR code (gozxing's encoder) in a PNG.
func qrPNG(t *testing.T, text string) []byte {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 300, 300, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestScan: the text of a code (vCard, MECARD, mailto:, LinkedIn URL) or a
// photo of it becomes a prefill for the log form; anything else is a 4xx
// naming the field.
func TestScan(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	scan := func(text string) map[string]any {
		t.Helper()
		r := s.Do(t, "POST", "/v1/scan", tok, map[string]any{"text": text})
		MustStatus(t, r, 200)
		return r.JSON(t)["contact"].(map[string]any)
	}
	c := scan("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@example.com\r\nTEL:+1 555 0100\r\nORG:US Navy\r\nTITLE:Rear Admiral\r\nEND:VCARD\r\n")
	if c["name"] != "Grace Hopper" || c["emails"].([]any)[0] != "grace@example.com" || c["company"] != "US Navy" || c["title"] != "Rear Admiral" {
		t.Fatalf("vCard: %v", c)
	}
	c = scan(`MECARD:N:Lovelace,Ada;TEL:+44 20 7946 0000;EMAIL:ADA@example.com;ORG:Analytical\; Engines;URL:https://www.linkedin.com/in/ada-lovelace;;`)
	if c["name"] != "Ada Lovelace" || c["emails"].([]any)[0] != "ada@example.com" || c["company"] != "Analytical; Engines" ||
		c["linkedin_url"] != "https://www.linkedin.com/in/ada-lovelace" {
		t.Fatalf("MECARD: %v", c)
	}
	if c = scan("mailto:Alan%20Turing%20%3Calan@example.com%3E"); c["emails"].([]any)[0] != "alan@example.com" {
		t.Fatalf("mailto: %v", c)
	}
	if c = scan("linkedin.com/in/margaret-hamilton?trk=qr"); c["linkedin_url"] != "https://www.linkedin.com/in/margaret-hamilton" {
		t.Fatalf("LinkedIn: %v", c)
	}
	r := s.Do(t, "POST", "/v1/scan", tok, map[string]any{"text": "https://example.com/menu"})
	MustStatus(t, r, 422)
	if !strings.Contains(string(r.Body), `"text"`) {
		t.Fatalf("the error does not name text: %s", r.Body)
	}

	// A photo of a code, decoded on the server.
	r = s.Do(t, "POST", "/v1/scan", tok, qrPNG(t, "MECARD:N:Hopper,Grace;EMAIL:grace@example.com;;"), "Content-Type", "image/png")
	MustStatus(t, r, 200)
	if c := r.JSON(t)["contact"].(map[string]any); c["name"] != "Grace Hopper" {
		t.Fatalf("photo: %v", c)
	}
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	var b bytes.Buffer
	png.Encode(&b, blank)
	r = s.Do(t, "POST", "/v1/scan", tok, b.Bytes(), "Content-Type", "image/png")
	MustStatus(t, r, 422)
	if !strings.Contains(string(r.Body), `"image"`) {
		t.Fatalf("no code: %s", r.Body)
	}
	MustStatus(t, s.Do(t, "POST", "/v1/scan", tok, "not an image", "Content-Type", "image/jpeg"), 422)
	MustStatus(t, s.Do(t, "POST", "/v1/scan", tok, bytes.Repeat([]byte{0}, 5<<20+10), "Content-Type", "image/png"), 413)
	MustStatus(t, s.Do(t, "POST", "/v1/scan", tok, "x", "Content-Type", "text/plain"), 415)
}
